/*
 * thumbnail.c
 *	  Thumbnail downloads: jobs of kind thumbnail, one per video, enqueued
 *	  when the store writes videos whose thumbnail is not stored yet
 *	  (cos._enqueue_thumbnails), fetched by the fetch workers under their
 *	  platform's limits like any other request, and stored once by content
 *	  in cos.uploads (cos._store_thumbnail), which the HTTP gateway serves as
 *	  /uploads/<sha256>.
 *
 * The thumbnail URL comes from a platform's page, so it is untrusted: it is
 * requested only when its host is one of the platform's cdn_hosts
 * (cos_thumbnail_url_allowed, extension/thumbnail.c), redirects only to such
 * hosts (at most 3), the body only up to cos.thumbnail_max_bytes, and it is
 * stored only when both its Content-Type and its magic bytes say image.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
/* PostgreSQL's json_object() SQL function clashes with jansson's */
#define json_object pg_json_object
#include "utils/builtins.h"
#undef json_object
#include "utils/timestamp.h"

#include "cos.h"
#include "fetch.h"
#include "thumbnail.h"

/* Most redirects followed for one thumbnail, as for every other request */
#define MAX_REDIRECTS 3

/*
 * ThumbnailFromClaim: reads the thumbnail columns of a cos._claim row
 * (first_col: kind text, then thumbnail_url text, cdn_hosts text[],
 * cdn_base text, 1-based SPI column numbers) into task, in the task's
 * memory context, and sets the task's body cap (cos.max_response_bytes for
 * collection jobs, cos.thumbnail_max_bytes for thumbnails).
 */
void
ThumbnailFromClaim(FetchTask *task, HeapTuple tup, TupleDesc desc, int first_col)
{
	char	   *kind = SPI_getvalue(tup, desc, first_col);
	bool		isnull;
	Datum		hosts;
	MemoryContext old;

	task->max_body = (size_t) cos_max_response_bytes;
	task->thumbnail = (kind != NULL && strcmp(kind, "thumbnail") == 0);
	if (!task->thumbnail)
		return;
	task->max_body = (size_t) cos_thumbnail_max_bytes;

	old = MemoryContextSwitchTo(task->cxt);
	{
		char	   *url = SPI_getvalue(tup, desc, first_col + 1);
		char	   *base = SPI_getvalue(tup, desc, first_col + 3);

		task->thumbnail_url = url ? pstrdup(url) : NULL;
		task->cdn_base = base ? pstrdup(base) : NULL;
	}
	hosts = SPI_getbinval(tup, desc, first_col + 2, &isnull);
	if (!isnull)
	{
		ArrayType  *arr = DatumGetArrayTypePCopy(hosts);
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		task->cdn_hosts = palloc0(sizeof(char *) * Max(n, 1));
		for (i = 0; i < n; i++)
			task->cdn_hosts[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
		task->n_cdn_hosts = n;
	}
	MemoryContextSwitchTo(old);
}

/* Ends a thumbnail task with end and a reason (copied into the task). */
static void
ThumbnailEnd(FetchTask *task, TaskEnd end, const char *reason)
{
	task->end = end;
	task->error = reason ? MemoryContextStrdup(task->cxt, reason) : NULL;
}

/*
 * Sets task->url to the request for original, a thumbnail URL on the
 * platform's CDN (the stored one, or a redirect's target): checked against
 * cdn_hosts, then rebased onto cdn_base when set (tests).  False with the
 * reason in err when original may not be requested.
 */
static bool
ThumbnailTarget(FetchTask *task, const char *original, char *err, size_t errlen)
{
	char		url[COS_THUMBNAIL_URL_MAX + 512];

	if (!cos_thumbnail_url_allowed(original, task->cdn_hosts, task->n_cdn_hosts, NULL, 0,
								   err, errlen))
		return false;
	if (!cos_thumbnail_rebase(task->cdn_base, original, url, sizeof(url), err, errlen))
		return false;
	task->url = MemoryContextStrdup(task->cxt, url);
	return true;
}

/*
 * ThumbnailBuildRequest: sets task->url (and its headers) to the download
 * of the video's thumbnail.  Returns false, with task->end set to
 * END_FAILED and the reason, when the URL may not be requested (another
 * host than the platform's cdn_hosts, an IP address, user info, a port) or
 * downloads are off (cos.thumbnail_max_bytes = 0).
 */
bool
ThumbnailBuildRequest(FetchTask *task)
{
	char		err[256];
	struct curl_slist *h;

	curl_slist_free_all(task->headers);
	task->headers = NULL;
	task->post_body = NULL;
	task->head = false;
	task->resolving = false;
	task->redirects = 0;
	task->url_is_api = false;
	task->url = NULL;
	if (cos_thumbnail_max_bytes == 0)
	{
		ThumbnailEnd(task, END_FAILED, "thumbnail downloads are off (cos.thumbnail_max_bytes = 0)");
		return false;
	}
	if (task->thumbnail_url == NULL)
	{
		ThumbnailEnd(task, END_FAILED, "the video has no thumbnail URL");
		return false;
	}
	if (!ThumbnailTarget(task, task->thumbnail_url, err, sizeof(err)))
	{
		ThumbnailEnd(task, END_FAILED, psprintf("thumbnail URL refused: %s", err));
		return false;
	}
	h = curl_slist_append(NULL, "Accept: image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8");
	if (h == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	task->headers = h;
	return true;
}

/* The first bytes of a body, printable, for a log line. */
static char *
BodyStart(const char *body, size_t len)
{
	StringInfoData out;
	size_t		i;

	initStringInfo(&out);
	for (i = 0; i < len && i < 16; i++)
	{
		unsigned char c = (unsigned char) body[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			appendStringInfoChar(&out, (char) c);
		else
			appendStringInfo(&out, "\\x%02x", c);
	}
	return out.data;
}

/*
 * The redirect target as a CDN URL: a Location on the test fixture server
 * (cdn_base + "/" + host + path) is read back as https://host/path, so that
 * the same allowlist applies to it; any other Location is taken as it is.
 */
static char *
RedirectOriginal(FetchTask *task, const char *location)
{
	size_t		bl;

	if (task->cdn_base == NULL)
		return pstrdup(location);
	bl = strlen(task->cdn_base);
	while (bl > 0 && task->cdn_base[bl - 1] == '/')
		bl--;
	if (strncmp(location, task->cdn_base, bl) == 0 && location[bl] == '/')
		return psprintf("https://%s", location + bl + 1);
	return pstrdup(location);
}

/*
 * ThumbnailHandleResponse: reads a finished thumbnail transfer (curl's
 * result code, the HTTP status, for a 3xx its Location; the Content-Type
 * is read from task->easy) and returns its cos.fetch_log entry, allocated in
 * the caller's memory context.  200 with an image Content-Type and image
 * magic bytes ends the task done (task->image_type set); a body over
 * cos.thumbnail_max_bytes (too_large), one that is not an image (not_image),
 * 404/410 and other 4xx fail it without retry; 429, 5xx, timeouts and
 * network errors are retried; a redirect is followed when its target passes
 * the same checks as the thumbnail URL.
 */
FetchLogEntry *
ThumbnailHandleResponse(FetchTask *task, CURLcode code, long http_status, const char *location)
{
	FetchLogEntry *log = palloc0(sizeof(FetchLogEntry));

	log->job_id = task->job_id;
	log->run_id = 0;
	log->platform = task->platform;
	log->url = pstrdup(task->url);
	log->http_status = http_status;
	log->bytes = task->body_len;
	log->duration_ms = (int) ((GetCurrentTimestamp() - task->started) / 1000);
	task->network_failed = false;

	if (code != CURLE_OK)
	{
		if (task->too_large || code == CURLE_FILESIZE_EXCEEDED)
		{
			log->outcome = "too_large";
			log->error = psprintf("thumbnail larger than cos.thumbnail_max_bytes (%zu bytes)",
								  task->max_body);
			ThumbnailEnd(task, END_FAILED, log->error);
		}
		else
		{
			log->outcome = (code == CURLE_OPERATION_TIMEDOUT) ? "timeout" : "network_error";
			log->error = pstrdup(curl_easy_strerror(code));
			task->network_failed = true;
			ThumbnailEnd(task, END_RETRY, log->error);
		}
		return log;
	}

	if (http_status >= 300 && http_status < 400 && location != NULL)
	{
		char		err[256];
		char	   *original = RedirectOriginal(task, location);

		log->outcome = "redirect";
		if (task->redirects >= MAX_REDIRECTS)
		{
			log->error = psprintf("more than %d redirects", MAX_REDIRECTS);
			ThumbnailEnd(task, END_FAILED, log->error);
		}
		else if (!ThumbnailTarget(task, original, err, sizeof(err)))
		{
			log->error = psprintf("refused a redirect to \"%s\": %s", original, err);
			ThumbnailEnd(task, END_FAILED, log->error);
		}
		else
		{
			task->redirects++;
			task->redirect_pending = true;
		}
		return log;
	}

	if (http_status == 429 || http_status >= 500)
	{
		log->outcome = "http_error";
		log->error = psprintf("HTTP %ld", http_status);
		ThumbnailEnd(task, END_RETRY, log->error);
	}
	else if (http_status != 200)
	{
		/* 404, 410, 403 (an expired signed URL): not retried */
		log->outcome = "http_error";
		log->error = psprintf("HTTP %ld", http_status);
		ThumbnailEnd(task, END_FAILED, log->error);
	}
	else
	{
		char	   *ct = NULL;
		const char *type;

		curl_easy_getinfo(task->easy, CURLINFO_CONTENT_TYPE, &ct);
		type = cos_image_type((const unsigned char *) task->body, task->body_len);
		if (!cos_image_content_type_ok(ct) || type == NULL)
		{
			log->outcome = "not_image";
			log->error = psprintf("not an image: Content-Type %s, body starting \"%s\"",
								  ct ? ct : "(none)",
								  BodyStart(task->body ? task->body : "", task->body_len));
			ThumbnailEnd(task, END_FAILED, log->error);
		}
		else
		{
			log->outcome = "ok";
			task->image_type = type;
			ThumbnailEnd(task, END_DONE, NULL);
		}
	}
	return log;
}

/*
 * StoreThumbnail: in the store's transaction (after the job's end was
 * written), stores a downloaded image (cos._store_thumbnail: cos.uploads by
 * SHA-256, once, and the video's thumbnail_sha256).  Nothing for a task that
 * did not end done.  Errors propagate (the caller's subtransaction fails
 * the job with the reason).
 */
void
StoreThumbnail(FetchTask *task)
{
	Oid			types[3] = {INT8OID, TEXTOID, BYTEAOID};
	Datum		values[3];
	bytea	   *body;
	int			rc;

	if (task->end != END_DONE || task->image_type == NULL)
		return;
	body = palloc(VARHDRSZ + task->body_len);
	SET_VARSIZE(body, VARHDRSZ + task->body_len);
	memcpy(VARDATA(body), task->body, task->body_len);
	values[0] = Int64GetDatum(task->target_id);
	values[1] = CStringGetTextDatum(task->image_type);
	values[2] = PointerGetDatum(body);
	rc = SPI_execute_with_args("SELECT cos._store_thumbnail($1, $2, $3)", 3, types, values,
							   NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "cos: storing a thumbnail failed: %s", SPI_result_code_string(rc));
	pfree(body);
}

/*
 * ThumbnailsDue: whether the store should call EnqueueThumbnails for this
 * batch (a list of finished tasks through ->next): downloads are on and some
 * collection task stored videos.  Cheap: no SQL.
 */
bool
ThumbnailsDue(FetchTask *finished)
{
	FetchTask  *task;

	if (cos_thumbnail_max_bytes == 0)
		return false;
	for (task = finished; task != NULL; task = task->next)
		if (!task->thumbnail && json_array_size(task->videos) > 0)
			return true;
	return false;
}

/*
 * EnqueueThumbnails: in the store's transaction, enqueues the thumbnail
 * downloads now due (cos._enqueue_thumbnails: one set-based statement per
 * batch, whatever the number of videos).  finished is unused (the batch's
 * videos are found by the statement).  Errors propagate.
 */
void
EnqueueThumbnails(FetchTask *finished)
{
	int			rc = SPI_execute("SELECT cos._enqueue_thumbnails()", false, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "cos: enqueueing thumbnails failed: %s", SPI_result_code_string(rc));
}
