/*
 * extract_instagram.c
 *	  Instagram: the profile, the GraphQL timeline and reels tab, and the
 *	  private API's media items.  All are JSON.
 *
 * Documents, chosen by the JSON's shape (the URL's path only refines what
 * an empty answer means, so a loopback base URL reads the same):
 *   api/v1/users/web_profile_info/?username=X
 *       data.user: id, username, full_name, is_private, edge_followed_by,
 *       edge_owner_to_timeline_media {count, page_info, edges[].node}
 *   graphql/query, user timeline
 *       data.user.edge_owner_to_timeline_media (same node shape, no user id)
 *   graphql/query, reels tab (PolarisProfileReelsTabContentQuery)
 *       data.xdt_api__v1__clips__user__connection_v2.edges[].node.media
 *   api/v1/media/<pk>/info/ and /p/<code>/?__a=1&__d=dis
 *       items[]: the private API's item (code, pk, like_count, ...)
 *   old ?__a=1 pages: graphql.user, graphql.shortcode_media
 * Refusals: {"status":"fail","message":...} with require_login,
 * "login_required", "checkpoint_required", "Please wait a few minutes" are
 * "blocked"; an HTML page where JSON was expected is the login wall
 * ("blocked") or an "error".  Captured examples and their values:
 * test/fixtures/instagram, test/fixtures/SOURCES.md.
 *
 * Private accounts: the result has status "private" but KEEPS the channel
 * (and whatever posts the document shows): the follower count of a private
 * account is public and the worker stores it.  This is the one non-ok
 * result that carries items.
 *
 * Pure C: never includes postgres.h.
 */
#include "extract_int.h"

#include <stdio.h>
#include <string.h>

/* Ids are decimal (user pk, media pk) or shortcodes; room to spare */
#define IG_ID_MAX 128

/* Longest shortcode we accept (they are 11 bytes, longer for private posts) */
#define IG_CODE_MAX 64

/* Bytes of a document string we quote in a reason */
#define QUOTE_MAX 200

/* Path of the reels tab connection under data */
#define CLIPS_KEY "xdt_api__v1__clips__user__connection_v2"

/* Markers of Instagram's login wall and challenge pages (HTML) */
static const char *const login_markers[] = {
	"/accounts/login",
	"loginForm",
	"LoginAndSignupPage",
	"login_required",
	"/challenge/",
	"checkpoint_required",
	NULL
};

/* True when some marker of the NULL-terminated list occurs in body */
static bool
BodyHasAny(const char *body, size_t len, const char *const *markers)
{
	for (; *markers != NULL; markers++)
	{
		if (cos_body_has_ci(body, len, *markers))
			return true;
	}
	return false;
}

/* True when the NUL-terminated s contains needle, ASCII case-insensitively */
static bool
HasCi(const char *s, const char *needle)
{
	return s != NULL && cos_memmem_ci(s, strlen(s), needle, strlen(needle)) != NULL;
}

/* True when the path part of path (before "?" or "#") is a login or challenge page */
static bool
IsLoginPath(const char *path)
{
	size_t		n = strcspn(path, "?#");

	return cos_memmem(path, n, "/accounts/login", 15) != NULL ||
		cos_memmem(path, n, "/challenge/", 11) != NULL;
}

/* True when s is a shortcode: 1..IG_CODE_MAX of [A-Za-z0-9_-] */
static bool
IsShortcode(const char *s)
{
	size_t		n = s ? strlen(s) : 0;

	return n > 0 && n <= IG_CODE_MAX &&
		strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* obj[key] = the first of the NULL-terminated keys of src that is a counter */
static bool
SetFirstCounter(json_t *obj, const char *key, const json_t *src, const char *const *keys)
{
	for (; *keys != NULL; keys++)
	{
		if (cos_set_counter(obj, key, json_object_get(src, *keys)))
			return true;
	}
	return false;
}

/* obj[key] = the first of the NULL-terminated keys of src that is a string */
static bool
SetFirstString(json_t *obj, const char *key, const json_t *src, const char *const *keys)
{
	for (; *keys != NULL; keys++)
	{
		if (cos_set_string(obj, key, json_object_get(src, *keys)))
			return true;
	}
	return false;
}

/* video["url"] = the canonical post URL of shortcode (as url.c builds it) */
static bool
SetPostUrl(json_t *video, const char *code)
{
	char		url[IG_CODE_MAX + 64];

	snprintf(url, sizeof(url), "https://www.instagram.com/p/%s/", code);
	return cos_set_cstring(video, "url", url);
}

/* result["next"] = page_info.end_cursor when page_info.has_next_page */
static void
SetNextCursor(json_t *result, const json_t *page_info)
{
	const json_t *cursor = json_object_get(page_info, "end_cursor");

	if (json_is_true(json_object_get(page_info, "has_next_page")) && cos_json_str(cursor) != NULL)
		cos_set_string(result, "next", cursor);
}

/*
 * Mark result private with reason, keeping its channels and videos (see
 * the file header).  Returns result.
 */
static json_t *
MarkPrivate(json_t *result, const char *reason)
{
	json_t	   *why = json_string(reason);

	if (result == NULL)
		return NULL;
	json_object_set_new(result, "status", json_string("private"));
	json_object_set_new(result, "error", why ? why : json_string("the account is private"));
	return result;
}

/*
 * A video from a GraphQL media node (timeline edges[].node, shortcode_media):
 * shortcode, owner.id, taken_at_timestamp, is_video, video_view_count,
 * edge_media_preview_like / edge_liked_by, edge_media_to_comment,
 * edge_media_to_caption, display_url / thumbnail_src, video_duration.
 * owner_id (may be NULL) stands in when the node has no owner.  NULL when
 * the node has no valid shortcode.
 */
static json_t *
NodeVideo(const json_t *node, const char *owner_id)
{
	static const char *const thumb_keys[] = {"display_url", "thumbnail_src", NULL};
	static const char *const view_keys[] = {"video_view_count", "video_play_count", NULL};
	const char *code = cos_json_str(json_object_get(node, "shortcode"));
	const json_t *caption;
	json_t	   *v;
	char		id[IG_ID_MAX];

	if (!IsShortcode(code))
		return NULL;
	v = cos_video_new();
	if (v == NULL)
		return NULL;
	cos_set_cstring(v, "id", code);
	SetPostUrl(v, code);
	if (cos_json_id(cos_json_path(node, "owner", "id", NULL), id, sizeof(id)))
		cos_set_cstring(v, "channel_id", id);
	else
		cos_set_cstring(v, "channel_id", owner_id);

	caption = json_array_get(cos_json_path(node, "edge_media_to_caption", "edges", NULL), 0);
	cos_set_string(v, "title", cos_json_path(caption, "node", "text", NULL));
	if (!cos_set_unix_time(v, "published_at", json_object_get(node, "taken_at_timestamp")))
		cos_set_unix_time(v, "published_at", json_object_get(node, "taken_at"));
	cos_set_duration(v, json_object_get(node, "video_duration"), 1.0);
	SetFirstString(v, "thumbnail_url", node, thumb_keys);

	/* images have no views: only videos carry video_view_count */
	if (!json_is_false(json_object_get(node, "is_video")))
		SetFirstCounter(v, "views", node, view_keys);
	if (!cos_set_counter(v, "likes", cos_json_path(node, "edge_media_preview_like", "count", NULL)))
		cos_set_counter(v, "likes", cos_json_path(node, "edge_liked_by", "count", NULL));
	if (!cos_set_counter(v, "comments", cos_json_path(node, "edge_media_to_comment", "count", NULL)) &&
		!cos_set_counter(v, "comments", cos_json_path(node, "edge_media_preview_comment", "count", NULL)))
		cos_set_counter(v, "comments", cos_json_path(node, "edge_media_to_parent_comment", "count", NULL));
	return v;
}

/*
 * A video from a private-API item (media info items[], reels tab
 * node.media): code, user.pk, taken_at, media_type, play_count /
 * view_count, like_count, comment_count, caption.text, video_duration,
 * image_versions2.candidates[0].url.  NULL without a valid code.
 */
static json_t *
ItemVideo(const json_t *item)
{
	/* play_count is what the app shows on reels; view_count on old feed videos */
	static const char *const view_keys[] = {"play_count", "view_count", "ig_play_count", NULL};
	static const char *const thumb_keys[] = {"display_uri", "thumbnail_url", NULL};
	static const char *const owner_keys[] = {"pk", "id", "pk_id", NULL};
	const char *code = cos_json_str(json_object_get(item, "code"));
	const json_t *user = json_object_get(item, "user");
	const json_t *candidate;
	json_t	   *v;
	char		id[IG_ID_MAX];
	long long	media_type = 0;

	if (!IsShortcode(code))
		return NULL;
	v = cos_video_new();
	if (v == NULL)
		return NULL;
	cos_set_cstring(v, "id", code);
	SetPostUrl(v, code);
	if (!json_is_object(user))
		user = json_object_get(item, "owner");
	for (const char *const *k = owner_keys; *k != NULL; k++)
	{
		if (cos_json_id(json_object_get(user, *k), id, sizeof(id)))
		{
			cos_set_cstring(v, "channel_id", id);
			break;
		}
	}

	cos_set_string(v, "title", cos_json_path(item, "caption", "text", NULL));
	cos_set_unix_time(v, "published_at", json_object_get(item, "taken_at"));
	cos_set_duration(v, json_object_get(item, "video_duration"), 1.0);
	candidate = json_array_get(cos_json_path(item, "image_versions2", "candidates", NULL), 0);
	if (!cos_set_string(v, "thumbnail_url", json_object_get(candidate, "url")))
		SetFirstString(v, "thumbnail_url", item, thumb_keys);

	/* media_type 1 is a photo: no views */
	cos_json_count(json_object_get(item, "media_type"), &media_type);
	if (media_type != 1)
		SetFirstCounter(v, "views", item, view_keys);
	cos_set_counter(v, "likes", json_object_get(item, "like_count"));
	cos_set_counter(v, "comments", json_object_get(item, "comment_count"));
	return v;
}

/* Append the videos of connection.edges[].node (GraphQL shape) to result */
static void
AddNodeVideos(json_t *result, const json_t *connection, const char *owner_id)
{
	size_t		i;
	json_t	   *edge;

	json_array_foreach(json_object_get(connection, "edges"), i, edge)
	{
		json_t	   *video = NodeVideo(json_object_get(edge, "node"), owner_id);

		if (video != NULL)
			cos_result_add_video(result, video);
	}
}

/*
 * data.user (web_profile_info, graphql timeline, old ?__a=1 graphql.user):
 * a channel when the user has an id, and its timeline posts as videos.
 */
static json_t *
UserDocument(const json_t *user)
{
	static const char *const avatar_keys[] = {"profile_pic_url_hd", "profile_pic_url", NULL};
	const json_t *timeline = json_object_get(user, "edge_owner_to_timeline_media");
	const char *username = cos_json_str(json_object_get(user, "username"));
	json_t	   *result;
	char		id[IG_ID_MAX];
	bool		has_id = cos_json_id(json_object_get(user, "id"), id, sizeof(id));

	if (!has_id && !json_is_object(timeline))
		return cos_result_fail(COS_INSTAGRAM, "error",
							   "instagram data.user has neither an id nor edge_owner_to_timeline_media");
	result = cos_result_new(COS_INSTAGRAM);
	if (result == NULL)
		return NULL;
	if (has_id)
	{
		json_t	   *ch = cos_channel_new();

		if (ch == NULL)
		{
			json_decref(result);
			return NULL;
		}
		cos_set_cstring(ch, "id", id);
		cos_set_string(ch, "handle", json_object_get(user, "username"));
		cos_set_string(ch, "title", json_object_get(user, "full_name"));
		cos_set_counter(ch, "followers", cos_json_path(user, "edge_followed_by", "count", NULL));
		/* every post (photos too): Instagram has no video-only count here */
		cos_set_counter(ch, "videos", cos_json_path(timeline, "count", NULL));
		SetFirstString(ch, "avatar_url", user, avatar_keys);
		cos_result_add_channel(result, ch);
	}
	AddNodeVideos(result, timeline, has_id ? id : NULL);
	SetNextCursor(result, json_object_get(timeline, "page_info"));

	if (json_is_true(json_object_get(user, "is_private")))
	{
		char		reason[COS_REASON_MAX];

		snprintf(reason, sizeof(reason),
				 "instagram account @%.*s is private (is_private true): its counters are kept, "
				 "its posts are not public", QUOTE_MAX, username ? username : "?");
		return MarkPrivate(result, reason);
	}
	return result;
}

/* The reels tab: data.xdt_api__v1__clips__user__connection_v2 */
static json_t *
ClipsDocument(const json_t *clips)
{
	json_t	   *result = cos_result_new(COS_INSTAGRAM);
	size_t		i;
	json_t	   *edge;

	if (result == NULL)
		return NULL;
	json_array_foreach(json_object_get(clips, "edges"), i, edge)
	{
		json_t	   *video = ItemVideo(cos_json_path(edge, "node", "media", NULL));

		if (video != NULL)
			cos_result_add_video(result, video);
	}
	SetNextCursor(result, json_object_get(clips, "page_info"));
	return result;
}

/*
 * items[] of api/v1/media/<pk>/info/ (and user feeds of the same shape);
 * an empty list for one media (path has "/media/") means it is gone.
 */
static json_t *
ItemsDocument(const json_t *root, const json_t *items, const char *path)
{
	json_t	   *result;
	size_t		i;
	json_t	   *item;
	const char *private_user = NULL;

	if (json_array_size(items) == 0)
	{
		if (strstr(path, "/media/") != NULL)
			return cos_result_fail(COS_INSTAGRAM, "unavailable",
								   "instagram media info has no items: the post does not exist or was removed");
		return cos_result_new(COS_INSTAGRAM);
	}
	result = cos_result_new(COS_INSTAGRAM);
	if (result == NULL)
		return NULL;
	json_array_foreach(items, i, item)
	{
		json_t	   *video = ItemVideo(item);

		if (video != NULL)
			cos_result_add_video(result, video);
		if (json_is_true(cos_json_path(item, "user", "is_private", NULL)))
		{
			private_user = cos_json_str(cos_json_path(item, "user", "username", NULL));
			if (private_user == NULL)
				private_user = "?";
		}
	}
	if (json_array_size(json_object_get(result, "videos")) == 0)
	{
		json_decref(result);
		return cos_result_fail(COS_INSTAGRAM, "error",
							   "instagram items[] has %zu item(s) but none with a shortcode (code)",
							   json_array_size(items));
	}
	if (json_is_true(json_object_get(root, "more_available")))
		cos_set_string(result, "next", json_object_get(root, "next_max_id"));
	if (private_user != NULL)
	{
		char		reason[COS_REASON_MAX];

		snprintf(reason, sizeof(reason),
				 "instagram account @%.*s is private (user.is_private true)", QUOTE_MAX, private_user);
		return MarkPrivate(result, reason);
	}
	return result;
}

/* One GraphQL post: shortcode_media (old ?__a=1) or xdt_shortcode_media */
static json_t *
ShortcodeDocument(const json_t *media)
{
	json_t	   *video = NodeVideo(media, NULL);
	json_t	   *result;

	if (video == NULL)
		return cos_result_fail(COS_INSTAGRAM, "error", "instagram shortcode_media has no shortcode");
	result = cos_result_new(COS_INSTAGRAM);
	if (result == NULL)
	{
		json_decref(video);
		return NULL;
	}
	cos_result_add_video(result, video);
	if (json_is_true(cos_json_path(media, "owner", "is_private", NULL)))
		return MarkPrivate(result, "instagram account of this post is private (owner.is_private true)");
	return result;
}

/*
 * A failed result when root is one of Instagram's refusals
 * ({"status":"fail","message":...}), else NULL.
 */
static json_t *
CheckRefusal(const json_t *root)
{
	const char *message = cos_json_str(json_object_get(root, "message"));
	const char *status = cos_json_str(json_object_get(root, "status"));
	const char *quoted = message ? message : "no message";

	if (HasCi(message, "checkpoint_required") || HasCi(message, "challenge_required") ||
		json_object_get(root, "checkpoint_url") != NULL)
		return cos_result_fail(COS_INSTAGRAM, "blocked",
							   "instagram wants a checkpoint / challenge solved: %.*s",
							   QUOTE_MAX, quoted);
	if (json_is_true(json_object_get(root, "require_login")) || HasCi(message, "login_required"))
		return cos_result_fail(COS_INSTAGRAM, "blocked",
							   "instagram requires a login (require_login / login_required): %.*s",
							   QUOTE_MAX, quoted);
	if (HasCi(message, "please wait a few minutes") || HasCi(message, "feedback_required") ||
		json_is_true(json_object_get(root, "spam")))
		return cos_result_fail(COS_INSTAGRAM, "blocked", "instagram rate limit: %.*s",
							   QUOTE_MAX, quoted);
	if (status != NULL && strcmp(status, "fail") == 0)
	{
		if (HasCi(message, "not found") || HasCi(message, "not exist") ||
			HasCi(message, "unavailable") || HasCi(message, "deleted"))
			return cos_result_fail(COS_INSTAGRAM, "unavailable",
								   "instagram: %.*s", QUOTE_MAX, quoted);
		return cos_result_fail(COS_INSTAGRAM, "error", "instagram status \"fail\": %.*s",
							   QUOTE_MAX, quoted);
	}
	return NULL;
}

/* The result of a parsed JSON object root, by its shape */
static json_t *
Dispatch(const json_t *root, const char *path)
{
	const json_t *data = json_object_get(root, "data");
	const json_t *items = json_object_get(root, "items");
	const json_t *errors = json_object_get(root, "errors");
	const json_t *media;

	/* the old ?__a=1 pages put the same objects under "graphql" */
	if (!json_is_object(data))
		data = json_object_get(root, "graphql");
	media = json_object_get(data, "shortcode_media");
	if (!json_is_object(media))
		media = json_object_get(data, "xdt_shortcode_media");

	if (json_is_object(json_object_get(data, "user")))
		return UserDocument(json_object_get(data, "user"));
	if (json_is_object(json_object_get(data, CLIPS_KEY)))
		return ClipsDocument(json_object_get(data, CLIPS_KEY));
	if (json_is_array(items))
		return ItemsDocument(root, items, path);
	if (json_is_object(media))
		return ShortcodeDocument(media);

	if (json_array_size(errors) > 0)
	{
		const char *msg = cos_json_str(json_object_get(json_array_get(errors, 0), "message"));

		if (HasCi(msg, "login"))
			return cos_result_fail(COS_INSTAGRAM, "blocked", "instagram graphql error: %.*s",
								   QUOTE_MAX, msg);
		return cos_result_fail(COS_INSTAGRAM, "error", "instagram graphql error: %.*s",
							   QUOTE_MAX, msg ? msg : "no message");
	}
	/* {"data":{"user":null}}: the username names no account */
	if (json_is_null(json_object_get(data, "user")))
		return cos_result_fail(COS_INSTAGRAM, "unavailable",
							   "instagram data.user is null: no such account");
	if (json_is_null(json_object_get(data, CLIPS_KEY)) ||
		json_is_null(json_object_get(data, "shortcode_media")) ||
		json_is_null(json_object_get(data, "xdt_shortcode_media")))
		return cos_result_fail(COS_INSTAGRAM, "unavailable",
							   "instagram returned null for the asked account or post");
	return cos_result_fail(COS_INSTAGRAM, "error",
						   "instagram JSON has none of data.user, data." CLIPS_KEY
						   ", items, shortcode_media (path %.*s)", QUOTE_MAX, path);
}

/* Result for a body that is not JSON: the login wall, a rate limit, or junk */
static json_t *
NotJson(const char *body, size_t len, const char *err)
{
	size_t		i = 0;

	/* UTF-8 byte order mark, then blanks */
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
		i++;
	if (i < len && body[i] == '<')
	{
		if (BodyHasAny(body, len, login_markers))
			return cos_result_fail(COS_INSTAGRAM, "blocked",
								   "instagram served its login page (HTML) instead of JSON");
		return cos_result_fail(COS_INSTAGRAM, "error",
							   "instagram served HTML where JSON was expected");
	}
	if (cos_body_has_ci(body, len, "please wait a few minutes"))
		return cos_result_fail(COS_INSTAGRAM, "blocked",
							   "instagram rate limit (\"Please wait a few minutes\")");
	return cos_result_fail(COS_INSTAGRAM, "error", "instagram body is not JSON: %s", err);
}

/*
 * cos_extract_instagram: see extract_int.h.  url: the request URL (only its
 * path is read); body: len bytes of an Instagram JSON answer, as listed in
 * the file header (web_profile_info, graphql/query user timeline and reels
 * tab, api/v1/media/<pk>/info/, ?__a=1).  Videos are keyed by shortcode,
 * with url "https://www.instagram.com/p/<shortcode>/"; the channel by the
 * numeric user id, with the username as handle.  Status "blocked" for the
 * login wall, checkpoints and rate limits, "private" for private accounts
 * (channel kept), "unavailable" for a missing account or post, "error" for
 * anything that is not one of these documents.
 */
json_t *
cos_extract_instagram(const char *url, const char *body, size_t len)
{
	const char *path = cos_url_path(url);
	char		err[256];
	json_t	   *root;
	json_t	   *result;

	if (IsLoginPath(path))
		return cos_result_fail(COS_INSTAGRAM, "blocked",
							   "instagram redirected to its login / challenge page");
	if (body == NULL || len == 0)
		return cos_result_fail(COS_INSTAGRAM, "error", "empty body");
	root = cos_json_parse(body, len, err, sizeof(err));
	if (root == NULL)
		return NotJson(body, len, err);
	if (!json_is_object(root))
	{
		json_decref(root);
		return cos_result_fail(COS_INSTAGRAM, "error", "instagram JSON is not an object");
	}
	result = CheckRefusal(root);
	if (result == NULL)
		result = Dispatch(root, path);
	json_decref(root);
	return result;
}
