/*
 * steps.c
 *	  What a task requests next, and what each response means for it.
 *
 * Requests are only ever built from a target's canonical id and the
 * platform's base URLs in cos.platforms, never from a URL a user typed:
 *   TikTok    video    {web}/@{handle}/video/{id}
 *             channel  {web}/@{handle}
 *   YouTube   video    {api}/videos?part=…&id={id}&key={key}  (a key is set)
 *                      {web}/watch?v={id}&hl=en                (no key)
 *             channel  {api}/channels?…  →  {api}/playlistItems?… (uploads,
 *                      pages of 50, up to cos.channel_max_videos)  →
 *                      {api}/videos?…&id={50 ids}
 *   Instagram channel  {api}/api/v1/users/web_profile_info/?username={name}
 *             video    {api}/api/v1/media/{pk}/info/ (pk from the shortcode)
 *                      both with the account's Cookie and X-IG-App-ID
 *   Likee     video    POST {api}/likee-activity-flow-micro/videoApi/getVideoInfo
 *                      {"postIds":"{id}"}
 *             channel  POST {api}/likee-activity-flow-micro/videoApi/getUserVideo
 *                      {"uid":"{uid}","count":50,...} (the latest 50 posts;
 *                      the uid is channels.platform_id)
 *   Telegram  channel  {web}/{name} (exact subscribers)  →  {web}/s/{name}
 *                      (the latest posts with their views)
 *             post     {web}/s/{name}?before={n+1} (the preview page that
 *                      ends with post n)
 */
#include "postgres.h"

#include "utils/timestamp.h"

#include "cos.h"
#include "extract.h"
#include "extract_int.h"		/* cos_url_host */
#include "fetch.h"

#define YT_VIDEO_PARTS "snippet,contentDetails,statistics"

/* Returns url with the value of any key= query parameter replaced by "***". */
char *
RedactUrl(const char *url)
{
	StringInfoData out;
	const char *p = url;

	initStringInfo(&out);
	while (*p)
	{
		if ((*p == '?' || *p == '&') && strncmp(p + 1, "key=", 4) == 0)
		{
			appendStringInfoString(&out, *p == '?' ? "?key=***" : "&key=***");
			p += 5;
			while (*p && *p != '&' && *p != '#')
				p++;
			continue;
		}
		appendStringInfoChar(&out, *p++);
	}
	return out.data;
}

/* Appends a query-parameter value, percent-encoded. */
static void
AppendEscaped(StringInfo buf, const char *value)
{
	char	   *esc = curl_easy_escape(NULL, value, 0);

	if (esc == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	appendStringInfoString(buf, esc);
	curl_free(esc);
}

/* Finishes a task with end and a reason. */
static void
TaskEndWith(FetchTask *task, TaskEnd end, const char *fmt,...) pg_attribute_printf(3, 4);

static void
TaskEndWith(FetchTask *task, TaskEnd end, const char *fmt,...)
{
	StringInfoData buf;
	va_list		args;

	MemoryContext old;

	task->end = end;
	if (fmt == NULL)
		return;
	old = MemoryContextSwitchTo(task->cxt);
	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	task->error = buf.data;
	MemoryContextSwitchTo(old);
}

/* The handle part of a TikTok path: "@name" from "@name", "name" or NULL. */
static const char *
TikTokHandle(FetchTask *task)
{
	const char *h = task->handle;

	if (task->kind == TASK_CHANNEL)
		h = task->external_id;
	if (h == NULL)
		return "";
	return (h[0] == '@') ? h + 1 : h;
}

/* The channels.list selector for a YouTube channel's canonical id. */
static void
AppendYouTubeChannelSelector(StringInfo url, const char *id)
{
	if (strncmp(id, "UC", 2) == 0)
	{
		appendStringInfoString(url, "&id=");
		AppendEscaped(url, id);
	}
	else if (strncmp(id, "user/", 5) == 0)
	{
		appendStringInfoString(url, "&forUsername=");
		AppendEscaped(url, id + 5);
	}
	else
	{
		/* "@handle", or "c/name": custom URLs are handles nowadays */
		appendStringInfoString(url, "&forHandle=@");
		AppendEscaped(url, id[0] == '@' ? id + 1 : (strncmp(id, "c/", 2) == 0 ? id + 2 : id));
	}
}

/* Instagram's public web app id, used when the account names none. */
#define INSTAGRAM_WEB_APP_ID "936619743392459"

/*
 * Instagram media pk from a shortcode: the shortcode is the pk written in
 * base 64 with the alphabet A-Z a-z 0-9 - _.  False when the code has other
 * characters or its pk does not fit in 64 bits (private-post codes).
 */
static bool
InstagramShortcodeToPk(const char *code, uint64 *pk)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64		v = 0;

	if (*code == '\0')
		return false;
	for (; *code; code++)
	{
		const char *at = strchr(alphabet, *code);

		if (at == NULL || v > (PG_UINT64_MAX >> 6))
			return false;
		v = (v << 6) | (uint64) (at - alphabet);
	}
	*pk = v;
	return true;
}

/* Adds a "Name: value" request header to the task's next request. */
static void
AddHeader(FetchTask *task, const char *name, const char *value)
{
	char	   *line = psprintf("%s: %s", name, value);
	struct curl_slist *grown = curl_slist_append(task->headers, line);

	pfree(line);
	if (grown == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	task->headers = grown;
}

/* Quotes s as a JSON string into buf (ids and handles: no control chars). */
static void
AppendJsonString(StringInfo buf, const char *s)
{
	appendStringInfoChar(buf, '"');
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *s);
	}
	appendStringInfoChar(buf, '"');
}

/*
 * TaskBuildRequest: sets task->url to the task's next request (allocated in
 * the task's context).  Returns false, with task->end set, when the task
 * cannot make one (e.g. a YouTube channel and no API key).
 */
bool
TaskBuildRequest(FetchTask *task)
{
	MemoryContext old = MemoryContextSwitchTo(task->cxt);
	StringInfoData url;
	bool		ok = true;

	if (task->thumbnail)
	{
		MemoryContextSwitchTo(old);
		return ThumbnailBuildRequest(task);
	}
	initStringInfo(&url);
	curl_slist_free_all(task->headers);
	task->headers = NULL;
	task->post_body = NULL;
	task->redirects = 0;
	task->head = false;
	task->resolving = false;
	if (task->pending && task->kind == TASK_VIDEO && task->target_url != NULL)
	{
		/*
		 * A short link (vm.tiktok.com/…, l.likee.video/v/…): a HEAD of its
		 * canonical URL, whose redirect TaskHandleResponse reads without
		 * following it.  Tests resolve at short_link_base + the URL's path.
		 */
		const char *scheme_end = strstr(task->target_url, "://");
		const char *path = scheme_end ? strchr(scheme_end + 3, '/') : NULL;

		if (task->short_link_base)
			appendStringInfo(&url, "%s%s", task->short_link_base, path ? path : "/");
		else
			appendStringInfoString(&url, task->target_url);
		task->head = true;
		task->resolving = true;
		task->url = url.data;
		task->url_is_api = false;
		MemoryContextSwitchTo(old);
		return true;
	}
	switch (task->platform)
	{
		case COS_TIKTOK:
			if (task->kind == TASK_VIDEO)
				appendStringInfo(&url, "%s/@%s/video/%s", task->web_base,
								 TikTokHandle(task), task->external_id);
			else
				appendStringInfo(&url, "%s/@%s", task->web_base, TikTokHandle(task));
			break;

		case COS_YOUTUBE:
			if (task->kind == TASK_VIDEO && task->api_key == NULL)
			{
				appendStringInfo(&url, "%s/watch?v=", task->web_base);
				AppendEscaped(&url, task->external_id);
				appendStringInfoString(&url, "&hl=en");
				break;
			}
			if (task->api_key == NULL || task->api_base == NULL)
			{
				TaskEndWith(task, END_FAILED,
							"a YouTube channel needs a Data API key: add one to cos.accounts (platform youtube, kind api_key)");
				ok = false;
				break;
			}
			if (task->kind == TASK_VIDEO)
			{
				appendStringInfo(&url, "%s/videos?part=" YT_VIDEO_PARTS "&id=", task->api_base);
				AppendEscaped(&url, task->external_id);
			}
			else if (task->step == 0)
			{
				appendStringInfo(&url, "%s/channels?part=snippet,contentDetails,statistics",
								 task->api_base);
				AppendYouTubeChannelSelector(&url, task->external_id);
			}
			else if (task->step == 1)
			{
				appendStringInfo(&url, "%s/playlistItems?part=contentDetails&maxResults=50&playlistId=",
								 task->api_base);
				AppendEscaped(&url, task->uploads);
				if (task->page_token)
				{
					appendStringInfoString(&url, "&pageToken=");
					AppendEscaped(&url, task->page_token);
				}
			}
			else
			{
				size_t		i;
				size_t		n = json_array_size(task->video_ids);

				appendStringInfo(&url, "%s/videos?part=" YT_VIDEO_PARTS "&maxResults=50&id=",
								 task->api_base);
				for (i = task->ids_done; i < n && i < task->ids_done + 50; i++)
				{
					if (i > task->ids_done)
						appendStringInfoString(&url, "%2C");
					AppendEscaped(&url, json_string_value(json_array_get(task->video_ids, i)));
				}
			}
			appendStringInfoString(&url, "&key=");
			AppendEscaped(&url, task->api_key);
			break;

		case COS_INSTAGRAM:
			if (task->cookie == NULL || task->api_base == NULL)
			{
				TaskEndWith(task, END_FAILED,
							"Instagram needs a logged-in session: add its cookie to cos.accounts (platform instagram, kind cookie)");
				ok = false;
				break;
			}
			if (task->kind == TASK_CHANNEL)
			{
				appendStringInfo(&url, "%s/api/v1/users/web_profile_info/?username=", task->api_base);
				AppendEscaped(&url, task->external_id);
			}
			else
			{
				uint64		pk;

				if (!InstagramShortcodeToPk(task->external_id, &pk))
				{
					TaskEndWith(task, END_FAILED, "Instagram shortcode \"%s\" does not map to a media id",
								task->external_id);
					ok = false;
					break;
				}
				appendStringInfo(&url, "%s/api/v1/media/" UINT64_FORMAT "/info/", task->api_base, pk);
			}
			AddHeader(task, "Cookie", task->cookie);
			AddHeader(task, "X-IG-App-ID", task->app_id ? task->app_id : INSTAGRAM_WEB_APP_ID);
			AddHeader(task, "Referer", "https://www.instagram.com/");
			break;

		case COS_LIKEE:
			{
				StringInfoData body;

				if (task->api_base == NULL)
				{
					TaskEndWith(task, END_FAILED, "cos.platforms has no api_base for likee");
					ok = false;
					break;
				}
				initStringInfo(&body);
				if (task->kind == TASK_VIDEO)
				{
					appendStringInfo(&url, "%s/likee-activity-flow-micro/videoApi/getVideoInfo",
									 task->api_base);
					appendStringInfoString(&body, "{\"postIds\":");
					AppendJsonString(&body, task->external_id);
					appendStringInfoChar(&body, '}');
				}
				else if (task->platform_id != NULL)
				{
					appendStringInfo(&url, "%s/likee-activity-flow-micro/videoApi/getUserVideo",
									 task->api_base);
					appendStringInfoString(&body, "{\"uid\":");
					AppendJsonString(&body, task->platform_id);
					appendStringInfoString(&body, ",\"count\":50,\"lastPostId\":\"\",\"tabType\":0}");
				}
				else
				{
					TaskEndWith(task, END_FAILED,
								"the Likee user id of %s is not known: set cos.channels.platform_id to its uid",
								task->external_id);
					ok = false;
					break;
				}
				task->post_body = body.data;
				AddHeader(task, "Content-Type", "application/json");
				AddHeader(task, "Referer", "https://likee.video/");
				AddHeader(task, "Origin", "https://likee.video");
			}
			break;

		case COS_TELEGRAM:
			{
				const char *slash = strchr(task->external_id, '/');

				if (task->kind == TASK_CHANNEL)
				{
					if (task->step == 0)
						appendStringInfo(&url, "%s/", task->web_base);
					else
						appendStringInfo(&url, "%s/s/", task->web_base);
					AppendEscaped(&url, task->external_id);
				}
				else if (slash != NULL)
				{
					long long	n = strtoll(slash + 1, NULL, 10);
					char	   *name = pnstrdup(task->external_id, slash - task->external_id);

					appendStringInfo(&url, "%s/s/", task->web_base);
					AppendEscaped(&url, name);
					appendStringInfo(&url, "?before=%lld", n + 1);
				}
				else
				{
					TaskEndWith(task, END_FAILED, "malformed Telegram post id \"%s\"",
								task->external_id);
					ok = false;
				}
			}
			break;

		default:
			TaskEndWith(task, END_FAILED, "collecting %s is not implemented yet",
						cos_platform_name(task->platform));
			ok = false;
			break;
	}
	task->url = ok ? url.data : NULL;
	task->url_is_api = ok && task->api_base != NULL &&
		strncmp(url.data, task->api_base, strlen(task->api_base)) == 0;
	MemoryContextSwitchTo(old);
	return ok;
}

/* The string member key of obj, or NULL. */
static const char *
JsonStr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Fills the null members of dst from src (same keys). */
static void
MergeMissing(json_t *dst, json_t *src)
{
	const char *key;
	json_t	   *value;

	json_object_foreach(src, key, value)
	{
		if (!json_is_null(value) && json_is_null(json_object_get(dst, key)))
			json_object_set(dst, key, value);
	}
}

/*
 * Whether a permanent failure of the current request may be passed over:
 * the first of a Telegram channel's two pages (the second still gives the
 * channel and its posts).  Keeps the reason and moves to the next step.
 */
static bool
SkipFailedStep(FetchTask *task, const char *reason)
{
	if (task->platform == COS_TELEGRAM && task->kind == TASK_CHANNEL && task->step == 0)
	{
		task->step = 1;
		task->error = MemoryContextStrdup(task->cxt, reason);
		return true;
	}
	return false;
}

/* Appends every element of src to the task's videos. */
static void
CollectVideos(FetchTask *task, json_t *src)
{
	size_t		i;
	json_t	   *v;

	json_array_foreach(src, i, v)
		json_array_append(task->videos, v);
}

/*
 * Applies an "ok" extraction result to the task: stores what it carries and
 * moves to the next step, or ends the task.
 */
static void
TaskAdvance(FetchTask *task, json_t *result)
{
	json_t	   *channels = json_object_get(result, "channels");
	json_t	   *videos = json_object_get(result, "videos");

	if (task->kind == TASK_VIDEO)
	{
		size_t		i;
		json_t	   *v;
		json_t	   *match = NULL;

		json_array_foreach(videos, i, v)
		{
			const char *id = JsonStr(v, "id");

			if (id && strcmp(id, task->external_id) == 0)
				match = v;
		}
		if (match == NULL)
		{
			if (json_array_size(videos) == 0)
				TaskEndWith(task, END_GONE, "the response carries no video");
			else
				TaskEndWith(task, END_FAILED, "the response carries other videos than %s",
							task->external_id);
			if (task->end == END_GONE)
				task->gone_status = "unavailable";
			return;
		}
		json_array_append(task->videos, match);
		/* a video page names its channel too: keep it for the video's link */
		if (json_array_size(channels) > 0)
			task->channel = json_incref(json_array_get(channels, 0));
		TaskEndWith(task, END_DONE, NULL);
		return;
	}

	/* channels */
	if (task->platform == COS_TELEGRAM)
	{
		/* step 0: the plain page (exact subscribers); step 1: the preview */
		if (json_array_size(channels) > 0)
		{
			json_t	   *c = json_array_get(channels, 0);

			if (task->channel == NULL)
				task->channel = json_incref(c);
			else
				MergeMissing(task->channel, c);
		}
		CollectVideos(task, videos);
		if (task->step == 0)
		{
			task->step = 1;
			return;
		}
		if (task->channel == NULL)
			TaskEndWith(task, END_FAILED, "neither Telegram page carried the channel");
		else
			TaskEndWith(task, END_DONE, NULL);
		return;
	}
	if (task->platform != COS_YOUTUBE)
	{
		if (json_array_size(channels) == 0)
		{
			TaskEndWith(task, END_FAILED, "the response carries no channel");
			return;
		}
		task->channel = json_incref(json_array_get(channels, 0));
		CollectVideos(task, videos);
		TaskEndWith(task, END_DONE, NULL);
		return;
	}

	switch (task->step)
	{
		case 0:
			if (json_array_size(channels) == 0)
			{
				task->gone_status = "unavailable";
				TaskEndWith(task, END_GONE, "channels.list found no such channel");
				return;
			}
			task->channel = json_incref(json_array_get(channels, 0));
			{
				const char *uploads = JsonStr(task->channel, "uploads");
				const char *id = JsonStr(task->channel, "id");

				if (uploads == NULL && id != NULL && strncmp(id, "UC", 2) == 0)
				{
					/* the uploads playlist of UCxxx is UUxxx */
					task->uploads = MemoryContextStrdup(task->cxt, id);
					task->uploads[1] = 'U';
				}
				else if (uploads != NULL)
					task->uploads = MemoryContextStrdup(task->cxt, uploads);
			}
			if (task->uploads == NULL)
			{
				TaskEndWith(task, END_DONE, NULL);
				return;
			}
			task->step = 1;
			return;

		case 1:
			{
				size_t		i;
				json_t	   *v;
				const char *next = JsonStr(result, "next");

				json_array_foreach(videos, i, v)
				{
					const char *id = JsonStr(v, "id");

					if (id && (int) json_array_size(task->video_ids) < cos_channel_max_videos)
						json_array_append_new(task->video_ids, json_string(id));
				}
				task->pages++;
				if (next != NULL && (int) json_array_size(task->video_ids) < cos_channel_max_videos)
				{
					task->page_token = MemoryContextStrdup(task->cxt, next);
					return;
				}
				task->step = 2;
				if (json_array_size(task->video_ids) == 0)
					TaskEndWith(task, END_DONE, NULL);
				return;
			}

		default:
			CollectVideos(task, videos);
			task->ids_done += 50;
			if (task->ids_done >= json_array_size(task->video_ids))
				TaskEndWith(task, END_DONE, NULL);
			return;
	}
}

/* Text of a curl failure, with the error buffer when curl filled it. */
static const char *
CurlReason(CURLcode code)
{
	return curl_easy_strerror(code);
}

/* Most redirects followed for one request */
#define MAX_REDIRECTS 3

/*
 * Whether a redirect may be followed: http or https, to a host of the
 * task's platform (cos_platform_from_host) or the host of one of its base
 * URLs (a test's loopback fixture server).  Anything else (another site, a
 * metadata address, a userinfo trick) is refused before a request is made.
 */
static bool
RedirectAllowed(FetchTask *task, const char *location, char *host, size_t hostlen)
{
	char		base_host[256];

	if (strncmp(location, "http://", 7) != 0 && strncmp(location, "https://", 8) != 0)
		return false;
	if (!cos_url_host(location, host, hostlen))
		return false;
	if (cos_platform_from_host(host) == task->platform)
		return true;
	if (cos_url_host(task->web_base, base_host, sizeof(base_host)) && strcmp(host, base_host) == 0)
		return true;
	if (task->api_base && cos_url_host(task->api_base, base_host, sizeof(base_host)) &&
		strcmp(host, base_host) == 0)
		return true;
	return false;
}

/*
 * Reads the answer to a short link's HEAD (task->resolving): a redirect whose
 * Location is a video URL of the same platform resolves the target (the
 * Location is parsed, never requested: the video is then fetched from the
 * platform's base URL like any other); a Location that is another short link
 * is resolved in turn (at most MAX_REDIRECTS); 404/410 mark the target
 * unavailable; 429 and 5xx are retried; anything else fails the job.
 */
static FetchLogEntry *
ResolveShortLink(FetchTask *task, long http_status, const char *location, FetchLogEntry *log)
{
	CosUrl		target;
	char		err[256];

	if (http_status >= 300 && http_status < 400 && location != NULL)
	{
		if (!cos_url_parse(location, &target, err, sizeof(err)) ||
			target.platform != task->platform || target.kind != COS_KIND_VIDEO)
		{
			log->outcome = "error";
			log->error = psprintf("short link led to \"%s\", not a %s video", location,
								  cos_platform_name(task->platform));
			TaskEndWith(task, END_FAILED, "%s", log->error);
		}
		else if (target.pending)
		{
			log->outcome = "redirect";
			if (++task->resolve_hops > MAX_REDIRECTS)
			{
				log->error = psprintf("more than %d short links in a row", MAX_REDIRECTS);
				TaskEndWith(task, END_FAILED, "%s", log->error);
			}
			else
				task->target_url = MemoryContextStrdup(task->cxt, target.canonical);
		}
		else
		{
			log->outcome = "resolved";
			task->resolved_id = MemoryContextStrdup(task->cxt, target.id);
			task->resolved_handle = target.handle[0] ? MemoryContextStrdup(task->cxt, target.handle) : NULL;
			task->resolved_url = MemoryContextStrdup(task->cxt, target.canonical);
			task->external_id = task->resolved_id;
			if (task->resolved_handle)
				task->handle = task->resolved_handle;
			task->pending = false;
		}
	}
	else if (http_status == 404 || http_status == 410)
	{
		log->outcome = "unavailable";
		log->error = psprintf("HTTP %ld for the short link", http_status);
		task->gone_status = "unavailable";
		TaskEndWith(task, END_GONE, "%s", log->error);
	}
	else if (http_status == 429 || http_status >= 500)
	{
		log->outcome = "http_error";
		log->error = psprintf("HTTP %ld", http_status);
		TaskEndWith(task, END_RETRY, "%s", log->error);
	}
	else
	{
		log->outcome = "error";
		log->error = psprintf("the short link answered HTTP %ld without a redirect", http_status);
		TaskEndWith(task, END_FAILED, "%s", log->error);
	}
	return log;
}

/*
 * TaskHandleResponse: reads the finished transfer of task (curl's result
 * code, the HTTP status and, for a 3xx, the Location it gave), updates the
 * task (a redirect to follow, the next step, or its end) and
 * returns the cos.fetch_log entry for the request, allocated in the caller's
 * memory context.
 */
FetchLogEntry *
TaskHandleResponse(FetchTask *task, CURLcode code, long http_status, const char *location)
{
	FetchLogEntry *log = palloc0(sizeof(FetchLogEntry));
	json_t	   *result = NULL;
	const char *status = NULL;
	bool		first_step = (task->step == 0);

	if (task->thumbnail)
	{
		pfree(log);
		return ThumbnailHandleResponse(task, code, http_status, location);
	}
	log->job_id = task->job_id;
	log->run_id = task->run_id;
	log->platform = task->platform;
	log->url = RedactUrl(task->url);
	log->http_status = http_status;
	log->bytes = task->body_len;
	log->duration_ms = (int) ((GetCurrentTimestamp() - task->started) / 1000);

	task->network_failed = false;
	if (code != CURLE_OK)
	{
		if (task->too_large)
		{
			log->outcome = "too_large";
			log->error = psprintf("response larger than cos.max_response_bytes (%d bytes)",
								  cos_max_response_bytes);
			TaskEndWith(task, END_FAILED, "%s", log->error);
		}
		else
		{
			log->outcome = (code == CURLE_OPERATION_TIMEDOUT) ? "timeout" : "network_error";
			log->error = pstrdup(CurlReason(code));
			task->network_failed = true;
			TaskEndWith(task, END_RETRY, "%s", log->error);
		}
		return log;
	}

	if (task->resolving)
		return ResolveShortLink(task, http_status, location, log);

	if (http_status >= 300 && http_status < 400 && location != NULL)
	{
		char		host[256] = "";

		log->outcome = "redirect";
		if (task->redirects >= MAX_REDIRECTS)
		{
			log->error = psprintf("more than %d redirects", MAX_REDIRECTS);
			TaskEndWith(task, END_FAILED, "%s", log->error);
		}
		else if (!RedirectAllowed(task, location, host, sizeof(host)))
		{
			log->error = psprintf("refused a redirect to \"%s\", outside %s", host,
								  cos_platform_name(task->platform));
			TaskEndWith(task, END_FAILED, "%s", log->error);
		}
		else
		{
			task->url = MemoryContextStrdup(task->cxt, location);
			task->redirects++;
			task->redirect_pending = true;
			if (http_status == 301 || http_status == 302 || http_status == 303)
				task->post_body = NULL; /* as browsers do: the next request is a GET */
		}
		return log;
	}

	/*
	 * Run the extractor on every body: API error bodies say why.  A video
	 * job names the one item it wants (Telegram then reads only that post of
	 * the preview page).
	 */
	result = cos_extract_for_target(task->platform, task->url,
									task->body ? task->body : "", task->body_len,
									task->kind == TASK_VIDEO ? task->external_id : NULL);
	if (result == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory while extracting")));
	status = JsonStr(result, "status");
	if (status == NULL)
		status = "error";

	if (strcmp(status, "blocked") == 0)
	{
		/*
		 * An anti-bot page (YouTube's 429 captcha, TikTok's WAF, a login
		 * page), whatever the status: the proxy or account used rests
		 * (cos._record_usage) and the job is retried, after Retry-After
		 */
		const char *why = JsonStr(result, "error");

		log->outcome = "blocked";
		log->error = psprintf("HTTP %ld: %s", http_status, why ? why : "no reason given");
		task->blocked = true;
		TaskEndWith(task, END_RETRY, "blocked: %s", why ? why : "no reason given");
	}
	else if (http_status == 429 || http_status >= 500)
	{
		log->outcome = "http_error";
		log->error = psprintf("HTTP %ld", http_status);
		TaskEndWith(task, END_RETRY, "%s", log->error);
	}
	else if (http_status == 404 || http_status == 410)
	{
		log->outcome = "http_error";
		log->error = psprintf("HTTP %ld", http_status);
		if (SkipFailedStep(task, psprintf("HTTP %ld for %s", http_status, log->url)))
			 /* the next page still gives the target */ ;
		else if (first_step && !task->url_is_api)
		{
			/* a public page that is not there: the target is gone */
			task->gone_status = "unavailable";
			TaskEndWith(task, END_GONE, "HTTP %ld", http_status);
		}
		else if (first_step)
			TaskEndWith(task, END_FAILED, "HTTP %ld from the API: check the platform's api_base",
						http_status);
		else
			TaskEndWith(task, END_DONE, "a later request failed: HTTP %ld for %s",
						http_status, log->url);
	}
	else if (http_status >= 400)
	{
		const char *why = JsonStr(result, "error");

		log->outcome = "http_error";
		log->error = why ? psprintf("HTTP %ld: %s", http_status, why) : psprintf("HTTP %ld", http_status);
		TaskEndWith(task, END_FAILED, "%s", log->error);
	}
	else
	{
		const char *why = JsonStr(result, "error");

		log->outcome = pstrdup(status);
		if (why)
			log->error = pstrdup(why);

		if (strcmp(status, "ok") == 0)
			TaskAdvance(task, result);
		else if (strcmp(status, "unavailable") == 0 || strcmp(status, "private") == 0)
		{
			task->gone_status = (status[0] == 'u') ? "unavailable" : "private";
			TaskEndWith(task, first_step ? END_GONE : END_DONE, "%s: %s", status,
						why ? why : "no reason given");
		}
		else if (!SkipFailedStep(task, psprintf("extraction failed for %s: %s", log->url,
												 why ? why : "no reason given")))
			TaskEndWith(task, first_step ? END_FAILED : END_DONE,
						"extraction failed: %s", why ? why : "no reason given");
	}

	json_decref(result);
	return log;
}
