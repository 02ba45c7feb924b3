/*
 * test_extract_instagram.c
 *	  cmocka tests for extension/extract_instagram.c on the real captures in
 *	  test/fixtures/instagram (expected values: test/fixtures/SOURCES.md),
 *	  on Instagram's refusals, and on damaged copies of the captures:
 *	  truncated, mutated, non-UTF-8, empty, 20 MB of junk, HTML login walls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "extract_int.h"
#include "unit_util.h"

#define PROFILE "instagram/web_profile_info_robertdowneyjr.json"
#define TIMELINE "instagram/graphql_user_timeline_media.json"
#define MEDIA "instagram/media_info_CAG3E8-A3wf.json"
#define CLIPS "instagram/graphql_clips_user_connection_v2.json"

/* Request URLs as the worker makes them: through the loopback fixture server */
#define PROFILE_URL "http://127.0.0.1:8080/instagram-api/api/v1/users/web_profile_info/?username=robertdowneyjr"
#define TIMELINE_URL "https://www.instagram.com/graphql/query/?query_hash=e769aa130647d2354c40ea6a439bfc08"
#define MEDIA_URL "http://127.0.0.1:8080/instagram-api/api/v1/media/2307774091974900767/info/"
#define CLIPS_URL "https://www.instagram.com/graphql/query"

#define TIMELINE_CURSOR "QVFCT1Y3cVc2eDZYQkRldHNGOXkwWGZjU0Y1S1VMOFNRQ05SZkxwcGFUT1ZBNE04RGpwMmdlMHBVdnZPOFpvd0U1X2VlRUU5VTM5Q2FOdmRpdFBuN3JNVA=="
#define CLIPS_CURSOR "QVFEZTdqaDlmWHA4VkZkeUh4b3U4Y2F1VWhZWUtfdTktdWpEd3dQRmQ0TkpteW9Tb3d1bEVybTBXNnprcDZUTzBlN01vdHhManY2YjZ2aUh1YmdLeEZBVA=="

/* The four captures with the URL each answers */
static const char *const fixtures[][2] = {
	{PROFILE, PROFILE_URL}, {TIMELINE, TIMELINE_URL}, {MEDIA, MEDIA_URL}, {CLIPS, CLIPS_URL}
};

/* Run the Instagram extractor and check the shape (a private result excepted) */
static json_t *
Extract(const char *url, const char *body, size_t len)
{
	json_t	   *r = cos_extract_instagram(url, body, len);

	assert_non_null(r);
	if (strcmp(unit_status(r), "private") != 0)
		unit_check_result(r, "instagram");
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

/* A copy of body with the first occurrence of from replaced by to (same length) */
static char *
Patched(const char *body, size_t len, const char *from, const char *to)
{
	size_t		at = unit_find(body, len, from);
	char	   *copy;

	assert_int_equal(strlen(from), strlen(to));
	if (at == (size_t) -1)
		fail_msg("\"%s\" not in the fixture", from);
	copy = malloc(len);
	memcpy(copy, body, len);
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

/* web_profile_info: one channel with the counters of SOURCES.md */
static void
test_web_profile_info(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(PROFILE, &len);
	json_t	   *r = Extract(PROFILE_URL, body, len);
	json_t	   *c;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	/* the capture's owner emptied the edges; the counts stayed */
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 0);
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "1518284433");
	assert_json_str(c, "handle", "robertdowneyjr");
	assert_json_str(c, "title", "Robert Downey Jr. Official");
	assert_json_int(c, "followers", 52979346);
	assert_json_int(c, "videos", 419);
	assert_json_null(c, "likes");
	assert_json_null(c, "views");
	/* profile_pic_url_hd (s320x320) wins over profile_pic_url (s150x150) */
	assert_json_prefix(c, "avatar_url",
					   "https://scontent-cdt1-1.cdninstagram.com/v/t51.2885-19/143237481_227994098925572_6634984787450078090_n.jpg?stp=dst-jpg_s320x320");
	assert_json_prefix(r, "next", "QVFCdm9FT3NEbDA5WWVQTU1xRHA3TDhJMVhYMVA1");
	json_decref(r);
	free(body);
}

/* The host never matters: instagram.com, i.instagram.com, loopback, none */
static void
test_any_host(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(PROFILE, &len);
	json_t	   *a = Extract(PROFILE_URL, body, len);
	json_t	   *b = Extract("https://i.instagram.com/api/v1/users/web_profile_info/?username=robertdowneyjr",
							body, len);
	json_t	   *c = Extract("", body, len);

	(void) state;
	assert_true(json_equal(a, b));
	assert_true(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(body);
}

/* Through the public dispatch: cos_extract() on the API host, cos_extract_for() */
static void
test_dispatch(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(PROFILE, &len);
	json_t	   *a = Extract(PROFILE_URL, body, len);
	json_t	   *b = cos_extract("https://i.instagram.com/api/v1/users/web_profile_info/?username=robertdowneyjr",
								body, len);
	json_t	   *c = cos_extract_for(COS_INSTAGRAM, PROFILE_URL, body, len);

	(void) state;
	assert_true(json_equal(a, b));
	assert_true(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(body);
}

/* is_private true: status "private", the channel and its counters kept */
static void
test_private_profile(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(PROFILE, &len);
	char	   *copy = Patched(body, len, "\"is_private\":false", "\"is_private\":true ");
	json_t	   *r = Extract(PROFILE_URL, copy, len);
	json_t	   *c;

	(void) state;
	assert_string_equal(unit_status(r), "private");
	AssertReason(r, "private");
	AssertReason(r, "robertdowneyjr");
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "1518284433");
	assert_json_int(c, "followers", 52979346);
	assert_json_int(c, "videos", 419);
	json_decref(r);
	free(copy);
	free(body);
}

/* GraphQL user timeline: 12 posts, videos with views, images without */
static void
test_timeline(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(TIMELINE, &len);
	json_t	   *r = Extract(TIMELINE_URL, body, len);
	json_t	   *v;
	size_t		i;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 12);
	/* data.user has no id here: no channel */
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 0);
	assert_json_str(r, "next", TIMELINE_CURSOR);

	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "B7eUksNFA-K");
	assert_json_str(v, "url", "https://www.instagram.com/p/B7eUksNFA-K/");
	assert_json_str(v, "channel_id", "1518284433");
	assert_json_str(v, "published_at", "2020-01-18T20:09:56Z");	/* taken_at 1579378196 */
	assert_json_prefix(v, "title", "#happybirthday little brother @harrycollettactor");
	assert_json_int(v, "views", 2726827);
	assert_json_int(v, "likes", 695047);
	assert_json_int(v, "comments", 1939);
	assert_json_null(v, "shares");
	assert_json_null(v, "saves");
	assert_json_null(v, "duration_s");	/* only inside the DASH manifest */
	assert_json_prefix(v, "thumbnail_url",
					   "https://scontent-frt3-1.cdninstagram.com/v/t51.2885-15/e35/81891490_817416122018719_3074772560002831394_n.jpg");

	v = unit_item(r, "videos", 1);
	assert_json_str(v, "id", "B7cWmQcB3RE");
	assert_json_int(v, "views", 5144388);
	assert_json_int(v, "likes", 664703);
	assert_json_int(v, "comments", 1708);

	/* a GraphImage: no views, never 0 */
	v = unit_item(r, "videos", 2);
	assert_json_str(v, "id", "B7cOJYHFnzL");
	assert_json_null(v, "views");
	assert_json_int(v, "likes", 1265682);
	assert_json_int(v, "comments", 1762);

	json_array_foreach(json_object_get(r, "videos"), i, v)
	{
		assert_json_str(v, "channel_id", "1518284433");
		assert_non_null(json_string_value(json_object_get(v, "published_at")));
	}
	json_decref(r);

	/* has_next_page false: no next page, whatever the cursor */
	{
		char	   *copy = Patched(body, len, "\"has_next_page\":true", "\"has_next_page\":0   ");

		r = Extract(TIMELINE_URL, copy, len);
		assert_status(r, "ok");
		assert_json_null(r, "next");
		json_decref(r);
		free(copy);
	}
	free(body);
}

/* api/v1/media/<pk>/info/ (and ?__a=1 items): CAG3E8-A3wf */
static void
test_media_info(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(MEDIA, &len);
	json_t	   *r = Extract(MEDIA_URL, body, len);
	json_t	   *v;
	char	   *copy;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 1);
	assert_json_null(r, "next");
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "CAG3E8-A3wf");
	assert_json_str(v, "url", "https://www.instagram.com/p/CAG3E8-A3wf/");
	assert_json_str(v, "channel_id", "305701719");
	assert_json_str(v, "title",
					"2 WEEKS until we\xE2\x80\x99re dancin\xE2\x80\x99 again. \xF0\x9F\x96\xA4@nbcworldofdance #BTS \xF0\x9F\x93\xB8");
	assert_json_str(v, "published_at", "2020-05-13T00:02:39Z");	/* taken_at 1589328159 */
	assert_json_int(v, "duration_s", 16);	/* video_duration 16.266 */
	assert_json_int(v, "views", 4048603);
	assert_json_int(v, "likes", 600190);
	assert_json_int(v, "comments", 6741);
	assert_json_prefix(v, "thumbnail_url",
					   "https://scontent-arn2-1.cdninstagram.com/v/t51.2885-15/96711912_2692311911005221_1664474964858510029_n.jpg");
	json_decref(r);

	/* the same answer through the old ?__a=1 URL */
	r = Extract("https://www.instagram.com/p/CAG3E8-A3wf/?__a=1&__d=dis", body, len);
	assert_status(r, "ok");
	assert_json_str(unit_item(r, "videos", 0), "id", "CAG3E8-A3wf");
	json_decref(r);

	/* media_type 1 (a photo): no views */
	copy = Patched(body, len, "\"media_type\":2", "\"media_type\":1");
	r = Extract(MEDIA_URL, copy, len);
	assert_status(r, "ok");
	assert_json_null(unit_item(r, "videos", 0), "views");
	assert_json_int(unit_item(r, "videos", 0), "likes", 600190);
	json_decref(r);
	free(copy);
	free(body);
}

/* Reels tab: play_count is the views (view_count is null), no taken_at */
static void
test_reels_tab(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(CLIPS, &len);
	json_t	   *r = Extract(CLIPS_URL, body, len);
	json_t	   *v;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 12);
	assert_json_str(r, "next", CLIPS_CURSOR);

	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "DNnG5FHiOrm");
	assert_json_str(v, "url", "https://www.instagram.com/p/DNnG5FHiOrm/");
	assert_json_str(v, "channel_id", "67321317932");
	assert_json_int(v, "views", 14815);
	assert_json_int(v, "likes", 234);
	assert_json_int(v, "comments", 11);
	assert_json_null(v, "published_at");
	assert_json_null(v, "shares");
	assert_json_prefix(v, "thumbnail_url", "https://instagram.frix7-1.fna.fbcdn.net/v/t51.82787-15/537007323_17902447425245933_1421861669762538608_n.jpg");

	v = unit_item(r, "videos", 10);
	assert_json_str(v, "id", "DacqbYAtV2_");
	assert_json_int(v, "views", 47867);
	assert_json_int(v, "likes", 309);
	assert_json_int(v, "comments", 40);
	assert_true(json_equal(v, VideoById(r, "DacqbYAtV2_")));
	json_decref(r);
	free(body);
}

/* Instagram's refusals: login wall, checkpoint, rate limit, missing things */
static void
test_refusals(void **state)
{
	static const struct
	{
		const char *body;
		const char *status;
		const char *reason;
	}			cases[] = {
		/* what web_profile_info answers an anonymous client past its limit */
		{"{\"message\":\"Please wait a few minutes before you try again.\",\"require_login\":true,\"status\":\"fail\"}",
		"blocked", "login"},
		{"{\"status\":\"fail\",\"message\":\"Please wait a few minutes\",\"require_login\":true}",
		"blocked", "Please wait"},
		{"{\"message\":\"checkpoint_required\",\"checkpoint_url\":\"https://www.instagram.com/challenge/x/\",\"lock\":true,\"status\":\"fail\"}",
		"blocked", "checkpoint"},
		{"{\"message\":\"login_required\",\"status\":\"fail\"}", "blocked", "login_required"},
		{"{\"message\":\"feedback_required\",\"spam\":true,\"status\":\"fail\"}", "blocked", "feedback_required"},
		{"{\"message\":\"Media not found or unavailable\",\"status\":\"fail\"}", "unavailable", "not found"},
		{"{\"message\":\"useragent mismatch\",\"status\":\"fail\"}", "error", "useragent mismatch"},
		{"{\"data\":{\"user\":null},\"status\":\"ok\"}", "unavailable", "no such account"},
		{"{\"data\":{\"xdt_api__v1__clips__user__connection_v2\":null},\"status\":\"ok\"}", "unavailable", "null"},
		{"{\"errors\":[{\"message\":\"execution error\"}],\"data\":null}", "error", "execution error"},
		{"{\"status\":\"ok\"}", "error", "none of"},
		{"{\"data\":{\"user\":{\"full_name\":\"x\"}},\"status\":\"ok\"}", "error", "neither"},
		{"{\"items\":[{\"pk\":1}],\"status\":\"ok\"}", "error", "shortcode"},
		{"[1,2,3]", "error", "not an object"},
		{"\"x\"", "error", "not JSON"},
		{"null", "error", "not"},
		{"{\"data\":{\"user\":{\"id\":\"1\",\"username\":\"x\"}},\"status\":\"ok\"}", "ok", NULL},
		/* shortcodes that would break the URL are not posts */
		{"{\"items\":[{\"code\":\"a/b?c\"}]}", "error", "shortcode"},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		json_t	   *r = ExtractStr(PROFILE_URL, cases[i].body);

		if (strcmp(unit_status(r), cases[i].status) != 0)
			fail_msg("case %zu: status %s, expected %s", i, unit_status(r), cases[i].status);
		if (cases[i].reason != NULL)
			AssertReason(r, cases[i].reason);
		json_decref(r);
	}
}

/* An empty items[] for one media is a removed post; for a feed, an empty page */
static void
test_empty_items(void **state)
{
	json_t	   *r;

	(void) state;
	r = ExtractStr(MEDIA_URL, "{\"items\":[],\"num_results\":0,\"status\":\"ok\"}");
	assert_status(r, "unavailable");
	json_decref(r);
	r = ExtractStr("https://i.instagram.com/api/v1/feed/user/1/", "{\"items\":[],\"status\":\"ok\"}");
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 0);
	json_decref(r);
}

/* HTML where JSON was expected: the login wall is "blocked", never "ok" */
static void
test_login_pages(void **state)
{
	/*
	 * Synthetic (no capture of it exists): shaped like the page Instagram
	 * serves anonymous clients instead of JSON, with its canonical login
	 * link.
	 */
	static const char login[] =
		"<!DOCTYPE html><html lang=\"en\" class=\"no-js not-logged-in\"><head>"
		"<meta charset=\"utf-8\"><title>Login \xE2\x80\xA2 Instagram</title>"
		"<link rel=\"canonical\" href=\"https://www.instagram.com/accounts/login/\" />"
		"</head><body><div id=\"react-root\"></div>"
		"<script type=\"text/javascript\">window._sharedData = {\"entry_data\":{\"LoginAndSignupPage\":[{}]}};</script>"
		"</body></html>";
	static const char other_html[] = "<html><head><title>Page Not Found</title></head><body>Sorry</body></html>";
	size_t		len;
	char	   *tiktok = unit_read_fixture("tiktok/user_novix.ht.html", &len);
	json_t	   *r;

	(void) state;
	r = Extract(PROFILE_URL, login, sizeof(login) - 1);
	assert_status(r, "blocked");
	AssertReason(r, "login");
	json_decref(r);

	/* after a redirect the URL itself is the login page */
	r = ExtractStr("https://www.instagram.com/accounts/login/?next=%2Fapi%2Fv1%2Fusers%2F", "<html></html>");
	assert_status(r, "blocked");
	json_decref(r);
	r = ExtractStr("http://127.0.0.1:8080/instagram-api/challenge/123/abc/", "{}");
	assert_status(r, "blocked");
	json_decref(r);

	/* other HTML is an error with a reason */
	r = Extract(PROFILE_URL, other_html, sizeof(other_html) - 1);
	assert_status(r, "error");
	AssertReason(r, "HTML");
	json_decref(r);
	r = Extract(PROFILE_URL, tiktok, len);
	assert_status(r, "error");
	json_decref(r);
	free(tiktok);

	/* a rate-limit text body */
	r = ExtractStr(PROFILE_URL, "Please wait a few minutes before you try again.");
	assert_status(r, "blocked");
	json_decref(r);
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

/* Every fixture cut anywhere before its last "}" is an error, never ok */
static void
test_truncated(void **state)
{
	(void) state;
	for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++)
	{
		size_t		len;
		char	   *body = unit_read_fixture(fixtures[f][0], &len);
		size_t		end = len;
		json_t	   *r;
		json_t	   *whole;

		while (end > 0 && body[end - 1] != '}')
			end--;
		assert_true(end > 0);
		for (int k = 0; k <= 40; k++)
		{
			size_t		cut = (end - 1) * (size_t) k / 40;

			r = ExtractPrefix(fixtures[f][1], body, cut);
			assert_status(r, "error");
			json_decref(r);
		}
		/* one byte short, and cut inside the first string */
		r = ExtractPrefix(fixtures[f][1], body, end - 1);
		assert_status(r, "error");
		json_decref(r);
		r = ExtractPrefix(fixtures[f][1], body, 5);
		assert_status(r, "error");
		json_decref(r);

		/* whole up to the last "}": the full result */
		r = ExtractPrefix(fixtures[f][1], body, end);
		whole = Extract(fixtures[f][1], body, len);
		assert_status(whole, "ok");
		assert_true(json_equal(r, whole));
		json_decref(whole);
		json_decref(r);
		free(body);
	}
}

/* Empty and NULL bodies, non-UTF-8 bytes, NUL bytes */
static void
test_bad_bodies(void **state)
{
	static const char junk[] = "\xFF\xFE\x00\x01\x80\x81\xC0\xC1 {\"data\":\xFF}";
	static const char nul_inside[] = "{\"items\":[{\"code\":\"A\0B\"}]}";
	size_t		len;
	char	   *body = unit_read_fixture(MEDIA, &len);
	char	   *copy;
	size_t		at;
	json_t	   *r;

	(void) state;
	r = Extract(PROFILE_URL, "", 0);
	assert_status(r, "error");
	AssertReason(r, "empty");
	json_decref(r);
	r = Extract(PROFILE_URL, NULL, 0);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(PROFILE_URL, junk, sizeof(junk) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(PROFILE_URL, nul_inside, sizeof(nul_inside) - 1);
	assert_not_ok(r, "instagram");
	json_decref(r);

	/* invalid UTF-8 inside the caption: jansson refuses the document */
	copy = malloc(len);
	memcpy(copy, body, len);
	at = unit_find(copy, len, "\"text\":\"2 WEEKS");
	assert_true(at != (size_t) -1);
	copy[at + 9] = (char) 0xFF;
	r = Extract(MEDIA_URL, copy, len);
	assert_status(r, "error");
	json_decref(r);
	free(copy);
	free(body);
}

/* 20 MB bodies: random bytes, deep nesting, blanks around an unknown object */
static void
test_huge_bodies(void **state)
{
	const size_t big = 20 * 1024 * 1024;
	char	   *junk = malloc(big);
	unsigned long long seed = 4242;
	json_t	   *r;

	(void) state;
	for (size_t i = 0; i < big; i++)
		junk[i] = (char) unit_rand(&seed);
	r = Extract(PROFILE_URL, junk, big);
	assert_not_ok(r, "instagram");
	json_decref(r);

	/* random bytes after an HTML start: "error", not "blocked" by chance */
	junk[0] = '<';
	r = Extract(PROFILE_URL, junk, big);
	assert_not_ok(r, "instagram");
	json_decref(r);

	memset(junk, '[', big / 2);
	memset(junk + big / 2, ']', big - big / 2);
	r = Extract(PROFILE_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);

	memset(junk, ' ', big);
	memcpy(junk + big / 2, "{\"a\":1}", 7);
	r = Extract(PROFILE_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);
	free(junk);
}

/* Random byte changes in every capture never crash and keep the shape */
static void
test_mutations(void **state)
{
	static const char nasty[] = "{}[]\"\\:,0-9eE.\x80\xFFtn\0";
	unsigned long long seed = 99;

	(void) state;
	for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++)
	{
		size_t		len;
		char	   *body = unit_read_fixture(fixtures[f][0], &len);
		char	   *copy = malloc(len);

		for (int iter = 0; iter < 60; iter++)
		{
			int			nflips = 1 + (int) (unit_rand(&seed) % 4);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web_profile_info),
		cmocka_unit_test(test_any_host),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_private_profile),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_media_info),
		cmocka_unit_test(test_reels_tab),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_empty_items),
		cmocka_unit_test(test_login_pages),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_huge_bodies),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
