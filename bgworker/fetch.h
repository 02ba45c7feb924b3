/*
 * fetch.h
 *	  A fetch worker's in-memory task: one claimed job, the requests it makes
 *	  one after another (a YouTube channel takes several), and what it
 *	  collected for the store step.
 */
#ifndef COS_FETCH_H
#define COS_FETCH_H

#include "postgres.h"

#include <curl/curl.h>
#include <jansson.h>

#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "utils/palloc.h"

#include "url.h"

typedef enum TaskKind
{
	TASK_VIDEO,
	TASK_CHANNEL
} TaskKind;

/* Where a task ends up once it has no further request to make. */
typedef enum TaskEnd
{
	END_NONE = 0,				/* still working */
	END_DONE,					/* collected (maybe partly: see error) */
	END_GONE,					/* target unavailable or private: marked */
	END_RETRY,					/* transient failure: back to the queue */
	END_FAILED					/* permanent failure: not retried */
} TaskEnd;

/* One request's outcome, for cos.fetch_log. */
typedef struct FetchLogEntry
{
	int64		job_id;
	int64		run_id;
	CosPlatform platform;
	char	   *url;			/* API keys redacted */
	long		http_status;	/* 0 when no response */
	const char *outcome;
	char	   *error;			/* NULL when ok */
	int64		bytes;
	int			duration_ms;
	struct FetchLogEntry *next;
} FetchLogEntry;

typedef struct FetchTask
{
	MemoryContext cxt;			/* everything palloc'd for this task */

	/* from the claim */
	int64		job_id;
	int32		attempt;		/* jobs.attempts after the claim: our token */
	int64		run_id;			/* 0 when the job belongs to no run */
	int32		max_attempts;
	CosPlatform platform;
	TaskKind	kind;
	int64		target_id;		/* cos.videos.id or cos.channels.id */
	char	   *external_id;
	char	   *handle;			/* may be NULL */
	char	   *platform_id;	/* the platform's own id (Likee uid), may be NULL */
	char	   *web_base;
	char	   *api_base;		/* may be NULL */
	char	   *user_agent;
	int			connect_timeout_ms;
	int			timeout_ms;
	int			max_concurrency;	/* the platform's, across all workers */
	char	   *api_key;		/* account of kind api_key, may be NULL */
	char	   *cookie;			/* account of kind cookie, may be NULL */
	char	   *app_id;			/* that account's app id (X-IG-App-ID), may be NULL */
	int64		account_id;		/* cos.accounts.id used, 0 when none */
	int64		proxy_id;		/* cos.proxies.id used, 0 when none */
	char	   *proxy_url;		/* that proxy's URL, may be NULL */
	double		requests_per_second;	/* the platform's, across all workers */
	bool		pending;		/* a short link still to resolve */
	char	   *target_url;		/* the target row's canonical URL */
	char	   *short_link_base;	/* resolve short links here (tests), may be NULL */

	/* a thumbnail download (jobs.kind thumbnail; bgworker/thumbnail.c) */
	bool		thumbnail;
	char	   *thumbnail_url;	/* the video's, as the page gave it: untrusted */
	const char **cdn_hosts;		/* the platform's CDN host suffixes */
	int			n_cdn_hosts;
	char	   *cdn_base;		/* request thumbnails here (tests), may be NULL */
	const char *image_type;		/* the media type the downloaded body sniffed as */
	size_t		max_body;		/* largest response body accepted, in bytes */

	/* progress through the requests */
	int			step;
	int			pages;
	char	   *page_token;
	char	   *uploads;		/* YouTube uploads playlist id */
	json_t	   *video_ids;		/* YouTube: ids still to look up */
	size_t		ids_done;

	/* what to store */
	json_t	   *channel;		/* channel object, or NULL */
	json_t	   *videos;			/* array of video objects */
	const char *gone_status;	/* "unavailable" / "private" for END_GONE */

	/* a short link's resolution (pending targets) */
	bool		resolving;		/* the request in flight is the HEAD of a short link */
	int			resolve_hops;	/* short links followed so far */
	char	   *resolved_id;	/* canonical id it led to, or NULL */
	char	   *resolved_handle;
	char	   *resolved_url;

	/* what the requests did to the account and proxy (cos._record_usage) */
	int			api_requests;	/* requests made with the account */
	bool		blocked;		/* the platform answered with an anti-bot page */
	bool		network_failed; /* the last request failed below HTTP */

	/* the end */
	TaskEnd		end;
	bool		stored;			/* written by the batch's statement for videos */
	char	   *error;			/* reason for anything but a clean END_DONE */
	long		retry_after_s;	/* from Retry-After, 0 when absent */

	/* the transfer in flight */
	CURL	   *easy;
	char	   *url;
	bool		url_is_api;		/* an API endpoint, not a public page */
	char	   *post_body;		/* POST this (JSON) instead of a GET, or NULL */
	bool		head;			/* a HEAD request (short link resolution) */
	int			redirects;		/* followed for the current request */
	bool		redirect_pending;	/* task->url is a redirect to follow next */
	struct curl_slist *headers; /* extra request headers (curl_slist_free_all) */
	char	   *body;			/* malloc'd: filled from curl's callback */
	size_t		body_len;
	size_t		body_cap;
	bool		too_large;
	TimestampTz started;

	struct FetchTask *next;
} FetchTask;

/* steps.c */
extern bool TaskBuildRequest(FetchTask *task);
extern FetchLogEntry *TaskHandleResponse(FetchTask *task, CURLcode code, long http_status,
										 const char *location);
extern char *RedactUrl(const char *url);

/* store.c */
extern void StoreFinishedTasks(FetchTask *finished, FetchLogEntry *log, int worker_slot);

/* thumbnail.c */
extern void ThumbnailFromClaim(FetchTask *task, HeapTuple tup, TupleDesc desc, int first_col);
extern bool ThumbnailBuildRequest(FetchTask *task);
extern FetchLogEntry *ThumbnailHandleResponse(FetchTask *task, CURLcode code, long http_status,
											  const char *location);
extern void StoreThumbnail(FetchTask *task);
extern bool ThumbnailsDue(FetchTask *finished);
extern void EnqueueThumbnails(FetchTask *finished);

#endif							/* COS_FETCH_H */
