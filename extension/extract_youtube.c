/*
 * extract_youtube.c
 *	  YouTube: the watch page, and Data API v3 responses.
 *
 * Watch page (www.youtube.com/watch?v=ID): "var ytInitialPlayerResponse =
 * {…};" carries videoDetails (videoId, title, viewCount, lengthSeconds,
 * channelId, thumbnails) and microformat.playerMicroformatRenderer
 * (publishDate, likeCount); the comment count is only in "var ytInitialData
 * = {…};", as text ("2.7K") in the comments engagement panel.
 * Data API v3 (googleapis.com/youtube/v3/…): JSON dispatched on "kind":
 * videos.list, channels.list, playlistItems.list; or an "error" object.
 * Captured examples and their values: test/fixtures/youtube, SOURCES.md.
 *
 * Pure C: never includes postgres.h.
 */
#include "extract_int.h"

#include <stdio.h>
#include <string.h>

/* Longest id we accept (video ids are 11 bytes, channel ids 24) */
#define YT_ID_MAX 128

/* Bytes of a document string we quote in a reason */
#define QUOTE_MAX 200

/* Deepest nesting searched for a comments header in ytInitialData */
#define MAX_SEARCH_DEPTH 64

/* Thumbnail sizes of the Data API, largest first */
static const char *const thumbnail_sizes[] = {
	"maxres", "standard", "high", "medium", "default", NULL
};

/* Avatar sizes of channels.list, largest first */
static const char *const avatar_sizes[] = {"high", "medium", "default", NULL};

/* Data API error reasons that mean "slow down", not "bad request" */
static const char *const blocking_reasons[] = {
	"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded",
	"dailyLimitExceeded", "servingLimitExceeded", NULL
};

/* Data API error reasons that mean the thing asked for does not exist */
static const char *const missing_reasons[] = {
	"videoNotFound", "channelNotFound", "playlistNotFound", NULL
};

/* True when s is one of the NULL-terminated list */
static bool
InList(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
	{
		if (strcmp(s, *list) == 0)
			return true;
	}
	return false;
}

/* Watch URL of a video id */
static bool
SetWatchUrl(json_t *video, const char *id)
{
	char		url[YT_ID_MAX + 64];

	snprintf(url, sizeof(url), "https://www.youtube.com/watch?v=%s", id);
	return cos_set_cstring(video, "url", url);
}

/* url of the largest Data API thumbnail in thumbnails ({"high":{"url"…}}) */
static const json_t *
BestThumbnail(const json_t *thumbnails, const char *const *sizes)
{
	for (; *sizes != NULL; sizes++)
	{
		const json_t *u = cos_json_path(thumbnails, *sizes, "url", NULL);

		if (cos_json_str(u) != NULL)
			return u;
	}
	return NULL;
}

/* url of the last entry of a player "thumbnail":{"thumbnails":[…]} list */
static const json_t *
LastThumbnail(const json_t *thumbnail)
{
	const json_t *list = json_object_get(thumbnail, "thumbnails");
	size_t		n = json_array_size(list);

	while (n > 0)
	{
		const json_t *u = json_object_get(json_array_get(list, n - 1), "url");

		if (cos_json_str(u) != NULL)
			return u;
		n--;
	}
	return NULL;
}

/*
 * Text of a YouTube text object ({"simpleText": …} or {"runs":[{"text": …}]})
 * into buf; false when there is none.
 */
static bool
YtText(const json_t *obj, char *buf, size_t buflen)
{
	const json_t *runs;
	size_t		used = 0;
	size_t		i;
	json_t	   *run;

	if (cos_json_str(json_object_get(obj, "simpleText")) != NULL)
	{
		snprintf(buf, buflen, "%s", json_string_value(json_object_get(obj, "simpleText")));
		return true;
	}
	runs = json_object_get(obj, "runs");
	buf[0] = '\0';
	json_array_foreach(runs, i, run)
	{
		const char *t = cos_json_str(json_object_get(run, "text"));
		size_t		tl;

		if (t == NULL)
			continue;
		tl = strlen(t);
		if (used + tl >= buflen)
			break;
		memcpy(buf + used, t, tl + 1);
		used += tl;
	}
	return used > 0;
}

/* Comment count from a text object ("2.7K", "1,234 Comments"), into video */
static bool
SetCountFromText(json_t *video, const char *key, const json_t *text_obj)
{
	char		text[128];
	long long	n;

	if (!YtText(text_obj, text, sizeof(text)) || !cos_parse_count(text, strlen(text), &n))
		return false;
	return json_object_set_new(video, key, json_integer(n)) == 0;
}

/* First object stored under key anywhere below node (depth-limited) */
static const json_t *
FindKey(const json_t *node, const char *key, int depth)
{
	const char *k;
	json_t	   *v;
	size_t		i;

	if (depth > MAX_SEARCH_DEPTH)
		return NULL;
	if (json_is_object(node))
	{
		v = json_object_get(node, key);
		if (json_is_object(v))
			return v;
		json_object_foreach((json_t *) node, k, v)
		{
			const json_t *hit = FindKey(v, key, depth + 1);

			if (hit != NULL)
				return hit;
		}
	}
	else if (json_is_array(node))
	{
		json_array_foreach(node, i, v)
		{
			const json_t *hit = FindKey(v, key, depth + 1);

			if (hit != NULL)
				return hit;
		}
	}
	return NULL;
}

/*
 * Comments of a watch page from ytInitialData: the contextualInfo of the
 * comments engagement panel ("2.7K"), else a commentsEntryPointHeader.
 */
static void
SetCommentsFromInitialData(json_t *video, const json_t *data)
{
	const json_t *panels = json_object_get(data, "engagementPanels");
	const json_t *header;
	size_t		i;
	json_t	   *panel;

	json_array_foreach(panels, i, panel)
	{
		const json_t *r = json_object_get(panel, "engagementPanelSectionListRenderer");
		const char *pid = cos_json_str(json_object_get(r, "panelIdentifier"));
		const char *tid = cos_json_str(json_object_get(r, "targetId"));

		if ((pid && strcmp(pid, "engagement-panel-comments-section") == 0) ||
			(tid && strcmp(tid, "engagement-panel-comments-section") == 0))
		{
			if (SetCountFromText(video, "comments",
								 cos_json_path(r, "header", "engagementPanelTitleHeaderRenderer",
											   "contextualInfo", NULL)))
				return;
		}
	}
	header = FindKey(data, "commentsEntryPointHeaderRenderer", 0);
	if (header != NULL)
		SetCountFromText(video, "comments", json_object_get(header, "commentCount"));
}

/* Reason text of a playabilityStatus, or "no reason given" */
static const char *
PlayabilityReason(const json_t *ps)
{
	const char *r = cos_json_str(json_object_get(ps, "reason"));

	if (r == NULL)
		r = cos_json_str(json_array_get(json_object_get(ps, "messages"), 0));
	if (r == NULL)
		r = cos_json_str(cos_json_path(ps, "errorScreen", "playerErrorMessageRenderer",
									   "reason", "simpleText", NULL));
	return r ? r : "no reason given";
}

/*
 * NULL when the player response is playable enough to read, else a failed
 * result: ERROR, UNPLAYABLE → unavailable; LOGIN_REQUIRED → private when the
 * reason says so, blocked for the "not a bot" check, else unavailable.
 */
static json_t *
CheckPlayability(const json_t *player)
{
	const json_t *ps = json_object_get(player, "playabilityStatus");
	const char *status = cos_json_str(json_object_get(ps, "status"));
	const char *reason = PlayabilityReason(ps);
	size_t		rlen = strlen(reason);

	if (status == NULL || strcmp(status, "OK") == 0 ||
		strcmp(status, "LIVE_STREAM_OFFLINE") == 0)
		return NULL;
	if (strcmp(status, "LOGIN_REQUIRED") == 0)
	{
		if (cos_memmem_ci(reason, rlen, "private", 7))
			return cos_result_fail(COS_YOUTUBE, "private", "youtube LOGIN_REQUIRED: %.*s",
								   QUOTE_MAX, reason);
		if (cos_memmem_ci(reason, rlen, "not a bot", 9))
			return cos_result_fail(COS_YOUTUBE, "blocked", "youtube LOGIN_REQUIRED: %.*s",
								   QUOTE_MAX, reason);
	}
	return cos_result_fail(COS_YOUTUBE, "unavailable", "youtube %.*s: %.*s",
						   64, status, QUOTE_MAX, reason);
}

/* Result of a watch page whose player response is player_text */
static json_t *
WatchPage(const char *body, size_t len, const char *player_text, size_t player_len)
{
	char		err[256];
	char		id[YT_ID_MAX];
	json_t	   *player;
	json_t	   *result;
	json_t	   *video;
	const json_t *vd;
	const json_t *mf;
	const char *data_text;
	size_t		data_len;

	player = cos_json_parse(player_text, player_len, err, sizeof(err));
	if (player == NULL)
		return cos_result_fail(COS_YOUTUBE, "error",
							   "ytInitialPlayerResponse does not parse as JSON: %s", err);
	result = CheckPlayability(player);
	if (result != NULL)
	{
		json_decref(player);
		return result;
	}
	vd = json_object_get(player, "videoDetails");
	mf = cos_json_path(player, "microformat", "playerMicroformatRenderer", NULL);
	if (!cos_json_id(json_object_get(vd, "videoId"), id, sizeof(id)) &&
		!cos_json_id(json_object_get(mf, "externalVideoId"), id, sizeof(id)))
	{
		json_decref(player);
		return cos_result_fail(COS_YOUTUBE, "error",
							   "ytInitialPlayerResponse has no videoDetails.videoId");
	}

	result = cos_result_new(COS_YOUTUBE);
	video = cos_video_new();
	if (result == NULL || video == NULL)
	{
		json_decref(result);
		json_decref(video);
		json_decref(player);
		return NULL;
	}
	cos_set_cstring(video, "id", id);
	if (!cos_set_string(video, "channel_id", json_object_get(vd, "channelId")))
		cos_set_string(video, "channel_id", json_object_get(mf, "externalChannelId"));
	SetWatchUrl(video, id);
	if (!cos_set_string(video, "title", json_object_get(vd, "title")))
		cos_set_string(video, "title", cos_json_path(mf, "title", "simpleText", NULL));
	if (!cos_set_iso_time(video, "published_at", json_object_get(mf, "publishDate")))
		cos_set_iso_time(video, "published_at", json_object_get(mf, "uploadDate"));
	if (!cos_set_duration(video, json_object_get(vd, "lengthSeconds"), 1.0))
		cos_set_duration(video, json_object_get(mf, "lengthSeconds"), 1.0);
	if (!cos_set_string(video, "thumbnail_url", LastThumbnail(json_object_get(vd, "thumbnail"))))
		cos_set_string(video, "thumbnail_url", LastThumbnail(json_object_get(mf, "thumbnail")));
	if (!cos_set_counter(video, "views", json_object_get(vd, "viewCount")))
		cos_set_counter(video, "views", json_object_get(mf, "viewCount"));
	cos_set_counter(video, "likes", json_object_get(mf, "likeCount"));
	json_decref(player);

	/* comments: ytInitialData, when the page has it */
	switch (cos_find_assigned_json(body, len, "ytInitialData", &data_text, &data_len))
	{
		case COS_SPAN_FOUND:
			{
				json_t	   *data = cos_json_parse(data_text, data_len, NULL, 0);

				if (data != NULL)
					SetCommentsFromInitialData(video, data);
				json_decref(data);
				break;
			}
		case COS_SPAN_TRUNCATED:
			json_decref(video);
			return cos_result_set_failure(result, "error",
										  "body ends inside ytInitialData (truncated)");
		case COS_SPAN_MISSING:
			/* a whole page has it, or at least ends; this one was cut */
			if (!cos_body_has_ci(body, len, "</html"))
			{
				json_decref(video);
				return cos_result_set_failure(result, "error",
											  "body ends before ytInitialData (truncated)");
			}
			break;
	}
	cos_result_add_video(result, video);
	return result;
}

/* Result of a Data API error object {"error":{"code","message","errors":[…]}} */
static json_t *
ApiError(const json_t *error)
{
	const char *message = cos_json_str(json_object_get(error, "message"));
	const json_t *first = json_array_get(json_object_get(error, "errors"), 0);
	const char *reason = cos_json_str(json_object_get(first, "reason"));
	long long	code = 0;
	const char *status = "error";

	cos_json_count(json_object_get(error, "code"), &code);
	if (reason == NULL)
		reason = cos_json_str(json_object_get(error, "status"));
	if (InList(reason, blocking_reasons) || code == 429)
		status = "blocked";
	else if (InList(reason, missing_reasons))
		status = "unavailable";
	return cos_result_fail(COS_YOUTUBE, status, "youtube data api error %lld %.*s: %.*s",
						   code, 64, reason ? reason : "(no reason)",
						   QUOTE_MAX, message ? message : "(no message)");
}

/* Video of a videos.list item (snippet, contentDetails, statistics) */
static json_t *
ApiVideo(const json_t *item)
{
	const json_t *sn = json_object_get(item, "snippet");
	const json_t *st = json_object_get(item, "statistics");
	const json_t *dur = cos_json_path(item, "contentDetails", "duration", NULL);
	json_t	   *v;
	char		id[YT_ID_MAX];
	long long	secs;

	if (!cos_json_id(json_object_get(item, "id"), id, sizeof(id)))
		return NULL;
	if ((v = cos_video_new()) == NULL)
		return NULL;
	cos_set_cstring(v, "id", id);
	cos_set_string(v, "channel_id", json_object_get(sn, "channelId"));
	SetWatchUrl(v, id);
	cos_set_string(v, "title", json_object_get(sn, "title"));
	cos_set_iso_time(v, "published_at", json_object_get(sn, "publishedAt"));
	if (json_is_string(dur) &&
		cos_parse_iso_duration(json_string_value(dur), json_string_length(dur), &secs))
		cos_set_duration_secs(v, secs);
	cos_set_string(v, "thumbnail_url", BestThumbnail(json_object_get(sn, "thumbnails"),
													 thumbnail_sizes));
	cos_set_counter(v, "views", json_object_get(st, "viewCount"));
	cos_set_counter(v, "likes", json_object_get(st, "likeCount"));
	cos_set_counter(v, "comments", json_object_get(st, "commentCount"));
	return v;
}

/* Channel of a channels.list item, with the extra key "uploads" */
static json_t *
ApiChannel(const json_t *item)
{
	const json_t *sn = json_object_get(item, "snippet");
	const json_t *st = json_object_get(item, "statistics");
	json_t	   *ch;
	char		id[YT_ID_MAX];

	if (!cos_json_id(json_object_get(item, "id"), id, sizeof(id)))
		return NULL;
	if ((ch = cos_channel_new()) == NULL)
		return NULL;
	cos_set_cstring(ch, "id", id);
	cos_set_string(ch, "handle", json_object_get(sn, "customUrl"));
	cos_set_string(ch, "title", json_object_get(sn, "title"));
	if (!json_is_true(json_object_get(st, "hiddenSubscriberCount")))
		cos_set_counter(ch, "followers", json_object_get(st, "subscriberCount"));
	cos_set_counter(ch, "views", json_object_get(st, "viewCount"));
	cos_set_counter(ch, "videos", json_object_get(st, "videoCount"));
	cos_set_string(ch, "avatar_url", BestThumbnail(json_object_get(sn, "thumbnails"),
												   avatar_sizes));
	json_object_set_new(ch, "uploads", json_null());
	cos_set_string(ch, "uploads", cos_json_path(item, "contentDetails", "relatedPlaylists",
												"uploads", NULL));
	return ch;
}

/* Video of a playlistItems.list item: id, title, date; no counters */
static json_t *
ApiPlaylistVideo(const json_t *item)
{
	const json_t *sn = json_object_get(item, "snippet");
	const json_t *cd = json_object_get(item, "contentDetails");
	json_t	   *v;
	char		id[YT_ID_MAX];

	if (!cos_json_id(cos_json_path(sn, "resourceId", "videoId", NULL), id, sizeof(id)) &&
		!cos_json_id(json_object_get(cd, "videoId"), id, sizeof(id)))
		return NULL;
	if ((v = cos_video_new()) == NULL)
		return NULL;
	cos_set_cstring(v, "id", id);
	/* the video's owner; snippet.channelId is the playlist's owner */
	if (!cos_set_string(v, "channel_id", json_object_get(sn, "videoOwnerChannelId")))
		cos_set_string(v, "channel_id", json_object_get(sn, "channelId"));
	SetWatchUrl(v, id);
	cos_set_string(v, "title", json_object_get(sn, "title"));
	if (!cos_set_iso_time(v, "published_at", json_object_get(cd, "videoPublishedAt")))
		cos_set_iso_time(v, "published_at", json_object_get(sn, "publishedAt"));
	cos_set_string(v, "thumbnail_url", BestThumbnail(json_object_get(sn, "thumbnails"),
													 thumbnail_sizes));
	return v;
}

/* Result of a Data API v3 response (the whole body is JSON) */
static json_t *
ApiResponse(const char *body, size_t len)
{
	char		err[256];
	json_t	   *root;
	json_t	   *result;
	const json_t *items;
	const char *kind;
	size_t		i;
	json_t	   *item;
	enum
	{
		API_VIDEOS,
		API_CHANNELS,
		API_PLAYLIST
	}			api;

	root = cos_json_parse(body, len, err, sizeof(err));
	if (root == NULL)
		return cos_result_fail(COS_YOUTUBE, "error",
							   "youtube data api response does not parse as JSON: %s", err);
	if (!json_is_object(root))
	{
		json_decref(root);
		return cos_result_fail(COS_YOUTUBE, "error", "youtube data api response is not an object");
	}
	if (json_is_object(json_object_get(root, "error")))
	{
		result = ApiError(json_object_get(root, "error"));
		json_decref(root);
		return result;
	}

	kind = cos_json_str(json_object_get(root, "kind"));
	if (kind != NULL && strcmp(kind, "youtube#videoListResponse") == 0)
		api = API_VIDEOS;
	else if (kind != NULL && strcmp(kind, "youtube#channelListResponse") == 0)
		api = API_CHANNELS;
	else if (kind != NULL && strcmp(kind, "youtube#playlistItemListResponse") == 0)
		api = API_PLAYLIST;
	else
	{
		result = cos_result_fail(COS_YOUTUBE, "error", "unsupported youtube data api kind \"%.*s\"",
								 64, kind ? kind : "(none)");
		json_decref(root);
		return result;
	}

	items = json_object_get(root, "items");
	if (json_array_size(items) == 0 && api != API_PLAYLIST)
	{
		json_decref(root);
		return cos_result_fail(COS_YOUTUBE, "unavailable",
							   api == API_VIDEOS ? "videos.list returned no items: no such video, or it was deleted"
							   : "channels.list returned no items: no such channel");
	}
	if ((result = cos_result_new(COS_YOUTUBE)) == NULL)
	{
		json_decref(root);
		return NULL;
	}
	json_array_foreach(items, i, item)
	{
		json_t	   *obj;

		switch (api)
		{
			case API_VIDEOS:
				if ((obj = ApiVideo(item)) != NULL)
					cos_result_add_video(result, obj);
				break;
			case API_CHANNELS:
				if ((obj = ApiChannel(item)) != NULL)
					cos_result_add_channel(result, obj);
				break;
			case API_PLAYLIST:
				if ((obj = ApiPlaylistVideo(item)) != NULL)
					cos_result_add_video(result, obj);
				break;
		}
	}
	cos_set_string(result, "next", json_object_get(root, "nextPageToken"));
	json_decref(root);
	return result;
}

/* True when body is YouTube's / Google's rate-limit reCAPTCHA page */
static bool
IsCaptchaPage(const char *body, size_t len)
{
	return cos_body_has(body, len, "captcha-page") ||
		cos_body_has(body, len, "www.google.com/recaptcha/api.js") ||
		cos_body_has(body, len, "/sorry/index");
}

/*
 * cos_extract_youtube: see extract_int.h.  Documents: a watch page, or a
 * Data API v3 JSON response (videos / channels / playlistItems .list).
 */
json_t *
cos_extract_youtube(const char *url, const char *body, size_t len)
{
	const char *player_text;
	size_t		player_len;
	size_t		skip = 0;
	const char *path = cos_url_path(url);

	if (body == NULL || len == 0)
		return cos_result_fail(COS_YOUTUBE, "error", "empty body");

	/* JSON from the Data API (after blanks and a UTF-8 BOM) */
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	while (skip < len && (body[skip] == ' ' || body[skip] == '\t' ||
						  body[skip] == '\n' || body[skip] == '\r'))
		skip++;
	if (skip < len && (body[skip] == '{' || body[skip] == '['))
		return ApiResponse(body + skip, len - skip);

	switch (cos_find_assigned_json(body, len, "ytInitialPlayerResponse",
								   &player_text, &player_len))
	{
		case COS_SPAN_FOUND:
			return WatchPage(body, len, player_text, player_len);
		case COS_SPAN_TRUNCATED:
			return cos_result_fail(COS_YOUTUBE, "error",
								   "body ends inside ytInitialPlayerResponse (truncated)");
		case COS_SPAN_MISSING:
			break;
	}
	if (IsCaptchaPage(body, len))
		return cos_result_fail(COS_YOUTUBE, "blocked",
							   "youtube answered with its reCAPTCHA page (HTTP 429: this IP is rate-limited)");
	if (cos_body_has(body, len, "consent.youtube.com") ||
		cos_body_has(body, len, "consent.google.com"))
		return cos_result_fail(COS_YOUTUBE, "blocked",
							   "youtube answered with its cookie consent page");
	if (strstr(path, "/youtube/v3/") != NULL)
		return cos_result_fail(COS_YOUTUBE, "error",
							   "youtube data api response is not JSON");
	return cos_result_fail(COS_YOUTUBE, "error",
						   "no ytInitialPlayerResponse in the body (not a youtube watch page)");
}
