/*
 * test_extract_telegram.c
 *	  cmocka tests for extension/extract_telegram.c on the real captures in
 *	  test/fixtures/telegram (expected values: test/fixtures/SOURCES.md):
 *	  the t.me/s/ preview pages and the plain t.me/<channel> page, pages
 *	  that show no channel, and damaged copies: truncated, mutated,
 *	  non-UTF-8, empty, 20 MB of junk, deep nesting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "extract_int.h"
#include "unit_util.h"

#define WALTER "telegram/tme_s_walterbloomberg.html"
#define DUROV_OLD "telegram/tme_s_durov_before38.html"
#define DUROV_PAGE "telegram/tme_durov_channel_page.html"

/* Request URLs as the worker makes them, through the loopback fixture server */
#define WALTER_URL "http://127.0.0.1:8080/telegram/s/walterbloomberg"
#define DUROV_OLD_URL "http://127.0.0.1:8080/telegram/s/durov?before=38"
#define DUROV_PAGE_URL "http://127.0.0.1:8080/telegram/durov"

/* The three captures with the URL each answers */
static const char *const fixtures[][2] = {
	{WALTER, WALTER_URL}, {DUROV_OLD, DUROV_OLD_URL}, {DUROV_PAGE, DUROV_PAGE_URL}
};

/* Run the Telegram extractor and check the shape */
static json_t *
Extract(const char *url, const char *body, size_t len)
{
	json_t	   *r = cos_extract_telegram(url, body, len);

	unit_check_result(r, "telegram");
	return r;
}

/* Extract a NUL-terminated string body */
static json_t *
ExtractStr(const char *url, const char *body)
{
	return Extract(url, body, strlen(body));
}

/* The video whose id is id in result; fails when there is none */
static json_t *
VideoById(const json_t *result, const char *id)
{
	size_t		i;
	json_t	   *v;

	json_array_foreach(json_object_get(result, "videos"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
			return v;
	}
	fail_msg("no video %s", id);
	return NULL;
}

/* True when result has a video whose id is id */
static bool
HasVideo(const json_t *result, const char *id)
{
	size_t		i;
	json_t	   *v;

	json_array_foreach(json_object_get(result, "videos"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
			return true;
	}
	return false;
}

/*
 * A copy of body with the first occurrence of from replaced by to, padded
 * with blanks to the length of from.
 */
static char *
Patched(const char *body, size_t len, const char *from, const char *to)
{
	size_t		at = unit_find(body, len, from);
	size_t		flen = strlen(from);
	char	   *copy;

	assert_true(strlen(to) <= flen);
	if (at == (size_t) -1)
		fail_msg("\"%s\" not in the fixture", from);
	copy = malloc(len);
	memcpy(copy, body, len);
	memset(copy + at, ' ', flen);
	memcpy(copy + at, to, strlen(to));
	return copy;
}

/* The reason of a failed result contains needle */
static void
AssertReason(const json_t *r, const char *needle)
{
	const char *why = json_string_value(json_object_get(r, "error"));

	if (why == NULL || strstr(why, needle) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", why ? why : "(none)", needle);
}

/* Code points in the UTF-8 string s */
static size_t
Utf8Chars(const char *s)
{
	size_t		n = 0;

	for (; *s; s++)
		n += ((unsigned char) *s & 0xC0) != 0x80;
	return n;
}

/* walterbloomberg preview: channel counters and 20 posts */
static void
test_preview_walterbloomberg(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(WALTER, &len);
	json_t	   *r = Extract(WALTER_URL, body, len);
	json_t	   *c;
	json_t	   *v;
	size_t		i;

	(void) state;
	assert_status(r, "ok");
	assert_json_str(r, "next", "22878");	/* <link rel="prev" href="/s/walterbloomberg?before=22878"> */

	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "walterbloomberg");
	assert_json_str(c, "handle", "walterbloomberg");
	assert_json_str(c, "title", "Walter Bloomberg");
	assert_json_int(c, "followers", 15400);	/* "15.4K" */
	assert_json_int(c, "videos", 21);	/* the "videos" counter: video posts */
	assert_json_null(c, "likes");
	assert_json_null(c, "views");
	assert_json_prefix(c, "avatar_url", "https://cdn4.telesco.pe/file/qTn3IJG8ZM1j1U8tGuW-wXaG");

	assert_int_equal(json_array_size(json_object_get(r, "videos")), 20);
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "walterbloomberg/22878");
	assert_json_str(v, "channel_id", "walterbloomberg");
	assert_json_str(v, "url", "https://t.me/walterbloomberg/22878");
	assert_json_int(v, "views", 1980);	/* "1.98K" */
	assert_json_str(v, "published_at", "2026-01-19T15:40:00Z");
	/* <br><br> between the lines reads as one blank */
	assert_json_prefix(v, "title", "TRUMP WON'T SAY WHETHER HE WOULD USE FORCE TO SEIZE GREENLAND:NBC President Trump");
	assert_json_null(v, "duration_s");

	assert_json_int(VideoById(r, "walterbloomberg/22882"), "views", 2010);	/* "2.01K" */
	assert_json_int(VideoById(r, "walterbloomberg/22885"), "views", 2000);	/* "2K" */
	assert_false(HasVideo(r, "walterbloomberg/22893"));

	v = unit_item(r, "videos", 19);
	assert_json_str(v, "id", "walterbloomberg/22898");
	assert_json_int(v, "views", 597);
	assert_json_str(v, "published_at", "2026-01-20T02:47:30Z");

	/* the one photo post has its picture */
	assert_json_prefix(VideoById(r, "walterbloomberg/22883"), "thumbnail_url", "https://cdn4.telesco.pe/file/");

	json_array_foreach(json_object_get(r, "videos"), i, v)
	{
		const char *title = json_string_value(json_object_get(v, "title"));

		assert_json_null(v, "likes");
		assert_json_null(v, "comments");
		assert_json_null(v, "shares");
		assert_json_null(v, "saves");
		assert_true(json_is_integer(json_object_get(v, "views")));
		if (title != NULL)
		{
			assert_true(Utf8Chars(title) <= 200);
			assert_null(strstr(title, "  "));
			assert_null(strchr(title, '\n'));
			assert_true(title[0] != ' ' && title[strlen(title) - 1] != ' ');
		}
	}
	json_decref(r);
	free(body);
}

/* durov's oldest posts: a service message without views, photos, "1.75M" */
static void
test_preview_durov_oldest(void **state)
{
	static const struct
	{
		const char *id;
		long long	views;
	}			views[] = {
		{"durov/6", 1750000}, {"durov/7", 1770000}, {"durov/8", 1580000},
		{"durov/10", 1240000}, {"durov/11", 1130000}, {"durov/16", 1030000},
		{"durov/31", 1150000}, {"durov/32", 1150000}, {"durov/33", 1130000},
		{"durov/37", 1050000}
	};
	size_t		len;
	char	   *body = unit_read_fixture(DUROV_OLD, &len);
	json_t	   *r = Extract(DUROV_OLD_URL, body, len);
	json_t	   *c;
	json_t	   *v;

	(void) state;
	assert_status(r, "ok");
	assert_json_null(r, "next");	/* the oldest page has no rel="prev" */
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "durov");
	assert_json_str(c, "title", "Pavel Durov");
	assert_json_int(c, "followers", 11500000);	/* "11.5M" */
	assert_json_int(c, "videos", 45);

	assert_int_equal(json_array_size(json_object_get(r, "videos")), 11);
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "durov/1");
	assert_json_str(v, "title", "Channel created");
	assert_json_null(v, "views");	/* a service message: no views, never 0 */
	assert_json_str(v, "published_at", "2015-10-28T18:20:58Z");

	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		assert_json_int(VideoById(r, views[i].id), "views", views[i].views);
	v = VideoById(r, "durov/6");
	assert_json_str(v, "published_at", "2015-10-28T18:32:12Z");
	assert_json_str(v, "url", "https://t.me/durov/6");
	assert_json_prefix(v, "thumbnail_url", "https://cdn1.telesco.pe/file/UGJExVI5hZbh3Nv9BrAGE");
	assert_json_null(v, "title");	/* a photo without a caption */
	v = VideoById(r, "durov/37");
	assert_json_str(v, "published_at", "2015-10-31T19:41:48Z");
	assert_json_str(v, "title", "I wonder who lit up all the candles in the cemetery \xF0\x9F\x8E\x83");
	json_decref(r);
	free(body);
}

/* The plain t.me/durov page: the exact subscriber count, no posts */
static void
test_plain_page(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DUROV_PAGE, &len);
	json_t	   *r = Extract(DUROV_PAGE_URL, body, len);
	json_t	   *c;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 0);
	assert_json_null(r, "next");
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "durov");
	assert_json_str(c, "handle", "durov");
	assert_json_str(c, "title", "Pavel Durov");	/* og:title, without the verified mark */
	assert_json_int(c, "followers", 10114749);	/* "10 114 749 subscribers" */
	assert_json_null(c, "videos");
	assert_json_prefix(c, "avatar_url", "https://cdn4.telesco.pe/file/v0YAEbQuCbXHc-W7EBO3eOaq18RyoUS7r2WPN216");
	json_decref(r);
	free(body);
}

/* Any URL reads the same page the same way: the page names its channel */
static void
test_any_url(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(WALTER, &len);
	json_t	   *a = Extract(WALTER_URL, body, len);
	json_t	   *b = Extract("https://t.me/s/walterbloomberg", body, len);
	json_t	   *c = Extract("", body, len);
	json_t	   *r;
	char	   *copy;
	char	   *copy2;

	(void) state;
	assert_true(json_equal(a, b));
	assert_true(json_equal(a, c));

	/* without the header username and the tg:// link: the posts' name */
	copy = Patched(body, len, "tgme_channel_info_header_username\"", "x\"");
	copy2 = Patched(copy, len, "al:android:url", "x");
	r = Extract("", copy2, len);
	assert_status(r, "ok");
	assert_json_str(unit_item(r, "channels", 0), "id", "walterbloomberg");
	json_decref(r);
	free(copy2);
	free(copy);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(body);

	/* the plain page without its tg:// links: the URL's last segment */
	body = unit_read_fixture(DUROV_PAGE, &len);
	copy = Patched(body, len, "al:android:url", "x");
	r = Extract("https://t.me/Durov", copy, len);
	assert_status(r, "ok");
	assert_json_str(unit_item(r, "channels", 0), "id", "durov");
	json_decref(r);
	free(copy);
	free(body);
}

/* Through the public dispatch: cos_extract() on t.me, cos_extract_for() */
static void
test_dispatch(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DUROV_OLD, &len);
	json_t	   *a = Extract(DUROV_OLD_URL, body, len);
	json_t	   *b = cos_extract("https://t.me/s/durov?before=38", body, len);
	json_t	   *c = cos_extract_for(COS_TELEGRAM, DUROV_OLD_URL, body, len);

	(void) state;
	assert_true(json_equal(a, b));
	assert_true(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(body);
}

/* Pages that show no public channel are "unavailable", with a reason */
static void
test_unavailable(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DUROV_PAGE, &len);
	char	   *copy;
	json_t	   *r;

	(void) state;
	copy = Patched(body, len, "class=\"tgme_page_extra\"", "class=\"x\"");
	r = Extract(DUROV_PAGE_URL, copy, len);
	assert_status(r, "unavailable");
	AssertReason(r, "durov");
	AssertReason(r, "tgme_page_extra");
	json_decref(r);
	free(copy);

	copy = Patched(body, len, "class=\"tgme_page_title\"", "class=\"x\"");
	r = Extract(DUROV_PAGE_URL, copy, len);
	assert_status(r, "unavailable");
	AssertReason(r, "tgme_page_title");
	json_decref(r);
	free(copy);

	/* a user's page says "@name" where a channel's counts subscribers */
	copy = Patched(body, len, ">10 114 749 subscribers<", ">@durov<");
	r = Extract(DUROV_PAGE_URL, copy, len);
	assert_status(r, "unavailable");
	AssertReason(r, "not a channel");
	json_decref(r);
	free(copy);

	/* a count that cannot be read is an error, never 0 */
	copy = Patched(body, len, ">10 114 749 subscribers<", ">many subscribers<");
	r = Extract(DUROV_PAGE_URL, copy, len);
	assert_status(r, "error");
	json_decref(r);
	free(copy);
	free(body);
}

/* Pages of other sites, JSON, and bare HTML are errors */
static void
test_not_telegram(void **state)
{
	size_t		len;
	char	   *tiktok = unit_read_fixture("tiktok/user_novix.ht.html", &len);
	size_t		jlen;
	char	   *json = unit_read_fixture("likee/getVideoInfo_single_item.json", &jlen);
	json_t	   *r;

	(void) state;
	r = Extract(WALTER_URL, tiktok, len);
	assert_status(r, "error");
	AssertReason(r, "neither");
	json_decref(r);
	r = Extract(WALTER_URL, json, jlen);
	assert_status(r, "error");
	json_decref(r);
	r = ExtractStr(WALTER_URL, "<html><body><p>Too Many Requests</p></body></html>");
	assert_status(r, "error");
	json_decref(r);
	/* a message whose data-post is not "Name/N" is no post */
	r = ExtractStr(WALTER_URL,
				   "<html><body><div class=\"tgme_widget_message\" data-post=\"../x\"></div>"
				   "<div class=\"tgme_widget_message\" data-post=\"a/1/\"></div></body></html>");
	assert_status(r, "error");
	json_decref(r);
	free(json);
	free(tiktok);
}

/* Copy the first n bytes of body into an exact-size buffer and extract */
static json_t *
ExtractPrefix(const char *url, const char *body, size_t n)
{
	char	   *cut = malloc(n ? n : 1);
	json_t	   *r;

	memcpy(cut, body, n);
	r = Extract(url, cut, n);
	free(cut);
	return r;
}

/* Every capture cut before its </html> is an error (a cut counter would lie) */
static void
test_truncated(void **state)
{
	(void) state;
	for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++)
	{
		size_t		len;
		char	   *body = unit_read_fixture(fixtures[f][0], &len);
		size_t		end = unit_find(body, len, "</html>");
		json_t	   *r;
		json_t	   *whole;
		size_t		at;

		assert_true(end != (size_t) -1);
		for (int k = 0; k <= 30; k++)
		{
			r = ExtractPrefix(fixtures[f][1], body, end * (size_t) k / 30);
			assert_status(r, "error");
			json_decref(r);
		}
		/* inside the subscriber counter: "15.4K" -> "15.4" must not be 15 */
		at = unit_find(body, len, "counter_value\">");
		if (at != (size_t) -1)
		{
			r = ExtractPrefix(fixtures[f][1], body, at + 17);
			assert_status(r, "error");
			json_decref(r);
		}
		/* up to </html>, without the trailing comment: the full result */
		r = ExtractPrefix(fixtures[f][1], body, end + 7);
		whole = Extract(fixtures[f][1], body, len);
		assert_status(whole, "ok");
		assert_true(json_equal(r, whole));
		json_decref(whole);
		json_decref(r);
		free(body);
	}
}

/* Empty and NULL bodies, junk, invalid UTF-8 inside a real page */
static void
test_bad_bodies(void **state)
{
	static const char junk[] = "\xFF\xFE\x00\x01\x80\x81\xC0\xC1<\xFF</html>";
	size_t		len;
	char	   *body = unit_read_fixture(WALTER, &len);
	char	   *copy;
	size_t		at;
	json_t	   *r;

	(void) state;
	r = Extract(WALTER_URL, "", 0);
	assert_status(r, "error");
	AssertReason(r, "empty");
	json_decref(r);
	r = Extract(WALTER_URL, NULL, 0);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(WALTER_URL, junk, sizeof(junk) - 1);
	assert_status(r, "error");
	json_decref(r);

	/* a stray byte in a post's text: the page still reads, well-formed */
	copy = malloc(len);
	memcpy(copy, body, len);
	at = unit_find(copy, len, "TRUMP WON'T SAY");
	assert_true(at != (size_t) -1);
	copy[at + 2] = (char) 0xFF;
	copy[at + 3] = (char) 0xC0;
	r = Extract(WALTER_URL, copy, len);
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 20);
	assert_json_prefix(unit_item(r, "videos", 0), "title", "TR??");
	assert_json_int(unit_item(r, "videos", 0), "views", 1980);
	/* the posts after it keep their non-ASCII text */
	assert_json_prefix(unit_item(r, "videos", 2), "title", "TRUMP TELLS NBC NEWS \xE2\x80\x9CI WILL");
	json_decref(r);
	free(copy);
	free(body);
}

/* 20 MB bodies: random bytes, nesting millions deep, a flood of empty posts */
static void
test_huge_bodies(void **state)
{
	const size_t big = 20 * 1024 * 1024;
	char	   *junk = malloc(big);
	unsigned long long seed = 1234;
	static const char post[] = "<div class=\"tgme_widget_message\" data-post=\"abcde/1\"></div>";
	json_t	   *r;
	size_t		pos;

	(void) state;
	for (size_t i = 0; i < big; i++)
		junk[i] = (char) unit_rand(&seed);
	memcpy(junk + big - 7, "</html>", 7);
	r = Extract(WALTER_URL, junk, big);
	assert_not_ok(r, "telegram");
	json_decref(r);

	/* <div><div>…: the walks are iterative, the parser bounds the depth */
	for (pos = 0; pos + 5 + 7 <= big; pos += 5)
		memcpy(junk + pos, "<div>", 5);
	memcpy(junk + pos, "</html>", 7);
	r = Extract(WALTER_URL, junk, pos + 7);
	assert_status(r, "error");
	json_decref(r);

	/* 2 MB of posts without any content: every one an id, nothing else */
	pos = 0;
	while (pos + sizeof(post) + 7 < big / 10)
	{
		memcpy(junk + pos, post, sizeof(post) - 1);
		pos += sizeof(post) - 1;
	}
	memcpy(junk + pos, "</html>", 7);
	r = Extract(WALTER_URL, junk, pos + 7);
	assert_status(r, "ok");
	assert_json_null(unit_item(r, "videos", 0), "views");
	assert_json_str(unit_item(r, "videos", 0), "url", "https://t.me/abcde/1");
	json_decref(r);
	free(junk);
}

/* Random byte changes in every capture never crash and keep the shape */
static void
test_mutations(void **state)
{
	static const char nasty[] = "<>/\"'=&;# \x80\xFF\0";
	unsigned long long seed = 31;

	(void) state;
	for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++)
	{
		size_t		len;
		char	   *body = unit_read_fixture(fixtures[f][0], &len);
		char	   *copy = malloc(len);

		for (int iter = 0; iter < 30; iter++)
		{
			int			nflips = 1 + (int) (unit_rand(&seed) % 8);
			json_t	   *r;

			memcpy(copy, body, len);
			for (int k = 0; k < nflips; k++)
				copy[unit_rand(&seed) % len] = nasty[unit_rand(&seed) % (sizeof(nasty) - 1)];
			r = Extract(fixtures[f][1], copy, len);
			json_decref(r);
		}
		free(copy);
		free(body);
	}
}

/* ---- one post read alone (cos_extract_telegram_post) ---- */

/* True when r is what the one-post path builds: ok, one video, nothing else */
static bool
IsPostOnly(const json_t *r)
{
	return strcmp(cos_result_status(r), "ok") == 0 &&
		json_array_size(json_object_get(r, "videos")) == 1 &&
		json_array_size(json_object_get(r, "channels")) == 0 &&
		json_is_null(json_object_get(r, "next"));
}

/* The video of result whose id equals id ASCII case-insensitively, or NULL */
static json_t *
VideoByIdCi(const json_t *result, const char *id)
{
	size_t		i;
	json_t	   *v;

	json_array_foreach(json_object_get(result, "videos"), i, v)
	{
		const char *vid = json_string_value(json_object_get(v, "id"));

		if (vid != NULL && strcasecmp(vid, id) == 0)
			return v;
	}
	return NULL;
}

/*
 * The one-post path on (url, body, len, post) against the full parse: when
 * it read the post alone, the video (every field) is the full parse's video
 * of that id; otherwise the whole result is the full parse's.  Returns
 * whether the post was read alone.
 */
static bool
AssertPostAsFull(const char *url, const char *body, size_t len, const char *post)
{
	json_t	   *full = cos_extract_telegram(url, body, len);
	json_t	   *fast = cos_extract_telegram_post(url, body, len, post);
	bool		alone;

	unit_check_result(full, "telegram");
	unit_check_result(fast, "telegram");
	alone = IsPostOnly(fast) && !IsPostOnly(full);
	if (alone)
	{
		json_t	   *want = VideoByIdCi(full, post);

		if (want == NULL)
			fail_msg("post %s read alone, but the full parse has no such post", post);
		if (!json_equal(unit_item(fast, "videos", 0), want))
		{
			char	   *a = json_dumps(unit_item(fast, "videos", 0), JSON_SORT_KEYS);
			char	   *b = json_dumps(want, JSON_SORT_KEYS);

			fail_msg("post %s alone:\n%s\nfull parse:\n%s", post, a, b);
		}
	}
	else if (!json_equal(fast, full))
		fail_msg("post %s: the fallback differs from the full parse", post);
	json_decref(full);
	json_decref(fast);
	return alone;
}

/* Every post of both preview captures reads alone as the full parse reads it */
static void
test_post_each(void **state)
{
	static const char *const previews[][2] = {{WALTER, WALTER_URL}, {DUROV_OLD, DUROV_OLD_URL}};
	static const size_t counts[] = {20, 11};

	(void) state;
	for (size_t f = 0; f < 2; f++)
	{
		size_t		len;
		char	   *body = unit_read_fixture(previews[f][0], &len);
		json_t	   *full = Extract(previews[f][1], body, len);
		size_t		i;
		json_t	   *v;

		assert_int_equal(json_array_size(json_object_get(full, "videos")), counts[f]);
		json_array_foreach(json_object_get(full, "videos"), i, v)
		{
			const char *id = json_string_value(json_object_get(v, "id"));
			json_t	   *r = cos_extract_telegram_post(previews[f][1], body, len, id);

			assert_true(AssertPostAsFull(previews[f][1], body, len, id));
			/* the worker's path: cos_extract_for_target with the job's id */
			assert_true(IsPostOnly(r));
			json_decref(r);
			r = cos_extract_for_target(COS_TELEGRAM, previews[f][1], body, len, id);
			assert_true(json_equal(unit_item(r, "videos", 0), v));
			json_decref(r);
		}
		json_decref(full);
		free(body);
	}
}

/* The values SOURCES.md gives, read alone; data-post's own spelling of the name */
static void
test_post_values(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DUROV_OLD, &len);
	json_t	   *r = cos_extract_telegram_post(DUROV_OLD_URL, body, len, "durov/37");
	json_t	   *v;

	(void) state;
	assert_true(IsPostOnly(r));
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "durov/37");
	assert_json_str(v, "channel_id", "durov");
	assert_json_str(v, "url", "https://t.me/durov/37");
	assert_json_int(v, "views", 1050000);	/* "1.05M" */
	assert_json_str(v, "published_at", "2015-10-31T19:41:48Z");
	assert_json_prefix(v, "title", "I wonder who lit up all the candles in the cemetery");
	assert_json_prefix(v, "thumbnail_url", "https://cdn1.telesco.pe/file/baZO8MVhUBuorQSdstJ68SLaNDDIX7kbIm7402hkNu7");
	json_decref(r);

	/* the service message has no views: null, as in the full parse */
	r = cos_extract_telegram_post(DUROV_OLD_URL, body, len, "durov/1");
	assert_true(IsPostOnly(r));
	assert_json_str(unit_item(r, "videos", 0), "title", "Channel created");
	assert_json_null(unit_item(r, "videos", 0), "views");
	json_decref(r);
	free(body);

	/* data-post="WalterBloomberg/22882", asked for in lower and upper case */
	body = unit_read_fixture(WALTER, &len);
	r = cos_extract_telegram_post(WALTER_URL, body, len, "walterbloomberg/22882");
	assert_true(IsPostOnly(r));
	assert_json_str(unit_item(r, "videos", 0), "id", "walterbloomberg/22882");
	assert_json_int(unit_item(r, "videos", 0), "views", 2010);	/* "2.01K" */
	json_decref(r);
	r = cos_extract_telegram_post(WALTER_URL, body, len, "WALTERBLOOMBERG/22898");
	assert_true(IsPostOnly(r));
	assert_json_int(unit_item(r, "videos", 0), "views", 597);
	assert_json_str(unit_item(r, "videos", 0), "published_at", "2026-01-20T02:47:30Z");
	json_decref(r);
	free(body);
}

/* Posts the page does not show, and odd ids: the full parse's result */
static void
test_post_absent(void **state)
{
	static const char *const absent[] = {
		"durov/38", "durov/2", "durov/3", "durov/370", "durov/3/7", "other/37",
		"durov", "", "/", "durov/", "\"durov/37\"", "durov/37\" x=\"", "durov/37 "
	};
	size_t		len;
	char	   *body = unit_read_fixture(DUROV_OLD, &len);
	json_t	   *r;

	(void) state;
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_false(AssertPostAsFull(DUROV_OLD_URL, body, len, absent[i]));

	/* the fallback is the whole page: channel, 11 posts, next */
	r = cos_extract_telegram_post(DUROV_OLD_URL, body, len, "durov/38");
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 11);
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	json_decref(r);

	/* a NULL post, a NULL url, the plain page, a truncated page: as the full parse */
	r = cos_extract_telegram_post(DUROV_OLD_URL, body, len, NULL);
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 11);
	json_decref(r);
	r = cos_extract_for_target(COS_TELEGRAM, NULL, body, len, "durov/37");
	assert_true(IsPostOnly(r));
	json_decref(r);
	r = cos_extract_for_target(COS_TELEGRAM, DUROV_OLD_URL, NULL, 0, "durov/37");
	assert_status(r, "error");
	json_decref(r);
	assert_false(AssertPostAsFull(DUROV_OLD_URL, body, len - 40, "durov/37"));
	r = cos_extract_telegram_post(DUROV_OLD_URL, body, len - 40, "durov/37");
	assert_status(r, "error");
	AssertReason(r, "</html>");
	json_decref(r);
	free(body);

	body = unit_read_fixture(DUROV_PAGE, &len);
	assert_false(AssertPostAsFull(DUROV_PAGE_URL, body, len, "durov/37"));
	free(body);
}

/* A copy of body with every occurrence of from replaced by to (same length) */
static char *
ReplacedAll(const char *body, size_t len, const char *from, const char *to)
{
	size_t		n = strlen(from);
	char	   *copy = malloc(len);
	size_t		at;
	size_t		done = 0;

	assert_int_equal(strlen(to), n);
	memcpy(copy, body, len);
	while ((at = unit_find(copy + done, len - done, from)) != (size_t) -1)
	{
		memcpy(copy + done + at, to, n);
		done += at + n;
	}
	return copy;
}

/* Damaged markup around the posts: the full parse's values, or its result */
static void
test_post_mutations(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DUROV_OLD, &len);
	static const char *const ids[] = {
		"durov/1", "durov/6", "durov/7", "durov/8", "durov/10", "durov/11",
		"durov/16", "durov/31", "durov/32", "durov/33", "durov/37"
	};
	const size_t nids = sizeof(ids) / sizeof(ids[0]);
	char	   *copy;
	char	   *copy2;
	json_t	   *r;
	json_t	   *orig;
	size_t		at;
	unsigned long long seed = 77;

	(void) state;

	/* data-post in upper case: still found, the id as the full parse has it */
	copy = Patched(body, len, "data-post=\"durov/37\"", "data-post=\"DUROV/37\"");
	assert_true(AssertPostAsFull(DUROV_OLD_URL, copy, len, "durov/37"));
	r = cos_extract_telegram_post(DUROV_OLD_URL, copy, len, "durov/37");
	assert_json_str(unit_item(r, "videos", 0), "id", "durov/37");
	assert_json_int(unit_item(r, "videos", 0), "views", 1050000);
	json_decref(r);
	free(copy);

	/* an earlier post's text names data-post="durov/37": not a tag, passed over */
	copy = Patched(body, len, "Also, the ability for users", "data-post=\"durov/37\"");
	assert_true(AssertPostAsFull(DUROV_OLD_URL, copy, len, "durov/37"));
	free(copy);

	/* no message wraps: a post's slice runs to the "more" link, many posts in it */
	copy = ReplacedAll(body, len, "<div class=\"tgme_widget_message_wrap",
					   "<div class=\"tgme_widget_message_xxxx");
	for (size_t i = 0; i < nids; i++)
		assert_true(AssertPostAsFull(DUROV_OLD_URL, copy, len, ids[i]));
	/* and without the "more" link nor the section's end: the full parse */
	copy2 = ReplacedAll(copy, len, "tgme_widget_message_centered", "tgme_widget_message_xxxxxxxx");
	free(copy);
	copy = ReplacedAll(copy2, len, "</section", "</sectxxx");
	free(copy2);
	for (size_t i = 0; i < nids; i++)
		assert_false(AssertPostAsFull(DUROV_OLD_URL, copy, len, ids[i]));
	free(copy);

	/* data-post on a tag that is not the message's div: the full parse */
	copy = Patched(body, len, "<div class=\"tgme_widget_message text_not_supported_wrap user-color-12 js-widget_message\" data-post=\"durov/37\"",
				   "<p class=\"tgme_widget_message text_not_supported_wrap user-color-12 js-widget_message\" data-post=\"durov/37\"");
	AssertPostAsFull(DUROV_OLD_URL, copy, len, "durov/37");
	free(copy);

	/*
	 * The page cut anywhere and closed with "</html>": inside a post, between
	 * posts, inside a tag.  Each post, read alone or not, reads as the full
	 * parse of that same cut page reads it.
	 */
	copy = malloc(len + 8);
	for (size_t cut = 17000; cut < len; cut += 1 + unit_rand(&seed) % 2400)
	{
		memcpy(copy, body, cut);
		memcpy(copy + cut, "</html>", 7);
		for (size_t i = 0; i < nids; i++)
			AssertPostAsFull(DUROV_OLD_URL, copy, cut + 7, ids[i]);
	}
	free(copy);

	/*
	 * Random damage near the posts.  A quote left open can make the full
	 * parse give one post the next one's views (it reads on across the
	 * post's end), where the post read alone has none: so each value read
	 * alone is null, the undamaged page's, or the full parse's of the same
	 * damaged page, never anything else.
	 */
	orig = Extract(DUROV_OLD_URL, body, len);
	at = unit_find(body, len, "data-post=\"durov/32\"");
	assert_true(at != (size_t) -1);
	copy = malloc(len);
	for (int iter = 0; iter < 150; iter++)
	{
		static const char nasty[] = "<>/\"'=&;# \x80\xFF";
		static const char *const near[] = {"durov/32", "durov/33", "durov/37"};
		json_t	   *full;

		memcpy(copy, body, len);
		for (int k = 0, n = 1 + (int) (unit_rand(&seed) % 4); k < n; k++)
			copy[at - 300 + unit_rand(&seed) % (len - at)] = nasty[unit_rand(&seed) % (sizeof(nasty) - 1)];
		full = Extract(DUROV_OLD_URL, copy, len);
		for (size_t i = 0; i < 3; i++)
		{
			json_t	   *was = VideoByIdCi(orig, near[i]);
			json_t	   *now = VideoByIdCi(full, near[i]);
			const char *key;
			json_t	   *got;

			r = cos_extract_telegram_post(DUROV_OLD_URL, copy, len, near[i]);
			unit_check_result(r, "telegram");
			if (IsPostOnly(r) && !json_equal(r, full))
			{
				json_object_foreach(unit_item(r, "videos", 0), key, got)
				{
					if (!json_is_null(got) && !json_equal(got, json_object_get(was, key)) &&
						!(now != NULL && json_equal(got, json_object_get(now, key))))
						fail_msg("%s read alone: %s is neither null, the page's, nor the full parse's",
								 near[i], key);
				}
			}
			json_decref(r);
		}
		json_decref(full);
	}
	json_decref(orig);
	free(copy);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preview_walterbloomberg),
		cmocka_unit_test(test_preview_durov_oldest),
		cmocka_unit_test(test_plain_page),
		cmocka_unit_test(test_any_url),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_not_telegram),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_huge_bodies),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_post_each),
		cmocka_unit_test(test_post_values),
		cmocka_unit_test(test_post_absent),
		cmocka_unit_test(test_post_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
