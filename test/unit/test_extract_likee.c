/*
 * test_extract_likee.c
 *	  cmocka tests for extension/extract_likee.c on the real captures in
 *	  test/fixtures/likee (expected values: test/fixtures/SOURCES.md), on
 *	  the API's error answers, and on damaged copies of the captures:
 *	  truncated, mutated, non-UTF-8, empty, 20 MB of junk.
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

#define USER_VIDEO "likee/api_getUserVideo_page1.json"
#define SQUARE "likee/api_getSquareVideos_page1.json"
#define VIDEO_INFO "likee/getVideoInfo_single_item.json"

/* Request URLs: the loopback fixture server and the real API host */
#define API "http://127.0.0.1:8080/likee-api/likee-activity-flow-micro/videoApi/"
#define USER_VIDEO_URL API "getUserVideo"
#define SQUARE_URL "https://api.like-video.com/likee-activity-flow-micro/videoApi/getSquareVideos"
#define VIDEO_INFO_URL API "getVideoInfo"

/* The three captures with the URL each answers */
static const char *const fixtures[][2] = {
	{USER_VIDEO, USER_VIDEO_URL}, {SQUARE, SQUARE_URL}, {VIDEO_INFO, VIDEO_INFO_URL}
};

/* Run the Likee extractor and check the shape */
static json_t *
Extract(const char *url, const char *body, size_t len)
{
	json_t	   *r = cos_extract_likee(url, body, len);

	unit_check_result(r, "likee");
	return r;
}

/* Extract a NUL-terminated string body */
static json_t *
ExtractStr(const char *url, const char *body)
{
	return Extract(url, body, strlen(body));
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

/* getUserVideo: 30 posts of sarah.stefano, one channel, next = last postId */
static void
test_get_user_video(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(USER_VIDEO, &len);
	json_t	   *r = Extract(USER_VIDEO_URL, body, len);
	json_t	   *v;
	json_t	   *c;
	size_t		i;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 30);
	assert_json_str(r, "next", "6929556436340432927");

	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "6941112750224957471");
	assert_json_str(v, "channel_id", "1326964767");
	assert_json_str(v, "url", "https://likee.video/@sarah.stefano/video/6941112750224957471");
	assert_json_str(v, "title", "Obrigada! para sempre Likee");
	assert_json_str(v, "published_at", "2021-03-18T21:42:29Z");	/* postTime 1616103749 */
	assert_json_str(v, "thumbnail_url",
					"https://videosnap.like.video/na_live/3a2/0BRyhU_4.jpg?wmk_sdk=1&type=8");
	assert_json_int(v, "views", 18895);
	assert_json_int(v, "likes", 3460);
	assert_json_int(v, "comments", 384);
	assert_json_int(v, "shares", 134);
	assert_json_null(v, "saves");
	assert_json_null(v, "duration_s");	/* the list carries no duration */

	v = unit_item(r, "videos", 29);
	assert_json_str(v, "id", "6929556436340432927");
	assert_json_int(v, "views", 8270);
	assert_json_int(v, "likes", 1415);
	assert_json_int(v, "comments", 102);

	json_array_foreach(json_object_get(r, "videos"), i, v)
		assert_json_str(v, "channel_id", "1326964767");

	assert_int_equal(json_array_size(json_object_get(r, "channels")), 1);
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "1326964767");
	assert_json_str(c, "handle", "sarah.stefano");
	assert_json_str(c, "title", "Sarah Stefano");
	assert_json_str(c, "avatar_url", "https://img.like.video/na_live/3a1/0mz9bu.jpg");
	assert_json_null(c, "followers");
	assert_json_null(c, "likes");
	assert_json_null(c, "videos");
	json_decref(r);
	free(body);
}

/* Through the public dispatch: cos_extract() on the API host, cos_extract_for() */
static void
test_dispatch(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(USER_VIDEO, &len);
	json_t	   *a = Extract(USER_VIDEO_URL, body, len);
	json_t	   *b = cos_extract("https://api.like-video.com/likee-activity-flow-micro/videoApi/getUserVideo",
								body, len);
	json_t	   *c = cos_extract_for(COS_LIKEE, USER_VIDEO_URL, body, len);

	(void) state;
	assert_true(json_equal(a, b));
	assert_true(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(body);
}

/* getSquareVideos: 28 posts of many users, no channel; msgText when no title */
static void
test_get_square_videos(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(SQUARE, &len);
	json_t	   *r = Extract(SQUARE_URL, body, len);
	json_t	   *v;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 28);
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 0);
	assert_json_str(r, "next", "7045658466323674397");

	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "7046501523492703838");
	assert_json_str(v, "channel_id", "956829278");
	assert_json_str(v, "url", "https://likee.video/@aurea777/video/7046501523492703838");
	assert_json_str(v, "title", "#\xC3\x81urea");	/* title "" -> msgText */
	assert_json_str(v, "published_at", "2021-12-27T21:44:45Z");	/* postTime 1640641485 */
	assert_json_int(v, "views", 58557);
	assert_json_int(v, "likes", 1583);
	assert_json_int(v, "comments", 101);
	assert_json_int(v, "shares", 723);

	/* likeeId "Tioandre": the URL's handle in lower case, as url.c writes it */
	v = unit_item(r, "videos", 1);
	assert_json_str(v, "url", "https://likee.video/@tioandre/video/7046584911922457715");
	json_decref(r);
	free(body);
}

/* getVideoInfo: the bare item of the capture, and the same item wrapped */
static void
test_get_video_info(void **state)
{
	static const char head[] = "{\"code\":0,\"message\":\"ok\",\"data\":{\"videoList\":[";
	static const char foot[] = "]}}";
	size_t		len;
	char	   *body = unit_read_fixture(VIDEO_INFO, &len);
	json_t	   *r = Extract(VIDEO_INFO_URL, body, len);
	json_t	   *wrapped_r;
	json_t	   *v;
	char	   *wrapped;
	size_t		wlen;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 0);
	assert_json_null(r, "next");
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "6928156767853015171");
	assert_json_str(v, "channel_id", "2551771267");
	assert_json_str(v, "url", "https://likee.video/@tiodjshow/video/6928156767853015171");
	assert_json_str(v, "title", "\xF0\x9F\x8E\x89" "Carnaval Virtual\xF0\x9F\x8E\x8A");
	assert_json_str(v, "published_at", "2021-02-11T23:46:39Z");	/* postTime 1613087199 */
	assert_json_int(v, "duration_s", 15);
	assert_json_str(v, "thumbnail_url",
					"https://videosnap.like.video/na_live/3a2/1bwgRm_4.jpg?wmk_sdk=1&type=8");
	assert_json_int(v, "views", 8257);
	assert_json_int(v, "likes", 602);
	assert_json_int(v, "comments", 27);
	assert_json_int(v, "shares", 13);

	/* the real response wraps the item: the same video comes out */
	wlen = strlen(head) + len + strlen(foot);
	wrapped = malloc(wlen);
	memcpy(wrapped, head, strlen(head));
	memcpy(wrapped + strlen(head), body, len);
	memcpy(wrapped + strlen(head) + len, foot, strlen(foot));
	wrapped_r = Extract(VIDEO_INFO_URL, wrapped, wlen);
	assert_status(wrapped_r, "ok");
	assert_true(json_equal(r, wrapped_r));
	json_decref(wrapped_r);

	/* through another path it is one post too, never a page */
	wrapped_r = Extract("", body, len);
	assert_true(json_equal(r, wrapped_r));
	json_decref(wrapped_r);
	free(wrapped);
	json_decref(r);
	free(body);
}

/* duration from optionData.dur (ms) without "duration"; posterUid as a number */
static void
test_field_variants(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(VIDEO_INFO, &len);
	char	   *copy = Patched(body, len, "\"duration\": 15", "\"xuration\": 15");
	char	   *copy2;
	json_t	   *r;
	json_t	   *v;

	(void) state;
	r = Extract(VIDEO_INFO_URL, copy, len);
	assert_status(r, "ok");
	assert_json_int(unit_item(r, "videos", 0), "duration_s", 15);	/* dur 15037 ms */
	json_decref(r);

	/* neither: null, never 0 */
	copy2 = Patched(copy, len, "\"dur\": 15037", "\"xur\": 15037");
	r = Extract(VIDEO_INFO_URL, copy2, len);
	assert_json_null(unit_item(r, "videos", 0), "duration_s");
	json_decref(r);
	free(copy2);
	free(copy);

	copy = Patched(body, len, "\"posterUid\": \"2551771267\"", "\"posterUid\": 2551771267  ");
	r = Extract(VIDEO_INFO_URL, copy, len);
	assert_status(r, "ok");
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "channel_id", "2551771267");
	json_decref(r);
	free(copy);

	/* no likeeId: the posterUid stands in the URL */
	copy = Patched(body, len, "\"likeeId\"", "\"likeeXd\"");
	r = Extract(VIDEO_INFO_URL, copy, len);
	assert_json_str(unit_item(r, "videos", 0), "url",
					"https://likee.video/@2551771267/video/6928156767853015171");
	json_decref(r);
	free(copy);

	/* counters missing: null, never 0 */
	copy = Patched(body, len, "\"playCount\"", "\"playXount\"");
	r = Extract(VIDEO_INFO_URL, copy, len);
	assert_json_null(unit_item(r, "videos", 0), "views");
	assert_json_int(unit_item(r, "videos", 0), "likes", 602);
	json_decref(r);
	free(copy);
	free(body);
}

/* Non-zero codes, empty and missing lists */
static void
test_api_errors(void **state)
{
	static const struct
	{
		const char *url;
		const char *body;
		const char *status;
		const char *reason;
	}			cases[] = {
		{VIDEO_INFO_URL, "{\"code\":1,\"message\":\"video not exist\",\"data\":null}", "unavailable", "not exist"},
		{USER_VIDEO_URL, "{\"code\":500,\"message\":\"server busy\"}", "error", "500"},
		{USER_VIDEO_URL, "{\"code\":\"13\",\"message\":\"param error\"}", "error", "param error"},
		{USER_VIDEO_URL, "{\"code\":-1,\"msg\":\"sign error\"}", "error", "sign error"},
		{USER_VIDEO_URL, "{\"code\":{},\"message\":\"x\"}", "error", "not a number"},
		{VIDEO_INFO_URL, "{\"code\":0,\"message\":\"ok\",\"data\":{\"videoList\":[]}}", "unavailable", "no video"},
		{VIDEO_INFO_URL, "{\"code\":0,\"message\":\"ok\",\"data\":{\"videoList\":null}}", "unavailable", "null"},
		{USER_VIDEO_URL, "{\"code\":0,\"message\":\"ok\",\"data\":{\"videoList\":[]}}", "ok", NULL},
		{USER_VIDEO_URL, "{\"code\":0,\"message\":\"ok\",\"data\":{}}", "error", "videoList"},
		{USER_VIDEO_URL, "{\"code\":0,\"data\":{\"videoList\":[{\"title\":\"x\"}]}}", "error", "postId"},
		/* a postId that is not a number would break the URL */
		{USER_VIDEO_URL, "{\"code\":0,\"data\":{\"videoList\":[{\"postId\":\"1/2\",\"likeeId\":\"a\"}]}}", "error", "postId"},
		{USER_VIDEO_URL, "[]", "error", "not an object"},
		{USER_VIDEO_URL, "<html><body>502 Bad Gateway</body></html>", "error", "HTML"},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		json_t	   *r = ExtractStr(cases[i].url, cases[i].body);

		if (strcmp(unit_status(r), cases[i].status) != 0)
			fail_msg("case %zu: status %s, expected %s", i, unit_status(r), cases[i].status);
		if (cases[i].reason != NULL)
			AssertReason(r, cases[i].reason);
		if (strcmp(cases[i].status, "ok") == 0)
		{
			assert_int_equal(json_array_size(json_object_get(r, "videos")), 0);
			assert_json_null(r, "next");
		}
		json_decref(r);
	}
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

/* Every capture cut anywhere before its last "}" is an error, never ok */
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
			r = ExtractPrefix(fixtures[f][1], body, (end - 1) * (size_t) k / 40);
			assert_status(r, "error");
			json_decref(r);
		}
		r = ExtractPrefix(fixtures[f][1], body, end);
		whole = Extract(fixtures[f][1], body, len);
		assert_status(whole, "ok");
		assert_true(json_equal(r, whole));
		json_decref(whole);
		json_decref(r);
		free(body);
	}
}

/* Empty and NULL bodies, non-UTF-8 bytes */
static void
test_bad_bodies(void **state)
{
	static const char junk[] = "\xFF\xFE\x00\x01\x80\x81\xC0\xC1 {\"code\":\xFF}";
	size_t		len;
	char	   *body = unit_read_fixture(USER_VIDEO, &len);
	char	   *copy;
	size_t		at;
	json_t	   *r;

	(void) state;
	r = Extract(USER_VIDEO_URL, "", 0);
	assert_status(r, "error");
	AssertReason(r, "empty");
	json_decref(r);
	r = Extract(USER_VIDEO_URL, NULL, 0);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(USER_VIDEO_URL, junk, sizeof(junk) - 1);
	assert_status(r, "error");
	json_decref(r);

	copy = malloc(len);
	memcpy(copy, body, len);
	at = unit_find(copy, len, "\"title\": \"Obrigada");
	assert_true(at != (size_t) -1);
	copy[at + 11] = (char) 0xC0;
	r = Extract(USER_VIDEO_URL, copy, len);
	assert_status(r, "error");
	json_decref(r);
	free(copy);
	free(body);
}

/* 20 MB bodies (random bytes, deep nesting), and a long list of empty items */
static void
test_huge_bodies(void **state)
{
	const size_t big = 20 * 1024 * 1024;
	char	   *junk = malloc(big);
	unsigned long long seed = 77;
	json_t	   *r;
	size_t		pos;

	(void) state;
	for (size_t i = 0; i < big; i++)
		junk[i] = (char) unit_rand(&seed);
	r = Extract(USER_VIDEO_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);

	memset(junk, '[', big / 2);
	memset(junk + big / 2, ']', big - big / 2);
	r = Extract(USER_VIDEO_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);

	/* {"code":0,"data":{"videoList":[{},{},…]}} (2 MB): no item has a postId */
	pos = (size_t) sprintf(junk, "{\"code\":0,\"data\":{\"videoList\":[{}");
	while (pos + 8 < big / 10)
	{
		memcpy(junk + pos, ",{}", 3);
		pos += 3;
	}
	memcpy(junk + pos, "]}}", 3);
	pos += 3;
	r = Extract(USER_VIDEO_URL, junk, pos);
	assert_status(r, "error");
	json_decref(r);
	free(junk);
}

/* Random byte changes in every capture never crash and keep the shape */
static void
test_mutations(void **state)
{
	static const char nasty[] = "{}[]\"\\:,0-9eE.\x80\xFFtn\0";
	unsigned long long seed = 5;

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
		cmocka_unit_test(test_get_user_video),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_get_square_videos),
		cmocka_unit_test(test_get_video_info),
		cmocka_unit_test(test_field_variants),
		cmocka_unit_test(test_api_errors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_huge_bodies),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
