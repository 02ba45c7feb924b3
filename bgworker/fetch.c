/*
 * fetch.c
 *	  A fetch worker: claims due jobs from cos.jobs, runs their HTTP requests
 *	  through one libcurl multi handle (cos.fetch_concurrency at once, and at
 *	  most a share of each platform's max_concurrency), hands the bodies to
 *	  the extractors and stores the results in short transactions.
 *
 * No transaction is open while transfers run.  While they do, the worker
 * waits on their sockets and its latch together (cos_curl_wait); with none
 * in flight, on its latch alone, until the next job falls due (or
 * cos.poll_interval as a fallback); backends that enqueue jobs set the latch
 * at commit (cos._wake()).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "utils/lsyscache.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
/* PostgreSQL's json_object() SQL function clashes with jansson's */
#define json_object pg_json_object
#include "utils/builtins.h"
#undef json_object
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "cos.h"
#include "worker.h"
#include "fetch.h"

static int	worker_slot = -1;
static CURLM *multi = NULL;
static CosCurlWait curl_wait;	/* multi's sockets and the latch */
/* longest a finished task waits for its batch to be stored */
#define STORE_DELAY_MS 50

static FetchTask *waiting = NULL;	/* claimed, not started (platform busy) */
static int	active_total = 0;

/* Leaves the worker's shared-memory slot on exit. */
static void
ReleaseSlot(int code, Datum arg)
{
	if (cos_shared == NULL || worker_slot < 0)
		return;
	SpinLockAcquire(&cos_shared->mutex);
	if (cos_shared->fetch[worker_slot].pid == MyProcPid)
	{
		cos_shared->fetch[worker_slot].pid = 0;
		cos_shared->fetch[worker_slot].latch = NULL;
		memset(cos_shared->active[worker_slot], 0, sizeof(cos_shared->active[worker_slot]));
	}
	SpinLockRelease(&cos_shared->mutex);
}

/* Takes the shared-memory slot; false when another live process holds it. */
static bool
TakeSlot(int slot)
{
	bool		ok = true;
	pid_t		holder;

	SpinLockAcquire(&cos_shared->mutex);
	holder = cos_shared->fetch[slot].pid;
	if (holder != 0 && holder != MyProcPid && kill(holder, 0) == 0)
		ok = false;
	else
	{
		cos_shared->fetch[slot].pid = MyProcPid;
		cos_shared->fetch[slot].latch = MyLatch;
		/* transfers a killed predecessor had in flight are gone with it */
		memset(cos_shared->active[slot], 0, sizeof(cos_shared->active[slot]));
	}
	SpinLockRelease(&cos_shared->mutex);
	return ok;
}

/* Milliseconds from t to now (negative when t is ahead). */
static long
MsSince(TimestampTz t)
{
	return (long) ((GetCurrentTimestamp() - t) / 1000);
}

/* Puts back the jobs an earlier incarnation of this slot left running. */
static void
RequeueOwnJobs(void)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(worker_slot)};
	int			rc;

	cos_begin_work("cos: requeueing jobs left by a previous worker");
	rc = SPI_execute_with_args("UPDATE cos.jobs SET state = 'queued', locked_until = NULL "
							   " WHERE state = 'running' AND locked_by = $1",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "cos: requeue failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
		ereport(LOG,
				(errmsg("cos fetch worker %d: requeued %llu jobs left running by its previous run",
						worker_slot, (unsigned long long) SPI_processed)));
	cos_end_work();
}

static const char *const CLAIM_SQL = "SELECT * FROM cos._claim($1, $2, $3)";

static const char *const NEXT_DUE_SQL =
"SELECT extract(epoch FROM least("
"   (SELECT min(run_at) FROM cos.jobs WHERE state = 'queued'), "
"   (SELECT min(locked_until) FROM cos.jobs WHERE state = 'running')) - clock_timestamp()) * 1000";

/* Copies column col of the current SPI row into cxt (NULL stays NULL). */
static char *
GetText(HeapTuple tup, TupleDesc desc, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(tup, desc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* Reads a bigint/int column of the current SPI row. */
static int64
GetInt(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	if (isnull)
		return 0;
	return (SPI_gettypeid(desc, col) == INT8OID) ? DatumGetInt64(d) : DatumGetInt32(d);
}

/*
 * Claims up to want due jobs; appends a task for each to *out.  Returns the
 * number claimed; when none, *next_due_ms is set to the time until the next
 * job falls due (-1 when the queue holds none).
 */
static int
ClaimJobs(int want, FetchTask **out, long *next_due_ms)
{
	Oid			types[3] = {INT4OID, FLOAT8OID, INT4OID};
	Datum		values[3];
	int			rc;
	uint64		i;
	int			claimed;

	values[0] = Int32GetDatum(want);
	values[1] = Float8GetDatum((double) cos_visibility_timeout_s);
	values[2] = Int32GetDatum(worker_slot);

	cos_begin_work("cos: claiming jobs");
	rc = SPI_execute_with_args(CLAIM_SQL, 3, types, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "cos: claim failed: %s", SPI_result_code_string(rc));

	claimed = (int) SPI_processed;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "cos fetch task",
												  ALLOCSET_SMALL_SIZES);
		FetchTask  *task = MemoryContextAllocZero(cxt, sizeof(FetchTask));
		char	   *platform;
		bool		isnull;

		task->cxt = cxt;
		task->job_id = GetInt(tup, desc, 1);
		task->attempt = (int32) GetInt(tup, desc, 2);
		task->run_id = GetInt(tup, desc, 3);
		task->max_attempts = (int32) GetInt(tup, desc, 4);
		platform = SPI_getvalue(tup, desc, 5);
		task->platform = cos_platform_from_name(platform);
		task->kind = DatumGetBool(SPI_getbinval(tup, desc, 6, &isnull)) ? TASK_VIDEO : TASK_CHANNEL;
		task->target_id = GetInt(tup, desc, 7);
		task->external_id = GetText(tup, desc, 8, cxt);
		task->handle = GetText(tup, desc, 9, cxt);
		task->platform_id = GetText(tup, desc, 10, cxt);
		task->web_base = GetText(tup, desc, 11, cxt);
		task->api_base = GetText(tup, desc, 12, cxt);
		task->user_agent = GetText(tup, desc, 13, cxt);
		task->connect_timeout_ms = (int) GetInt(tup, desc, 14);
		task->timeout_ms = (int) GetInt(tup, desc, 15);
		task->max_concurrency = (int) GetInt(tup, desc, 16);
		{
			char	   *kind = SPI_getvalue(tup, desc, 17);
			char	   *secret = GetText(tup, desc, 18, cxt);

			if (kind && strcmp(kind, "api_key") == 0)
				task->api_key = secret;
			else if (kind && strcmp(kind, "cookie") == 0)
				task->cookie = secret;
			task->app_id = GetText(tup, desc, 19, cxt);
		}
		task->account_id = GetInt(tup, desc, 20);
		task->proxy_id = GetInt(tup, desc, 21);
		task->proxy_url = GetText(tup, desc, 22, cxt);
		{
			Datum		rps = SPI_getbinval(tup, desc, 23, &isnull);

			task->requests_per_second = isnull ? 0 : DatumGetFloat4(rps);
		}
		{
			Datum		pending = SPI_getbinval(tup, desc, 24, &isnull);

			task->pending = !isnull && DatumGetBool(pending);
		}
		task->target_url = GetText(tup, desc, 25, cxt);
		task->short_link_base = GetText(tup, desc, 26, cxt);
		/* kind, and what a thumbnail download needs (thumbnail.c) */
		ThumbnailFromClaim(task, tup, desc, 27);
		task->videos = json_array();
		task->video_ids = json_array();

		task->next = *out;
		*out = task;
	}

	*next_due_ms = -1;
	if (claimed == 0)
	{
		rc = SPI_execute(NEXT_DUE_SQL, true, 1);
		if (rc == SPI_OK_SELECT && SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
			{
				double		ms = DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));

				*next_due_ms = (ms < 0) ? 0 : (long) Min(ms, (double) LONG_MAX / 2);
			}
		}
	}
	cos_end_work();
	return claimed;
}

/* Frees a task and everything it holds. */
static void
FreeTask(FetchTask *task)
{
	if (task->easy)
	{
		curl_multi_remove_handle(multi, task->easy);
		curl_easy_cleanup(task->easy);
	}
	free(task->body);
	curl_slist_free_all(task->headers);
	json_decref(task->channel);
	json_decref(task->videos);
	json_decref(task->video_ids);
	MemoryContextDelete(task->cxt);
}

/* curl write callback: appends to the task's body, refusing past the cap. */
static size_t
WriteBody(char *data, size_t size, size_t nmemb, void *userdata)
{
	FetchTask  *task = (FetchTask *) userdata;
	size_t		n = size * nmemb;

	if (task->body_len + n > task->max_body)
	{
		task->too_large = true;
		return 0;
	}
	if (task->body_len + n + 1 > task->body_cap)
	{
		size_t		cap = Max(task->body_cap * 2, task->body_len + n + 1);
		char	   *grown;

		cap = Max(cap, 16384);
		grown = realloc(task->body, cap);
		if (grown == NULL)
			return 0;
		task->body = grown;
		task->body_cap = cap;
	}
	memcpy(task->body + task->body_len, data, n);
	task->body_len += n;
	task->body[task->body_len] = '\0';
	return n;
}

/*
 * Admits task's next request under its platform's limits, which all fetch
 * workers share (cos_shared): at most max_concurrency transfers at once and
 * requests_per_second.  Returns 0 when the request may start now (its
 * transfer is then counted against the platform); otherwise the time in ms
 * after which to try again.
 */
static long
PlatformAdmit(FetchTask *task)
{
	int			p = (int) task->platform;
	int			w;
	int			total = 0;
	long		wait_ms = 0;
	TimestampTz now = GetCurrentTimestamp();

	if (p <= 0 || p >= COS_PLATFORM_SLOTS)
		return 0;
	SpinLockAcquire(&cos_shared->mutex);
	for (w = 0; w < COS_MAX_FETCH_WORKERS; w++)
		total += cos_shared->active[w][p];
	if (total >= task->max_concurrency)
		wait_ms = 20;			/* another transfer of the platform ends first */
	else if (task->requests_per_second > 0 && cos_shared->next_request[p] > now)
		wait_ms = (long) ((cos_shared->next_request[p] - now) / 1000) + 1;
	else
	{
		cos_shared->active[worker_slot][p]++;
		if (task->requests_per_second > 0)
			cos_shared->next_request[p] = Max(cos_shared->next_request[p], now) +
				(int64) (1000000.0 / task->requests_per_second);
	}
	SpinLockRelease(&cos_shared->mutex);
	return wait_ms;
}

/* Gives back the platform transfer PlatformAdmit counted. */
static void
PlatformRelease(FetchTask *task)
{
	int			p = (int) task->platform;

	if (p <= 0 || p >= COS_PLATFORM_SLOTS)
		return;
	SpinLockAcquire(&cos_shared->mutex);
	if (cos_shared->active[worker_slot][p] > 0)
		cos_shared->active[worker_slot][p]--;
	SpinLockRelease(&cos_shared->mutex);
}

/* Starts the transfer for task->url. */
static void
StartTransfer(FetchTask *task)
{
	CURL	   *easy = curl_easy_init();

	if (easy == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not create a curl handle")));

	task->body_len = 0;
	task->too_large = false;
	task->retry_after_s = 0;
	task->started = GetCurrentTimestamp();
	task->easy = easy;

	curl_easy_setopt(easy, CURLOPT_URL, task->url);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, task);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, WriteBody);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, task);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* redirects are followed by TaskHandleResponse, to the platform's hosts only */
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) task->max_body);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) task->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) task->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	/* the proxy cos._claim dealt out; "" ignores *_proxy environment variables */
	curl_easy_setopt(easy, CURLOPT_PROXY, task->proxy_url ? task->proxy_url : "");
	if (task->proxy_url)
		curl_easy_setopt(easy, CURLOPT_PROXYTYPE, (long) CURLPROXY_HTTP);
	if (task->head)
		curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
	if (task->user_agent)
		curl_easy_setopt(easy, CURLOPT_USERAGENT, task->user_agent);
	if (task->headers)
		curl_easy_setopt(easy, CURLOPT_HTTPHEADER, task->headers);
	if (task->post_body)
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, task->post_body);

	curl_multi_add_handle(multi, easy);
	active_total++;
}

/*
 * Starts waiting tasks while the worker and their platforms have room.
 * Returns the time in ms after which a task held back by its platform's
 * limits may start (-1 when none is held back).
 */
static long
StartWaiting(FetchTask **finished)
{
	FetchTask **link = &waiting;
	long		retry_ms = -1;

	while (*link != NULL && active_total < cos_fetch_concurrency)
	{
		long		wait_ms;

		FetchTask  *task = *link;

		if (task->url == NULL && !TaskBuildRequest(task))
		{
			/* cannot even start: finished as it stands */
			*link = task->next;
			task->next = *finished;
			*finished = task;
			continue;
		}
		wait_ms = PlatformAdmit(task);
		if (wait_ms > 0)
		{
			retry_ms = (retry_ms < 0) ? wait_ms : Min(retry_ms, wait_ms);
			link = &task->next;
			continue;
		}
		*link = task->next;
		task->next = NULL;
		StartTransfer(task);
	}
	return retry_ms;
}

/*
 * Drives the transfers for up to timeout_ms; every transfer that completes
 * is read (TaskHandleResponse) and either re-queued for its next request or
 * moved to *finished.  Log entries are prepended to *log.
 */
static void
PumpTransfers(long timeout_ms, FetchTask **finished, FetchLogEntry **log)
{
	CURLMsg    *msg;
	int			left;

	cos_curl_wait(&curl_wait, timeout_ms);

	while ((msg = curl_multi_info_read(multi, &left)) != NULL)
	{
		FetchTask  *task;
		long		http_status = 0;
		curl_off_t	retry_after = 0;
		FetchLogEntry *entry;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &task);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &http_status);
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK)
			task->retry_after_s = (long) retry_after;

		{
			char	   *location = NULL;

			if (http_status >= 300 && http_status < 400)
				curl_easy_getinfo(msg->easy_handle, CURLINFO_REDIRECT_URL, &location);
			entry = TaskHandleResponse(task, msg->data.result, http_status, location);
		}
		entry->next = *log;
		*log = entry;

		curl_multi_remove_handle(multi, task->easy);
		curl_easy_cleanup(task->easy);
		task->easy = NULL;
		active_total--;
		PlatformRelease(task);
		if (task->account_id != 0)
			task->api_requests++;

		if (task->end == END_NONE && (task->redirect_pending || TaskBuildRequest(task)))
		{
			/* its next request waits its turn under the platform's limits */
			task->redirect_pending = false;
			task->next = waiting;
			waiting = task;
		}
		else
		{
			task->next = *finished;
			*finished = task;
		}
	}
}

/*
 * Entry point of a fetch worker; arg is its slot number (0-based).
 */
void
cos_fetch_main(Datum arg)
{
	MemoryContext loop_cxt;
	bool		claim_wanted = true;
	TimestampTz next_claim_at = 0;
	FetchTask  *finished = NULL;	/* ended, not yet stored */
	FetchLogEntry *log = NULL;	/* their requests, not yet stored */
	TimestampTz finished_since = 0; /* when the first of them ended */

	worker_slot = DatumGetInt32(arg);

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (!TakeSlot(worker_slot))
	{
		ereport(LOG, (errmsg("cos fetch worker %d is already running", worker_slot)));
		proc_exit(0);
	}
	before_shmem_exit(ReleaseSlot, (Datum) 0);

	BackgroundWorkerInitializeConnection(cos_database, NULL, 0);
	pgstat_report_appname(psprintf("cos fetch worker %d", worker_slot));

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		ereport(ERROR, (errmsg("cos: could not initialise libcurl")));
	multi = curl_multi_init();
	if (multi == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not create a curl multi handle")));
	cos_curl_wait_init(&curl_wait, multi);

	loop_cxt = AllocSetContextCreate(TopMemoryContext, "cos fetch loop", ALLOCSET_DEFAULT_SIZES);

	cos_wait_for_extension("jobs");

	/*
	 * What a worker commits can always be fetched again: a commit lost in a
	 * crash (at most wal_writer_delay's worth) leaves its jobs running or
	 * queued, and they are claimed again after the visibility timeout, their
	 * rows never half-written.  So the workers do not wait for WAL flushes.
	 */
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);

	/*
	 * Every statement of a worker reaches a few rows by key (jobs by id, a
	 * batch's videos by id), and their plans are kept for the worker's life
	 * (store.c, cos._claim), made with whatever statistics cos.jobs had:
	 * before a run's first ANALYZE they say the table is tiny, and a bitmap
	 * scan of every running job (jobs_running, dead entries included) looks
	 * as cheap as the ids' primary-key probes.  No bitmap scans here.
	 */
	SetConfigOption("enable_bitmapscan", "off", PGC_SUSET, PGC_S_OVERRIDE);

	RequeueOwnJobs();
	ereport(LOG, (errmsg("cos fetch worker %d started", worker_slot)));

	for (;;)
	{
		long		next_due_ms = -1;
		long		held_ms;
		FetchTask  *task;

		/* the log entries of unstored tasks live in loop_cxt */
		if (finished == NULL && log == NULL)
			MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			claim_wanted = true;
		}
		if (MyLatch->is_set)
		{
			/* woken while transfers run: jobs were enqueued */
			ResetLatch(MyLatch);
			claim_wanted = true;
		}
		if (worker_slot >= cos_fetch_workers)
			proc_exit(0);		/* the setting was lowered: the launcher expects us gone */

		/*
		 * Claim when woken, when the last claim was full, or when a job is
		 * due; and only once half the transfer slots are free (or none is
		 * busy), so that a claim is worth its transaction.
		 */
		if (claim_wanted || (next_claim_at != 0 && GetCurrentTimestamp() >= next_claim_at))
		{
			int			room = cos_fetch_concurrency - active_total;
			int			queued = 0;

			for (task = waiting; task; task = task->next)
				queued++;
			room -= queued;
			if (room > 0 && room < Max(cos_fetch_concurrency / 2, 1) && active_total > 0)
				claim_wanted = true;	/* later, when more slots are free */
			else
			{
				claim_wanted = false;
				next_claim_at = 0;
			}
			if (room > 0 && !claim_wanted)
			{
				int			got = ClaimJobs(room, &waiting, &next_due_ms);

				/* its commit left TopMemoryContext current: back to the loop's */
				MemoryContextSwitchTo(loop_cxt);
				if (got == room)
					claim_wanted = true;
				else if (got == 0 && next_due_ms >= 0)
				{
					/*
					 * due jobs none of which we may take (waiting for an
					 * account, in another worker's batch): look again later
					 */
					if (next_due_ms == 0)
						next_due_ms = Min(cos_poll_interval_ms, 1000);
					next_claim_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), next_due_ms);
				}
			}
		}

		held_ms = StartWaiting(&finished);

		if (active_total > 0)
		{
			/*
			 * Until a transfer can move or the latch is set (jobs enqueued,
			 * SIGTERM, SIGHUP), at most until a held task may start, the
			 * finished tasks are due to be stored, or the next claim.
			 */
			long		wait_ms = cos_poll_interval_ms;

			if (held_ms > 0)
				wait_ms = Min(wait_ms, held_ms);
			if (finished_since != 0)
				wait_ms = Min(wait_ms, Max(0L, STORE_DELAY_MS - MsSince(finished_since)));
			if (next_claim_at != 0)
				wait_ms = Min(wait_ms, Max(0L, -MsSince(next_claim_at)));
			PumpTransfers(wait_ms, &finished, &log);
			if (active_total < cos_fetch_concurrency && waiting == NULL && finished != NULL)
				claim_wanted = true;
		}

		if (finished != NULL || log != NULL)
		{
			int			n = 0;

			if (finished_since == 0)
				finished_since = GetCurrentTimestamp();
			for (task = finished; task != NULL; task = task->next)
				n++;

			/*
			 * Stored in batches: the transaction, the runs' rows and the
			 * claim that follows cost the same for one task as for many.
			 * A batch is written once half the transfers have ended, once
			 * its first task has waited STORE_DELAY_MS, or when nothing
			 * else is in flight.
			 */
			if (n >= Max(cos_fetch_concurrency / 2, 1) ||
				(active_total == 0 && waiting == NULL) ||
				TimestampDifferenceExceeds(finished_since, GetCurrentTimestamp(), STORE_DELAY_MS))
			{
				StoreFinishedTasks(finished, log, worker_slot);
				while (finished)
				{
					task = finished->next;
					FreeTask(finished);
					finished = task;
				}
				log = NULL;
				finished_since = 0;
				claim_wanted = true;
				continue;
			}
		}

		if (active_total == 0 && !claim_wanted)
		{
			long		timeout = cos_poll_interval_ms;
			int			rc;

			if (next_claim_at != 0)
			{
				long		secs;
				int			usecs;

				TimestampDifference(GetCurrentTimestamp(), next_claim_at, &secs, &usecs);
				timeout = Min(timeout, secs * 1000 + usecs / 1000 + 1);
			}
			pgstat_report_activity(STATE_IDLE, NULL);
			rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   timeout, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			if (rc & WL_LATCH_SET)
				claim_wanted = true;
			if (rc & WL_TIMEOUT)
				claim_wanted = true;
		}
		else if (active_total == 0 && waiting != NULL && held_ms > 0)
		{
			/* every waiting task is held back by its platform's limits */
			pgstat_report_activity(STATE_IDLE, NULL);
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Min(held_ms, (long) cos_poll_interval_ms), PG_WAIT_EXTENSION);
		}
	}
}
