/*
 * extract_tiktok.c
 *	  TikTok web pages: video (desktop and mobile "reflow") and profile.
 *
 * The data is the JSON in <script id="__UNIVERSAL_DATA_FOR_REHYDRATION__"
 * type="application/json">, under "__DEFAULT_SCOPE__":
 *   "webapp.video-detail".itemInfo.itemStruct          desktop video page
 *   "webapp.reflow.video.detail".itemInfo.itemStruct   mobile video page
 *   "webapp.user-detail".userInfo                      profile page
 * each with a statusCode (0, or 10204 gone, 10216 private post, 10222
 * private account, as yt-dlp reads them).  Captured examples and their
 * values: test/fixtures/tiktok, test/fixtures/SOURCES.md.
 *
 * Pure C: never includes postgres.h.
 */
#include "extract_int.h"

#include <stdio.h>
#include <string.h>

#define REHYDRATION_ID "__UNIVERSAL_DATA_FOR_REHYDRATION__"

/* Ids are decimal (author ids, item ids) or short strings; room to spare */
#define TIKTOK_ID_MAX 128

/* Bytes of a string we quote in a reason */
#define QUOTE_MAX 200

/* Markers of the pages TikTok serves instead of content to suspected bots */
static const char *const challenge_markers[] = {
	"_wafchallengeid",			/* WAF JavaScript challenge */
	"<script id=\"wci\"",		/* the challenge yt-dlp solves */
	"tiktok-verify-page",		/* slide captcha */
	"secsdk-captcha",
	"captcha_container",
	"Please wait..."
};

/* True when body looks like a WAF / captcha challenge rather than a page */
static bool
LooksLikeChallenge(const char *body, size_t len)
{
	for (size_t i = 0; i < sizeof(challenge_markers) / sizeof(challenge_markers[0]); i++)
	{
		if (cos_body_has_ci(body, len, challenge_markers[i]))
			return true;
	}
	return false;
}

/* True when the URL path is TikTok's login page (a redirect target) */
static bool
IsLoginPath(const char *url)
{
	const char *path = cos_url_path(url);

	return strncmp(path, "/login", 6) == 0 || strstr(path, "/tiktok/login") != NULL;
}

/* True when the URL path names a single post rather than a profile */
static bool
IsPostPath(const char *url)
{
	const char *path = cos_url_path(url);

	return strstr(path, "/video/") != NULL || strstr(path, "/photo/") != NULL ||
		strstr(path, "/v/") != NULL;
}

/*
 * Check detail["statusCode"]: NULL when it is 0 or absent, else a failed
 * result saying why (10204 unavailable; 10216, 10222 private; else error).
 */
static json_t *
CheckStatus(const json_t *detail, const char *scope_key)
{
	const json_t *code_v = json_object_get(detail, "statusCode");
	const char *msg;
	long long	code = 0;

	if (code_v == NULL)
		code_v = json_object_get(detail, "status_code");
	if (code_v == NULL || json_is_null(code_v))
		return NULL;
	if (json_is_integer(code_v))
		code = (long long) json_integer_value(code_v);
	else if (!cos_json_count(code_v, &code))
		return cos_result_fail(COS_TIKTOK, "error", "%s has a statusCode that is not a number",
							   scope_key);
	if (code == 0)
		return NULL;

	msg = cos_json_str(json_object_get(detail, "statusMsg"));
	if (msg == NULL)
		msg = cos_json_str(json_object_get(detail, "statusMessage"));
	if (msg == NULL)
		msg = cos_json_str(json_object_get(detail, "status_msg"));
	if (msg == NULL)
		msg = "no message";

	switch (code)
	{
		case 10204:
			return cos_result_fail(COS_TIKTOK, "unavailable",
								   "tiktok statusCode 10204 (%.*s): the post does not exist or is not available here",
								   QUOTE_MAX, msg);
		case 10216:
			return cos_result_fail(COS_TIKTOK, "private",
								   "tiktok statusCode 10216 (%.*s): the post is private",
								   QUOTE_MAX, msg);
		case 10222:
			return cos_result_fail(COS_TIKTOK, "private",
								   "tiktok statusCode 10222 (%.*s): the account is private",
								   QUOTE_MAX, msg);
		default:
			return cos_result_fail(COS_TIKTOK, "error", "tiktok statusCode %lld in %s: %.*s",
								   code, scope_key, QUOTE_MAX, msg);
	}
}

/* First non-empty string among the keys of obj (NULL-terminated), or NULL */
static const json_t *
FirstString(const json_t *obj, const char *const *keys)
{
	for (; *keys != NULL; keys++)
	{
		const json_t *v = json_object_get(obj, *keys);

		if (cos_json_str(v) != NULL)
			return v;
	}
	return NULL;
}

/*
 * A channel object from a TikTok user (id, uniqueId, nickname, avatars) and
 * its stats, with statsV2 (all strings) as fallback per counter.
 */
static json_t *
TikTokChannel(const json_t *user, const json_t *stats, const json_t *stats2)
{
	static const char *const avatar_keys[] = {
		"avatarLarger", "avatarMedium", "avatarThumb", NULL
	};
	json_t	   *ch;
	char		id[TIKTOK_ID_MAX];

	if (!cos_json_id(json_object_get(user, "id"), id, sizeof(id)))
		return NULL;
	ch = cos_channel_new();
	if (ch == NULL)
		return NULL;
	cos_set_cstring(ch, "id", id);
	cos_set_string(ch, "handle", json_object_get(user, "uniqueId"));
	cos_set_string(ch, "title", json_object_get(user, "nickname"));
	cos_set_counter2(ch, "followers", json_object_get(stats, "followerCount"),
					 json_object_get(stats2, "followerCount"));
	if (!cos_set_counter2(ch, "likes", json_object_get(stats, "heartCount"),
						  json_object_get(stats2, "heartCount")))
		cos_set_counter2(ch, "likes", json_object_get(stats, "heart"),
						 json_object_get(stats2, "heart"));
	cos_set_counter2(ch, "videos", json_object_get(stats, "videoCount"),
					 json_object_get(stats2, "videoCount"));
	cos_set_string(ch, "avatar_url", FirstString(user, avatar_keys));
	return ch;
}

/* Cover of a photo-mode post: imagePost.cover.imageURL.urlList[0] */
static const json_t *
PhotoCover(const json_t *item)
{
	const json_t *list = cos_json_path(item, "imagePost", "cover", "imageURL", "urlList", NULL);

	return json_array_get(list, 0);
}

/*
 * A video object from an itemStruct; NULL when it has no id.  stats win
 * over statsV2 per counter (stats may mix ints and strings, statsV2 is all
 * strings, the mobile page has no statsV2).
 */
static json_t *
TikTokVideo(const json_t *item)
{
	static const char *const cover_keys[] = {"cover", "originCover", "dynamicCover", NULL};
	const json_t *author = json_object_get(item, "author");
	const json_t *video = json_object_get(item, "video");
	const json_t *stats = json_object_get(item, "stats");
	const json_t *stats2 = json_object_get(item, "statsV2");
	const json_t *cover;
	const char *handle;
	json_t	   *v;
	char		id[TIKTOK_ID_MAX];
	char		author_id[TIKTOK_ID_MAX];
	char		url[2 * TIKTOK_ID_MAX + 64];

	if (!cos_json_id(json_object_get(item, "id"), id, sizeof(id)))
		return NULL;
	v = cos_video_new();
	if (v == NULL)
		return NULL;

	/* old pages had author as the bare uniqueId string */
	if (json_is_string(author))
	{
		handle = cos_json_str(author);
		author = NULL;
	}
	else
		handle = cos_json_str(json_object_get(author, "uniqueId"));

	cos_set_cstring(v, "id", id);
	if (cos_json_id(json_object_get(author, "id"), author_id, sizeof(author_id)))
		cos_set_cstring(v, "channel_id", author_id);
	else if (cos_json_id(json_object_get(item, "authorId"), author_id, sizeof(author_id)))
		cos_set_cstring(v, "channel_id", author_id);

	/* TikTok's own canonical form when the handle is unknown: "/@/video/ID" */
	if (handle == NULL || strlen(handle) >= TIKTOK_ID_MAX)
		handle = "";
	snprintf(url, sizeof(url), "https://www.tiktok.com/@%s/video/%s", handle, id);
	cos_set_cstring(v, "url", url);

	cos_set_string(v, "title", json_object_get(item, "desc"));
	cos_set_unix_time(v, "published_at", json_object_get(item, "createTime"));
	cos_set_duration(v, json_object_get(video, "duration"), 1.0);
	cover = FirstString(video, cover_keys);
	if (cover == NULL)
		cover = PhotoCover(item);
	cos_set_string(v, "thumbnail_url", cover);

	cos_set_counter2(v, "views", json_object_get(stats, "playCount"),
					 json_object_get(stats2, "playCount"));
	cos_set_counter2(v, "likes", json_object_get(stats, "diggCount"),
					 json_object_get(stats2, "diggCount"));
	cos_set_counter2(v, "comments", json_object_get(stats, "commentCount"),
					 json_object_get(stats2, "commentCount"));
	cos_set_counter2(v, "shares", json_object_get(stats, "shareCount"),
					 json_object_get(stats2, "shareCount"));
	cos_set_counter2(v, "saves", json_object_get(stats, "collectCount"),
					 json_object_get(stats2, "collectCount"));
	return v;
}

/* Result of a video page: detail is "webapp.video-detail" or the reflow key */
static json_t *
VideoPage(const json_t *detail, const char *scope_key)
{
	const json_t *item = cos_json_path(detail, "itemInfo", "itemStruct", NULL);
	const json_t *author;
	json_t	   *result;
	json_t	   *video;
	json_t	   *channel;

	result = CheckStatus(detail, scope_key);
	if (result != NULL)
		return result;
	if (!json_is_object(item))
		return cos_result_fail(COS_TIKTOK, "error", "%s has no itemInfo.itemStruct", scope_key);
	video = TikTokVideo(item);
	if (video == NULL)
		return cos_result_fail(COS_TIKTOK, "error", "%s itemStruct has no id", scope_key);
	result = cos_result_new(COS_TIKTOK);
	if (result == NULL)
	{
		json_decref(video);
		return NULL;
	}
	cos_result_add_video(result, video);

	author = json_object_get(item, "author");
	if (json_is_object(author))
	{
		channel = TikTokChannel(author, json_object_get(item, "authorStats"),
								json_object_get(item, "authorStatsV2"));
		if (channel != NULL)
			cos_result_add_channel(result, channel);
	}
	return result;
}

static const char *const video_keys[] = {
	"webapp.video-detail", "webapp.reflow.video.detail"
};

/*
 * What VideoPage reads of a video-detail member: its status, and of
 * itemInfo.itemStruct the members TikTokVideo and TikTokChannel read, of
 * itemStruct.video only the duration and covers (the rest of video, its play
 * addresses and bitrate tables, is 21 KB of the 29 KB member).
 */
static const char *const detail_keys[] = {
	"statusCode", "status_code", "statusMsg", "statusMessage", "status_msg", NULL
};
static const char *const item_keys[] = {
	"id", "desc", "createTime", "authorId", "author", "stats", "statsV2",
	"authorStats", "authorStatsV2", "imagePost", NULL
};
static const char *const item_video_keys[] = {
	"duration", "cover", "originCover", "dynamicCover", NULL
};

/* True when the key text (klen bytes, as written) is name */
static bool
KeyIs(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(name, key, klen) == 0;
}

/* True when the key text (klen bytes, as written) is one of keys */
static bool
KeyIn(const char *key, size_t klen, const char *const *keys)
{
	for (; *keys != NULL; keys++)
	{
		if (KeyIs(key, klen, *keys))
			return true;
	}
	return false;
}

/* One JSON value of any kind, as cos_json_parse reads a document */
static json_t *
ParseValue(const char *text, size_t len)
{
	json_error_t jerr;
	json_t	   *v = json_loadb(text, len, JSON_DECODE_ANY, &jerr);

	if (v == NULL && json_error_code(&jerr) == json_error_numeric_overflow)
		v = json_loadb(text, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &jerr);
	return v;
}

/*
 * A new object of the members of the JSON object text (len bytes) that are
 * named in keys, each parsed; a member named by nested (may be NULL) whose
 * value is an object is read by PickMembers itself with nested_keys.  The
 * last of equal keys wins, as in jansson's parse.  NULL when the text is not
 * an object as cos_json_next_member walks it, a key is written with escapes
 * (it could read as a wanted one), or a wanted value does not parse: the
 * caller then parses the whole text.
 */
static json_t *
PickMembers(const char *text, size_t len, const char *const *keys,
			const char *nested, const char *const *nested_keys)
{
	json_t	   *obj;
	size_t		pos = 0;
	const char *key;
	size_t		klen;
	const char *value;
	size_t		vlen;
	int			rc;

	if (len == 0 || text[0] != '{' || (obj = json_object()) == NULL)
		return NULL;
	while ((rc = cos_json_next_member(text, len, &pos, &key, &klen, &value, &vlen)) == 1)
	{
		json_t	   *v = NULL;
		bool		is_nested;

		if (memchr(key, '\\', klen) != NULL)
			break;
		is_nested = nested != NULL && KeyIs(key, klen, nested);
		if (is_nested && value[0] == '{')
			v = PickMembers(value, vlen, nested_keys, NULL, NULL);
		else if (is_nested || KeyIn(key, klen, keys))
			v = ParseValue(value, vlen);
		else
			continue;
		if (v == NULL || json_object_setn_new(obj, key, klen, v) != 0)
			break;
	}
	if (rc != 0)
	{
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/*
 * The value text of the last member key of the JSON object text (len
 * bytes): the one jansson's parse keeps.  1 when found, 0 when there is
 * none, -1 when the text is not an object as cos_json_next_member walks it
 * or a key is written with escapes.
 */
static int
LastMember(const char *text, size_t len, const char *key,
		   const char **value, size_t *vlen)
{
	size_t		pos = 0;
	const char *k;
	size_t		klen;
	const char *v;
	size_t		vl;
	int			rc;
	int			found = 0;

	while ((rc = cos_json_next_member(text, len, &pos, &k, &klen, &v, &vl)) == 1)
	{
		if (memchr(k, '\\', klen) != NULL)
			return -1;
		if (KeyIs(k, klen, key))
		{
			*value = v;
			*vlen = vl;
			found = 1;
		}
	}
	return rc == 0 ? found : -1;
}

/*
 * The parts of a video-detail member (text, len bytes) VideoPage reads, as
 * a small detail object {status…, "itemInfo": {"itemStruct": {…}}}, so the
 * 29 KB member is not parsed whole.  NULL when the member is not shaped as
 * expected (no itemInfo.itemStruct object; see PickMembers): the caller then
 * parses it whole, and that decides, errors included.  Parts skipped are not
 * checked as JSON, as the rest of the page is not (cos_json_member).
 */
static json_t *
VideoDetailParts(const char *text, size_t len)
{
	const char *info;
	size_t		info_len;
	const char *item_text;
	size_t		item_len;
	json_t	   *detail;
	json_t	   *item;
	json_t	   *wrap;

	if (LastMember(text, len, "itemInfo", &info, &info_len) != 1 || info[0] != '{' ||
		LastMember(info, info_len, "itemStruct", &item_text, &item_len) != 1 ||
		item_text[0] != '{')
		return NULL;
	detail = PickMembers(text, len, detail_keys, NULL, NULL);
	item = PickMembers(item_text, item_len, item_keys, "video", item_video_keys);
	wrap = json_object();
	/* json_object_set_new takes its value's reference even when it fails */
	if (detail == NULL || item == NULL || wrap == NULL)
	{
		json_decref(detail);
		json_decref(item);
		json_decref(wrap);
		return NULL;
	}
	if (json_object_set_new(wrap, "itemStruct", item) != 0)
	{
		json_decref(wrap);
		json_decref(detail);
		return NULL;
	}
	if (json_object_set_new(detail, "itemInfo", wrap) != 0)
	{
		json_decref(detail);
		return NULL;
	}
	return detail;
}
static json_t *ProfilePage(const json_t *detail, const char *scope_key);

/*
 * The shortcut: parses only the member of __DEFAULT_SCOPE__ the page is about
 * (found by cos_json_member; the page's i18n tables and the rest are most of
 * its 250 KB of JSON), chosen as the full path chooses; with parts, of a video
 * member only what VideoPage reads (VideoDetailParts), else the member whole.
 * NULL when it does not apply, and the full parse then decides, with its own
 * errors.
 */
static json_t *
ParseScopeMember(const char *url, const char *json_text, size_t json_len, bool parts)
{
	const char *scope;
	size_t		scope_len;
	const char *video = NULL;
	size_t		video_len = 0;
	const char *video_key = NULL;
	const char *user = NULL;
	size_t		user_len = 0;
	json_t	   *member;
	json_t	   *result;
	bool		is_video;

	if (!cos_json_member(json_text, json_len, "__DEFAULT_SCOPE__", &scope, &scope_len) ||
		scope[0] != '{')
		return NULL;
	for (size_t i = 0; i < sizeof(video_keys) / sizeof(video_keys[0]); i++)
	{
		if (cos_json_member(scope, scope_len, video_keys[i], &video, &video_len) &&
			video[0] == '{')
		{
			video_key = video_keys[i];
			break;
		}
	}
	if (!cos_json_member(scope, scope_len, "webapp.user-detail", &user, &user_len) ||
		user[0] != '{')
		user = NULL;

	if (video_key != NULL && (user == NULL || IsPostPath(url)))
		is_video = true;
	else if (user != NULL)
		is_video = false;
	else
		return NULL;
	if (is_video)
	{
		member = parts ? VideoDetailParts(video, video_len) : NULL;
		if (member == NULL)
			member = cos_json_parse(video, video_len, NULL, 0);
	}
	else
		member = cos_json_parse(user, user_len, NULL, 0);
	if (!json_is_object(member))
	{
		json_decref(member);
		return NULL;
	}
	result = is_video ? VideoPage(member, video_key) : ProfilePage(member, "webapp.user-detail");
	json_decref(member);
	return result;
}

/* Result of a profile page: "webapp.user-detail".userInfo (+ any itemList) */
static json_t *
ProfilePage(const json_t *detail, const char *scope_key)
{
	const json_t *info = json_object_get(detail, "userInfo");
	const json_t *items;
	json_t	   *result;
	json_t	   *channel;
	size_t		i;
	json_t	   *item;

	result = CheckStatus(detail, scope_key);
	if (result != NULL)
		return result;
	if (!json_is_object(json_object_get(info, "user")))
		return cos_result_fail(COS_TIKTOK, "error", "%s has no userInfo.user", scope_key);
	channel = TikTokChannel(json_object_get(info, "user"), json_object_get(info, "stats"),
							json_object_get(info, "statsV2"));
	if (channel == NULL)
		return cos_result_fail(COS_TIKTOK, "error", "%s userInfo.user has no id", scope_key);
	result = cos_result_new(COS_TIKTOK);
	if (result == NULL)
	{
		json_decref(channel);
		return NULL;
	}
	cos_result_add_channel(result, channel);

	/* server-side rendered posts, when TikTok sends any */
	items = json_object_get(info, "itemList");
	json_array_foreach(items, i, item)
	{
		json_t	   *video = TikTokVideo(item);

		if (video != NULL)
			cos_result_add_video(result, video);
	}
	return result;
}

/*
 * The extractor.  Unless how is COS_TIKTOK_WHOLE, the page's one member of
 * __DEFAULT_SCOPE__ is read alone first (ParseScopeMember; with
 * COS_TIKTOK_PARTS, only the parts of a video member VideoPage reads), and
 * the whole document is parsed only when that does not apply.
 */
static json_t *
ExtractTikTok(const char *url, const char *body, size_t len, CosTikTokParse how)
{
	const char *json_text = NULL;
	size_t		json_len = 0;
	char		err[256];
	json_t	   *root;
	const json_t *scope;
	const json_t *video_detail = NULL;
	const char *video_key = NULL;
	const json_t *user_detail;
	json_t	   *result;

	if (body == NULL || len == 0)
		return cos_result_fail(COS_TIKTOK, "error", "empty body");

	switch (cos_find_script_by_id(body, len, REHYDRATION_ID, &json_text, &json_len))
	{
		case COS_SPAN_FOUND:
			break;
		case COS_SPAN_TRUNCATED:
			return cos_result_fail(COS_TIKTOK, "error",
								   "body ends inside the " REHYDRATION_ID " script (truncated)");
		case COS_SPAN_MISSING:
			if (LooksLikeChallenge(body, len))
				return cos_result_fail(COS_TIKTOK, "blocked",
									   "tiktok served a captcha / WAF challenge instead of the page");
			if (IsLoginPath(url))
				return cos_result_fail(COS_TIKTOK, "blocked",
									   "tiktok redirected to its login page");
			return cos_result_fail(COS_TIKTOK, "error",
								   "no " REHYDRATION_ID " script in the body (not a tiktok page)");
	}

	if (how != COS_TIKTOK_WHOLE &&
		(result = ParseScopeMember(url, json_text, json_len, how == COS_TIKTOK_PARTS)) != NULL)
		return result;

	root = cos_json_parse(json_text, json_len, err, sizeof(err));
	if (root == NULL)
		return cos_result_fail(COS_TIKTOK, "error",
							   REHYDRATION_ID " does not parse as JSON: %s", err);
	scope = json_object_get(root, "__DEFAULT_SCOPE__");
	if (!json_is_object(scope))
	{
		json_decref(root);
		return cos_result_fail(COS_TIKTOK, "error",
							   REHYDRATION_ID " has no __DEFAULT_SCOPE__ object");
	}

	for (size_t i = 0; i < sizeof(video_keys) / sizeof(video_keys[0]); i++)
	{
		video_detail = json_object_get(scope, video_keys[i]);
		if (json_is_object(video_detail))
		{
			video_key = video_keys[i];
			break;
		}
		video_detail = NULL;
	}
	user_detail = json_object_get(scope, "webapp.user-detail");
	if (!json_is_object(user_detail))
		user_detail = NULL;

	/* both present: the URL says which page was asked for */
	if (video_detail != NULL && (user_detail == NULL || IsPostPath(url)))
		result = VideoPage(video_detail, video_key);
	else if (user_detail != NULL)
		result = ProfilePage(user_detail, "webapp.user-detail");
	else if (LooksLikeChallenge(body, len))
		result = cos_result_fail(COS_TIKTOK, "blocked",
								 "tiktok served a challenge page without video or user data");
	else
		result = cos_result_fail(COS_TIKTOK, "error",
								 "__DEFAULT_SCOPE__ has neither webapp.video-detail, "
								 "webapp.reflow.video.detail nor webapp.user-detail");
	json_decref(root);
	return result;
}

/*
 * cos_extract_tiktok: see extract_int.h.  Documents: TikTok video and
 * profile pages as the web app serves them (desktop or mobile UA), in
 * <script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">.
 */
json_t *
cos_extract_tiktok(const char *url, const char *body, size_t len)
{
	return ExtractTikTok(url, body, len, COS_TIKTOK_PARTS);
}

/*
 * cos_extract_tiktok_as: see extract_int.h.  how: COS_TIKTOK_WHOLE,
 * COS_TIKTOK_MEMBER or COS_TIKTOK_PARTS (cos_extract_tiktok's own).
 */
json_t *
cos_extract_tiktok_as(const char *url, const char *body, size_t len, CosTikTokParse how)
{
	return ExtractTikTok(url, body, len, how);
}
