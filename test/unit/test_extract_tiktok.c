/*
 * test_extract_tiktok.c
 *	  cmocka tests for extension/extract_tiktok.c and the dispatch in
 *	  extract.c, on the real captures in test/fixtures/tiktok (expected
 *	  values: test/fixtures/SOURCES.md), and on damaged copies of them:
 *	  truncated, mutated, non-UTF-8, empty, 20 MB of junk.
 */
#define _GNU_SOURCE				/* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "extract.h"
#include "extract_int.h"
#include "unit_util.h"

#define DESKTOP "tiktok/video_desktop_7526770564367748360.html"
#define MOBILE "tiktok/video_mobile_reflow_7585124257601162516.html"
#define PROFILE "tiktok/user_novix.ht.html"
#define GONE "tiktok/video_unavailable_statuscode_10204.html"

#define DESKTOP_URL "https://www.tiktok.com/@dangthuhaf/video/7526770564367748360"
#define MOBILE_URL "https://www.tiktok.com/@emlyreview/video/7585124257601162516"
#define PROFILE_URL "https://www.tiktok.com/@novix.ht"
#define GONE_URL "https://www.tiktok.com/@dudeperfect/video/7276437262283859205"

#define SCRIPT_OPEN "<script id=\"__UNIVERSAL_DATA_FOR_REHYDRATION__\" type=\"application/json\">"

/* Run the TikTok extractor through cos_extract_for and check the shape */
static json_t *
Extract(const char *url, const char *body, size_t len)
{
	json_t	   *r = cos_extract_for(COS_TIKTOK, url, body, len);

	unit_check_result(r, "tiktok");
	return r;
}

/* Desktop video page: every field of the video and its author */
static void
test_desktop_video(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DESKTOP, &len);
	json_t	   *r = cos_extract(DESKTOP_URL, body, len);
	json_t	   *v;
	json_t	   *c;

	(void) state;
	assert_status(r, "ok");
	assert_json_str(r, "platform", "tiktok");
	assert_json_null(r, "next");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);

	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "7526770564367748360");
	assert_json_str(v, "channel_id", "26960383");
	assert_json_str(v, "url", DESKTOP_URL);
	assert_json_str(v, "title", "Trung b\xC3\xACnh \xC4\x91\xC3\xA0n \xC3\xB4ng sau khi l\xE1\xBA\xA5y v\xE1\xBB\xA3 "
					"#dangthuha #dangthuhaf #schannel ");
	assert_json_str(v, "published_at", "2025-07-14T03:14:02Z");
	assert_json_int(v, "duration_s", 34);
	assert_json_prefix(v, "thumbnail_url",
					   "https://p16-sign-sg.tiktokcdn.com/tos-alisg-p-0037/o8fIweORmASjGYGgJLUIApCo1D6LQfmiQ1uRjH~tplv-tiktokx-origin.image?");
	assert_json_int(v, "views", 18500000);
	assert_json_int(v, "likes", 844400);
	assert_json_int(v, "comments", 2182);
	assert_json_int(v, "shares", 25600);
	assert_json_int(v, "saves", 16630);	/* a string "16630" in stats */

	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "26960383");
	assert_json_str(c, "handle", "dangthuhaf");
	assert_json_str(c, "title", "\xC4\x90\xE1\xBA\xB7ng Thu H\xC3\xA0");
	assert_json_int(c, "followers", 3700000);
	assert_json_int(c, "likes", 202200000);
	assert_json_int(c, "videos", 756);
	assert_json_null(c, "views");
	assert_json_prefix(c, "avatar_url", "https://p16-sign-sg.tiktokcdn.com/tos-alisg-avt-0068/7328263982618738706~tplv-tiktokx-cropcenter:1080:1080");

	json_decref(r);
	free(body);
}

/* The same body read through a loopback URL gives the same result */
static void
test_loopback_url(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DESKTOP, &len);
	json_t	   *a = cos_extract(DESKTOP_URL, body, len);
	json_t	   *b = Extract("http://127.0.0.1:8080/tiktok/@dangthuhaf/video/7526770564367748360",
							body, len);
	json_t	   *c = Extract(NULL, body, len);

	(void) state;
	assert_status(b, "ok");
	assert_true(json_equal(a, b));
	assert_true(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(body);
}

/* Mobile ("reflow") video page: other scope key, no statsV2, int collectCount */
static void
test_mobile_reflow(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(MOBILE, &len);
	json_t	   *r = cos_extract(MOBILE_URL, body, len);
	json_t	   *v;
	json_t	   *c;

	(void) state;
	assert_status(r, "ok");
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "7585124257601162516");
	assert_json_str(v, "channel_id", "16132492");
	assert_json_str(v, "url", MOBILE_URL);
	assert_json_str(v, "published_at", "2025-12-18T09:16:09Z");	/* createTime 1766049369 */
	assert_json_int(v, "duration_s", 41);
	assert_json_prefix(v, "thumbnail_url",
					   "https://p16-sign-sg.tiktokcdn.com/tos-alisg-p-0037/ogiLHAV98cShIEQpCQFfBBgfHjErWQQuRxD0Eb~");
	assert_json_int(v, "views", 918100);
	assert_json_int(v, "likes", 33400);
	assert_json_int(v, "comments", 97);
	assert_json_int(v, "shares", 2913);
	assert_json_int(v, "saves", 684);

	c = unit_item(r, "channels", 0);
	assert_json_str(c, "handle", "emlyreview");
	assert_json_int(c, "followers", 570000);
	assert_json_int(c, "likes", 32300000);
	assert_json_int(c, "videos", 944);
	json_decref(r);
	free(body);
}

/* Profile page: one channel, no videos (itemList is empty in SSR) */
static void
test_profile(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(PROFILE, &len);
	json_t	   *r = cos_extract(PROFILE_URL, body, len);
	json_t	   *c;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 0);
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "7588012144228533249");
	assert_json_str(c, "handle", "novix.ht");
	assert_json_str(c, "title", "Novix");
	assert_json_int(c, "followers", 1053);
	assert_json_int(c, "likes", 5204);
	assert_json_int(c, "videos", 27);
	assert_json_null(c, "views");
	assert_json_prefix(c, "avatar_url", "https://p16-sign-sg.tiktokcdn.com/");
	json_decref(r);
	free(body);
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

/* statusCode 10204 is "unavailable"; 10216 / 10222 "private"; others "error" */
static void
test_status_codes(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(GONE, &len);
	json_t	   *r;
	char	   *copy;

	(void) state;
	r = cos_extract(GONE_URL, body, len);
	assert_status(r, "unavailable");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "10204"));
	json_decref(r);

	copy = Patched(body, len, "\"statusCode\":10204", "\"statusCode\":10216");
	r = Extract(GONE_URL, copy, len);
	assert_status(r, "private");
	json_decref(r);
	free(copy);

	copy = Patched(body, len, "\"statusCode\":10204", "\"statusCode\":10222");
	r = Extract(GONE_URL, copy, len);
	assert_status(r, "private");
	json_decref(r);
	free(copy);

	copy = Patched(body, len, "\"statusCode\":10204", "\"statusCode\":10101");
	r = Extract(GONE_URL, copy, len);
	assert_status(r, "error");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "10101"));
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "item doesn't exist"));
	json_decref(r);
	free(copy);

	/* statusCode as a string is read the same way */
	copy = Patched(body, len, "\"statusCode\":10204,\"statusMsg\"",
				   "\"statusCode\":\"10204\",\"atusMsg\"");
	r = Extract(GONE_URL, copy, len);
	assert_status(r, "unavailable");
	json_decref(r);
	free(copy);
	free(body);
}

/* Without "stats", every counter comes from statsV2 (all strings) */
static void
test_statsv2_fallback(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DESKTOP, &len);
	char	   *copy = Patched(body, len, "\"stats\":{\"diggCount\"", "\"xtats\":{\"diggCount\"");
	json_t	   *r = Extract(DESKTOP_URL, copy, len);
	json_t	   *v;

	(void) state;
	assert_status(r, "ok");
	v = unit_item(r, "videos", 0);
	assert_json_int(v, "views", 18500000);
	assert_json_int(v, "likes", 844400);
	assert_json_int(v, "comments", 2182);
	assert_json_int(v, "shares", 25600);
	assert_json_int(v, "saves", 16630);
	json_decref(r);
	free(copy);

	/* neither: counters are null, never 0 */
	copy = Patched(body, len, "\"statsV2\":{", "\"xtatsV2\":{");
	{
		char	   *copy2 = Patched(copy, len, "\"stats\":{\"diggCount\"", "\"xtats\":{\"diggCount\"");

		r = Extract(DESKTOP_URL, copy2, len);
		assert_status(r, "ok");
		v = unit_item(r, "videos", 0);
		assert_json_null(v, "views");
		assert_json_null(v, "likes");
		assert_json_null(v, "comments");
		assert_json_null(v, "shares");
		assert_json_null(v, "saves");
		assert_json_int(v, "duration_s", 34);
		json_decref(r);
		free(copy2);
	}
	free(copy);
	free(body);
}

/* Challenge pages and the login redirect are "blocked"; other HTML "error" */
static void
test_blocked_pages(void **state)
{
	/* shaped like TikTok's WAF interstitial (synthetic: no capture exists) */
	static const char waf[] =
		"<!DOCTYPE html><html><head><title>Please wait...</title></head><body>"
		"<script>var _wafchallengeid=\"abc\";</script></body></html>";
	static const char login[] = "<html><body><div id=\"login\">Log in to TikTok</div></body></html>";
	size_t		len;
	char	   *yt = unit_read_fixture("youtube/watch_GJLlxj_dtq8.html", &len);
	json_t	   *r;

	(void) state;
	r = Extract(DESKTOP_URL, waf, sizeof(waf) - 1);
	assert_status(r, "blocked");
	json_decref(r);

	r = Extract("https://www.tiktok.com/login?redirect_url=https%3A%2F%2Fwww.tiktok.com%2F%40x",
				login, sizeof(login) - 1);
	assert_status(r, "blocked");
	json_decref(r);

	r = Extract(DESKTOP_URL, login, sizeof(login) - 1);
	assert_status(r, "error");
	json_decref(r);

	/* a YouTube page is not a TikTok page */
	r = Extract(DESKTOP_URL, yt, len);
	assert_status(r, "error");
	json_decref(r);
	free(yt);
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

/* Cut every fixture before and inside its JSON: never ok, always a reason */
static void
test_truncated(void **state)
{
	static const char *const files[][2] = {
		{DESKTOP, DESKTOP_URL}, {MOBILE, MOBILE_URL},
		{PROFILE, PROFILE_URL}, {GONE, GONE_URL}
	};

	(void) state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++)
	{
		size_t		len;
		char	   *body = unit_read_fixture(files[f][0], &len);
		size_t		open = unit_find(body, len, SCRIPT_OPEN);
		size_t		close;
		size_t		cuts[32];
		int			ncuts = 0;
		json_t	   *r;

		assert_true(open != (size_t) -1);
		close = open + unit_find(body + open, len - open, "</script>");
		cuts[ncuts++] = 0;
		cuts[ncuts++] = 1;
		cuts[ncuts++] = open / 2;
		cuts[ncuts++] = open + 10;
		cuts[ncuts++] = open + strlen(SCRIPT_OPEN);
		for (int k = 1; k < 16; k++)
			cuts[ncuts++] = open + (close - open) * k / 16;
		cuts[ncuts++] = close - 1;
		cuts[ncuts++] = close;
		cuts[ncuts++] = close + 5;	/* "</scr": the tag is not closed */

		for (int i = 0; i < ncuts; i++)
		{
			r = ExtractPrefix(files[f][1], body, cuts[i]);
			if (strcmp(unit_status(r), "ok") == 0 ||
				(f == 3 && strcmp(unit_status(r), "unavailable") == 0))
				fail_msg("%s cut at %zu: status %s", files[f][0], cuts[i], unit_status(r));
			json_decref(r);
		}

		/* cut after the script: the data is whole, the result is the full one */
		r = ExtractPrefix(files[f][1], body, close + strlen("</script>"));
		{
			json_t	   *whole = Extract(files[f][1], body, len);

			assert_true(json_equal(r, whole));
			json_decref(whole);
		}
		json_decref(r);
		free(body);
	}
}

/* Empty bodies, NULL bodies, broken JSON in the script, non-UTF-8 bytes */
static void
test_bad_bodies(void **state)
{
	static const char broken[] =
		"<html>" SCRIPT_OPEN "{\"__DEFAULT_SCOPE__\":{\"webapp.video-detail\":</script></html>";
	static const char not_object[] = "<html>" SCRIPT_OPEN "[1,2,3]</script></html>";
	static const char no_scope[] = "<html>" SCRIPT_OPEN "{\"x\":1}</script></html>";
	static const char no_item[] =
		"<html>" SCRIPT_OPEN "{\"__DEFAULT_SCOPE__\":{\"webapp.video-detail\":{\"statusCode\":0}}}</script>";
	static const char no_detail[] =
		"<html>" SCRIPT_OPEN "{\"__DEFAULT_SCOPE__\":{\"webapp.app-context\":{}}}</script>";
	static const char nul_inside[] = "<html>" SCRIPT_OPEN "{\"a\":\"\0\"}</script>";
	size_t		len;
	char	   *body = unit_read_fixture(DESKTOP, &len);
	json_t	   *r;
	char	   *copy;
	size_t		at;

	(void) state;
	r = Extract(DESKTOP_URL, "", 0);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(DESKTOP_URL, NULL, 0);
	assert_status(r, "error");
	json_decref(r);
	r = cos_extract_for(COS_TIKTOK, DESKTOP_URL, NULL, 100);	/* NULL wins over len */
	assert_status(r, "error");
	json_decref(r);

	r = Extract(DESKTOP_URL, broken, sizeof(broken) - 1);
	assert_status(r, "error");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "does not parse"));
	json_decref(r);
	r = Extract(DESKTOP_URL, not_object, sizeof(not_object) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(DESKTOP_URL, no_scope, sizeof(no_scope) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(DESKTOP_URL, no_item, sizeof(no_item) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(DESKTOP_URL, no_detail, sizeof(no_detail) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(DESKTOP_URL, nul_inside, sizeof(nul_inside) - 1);
	assert_status(r, "error");
	json_decref(r);

	/* invalid UTF-8 inside the JSON (in desc): the JSON cannot be read */
	copy = malloc(len);
	memcpy(copy, body, len);
	at = unit_find(copy, len, "\"desc\":\"Trung b");
	assert_true(at != (size_t) -1);
	copy[at + 9] = (char) 0xFF;
	copy[at + 10] = (char) 0xC0;
	r = Extract(DESKTOP_URL, copy, len);
	assert_status(r, "error");
	json_decref(r);

	/* invalid UTF-8 in the HTML around it does not matter */
	memcpy(copy, body, len);
	at = unit_find(copy, len, "<title");
	assert_true(at != (size_t) -1);
	copy[at + 1] = (char) 0xFF;
	r = Extract(DESKTOP_URL, copy, len);
	assert_status(r, "ok");
	json_decref(r);
	free(copy);
	free(body);
}

/* 20 MB bodies: random bytes, an unclosed script, 10 million nested arrays */
static void
test_huge_bodies(void **state)
{
	const size_t big = 20 * 1024 * 1024;
	char	   *junk = malloc(big);
	unsigned long long seed = 42;
	size_t		open_len = strlen(SCRIPT_OPEN);
	json_t	   *r;

	(void) state;
	for (size_t i = 0; i < big; i++)
		junk[i] = (char) unit_rand(&seed);
	r = Extract(DESKTOP_URL, junk, big);
	assert_not_ok(r, "tiktok");
	json_decref(r);

	/* a script that opens and never closes */
	memcpy(junk, SCRIPT_OPEN, open_len);
	memset(junk + open_len, '{', big - open_len);
	r = Extract(DESKTOP_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);

	/* closed, but nested far deeper than any parser should follow */
	memset(junk + open_len, '[', (big - open_len - 9) / 2);
	memset(junk + open_len + (big - open_len - 9) / 2, ']', big - open_len - 9 - (big - open_len - 9) / 2);
	memcpy(junk + big - 9, "</script>", 9);
	r = Extract(DESKTOP_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);
	free(junk);
}

/* Random byte changes inside the JSON never crash and keep the shape */
static void
test_mutations(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(DESKTOP, &len);
	char	   *copy = malloc(len);
	size_t		open = unit_find(body, len, SCRIPT_OPEN);
	size_t		close = open + unit_find(body + open, len - open, "</script>");
	unsigned long long seed = 7;
	static const char nasty[] = "{}[]\"\\:,0-9eE.\x80\xFF\0";
	int			ok = 0;

	(void) state;
	for (int iter = 0; iter < 150; iter++)
	{
		json_t	   *r;
		int			nflips = 1 + (int) (unit_rand(&seed) % 4);

		memcpy(copy, body, len);
		for (int k = 0; k < nflips; k++)
		{
			size_t		at = open + unit_rand(&seed) % (close - open + 20);

			copy[at] = nasty[unit_rand(&seed) % (sizeof(nasty) - 1)];
		}
		r = Extract(DESKTOP_URL, copy, len);
		ok += strcmp(unit_status(r), "ok") == 0;
		json_decref(r);
	}
	/* most single flips land in strings and keep the page readable */
	assert_true(ok > 0);
	free(copy);
	free(body);
}

/*
 * cos_set_duration: whole seconds, int4-bounded (durations past it were
 * found by the fuzzers in TikTok, Instagram and Likee documents).
 */
static void
test_duration_bounds(void **state)
{
	json_t	   *v = cos_video_new();
	json_t	   *n;

	(void) state;
	assert_true(cos_set_duration(v, n = json_integer(34), 1.0));
	json_decref(n);
	assert_int_equal(json_integer_value(json_object_get(v, "duration_s")), 34);
	assert_true(cos_set_duration(v, n = json_real(16.266), 1.0));	/* Instagram */
	json_decref(n);
	assert_int_equal(json_integer_value(json_object_get(v, "duration_s")), 16);
	assert_true(cos_set_duration(v, n = json_string("316"), 1.0));	/* YouTube */
	json_decref(n);
	assert_int_equal(json_integer_value(json_object_get(v, "duration_s")), 316);
	assert_true(cos_set_duration(v, n = json_integer(15037), 0.001));	/* Likee ms */
	json_decref(n);
	assert_int_equal(json_integer_value(json_object_get(v, "duration_s")), 15);

	json_object_set_new(v, "duration_s", json_null());
	assert_false(cos_set_duration(v, n = json_integer(2147483648LL), 1.0));
	json_decref(n);
	assert_false(cos_set_duration(v, n = json_real(1e300), 1.0));
	json_decref(n);
	assert_false(cos_set_duration(v, n = json_integer(0), 1.0));
	json_decref(n);
	assert_false(cos_set_duration(v, n = json_integer(999), 0.001));
	json_decref(n);
	assert_false(cos_set_duration(v, n = json_string("34s"), 1.0));
	json_decref(n);
	assert_false(cos_set_duration_secs(v, 3000000000LL));
	assert_true(json_is_null(json_object_get(v, "duration_s")));
	json_decref(v);
}

/* Dispatch: every platform reaches its extractor; unknown hosts, no host */
static void
test_dispatch(void **state)
{
	static const char body[] = "{}";
	json_t	   *r;

	(void) state;
	/* "{}" is no Instagram document: that extractor says so */
	r = cos_extract("https://www.instagram.com/p/CAG3E8-A3wf/", body, 2);
	assert_status(r, "error");
	assert_json_str(r, "platform", "instagram");
	assert_non_null(json_string_value(json_object_get(r, "error")));
	assert_string_not_equal(json_string_value(json_object_get(r, "error")),
							"no extractor for this platform yet");
	json_decref(r);

	/* API hosts count as their platform's */
	r = cos_extract("https://i.instagram.com/api/v1/media/1/info/", body, 2);
	assert_json_str(r, "platform", "instagram");
	json_decref(r);
	r = cos_extract("https://api.like-video.com/likee-activity-flow-micro/videoApi/getVideoInfo", body, 2);
	assert_json_str(r, "platform", "likee");
	json_decref(r);

	r = cos_extract_for(COS_LIKEE, "https://likee.video/@x", body, 2);
	assert_status(r, "error");
	assert_json_str(r, "platform", "likee");
	json_decref(r);

	r = cos_extract_for(COS_TELEGRAM, "https://t.me/s/durov", body, 2);
	assert_status(r, "error");
	assert_json_str(r, "platform", "telegram");
	json_decref(r);

	r = cos_extract("https://example.com/video/1", body, 2);
	assert_status(r, "error");
	assert_json_null(r, "platform");
	json_decref(r);

	r = cos_extract("", body, 2);
	assert_status(r, "error");
	json_decref(r);

	r = cos_extract(NULL, body, 2);
	assert_status(r, "error");
	json_decref(r);

	r = cos_extract_for(COS_PLATFORM_NONE, "https://www.tiktok.com/@x", body, 2);
	assert_status(r, "error");
	json_decref(r);

	/* a host that is not UTF-8 still gives a reason (sanitised) */
	r = cos_extract("https://ex\xFF\xC3" "ample.com/x", body, 2);
	assert_status(r, "error");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "ex??ample.com"));
	json_decref(r);
}

/* A statusMsg cut inside a UTF-8 sequence still gives a valid reason */
static void
test_reason_utf8(void **state)
{
	char		page[1024];
	char		msg[400];
	json_t	   *r;
	int			n;

	(void) state;
	/* 199 ASCII bytes, then two-byte characters: the 200-byte quote cuts one */
	memset(msg, 'a', 199);
	msg[199] = '\0';
	for (int i = 0; i < 20; i++)
		strcat(msg, "\xC3\xA9");
	n = snprintf(page, sizeof(page), "<html>" SCRIPT_OPEN
				 "{\"__DEFAULT_SCOPE__\":{\"webapp.video-detail\":"
				 "{\"statusCode\":10101,\"statusMsg\":\"%s\"}}}</script>", msg);
	r = Extract(DESKTOP_URL, page, (size_t) n);
	assert_status(r, "error");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "aaaa?"));
	json_decref(r);
}

/* Run the TikTok extractor tests */
/* Member value text of key in obj, or NULL: cos_json_member as a string */
static char *
Member(const char *obj, const char *key)
{
	const char *v;
	size_t		vlen;

	if (!cos_json_member(obj, strlen(obj), key, &v, &vlen))
		return NULL;
	return strndup(v, vlen);
}

/* cos_json_member walks one object's own members, never nested ones or strings */
static void
test_json_member(void **state)
{
	char	   *v;

	v = Member("{\"a\":{\"b\":1},\"b\":2}", "b");
	assert_non_null(v);
	assert_string_equal(v, "2");
	free(v);
	v = Member("{\"x\" : \"\\\"b\\\":3\", \"b\" : [1,{\"c\":\"}\"}] }", "b");
	assert_non_null(v);
	assert_string_equal(v, "[1,{\"c\":\"}\"}]");
	free(v);
	v = Member("{\"n\":-1.5e3,\"t\":true,\"s\":\"x\"}", "t");
	assert_non_null(v);
	assert_string_equal(v, "true");
	free(v);
	assert_null(Member("{\"a\":{\"b\":1}}", "b"));			/* only nested */
	assert_null(Member("{}", "a"));
	assert_null(Member("{\"a\" 1}", "a"));					/* no colon */
	assert_null(Member("{\"a\":{\"b\":1}", "zz"));		/* unclosed */
	assert_null(Member("[\"a\",1]", "a"));					/* not an object */
	assert_null(Member("{\"a\":1 \"b\":2}", "b"));		/* no comma */
}

/*
 * A page whose i18n strings quote the video key before the real member:
 * the member found is __DEFAULT_SCOPE__'s own, so the counts are the real ones.
 */
static void
test_scope_member_not_fooled(void **state)
{
	const char *page =
		"<html><script id=\"__UNIVERSAL_DATA_FOR_REHYDRATION__\" type=\"application/json\">"
		"{\"__DEFAULT_SCOPE__\":{\"webapp.i18n\":{\"k\":\"\\\"webapp.video-detail\\\":{\\\"x\\\":1}\"},"
		"\"webapp.video-detail\":{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{\"id\":\"7000000000000000001\","
		"\"desc\":\"t\",\"createTime\":\"1752462842\",\"author\":{\"id\":\"1\",\"uniqueId\":\"someone\"},"
		"\"stats\":{\"playCount\":1234,\"diggCount\":56,\"commentCount\":7,\"shareCount\":8,\"collectCount\":\"9\"}}}}}}"
		"</script></html>";
	json_t	   *r = cos_extract_tiktok("https://www.tiktok.com/@someone/video/7000000000000000001",
									   page, strlen(page));
	json_t	   *v;

	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "ok");
	v = json_array_get(json_object_get(r, "videos"), 0);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "id")), "7000000000000000001");
	assert_int_equal(json_integer_value(json_object_get(v, "views")), 1234);
	assert_int_equal(json_integer_value(json_object_get(v, "likes")), 56);
	json_decref(r);
}

/* ---- the shortcuts against the whole parse ---- */

/* The result of cos_extract_tiktok_as(how), shape checked */
static json_t *
ExtractAs(const char *url, const char *body, size_t len, CosTikTokParse how)
{
	json_t	   *r = cos_extract_tiktok_as(url, body, len, how);

	unit_check_result(r, "tiktok");
	return r;
}

/* Fail unless a and b are equal, printing both */
static void
AssertSameResult(const json_t *a, const json_t *b, const char *what)
{
	if (!json_equal(a, b))
	{
		char	   *x = json_dumps(a, JSON_SORT_KEYS);
		char	   *y = json_dumps(b, JSON_SORT_KEYS);

		fail_msg("%s:\n%s\n%s", what, x, y);
	}
}

/*
 * cos_extract_tiktok (the parts of a video member) gives what the member
 * parsed whole gives, every field; and, when whole too, what the whole
 * document gives (the member shortcut does not see a document broken
 * outside the member).
 */
static void
AssertAsWhole(const char *url, const char *body, size_t len, bool whole)
{
	json_t	   *parts = cos_extract_tiktok(url, body, len);
	json_t	   *member = ExtractAs(url, body, len, COS_TIKTOK_MEMBER);

	unit_check_result(parts, "tiktok");
	AssertSameResult(parts, member, "parts / member parsed whole");
	if (whole)
	{
		json_t	   *doc = ExtractAs(url, body, len, COS_TIKTOK_WHOLE);

		AssertSameResult(parts, doc, "parts / whole document");
		json_decref(doc);
	}
	json_decref(parts);
	json_decref(member);
}

/* Every capture: the shortcut's result is the whole parse's */
static void
test_shortcut_as_whole(void **state)
{
	static const char *const pages[][2] = {
		{DESKTOP, DESKTOP_URL}, {MOBILE, MOBILE_URL}, {PROFILE, PROFILE_URL}, {GONE, GONE_URL},
		{DESKTOP, "http://127.0.0.1:8080/tiktok/@dangthuhaf/video/7526770564367748360"},
		{PROFILE, DESKTOP_URL}	/* a profile page answering a video URL */
	};

	(void) state;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
	{
		size_t		len;
		char	   *body = unit_read_fixture(pages[i][0], &len);
		json_t	   *r = cos_extract_tiktok(pages[i][1], body, len);

		AssertAsWhole(pages[i][1], body, len, true);
		/* not vacuous: the captures read as SOURCES.md says */
		if (i == 0)
		{
			assert_json_int(unit_item(r, "videos", 0), "duration_s", 34);
			assert_json_int(unit_item(r, "videos", 0), "views", 18500000);
			assert_json_int(unit_item(r, "channels", 0), "followers", 3700000);
		}
		json_decref(r);
		free(body);
	}
}

/* A page whose video-detail member is text (printf format with one %s) */
static char *
DetailPage(const char *member, size_t *len)
{
	char	   *page;
	int			n = asprintf(&page, "<html>" SCRIPT_OPEN
							"{\"__DEFAULT_SCOPE__\":{\"webapp.video-detail\":%s}}</script></html>",
							member);

	assert_true(n > 0);
	*len = (size_t) n;
	return page;
}

/*
 * Members shaped otherwise than the captures: repeated keys (the last one
 * counts, as in the whole parse), keys written with escapes, itemInfo,
 * itemStruct or video of another type, a photo post, a failed status, bad
 * JSON in a part read and in a part skipped, integers past 64 bits.
 */
static void
test_shortcut_odd_members(void **state)
{
	static const char item[] =
		"\"id\":\"7000000000000000001\",\"desc\":\"t\",\"createTime\":1752462842,"
		"\"author\":{\"id\":\"1\",\"uniqueId\":\"someone\",\"nickname\":\"S\"},"
		"\"authorStats\":{\"followerCount\":10,\"heartCount\":20,\"videoCount\":3},"
		"\"stats\":{\"playCount\":1234,\"diggCount\":56,\"commentCount\":7,\"shareCount\":8,\"collectCount\":\"9\"}";
	static const char video[] =
		"\"video\":{\"duration\":16,\"cover\":\"https://c/1\",\"bitrateInfo\":[{\"Bitrate\":1,\"x\":\"}\"}]}";
	const char *const members[] = {
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s}}}",
		/* repeated keys at each level */
		"{\"itemInfo\":{\"itemStruct\":{\"id\":\"1\"}},\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{\"id\":\"9\"},\"itemStruct\":{%s,%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"stats\":{\"playCount\":99},\"id\":\"7\"}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"video\":{\"duration\":99,\"duration\":77}}}}",
		"{\"statusCode\":10204,\"statusMsg\":\"gone\",\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s}}}",
		/* keys with escapes */
		"{\"statusCode\":0,\"\\u0069temInfo\":{\"itemStruct\":{%s,%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"\\u0069d\":\"8\"}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,\"vid\\u0065o\":{\"duration\":5},%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,\"video\":{\"dur\\u0061tion\":5,\"cover\":\"x\"},%s}}}",
		/* other types */
		"{\"statusCode\":0,\"itemInfo\":null,\"x\":[%s,%s]}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":\"%s%s\"}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":[{%s,%s}]}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,\"video\":null},\"v\":{%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,\"video\":\"x\"},\"v\":{%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,\"video\":[16]},\"v\":{%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s},\"v\":{%s}}}",
		"{\"statusCode\":\"0\",\"itemInfo\":{\"itemStruct\":{%s,%s}}}",
		"{\"statusCode\":null,\"itemInfo\":{\"itemStruct\":{%s,%s}},\"status_code\":10216}",
		/* a photo post: no video covers, imagePost's */
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"video\":{\"duration\":0},"
		"\"imagePost\":{\"cover\":{\"imageURL\":{\"urlList\":[\"https://p/1\",\"https://p/2\"]}}}}}}",
		/* bad JSON in a part read, in a part skipped; integers past 64 bits */
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"stats\":{\"playCount\":01}}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"stats\":{\"playCount\":1,}}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"music\":{\"a\":1}}}, \"shareMeta\":{}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"stats\":{\"playCount\":123456789012345678901234}}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"createTime\":99999999999999999999}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,\"music\":{\"id\":123456789012345678901234}}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s}},\"shareMeta\":{\"n\":123456789012345678901234}}",
		/* not objects where objects belong, or cut */
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s}}",
		"{\"statusCode\":0 \"itemInfo\":{\"itemStruct\":{%s,%s}}}",
		"{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{%s,%s,}}}",
		"{}%s%s",
	};

	(void) state;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
	{
		char	   *member;
		char	   *page;
		size_t		len;

		assert_true(asprintf(&member, members[i], item, video) > 0);
		page = DetailPage(member, &len);
		/* the last four break the document around the member, not inside it */
		AssertAsWhole(DESKTOP_URL, page, len, i + 4 < sizeof(members) / sizeof(members[0]));
		free(page);
		free(member);
	}
}

/*
 * Bad JSON in a part of the video member that is not read (here "music"):
 * the member parsed whole fails, and so did the whole page; the parts read
 * are sound, so the parts path reads them, as the member shortcut already
 * reads a member of a page broken elsewhere.
 */
static void
test_shortcut_skips_unread(void **state)
{
	size_t		len;
	char	   *page = DetailPage("{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{\"id\":\"7000000000000000001\","
								  "\"music\":{\"id\":01,\"x\":[1,]},\"stats\":{\"playCount\":1234}}}}", &len);
	json_t	   *r = Extract(DESKTOP_URL, page, len);
	json_t	   *member = ExtractAs(DESKTOP_URL, page, len, COS_TIKTOK_MEMBER);

	(void) state;
	assert_status(r, "ok");
	assert_json_int(unit_item(r, "videos", 0), "views", 1234);
	assert_status(member, "error");
	json_decref(member);
	json_decref(r);
	free(page);
}

/* The shortcut's own values on a small member: the parts it reads, read */
static void
test_shortcut_values(void **state)
{
	size_t		len;
	char	   *page = DetailPage("{\"statusCode\":0,\"itemInfo\":{\"itemStruct\":{\"id\":\"7000000000000000001\","
								  "\"createTime\":\"1752462842\",\"author\":{\"id\":\"1\",\"uniqueId\":\"someone\"},"
								  "\"video\":{\"playAddr\":\"p\",\"duration\":16,\"originCover\":\"https://c/2\"},"
								  "\"stats\":{\"playCount\":1234},\"stats\":{\"playCount\":4321}}}}", &len);
	json_t	   *r = Extract(DESKTOP_URL, page, len);
	json_t	   *v = unit_item(r, "videos", 0);

	(void) state;
	assert_status(r, "ok");
	assert_json_str(v, "id", "7000000000000000001");
	assert_json_str(v, "channel_id", "1");
	assert_json_str(v, "url", "https://www.tiktok.com/@someone/video/7000000000000000001");
	assert_json_int(v, "duration_s", 16);
	assert_json_str(v, "thumbnail_url", "https://c/2");
	assert_json_str(v, "published_at", "2025-07-14T03:14:02Z");
	assert_json_int(v, "views", 4321);	/* the last "stats", as jansson keeps it */
	json_decref(r);
	free(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_desktop_video),
		cmocka_unit_test(test_loopback_url),
		cmocka_unit_test(test_mobile_reflow),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_status_codes),
		cmocka_unit_test(test_statsv2_fallback),
		cmocka_unit_test(test_blocked_pages),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_huge_bodies),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_duration_bounds),
		cmocka_unit_test(test_reason_utf8),
		cmocka_unit_test(test_json_member),
		cmocka_unit_test(test_scope_member_not_fooled),
		cmocka_unit_test(test_shortcut_as_whole),
		cmocka_unit_test(test_shortcut_odd_members),
		cmocka_unit_test(test_shortcut_values),
		cmocka_unit_test(test_shortcut_skips_unread),
	};

	return cmocka_run_group_tests_name("extract_tiktok", tests, NULL, NULL);
}
