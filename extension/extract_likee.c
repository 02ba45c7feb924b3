/*
 * extract_likee.c
 *	  Likee: answers of the web app's video API (JSON).
 *
 * Documents (POST api.like-video.com/likee-activity-flow-micro/videoApi/…),
 * each {"code":0,"message":"ok","data":{"videoList":[item, …]}}:
 *   getUserVideo      one user's posts, newest first (body uid, count,
 *                     lastPostId): a channel for the user and the posts
 *   getSquareVideos   the trending feed: posts of many users, no channel
 *   getVideoInfo      one post (body postIds); a bare item (one element of
 *                     videoList, as the likee gem's fixture holds it) reads
 *                     the same
 * An item: postId, posterUid, likeeId, nickname, avatar, title, msgText,
 * postTime (unix seconds), coverUrl, playCount, likeCount, commentCount,
 * shareCount, and sometimes duration (s) or optionData.dur (ms).
 * "next" is the last postId of a non-empty list: the worker sends it back
 * as lastPostId.  A non-zero code is "error", or "unavailable" when the
 * message says the post does not exist.  Captured examples and their
 * values: test/fixtures/likee, test/fixtures/SOURCES.md.
 *
 * Pure C: never includes postgres.h.
 */
#include "extract_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ids are decimal (postId, posterUid) or likeeIds; room to spare */
#define LIKEE_ID_MAX 128

/* Bytes of a document string we quote in a reason */
#define QUOTE_MAX 200

/* Which API call the body answers, from the URL's path */
typedef enum LikeeCall
{
	LIKEE_OTHER = 0,
	LIKEE_USER_VIDEO,			/* getUserVideo */
	LIKEE_SQUARE,				/* getSquareVideos */
	LIKEE_VIDEO_INFO			/* getVideoInfo */
} LikeeCall;

/* The API call named by the last path segment of url */
static LikeeCall
CallFromUrl(const char *url)
{
	const char *path = cos_url_path(url);
	size_t		n = strcspn(path, "?#");

	if (cos_memmem(path, n, "getUserVideo", 12) != NULL)
		return LIKEE_USER_VIDEO;
	if (cos_memmem(path, n, "getSquareVideos", 15) != NULL)
		return LIKEE_SQUARE;
	if (cos_memmem(path, n, "getVideoInfo", 12) != NULL)
		return LIKEE_VIDEO_INFO;
	return LIKEE_OTHER;
}

/* True when the NUL-terminated s contains needle, ASCII case-insensitively */
static bool
HasCi(const char *s, const char *needle)
{
	return s != NULL && cos_memmem_ci(s, strlen(s), needle, strlen(needle)) != NULL;
}

/* True when s is 1..max bytes, all of them digits */
static bool
IsDigits(const char *s, size_t max)
{
	size_t		n = strlen(s);

	return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

/*
 * obj[key] = value's string without leading and trailing ASCII blanks;
 * false (obj untouched) when that leaves nothing.
 */
static bool
SetTrimmed(json_t *obj, const char *key, const json_t *value)
{
	const char *s = cos_json_str(value);
	size_t		n;
	json_t	   *copy;

	if (s == NULL)
		return false;
	n = json_string_length(value);
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
	{
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n == 0 || (copy = json_stringn(s, n)) == NULL)
		return false;
	return json_object_set_new(obj, key, copy) == 0;
}

/*
 * video["url"] = "https://likee.video/@<likeeId>/video/<postId>", the
 * handle in lower case as url.c canonicalises it; posterUid stands in for a
 * missing or odd likeeId.  False when there is neither.
 */
static bool
SetVideoUrl(json_t *video, const json_t *item, const char *post_id)
{
	const char *handle = cos_json_str(json_object_get(item, "likeeId"));
	char		uid[LIKEE_ID_MAX];
	char		lower[LIKEE_ID_MAX];
	char		url[2 * LIKEE_ID_MAX + 64];
	size_t		n;

	if (handle == NULL || (n = strlen(handle)) >= sizeof(lower) ||
		strspn(handle, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
	{
		if (!cos_json_id(json_object_get(item, "posterUid"), uid, sizeof(uid)) ||
			!IsDigits(uid, 20))
			return false;
		handle = uid;
		n = strlen(uid);
	}
	for (size_t i = 0; i <= n; i++)
		lower[i] = (handle[i] >= 'A' && handle[i] <= 'Z') ? (char) (handle[i] - 'A' + 'a') : handle[i];
	snprintf(url, sizeof(url), "https://likee.video/@%s/video/%s", lower, post_id);
	return cos_set_cstring(video, "url", url);
}

/* video["duration_s"] from duration (s), else optionData.dur (ms) */
static void
SetDuration(json_t *video, const json_t *item)
{
	if (!cos_set_duration(video, json_object_get(item, "duration"), 1.0))
		cos_set_duration(video, cos_json_path(item, "optionData", "dur", NULL), 0.001);
}

/* A video from one videoList item; NULL without a numeric postId or a URL */
static json_t *
LikeeVideo(const json_t *item)
{
	static const char *const title_keys[] = {"title", "videoTitle", "msgText", NULL};
	static const char *const cover_keys[] = {"coverUrl", "image1", NULL};
	json_t	   *v;
	char		id[LIKEE_ID_MAX];
	char		uid[LIKEE_ID_MAX];

	if (!cos_json_id(json_object_get(item, "postId"), id, sizeof(id)) || !IsDigits(id, 20))
		return NULL;
	v = cos_video_new();
	if (v == NULL)
		return NULL;
	if (!SetVideoUrl(v, item, id))
	{
		json_decref(v);
		return NULL;
	}
	cos_set_cstring(v, "id", id);
	if (cos_json_id(json_object_get(item, "posterUid"), uid, sizeof(uid)))
		cos_set_cstring(v, "channel_id", uid);
	for (const char *const *k = title_keys; *k != NULL; k++)
	{
		if (SetTrimmed(v, "title", json_object_get(item, *k)))
			break;
	}
	cos_set_unix_time(v, "published_at", json_object_get(item, "postTime"));
	SetDuration(v, item);
	for (const char *const *k = cover_keys; *k != NULL; k++)
	{
		if (cos_set_string(v, "thumbnail_url", json_object_get(item, *k)))
			break;
	}
	if (json_is_null(json_object_get(v, "thumbnail_url")))
		cos_set_string(v, "thumbnail_url", json_array_get(json_object_get(item, "coverUrlArr"), 0));

	cos_set_counter(v, "views", json_object_get(item, "playCount"));
	cos_set_counter(v, "likes", json_object_get(item, "likeCount"));
	cos_set_counter(v, "comments", json_object_get(item, "commentCount"));
	cos_set_counter(v, "shares", json_object_get(item, "shareCount"));
	return v;
}

/*
 * The poster of item as a channel (id posterUid, handle likeeId, title
 * nickname, avatar); the list carries no counters, so they stay null.
 */
static json_t *
PosterChannel(const json_t *item)
{
	json_t	   *ch;
	char		uid[LIKEE_ID_MAX];

	if (!cos_json_id(json_object_get(item, "posterUid"), uid, sizeof(uid)))
		return NULL;
	ch = cos_channel_new();
	if (ch == NULL)
		return NULL;
	cos_set_cstring(ch, "id", uid);
	cos_set_string(ch, "handle", json_object_get(item, "likeeId"));
	if (!cos_set_string(ch, "title", json_object_get(item, "nickname")))
		cos_set_string(ch, "title", json_object_get(item, "nickName"));
	if (!cos_set_string(ch, "avatar_url", json_object_get(item, "avatar")))
		cos_set_string(ch, "avatar_url", json_object_get(item, "uidAvatar"));
	return ch;
}

/*
 * A failed result when root carries a non-zero "code", else NULL.  Codes
 * come as integers; a string of digits is read too.
 */
static json_t *
CheckCode(const json_t *root)
{
	const json_t *code_v = json_object_get(root, "code");
	const char *msg = cos_json_str(json_object_get(root, "message"));
	long long	code;

	if (code_v == NULL || json_is_null(code_v))
		return NULL;
	if (msg == NULL)
		msg = cos_json_str(json_object_get(root, "msg"));
	if (msg == NULL)
		msg = "no message";
	if (json_is_integer(code_v))
		code = (long long) json_integer_value(code_v);
	else if (json_is_string(code_v) && json_string_length(code_v) > 0 &&
			 json_string_length(code_v) < 19 &&
			 strspn(json_string_value(code_v), "-0123456789") == json_string_length(code_v))
		code = strtoll(json_string_value(code_v), NULL, 10);
	else if (json_is_real(code_v) && json_real_value(code_v) == 0.0)
		code = 0;
	else
		return cos_result_fail(COS_LIKEE, "error", "likee \"code\" is not a number (message: %.*s)",
							   QUOTE_MAX, msg);
	if (code == 0)
		return NULL;
	if (HasCi(msg, "not exist") || HasCi(msg, "not found") || HasCi(msg, "deleted") ||
		HasCi(msg, "removed"))
		return cos_result_fail(COS_LIKEE, "unavailable", "likee code %lld: %.*s",
							   code, QUOTE_MAX, msg);
	return cos_result_fail(COS_LIKEE, "error", "likee code %lld: %.*s", code, QUOTE_MAX, msg);
}

/* Result of a list of items (data.videoList, or the one bare item) */
static json_t *
ListResult(const json_t *list, LikeeCall call)
{
	json_t	   *result;
	size_t		i;
	json_t	   *item;
	const char *last_id = NULL;

	if (json_array_size(list) == 0)
	{
		if (call == LIKEE_VIDEO_INFO)
			return cos_result_fail(COS_LIKEE, "unavailable",
								   "likee getVideoInfo returned no video: the post does not exist or was removed");
		return cos_result_new(COS_LIKEE);
	}
	result = cos_result_new(COS_LIKEE);
	if (result == NULL)
		return NULL;
	json_array_foreach(list, i, item)
	{
		json_t	   *video = LikeeVideo(item);

		if (video == NULL)
			continue;
		last_id = json_string_value(json_object_get(video, "id"));
		cos_result_add_video(result, video);
	}
	if (last_id == NULL)
	{
		json_decref(result);
		return cos_result_fail(COS_LIKEE, "error",
							   "likee videoList has %zu item(s) but none with a postId and a poster",
							   json_array_size(list));
	}
	/* one post asked for: no pages */
	if (call != LIKEE_VIDEO_INFO)
		cos_set_cstring(result, "next", last_id);
	if (call == LIKEE_USER_VIDEO)
	{
		json_t	   *ch = PosterChannel(json_array_get(list, 0));

		if (ch != NULL)
			cos_result_add_channel(result, ch);
	}
	return result;
}

/*
 * cos_extract_likee: see extract_int.h.  url: the request URL (its path
 * names the call: getUserVideo, getSquareVideos, getVideoInfo); body: len
 * bytes of the Likee web API's JSON answer (see the file header), or one
 * bare videoList item.  Videos are keyed by postId, with url
 * "https://likee.video/@<likeeId lower case>/video/<postId>"; channels by
 * posterUid.  Status "error" for a non-zero code or a body that is not
 * such JSON, "unavailable" when the post does not exist.
 */
json_t *
cos_extract_likee(const char *url, const char *body, size_t len)
{
	LikeeCall	call = CallFromUrl(url);
	char		err[256];
	json_t	   *root;
	json_t	   *result;
	const json_t *list;

	if (body == NULL || len == 0)
		return cos_result_fail(COS_LIKEE, "error", "empty body");
	root = cos_json_parse(body, len, err, sizeof(err));
	if (root == NULL)
	{
		size_t		i = 0;

		while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
			i++;
		if (i < len && body[i] == '<')
			return cos_result_fail(COS_LIKEE, "error", "likee served HTML where JSON was expected");
		return cos_result_fail(COS_LIKEE, "error", "likee body is not JSON: %s", err);
	}
	if (!json_is_object(root))
	{
		json_decref(root);
		return cos_result_fail(COS_LIKEE, "error", "likee JSON is not an object");
	}

	result = CheckCode(root);
	if (result == NULL)
	{
		list = cos_json_path(root, "data", "videoList", NULL);
		if (json_is_array(list))
			result = ListResult(list, call);
		else if (json_object_get(root, "postId") != NULL)
		{
			/* a bare item: one post, as getVideoInfo's videoList[0] */
			json_t	   *one = json_array();

			if (one == NULL || json_array_append(one, root) != 0)
				result = NULL;
			else
				result = ListResult(one, LIKEE_VIDEO_INFO);
			json_decref(one);
		}
		else if (json_object_get(root, "data") != NULL &&
				 json_is_null(cos_json_path(root, "data", "videoList", NULL)) &&
				 call == LIKEE_VIDEO_INFO)
			result = cos_result_fail(COS_LIKEE, "unavailable",
									 "likee getVideoInfo returned a null videoList: the post does not exist");
		else
			result = cos_result_fail(COS_LIKEE, "error",
									 "likee JSON has neither data.videoList nor a postId");
	}
	json_decref(root);
	return result;
}
