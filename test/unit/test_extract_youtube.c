/*
 * test_extract_youtube.c
 *	  cmocka tests for extension/extract_youtube.c on the real captures in
 *	  test/fixtures/youtube (expected values: test/fixtures/SOURCES.md): the
 *	  watch page, Data API v3 videos / channels / playlistItems .list, the
 *	  reCAPTCHA page; and on damaged copies: truncated, mutated, non-UTF-8,
 *	  empty, 20 MB of junk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "extract.h"
#include "unit_util.h"

#define WATCH "youtube/watch_GJLlxj_dtq8.html"
#define VIDEOS "youtube/api_videos_list_D-lhorsDlUQ.json"
#define CHANNELS "youtube/api_channels_list_google_googledevelopers.json"
#define PLAYLIST "youtube/api_playlistItems_list_page1.json"
#define CAPTCHA "youtube/error_too_many_requests_captcha.html"

#define WATCH_URL "https://www.youtube.com/watch?v=GJLlxj_dtq8"
#define VIDEOS_URL "https://www.googleapis.com/youtube/v3/videos?part=snippet,contentDetails,statistics&id=D-lhorsDlUQ"
#define CHANNELS_URL "https://www.googleapis.com/youtube/v3/channels?part=snippet,contentDetails,statistics&id=UCK8sQmJBp8GCxrOtXWBpyEA,UC_x5XG1OV2P6uZZ5FSM9Ttw"
#define PLAYLIST_URL "https://www.googleapis.com/youtube/v3/playlistItems?part=snippet&playlistId=PLOU2XLYxmsIKpaV8h0AGE05so0fAwwfTw"

#define PLAYER_MARK "var ytInitialPlayerResponse = "
#define DATA_MARK "var ytInitialData = "

/* Run the YouTube extractor through cos_extract_for and check the shape */
static json_t *
Extract(const char *url, const char *body, size_t len)
{
	json_t	   *r = cos_extract_for(COS_YOUTUBE, url, body, len);

	unit_check_result(r, "youtube");
	return r;
}

/*
 * A new exact-size copy of body with every occurrence of from replaced by
 * to; fails the test when from does not occur.
 */
static char *
Replaced(const char *body, size_t len, const char *from, const char *to, size_t *newlen)
{
	size_t		fl = strlen(from);
	size_t		tl = strlen(to);
	size_t		count = 0;
	size_t		i;
	size_t		o = 0;
	char	   *out;

	for (i = 0; i + fl <= len; i++)
	{
		if (memcmp(body + i, from, fl) == 0)
		{
			count++;
			i += fl - 1;
		}
	}
	if (count == 0)
		fail_msg("\"%s\" not in the body", from);
	*newlen = len - count * fl + count * tl;
	out = malloc(*newlen ? *newlen : 1);
	for (i = 0; i < len;)
	{
		if (i + fl <= len && memcmp(body + i, from, fl) == 0)
		{
			memcpy(out + o, to, tl);
			o += tl;
			i += fl;
		}
		else
			out[o++] = body[i++];
	}
	assert_int_equal(o, *newlen);
	return out;
}

/* Extract a patched copy of a fixture (every from → to) */
static json_t *
ExtractPatched(const char *fixture, const char *url, const char *from, const char *to)
{
	size_t		len;
	size_t		nlen;
	char	   *body = unit_read_fixture(fixture, &len);
	char	   *copy = Replaced(body, len, from, to, &nlen);
	json_t	   *r = Extract(url, copy, nlen);

	free(copy);
	free(body);
	return r;
}

/* Watch page: views and likes from the player response, comments "2.7K" */
static void
test_watch_page(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(WATCH, &len);
	json_t	   *r = cos_extract(WATCH_URL, body, len);
	json_t	   *v;

	(void) state;
	assert_status(r, "ok");
	assert_json_str(r, "platform", "youtube");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 1);
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "GJLlxj_dtq8");
	assert_json_str(v, "channel_id", "UCVYamHliCI9rw1tHR1xbkfw");
	assert_json_str(v, "url", WATCH_URL);
	assert_json_str(v, "title", "Surface Go Review - It\xE2\x80\x99s Awesome");
	assert_json_str(v, "published_at", "2018-08-02T13:00:08Z");	/* 06:00:08-07:00 */
	assert_json_int(v, "duration_s", 316);
	assert_json_str(v, "thumbnail_url", "https://i.ytimg.com/vi/GJLlxj_dtq8/maxresdefault.jpg");
	assert_json_int(v, "views", 1856109);
	assert_json_int(v, "likes", 43864);
	assert_json_int(v, "comments", 2700);
	assert_json_null(v, "shares");
	assert_json_null(v, "saves");
	json_decref(r);
	free(body);
}

/* The same body through a loopback URL, or no URL, reads the same */
static void
test_watch_loopback(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(WATCH, &len);
	json_t	   *a = cos_extract(WATCH_URL, body, len);
	json_t	   *b = Extract("http://127.0.0.1:8080/youtube/watch?v=GJLlxj_dtq8", body, len);
	json_t	   *c = Extract(NULL, body, len);

	(void) state;
	assert_true(json_equal(a, b));
	assert_true(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(body);
}

/* Missing likeCount or comments panel: null, never 0 */
static void
test_watch_missing_counters(void **state)
{
	json_t	   *r;
	json_t	   *v;

	(void) state;
	r = ExtractPatched(WATCH, WATCH_URL, "\"likeCount\"", "\"xikeCount\"");
	assert_status(r, "ok");
	v = unit_item(r, "videos", 0);
	assert_json_null(v, "likes");
	assert_json_int(v, "views", 1856109);
	assert_json_int(v, "comments", 2700);
	json_decref(r);

	r = ExtractPatched(WATCH, WATCH_URL, "engagement-panel-comments-section",
					   "engagement-panel-xomments-section");
	assert_status(r, "ok");
	v = unit_item(r, "videos", 0);
	assert_json_null(v, "comments");
	assert_json_int(v, "likes", 43864);
	json_decref(r);

	/* no ytInitialData at all: still the player's counters */
	r = ExtractPatched(WATCH, WATCH_URL, DATA_MARK, "var ytSomethingElse = ");
	assert_status(r, "ok");
	v = unit_item(r, "videos", 0);
	assert_json_null(v, "comments");
	assert_json_int(v, "views", 1856109);
	json_decref(r);
}

/* playabilityStatus other than OK: unavailable, private or blocked */
static void
test_watch_playability(void **state)
{
	static const char ok[] = "\"playabilityStatus\":{\"status\":\"OK\"";
	json_t	   *r;

	(void) state;
	r = ExtractPatched(WATCH, WATCH_URL, ok,
					   "\"playabilityStatus\":{\"status\":\"ERROR\",\"reason\":\"Video unavailable\"");
	assert_status(r, "unavailable");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "Video unavailable"));
	json_decref(r);

	r = ExtractPatched(WATCH, WATCH_URL, ok,
					   "\"playabilityStatus\":{\"status\":\"UNPLAYABLE\",\"reason\":\"Video unavailable\"");
	assert_status(r, "unavailable");
	json_decref(r);

	r = ExtractPatched(WATCH, WATCH_URL, ok,
					   "\"playabilityStatus\":{\"status\":\"LOGIN_REQUIRED\",\"reason\":\"This video is private\"");
	assert_status(r, "private");
	json_decref(r);

	r = ExtractPatched(WATCH, WATCH_URL, ok,
					   "\"playabilityStatus\":{\"status\":\"LOGIN_REQUIRED\","
					   "\"reason\":\"Sign in to confirm you\xE2\x80\x99re not a bot\"");
	assert_status(r, "blocked");
	json_decref(r);

	r = ExtractPatched(WATCH, WATCH_URL, ok,
					   "\"playabilityStatus\":{\"status\":\"LOGIN_REQUIRED\","
					   "\"reason\":\"Sign in to confirm your age\"");
	assert_status(r, "unavailable");
	json_decref(r);
}

/* videos.list: statistics strings, ISO duration, largest thumbnail */
static void
test_api_videos(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(VIDEOS, &len);
	json_t	   *r = cos_extract(VIDEOS_URL, body, len);
	json_t	   *v;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 1);
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "id", "D-lhorsDlUQ");
	assert_json_str(v, "channel_id", "UC_x5XG1OV2P6uZZ5FSM9Ttw");
	assert_json_str(v, "url", "https://www.youtube.com/watch?v=D-lhorsDlUQ");
	assert_json_str(v, "title", "What are Actions on Google (Assistant on Air)");
	assert_json_str(v, "published_at", "2019-03-21T20:37:49Z");
	assert_json_int(v, "duration_s", 1267);	/* PT21M7S */
	assert_json_str(v, "thumbnail_url", "https://i.ytimg.com/vi/D-lhorsDlUQ/maxresdefault.jpg");
	assert_json_int(v, "views", 7920);
	assert_json_int(v, "likes", 190);
	assert_json_int(v, "comments", 32);
	assert_json_null(v, "shares");
	assert_json_null(v, "saves");
	json_decref(r);
	free(body);

	/* likes and comments hidden: null */
	r = ExtractPatched(VIDEOS, VIDEOS_URL, "\"likeCount\"", "\"xikeCount\"");
	v = unit_item(r, "videos", 0);
	assert_json_null(v, "likes");
	assert_json_int(v, "comments", 32);
	json_decref(r);
	r = ExtractPatched(VIDEOS, VIDEOS_URL, "\"commentCount\"", "\"xommentCount\"");
	v = unit_item(r, "videos", 0);
	assert_json_null(v, "comments");
	assert_json_int(v, "likes", 190);
	json_decref(r);

	/* no maxres: the next size down */
	r = ExtractPatched(VIDEOS, VIDEOS_URL, "\"maxres\"", "\"xaxres\"");
	v = unit_item(r, "videos", 0);
	assert_json_str(v, "thumbnail_url", "https://i.ytimg.com/vi/D-lhorsDlUQ/sddefault.jpg");
	json_decref(r);

	/* no such video: empty items */
	r = ExtractPatched(VIDEOS, VIDEOS_URL, "\"items\"", "\"itemz\"");
	assert_status(r, "unavailable");
	json_decref(r);
	{
		static const char empty[] = "{\"kind\":\"youtube#videoListResponse\",\"items\":[],"
			"\"pageInfo\":{\"totalResults\":0,\"resultsPerPage\":0}}";

		r = Extract(VIDEOS_URL, empty, sizeof(empty) - 1);
		assert_status(r, "unavailable");
		json_decref(r);
	}
}

/* channels.list: two channels, counters, avatar, and the uploads playlist */
static void
test_api_channels(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(CHANNELS, &len);
	json_t	   *r = cos_extract(CHANNELS_URL, body, len);
	json_t	   *c;

	(void) state;
	assert_status(r, "ok");
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 2);
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 0);
	c = unit_item(r, "channels", 0);
	assert_json_str(c, "id", "UCK8sQmJBp8GCxrOtXWBpyEA");
	assert_json_str(c, "handle", "@google");
	assert_json_str(c, "title", "Google");
	assert_json_int(c, "followers", 10700000);
	assert_json_int(c, "views", 3331930783LL);
	assert_json_int(c, "videos", 2678);
	assert_json_null(c, "likes");
	assert_json_prefix(c, "avatar_url", "https://yt3.ggpht.com/ytc/AMLnZu_31rROBnB8bq9EJfk82OnclHISQ3Hrx6i1oWLai5o=s800");
	assert_json_str(c, "uploads", "UUK8sQmJBp8GCxrOtXWBpyEA");

	c = unit_item(r, "channels", 1);
	assert_json_str(c, "id", "UC_x5XG1OV2P6uZZ5FSM9Ttw");
	assert_json_str(c, "handle", "@googledevelopers");
	assert_json_str(c, "title", "Google Developers");
	assert_json_int(c, "followers", 2260000);
	assert_json_int(c, "views", 208790084);
	assert_json_int(c, "videos", 5652);
	assert_json_str(c, "uploads", "UU_x5XG1OV2P6uZZ5FSM9Ttw");
	json_decref(r);
	free(body);

	/* hidden subscriber count: followers null, the rest still there */
	r = ExtractPatched(CHANNELS, CHANNELS_URL, "\"hiddenSubscriberCount\":false",
					   "\"hiddenSubscriberCount\":true");
	c = unit_item(r, "channels", 0);
	assert_json_null(c, "followers");
	assert_json_int(c, "views", 3331930783LL);
	json_decref(r);
}

/* playlistItems.list: ten ids with titles and dates, no counters, next page */
static void
test_api_playlist(void **state)
{
	static const char *const first_ids[] = {"CvTApw9X8aA", "Yh4EKaUY3gg", "S-MbpQiwfls"};
	size_t		len;
	char	   *body = unit_read_fixture(PLAYLIST, &len);
	json_t	   *r = cos_extract(PLAYLIST_URL, body, len);
	json_t	   *v;
	size_t		i;

	(void) state;
	assert_status(r, "ok");
	assert_json_str(r, "next", "CAoQAA");
	assert_int_equal(json_array_size(json_object_get(r, "videos")), 10);
	assert_int_equal(json_array_size(json_object_get(r, "channels")), 0);
	for (i = 0; i < 3; i++)
		assert_json_str(unit_item(r, "videos", i), "id", first_ids[i]);
	v = unit_item(r, "videos", 0);
	assert_json_prefix(v, "title", "Welcome from Google Developers - Pittsburgh ML Sum");
	assert_json_str(v, "published_at", "2019-11-21T22:17:43Z");
	assert_json_str(v, "channel_id", "UC_x5XG1OV2P6uZZ5FSM9Ttw");
	assert_json_str(v, "url", "https://www.youtube.com/watch?v=CvTApw9X8aA");
	json_array_foreach(json_object_get(r, "videos"), i, v)
	{
		assert_json_null(v, "views");
		assert_json_null(v, "likes");
		assert_json_null(v, "comments");
		assert_json_null(v, "duration_s");
	}
	json_decref(r);
	free(body);

	/* the last page has no nextPageToken */
	r = ExtractPatched(PLAYLIST, PLAYLIST_URL, "\"nextPageToken\"", "\"prevPageToken\"");
	assert_status(r, "ok");
	assert_json_null(r, "next");
	json_decref(r);
}

/* Data API errors: quota and rate limits block, not-found is unavailable */
static void
test_api_errors(void **state)
{
	/* the documented error shape of the Data API (synthetic bodies) */
	static const char quota[] =
		"{\"error\":{\"code\":403,\"message\":\"The request cannot be completed because you have exceeded your quota.\","
		"\"errors\":[{\"message\":\"The request cannot be completed because you have exceeded your quota.\","
		"\"domain\":\"youtube.quota\",\"reason\":\"quotaExceeded\"}]}}";
	static const char rate[] =
		"{\"error\":{\"code\":403,\"message\":\"Rate Limit Exceeded\","
		"\"errors\":[{\"reason\":\"rateLimitExceeded\"}]}}";
	static const char bad_key[] =
		"{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\","
		"\"errors\":[{\"reason\":\"badRequest\"}],\"status\":\"INVALID_ARGUMENT\"}}";
	static const char not_found[] =
		"{\"error\":{\"code\":404,\"message\":\"The playlist identified with the request's playlistId parameter cannot be found.\","
		"\"errors\":[{\"reason\":\"playlistNotFound\"}]}}";
	static const char other_kind[] = "{\"kind\":\"youtube#searchListResponse\",\"items\":[]}";
	static const char no_kind[] = "{\"items\":[]}";
	static const char array[] = "[1,2]";
	static const char garbage[] = "{\"kind\":";
	json_t	   *r;

	(void) state;
	r = Extract(VIDEOS_URL, quota, sizeof(quota) - 1);
	assert_status(r, "blocked");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "exceeded your quota"));
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "403"));
	json_decref(r);
	r = Extract(VIDEOS_URL, rate, sizeof(rate) - 1);
	assert_status(r, "blocked");
	json_decref(r);
	r = Extract(VIDEOS_URL, bad_key, sizeof(bad_key) - 1);
	assert_status(r, "error");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "API key not valid"));
	json_decref(r);
	r = Extract(PLAYLIST_URL, not_found, sizeof(not_found) - 1);
	assert_status(r, "unavailable");
	json_decref(r);
	r = Extract(VIDEOS_URL, other_kind, sizeof(other_kind) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(VIDEOS_URL, no_kind, sizeof(no_kind) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(VIDEOS_URL, array, sizeof(array) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(VIDEOS_URL, garbage, sizeof(garbage) - 1);
	assert_status(r, "error");
	json_decref(r);
}

/* The 429 reCAPTCHA page is "blocked"; other pages without a player "error" */
static void
test_captcha(void **state)
{
	static const char plain[] = "<html><body>hello</body></html>";
	size_t		len;
	char	   *body = unit_read_fixture(CAPTCHA, &len);
	json_t	   *r = cos_extract(WATCH_URL, body, len);

	(void) state;
	assert_status(r, "blocked");
	json_decref(r);
	free(body);

	r = Extract(WATCH_URL, plain, sizeof(plain) - 1);
	assert_status(r, "error");
	json_decref(r);

	/* a TikTok page is not a YouTube page */
	body = unit_read_fixture("tiktok/video_desktop_7526770564367748360.html", &len);
	r = Extract(WATCH_URL, body, len);
	assert_status(r, "error");
	json_decref(r);
	free(body);
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

/* Fail unless extracting the first n bytes of body gives a non-ok status */
static void
AssertPrefixFails(const char *name, const char *url, const char *body, size_t n)
{
	json_t	   *r = ExtractPrefix(url, body, n);

	if (strcmp(unit_status(r), "ok") == 0)
		fail_msg("%s cut at %zu: status ok", name, n);
	json_decref(r);
}

/* Cut the watch page and the API responses: never ok, always a reason */
static void
test_truncated(void **state)
{
	static const char *const api[][2] = {
		{VIDEOS, VIDEOS_URL}, {CHANNELS, CHANNELS_URL}, {PLAYLIST, PLAYLIST_URL}
	};
	size_t		len;
	char	   *body = unit_read_fixture(WATCH, &len);
	size_t		player = unit_find(body, len, PLAYER_MARK);
	size_t		data = unit_find(body, len, DATA_MARK);
	size_t		data_end;

	(void) state;
	assert_true(player != (size_t) -1 && data != (size_t) -1 && player < data);
	data_end = data + strlen(DATA_MARK);
	data_end += unit_find(body + data_end, len - data_end, "};") + 1;

	AssertPrefixFails(WATCH, WATCH_URL, body, 0);
	AssertPrefixFails(WATCH, WATCH_URL, body, 1);
	AssertPrefixFails(WATCH, WATCH_URL, body, player / 2);
	AssertPrefixFails(WATCH, WATCH_URL, body, player + 10);
	AssertPrefixFails(WATCH, WATCH_URL, body, player + strlen(PLAYER_MARK));
	for (int k = 1; k < 12; k++)
		AssertPrefixFails(WATCH, WATCH_URL, body, player + (data - player) * k / 24);
	/* after the player response, before ytInitialData */
	AssertPrefixFails(WATCH, WATCH_URL, body, (player + data) / 2 + (data - player) / 4);
	AssertPrefixFails(WATCH, WATCH_URL, body, data);
	for (int k = 1; k < 12; k++)
		AssertPrefixFails(WATCH, WATCH_URL, body, data + (data_end - data) * k / 12);
	AssertPrefixFails(WATCH, WATCH_URL, body, data_end - 1);

	/* once ytInitialData is whole, the rest of the page is not needed */
	{
		json_t	   *r = ExtractPrefix(WATCH_URL, body, data_end);
		json_t	   *whole = Extract(WATCH_URL, body, len);

		assert_true(json_equal(r, whole));
		json_decref(r);
		json_decref(whole);
	}
	free(body);

	for (size_t f = 0; f < sizeof(api) / sizeof(api[0]); f++)
	{
		body = unit_read_fixture(api[f][0], &len);
		for (int k = 0; k < 16; k++)
			AssertPrefixFails(api[f][0], api[f][1], body, len * k / 16);
		AssertPrefixFails(api[f][0], api[f][1], body, len - 2);
		free(body);
	}
}

/* Empty and NULL bodies, broken JSON after the marker, non-UTF-8 bytes */
static void
test_bad_bodies(void **state)
{
	static const char broken[] = "<script>var ytInitialPlayerResponse = {\"videoDetails\":};</script>";
	static const char no_id[] =
		"<script>var ytInitialPlayerResponse = {\"videoDetails\":{\"title\":\"x\"}};</script>";
	static const char not_obj[] = "<script>var ytInitialPlayerResponse = null;</script>";
	static const char bom_json[] = "\xEF\xBB\xBF  {\"kind\":\"youtube#videoListResponse\",\"items\":[]}";
	size_t		len;
	char	   *body;
	char	   *copy;
	size_t		at;
	json_t	   *r;

	(void) state;
	r = Extract(WATCH_URL, "", 0);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(WATCH_URL, NULL, 0);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(WATCH_URL, broken, sizeof(broken) - 1);
	assert_status(r, "error");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")), "does not parse"));
	json_decref(r);
	r = Extract(WATCH_URL, no_id, sizeof(no_id) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(WATCH_URL, not_obj, sizeof(not_obj) - 1);
	assert_status(r, "error");
	json_decref(r);
	r = Extract(VIDEOS_URL, bom_json, sizeof(bom_json) - 1);
	assert_status(r, "unavailable");	/* read as JSON despite the BOM */
	json_decref(r);

	/* invalid UTF-8 in the player response: unreadable */
	body = unit_read_fixture(WATCH, &len);
	copy = malloc(len);
	memcpy(copy, body, len);
	at = unit_find(copy, len, "\"title\":\"Surface Go Review");
	assert_true(at != (size_t) -1);
	copy[at + 9] = (char) 0xFE;
	r = Extract(WATCH_URL, copy, len);
	assert_status(r, "error");
	json_decref(r);

	/* invalid UTF-8 in the surrounding HTML: harmless */
	memcpy(copy, body, len);
	at = unit_find(copy, len, "<title");
	assert_true(at != (size_t) -1);
	copy[at + 1] = (char) 0xFF;
	r = Extract(WATCH_URL, copy, len);
	assert_status(r, "ok");
	json_decref(r);
	free(copy);
	free(body);

	/* invalid UTF-8 in API JSON */
	body = unit_read_fixture(VIDEOS, &len);
	at = unit_find(body, len, "Google Developers");
	assert_true(at != (size_t) -1);
	body[at] = (char) 0xC3;
	body[at + 1] = (char) 0x28;
	r = Extract(VIDEOS_URL, body, len);
	assert_status(r, "error");
	json_decref(r);
	free(body);
}

/* 20 MB bodies: random bytes, an unclosed object, deep nesting, a huge JSON */
static void
test_huge_bodies(void **state)
{
	const size_t big = 20 * 1024 * 1024;
	char	   *junk = malloc(big);
	unsigned long long seed = 4242;
	size_t		ml = strlen(PLAYER_MARK);
	json_t	   *r;

	(void) state;
	for (size_t i = 0; i < big; i++)
		junk[i] = (char) unit_rand(&seed);
	junk[0] = '<';				/* not JSON */
	r = Extract(WATCH_URL, junk, big);
	assert_not_ok(r, "youtube");
	json_decref(r);

	/* the marker, then 20 MB of "{" */
	memcpy(junk, PLAYER_MARK, ml);
	memset(junk + ml, '{', big - ml);
	r = Extract(WATCH_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);

	/* balanced, 10 million levels deep */
	memset(junk + ml, '{', (big - ml) / 2);
	memset(junk + ml + (big - ml) / 2, '}', big - ml - (big - ml) / 2);
	r = Extract(WATCH_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);

	/* 20 MB that starts like API JSON */
	memset(junk, '[', big);
	r = Extract(VIDEOS_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);

	/* one huge JSON string */
	memset(junk, 'a', big);
	memcpy(junk, "{\"kind\":\"", 9);
	memcpy(junk + big - 2, "\"}", 2);
	r = Extract(VIDEOS_URL, junk, big);
	assert_status(r, "error");
	json_decref(r);
	free(junk);
}

/* Random byte changes in the player response never crash, keep the shape */
static void
test_mutations(void **state)
{
	size_t		len;
	char	   *body = unit_read_fixture(WATCH, &len);
	char	   *copy = malloc(len);
	size_t		player = unit_find(body, len, PLAYER_MARK);
	size_t		data = unit_find(body, len, DATA_MARK);
	unsigned long long seed = 99;
	static const char nasty[] = "{}[]\"\\:,0-9eE.\x80\xFF\0";
	int			ok = 0;

	(void) state;
	for (int iter = 0; iter < 60; iter++)
	{
		json_t	   *r;
		int			nflips = 1 + (int) (unit_rand(&seed) % 3);

		memcpy(copy, body, len);
		for (int k = 0; k < nflips; k++)
		{
			size_t		at = player + unit_rand(&seed) % (data + 4096 - player);

			copy[at] = nasty[unit_rand(&seed) % (sizeof(nasty) - 1)];
		}
		r = Extract(WATCH_URL, copy, len);
		ok += strcmp(unit_status(r), "ok") == 0;
		json_decref(r);
	}
	assert_true(ok > 0);
	free(copy);
	free(body);

	/* and in the API JSON */
	body = unit_read_fixture(CHANNELS, &len);
	copy = malloc(len);
	for (int iter = 0; iter < 300; iter++)
	{
		json_t	   *r;

		memcpy(copy, body, len);
		copy[unit_rand(&seed) % len] = nasty[unit_rand(&seed) % (sizeof(nasty) - 1)];
		r = Extract(CHANNELS_URL, copy, len);
		json_decref(r);
	}
	free(copy);
	free(body);
}

/* Run the YouTube extractor tests */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_page),
		cmocka_unit_test(test_watch_loopback),
		cmocka_unit_test(test_watch_missing_counters),
		cmocka_unit_test(test_watch_playability),
		cmocka_unit_test(test_api_videos),
		cmocka_unit_test(test_api_channels),
		cmocka_unit_test(test_api_playlist),
		cmocka_unit_test(test_api_errors),
		cmocka_unit_test(test_captcha),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_huge_bodies),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests_name("extract_youtube", tests, NULL, NULL);
}
