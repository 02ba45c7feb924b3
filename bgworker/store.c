/*
 * store.c
 *	  Writes what finished tasks collected: latest counters in cos.videos /
 *	  cos.channels, one history row per target per run, the job's end, the
 *	  run's counts, and cos.fetch_log.  One short transaction per batch; one
 *	  subtransaction per task, so a task whose rows are refused is marked
 *	  failed with the reason and the rest of the batch still lands.
 *
 * A job's end and its rows are written together, and only while the job is
 * still ours (state running, same attempt number, same worker slot): a worker
 * killed between fetch and store leaves nothing half-written, and a job that
 * was reclaimed after its visibility timeout is not written twice.  Targets
 * carry last_run_id, so a video reached by two jobs of one run (its channel
 * and itself) gets one history row for that run.  The runs' counts are
 * summed over the batch and written once per run, last.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "pgstat.h"
/* PostgreSQL's json_object() SQL function clashes with jansson's */
#define json_object pg_json_object
#include "utils/builtins.h"
#undef json_object
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "cos.h"
#include "fetch.h"

#define VIDEO_COLUMNS \
	"id text, url text, title text, published_at timestamptz, duration_s integer, " \
	"thumbnail_url text, views bigint, likes bigint, comments bigint, shares bigint, saves bigint"

/*
 * What every write of a video's snapshot sets, from the extracted record r
 * (a SQL alias given as a string literal): counters replace, the rest only
 * fills in.  last_run_id is set by each statement.
 */
#define VIDEO_SET(r) \
	"title = coalesce(" r ".title, v.title), thumbnail_url = coalesce(" r ".thumbnail_url, v.thumbnail_url), " \
	"published_at = coalesce(" r ".published_at, v.published_at), " \
	"duration_s = coalesce(" r ".duration_s, v.duration_s), " \
	"views = " r ".views, likes = " r ".likes, comments = " r ".comments, " \
	"shares = " r ".shares, saves = " r ".saves, status = 'ok', checked_at = now()"

/*
 * The history rows of the videos a CTE "v" wrote, which returns (id, run,
 * views, likes, comments, shares, saves): one per video and run, and none
 * when the platform published no counter.
 */
#define INSERT_HISTORY_FROM_V \
	"INSERT INTO cos.video_history (video_id, captured_at, run_id, views, likes, comments, shares, saves) " \
	"SELECT id, now(), run, views, likes, comments, shares, saves FROM v " \
	" WHERE num_nonnulls(views, likes, comments, shares, saves) > 0 " \
	"ON CONFLICT DO NOTHING"

static const char *const UPDATE_VIDEO_SQL =
"WITH x AS (SELECT * FROM jsonb_to_record($2::jsonb) AS x(" VIDEO_COLUMNS ")), "
"v AS (UPDATE cos.videos v SET " VIDEO_SET("x") ", last_run_id = $3 "
"  FROM x WHERE v.id = $1 AND ($3 IS NULL OR v.last_run_id IS DISTINCT FROM $3) "
"  RETURNING v.id, $3::bigint AS run, x.views, x.likes, x.comments, x.shares, x.saves) "
INSERT_HISTORY_FROM_V;

static const char *const UPSERT_CHANNEL_VIDEOS_SQL =
"WITH x AS (SELECT DISTINCT ON (x.id) * FROM jsonb_to_recordset($2::jsonb) AS x(" VIDEO_COLUMNS ") "
"           WHERE x.id IS NOT NULL), "
"v AS (INSERT INTO cos.videos AS v (platform, external_id, channel_id, url, title, thumbnail_url, "
"        published_at, duration_s, views, likes, comments, shares, saves, checked_at, last_run_id) "
"  SELECT $4, x.id, $1, coalesce(x.url, ''), x.title, x.thumbnail_url, x.published_at, x.duration_s, "
"         x.views, x.likes, x.comments, x.shares, x.saves, now(), $3 FROM x "
"  ON CONFLICT (platform, external_id) DO UPDATE SET "
"    channel_id = coalesce(v.channel_id, EXCLUDED.channel_id), "
"    url = CASE WHEN EXCLUDED.url <> '' THEN EXCLUDED.url ELSE v.url END, "
"    " VIDEO_SET("EXCLUDED") ", last_run_id = EXCLUDED.last_run_id "
"   WHERE $3 IS NULL OR v.last_run_id IS DISTINCT FROM $3 "
"  RETURNING v.id, $3::bigint AS run, v.views, v.likes, v.comments, v.shares, v.saves) "
INSERT_HISTORY_FROM_V;

static const char *const UPDATE_CHANNEL_SQL =
"WITH x AS (SELECT * FROM jsonb_to_record($2::jsonb) AS x(id text, handle text, title text, "
"           followers bigint, likes bigint, views bigint, videos bigint, avatar_url text)), "
"c AS (UPDATE cos.channels c SET platform_id = coalesce(x.id, c.platform_id), "
"  handle = coalesce(x.handle, c.handle), title = coalesce(x.title, c.title), "
"  avatar_url = coalesce(x.avatar_url, c.avatar_url), followers = x.followers, likes = x.likes, "
"  views = x.views, videos_count = x.videos, status = 'ok', checked_at = now(), last_run_id = $3 "
"  FROM x WHERE c.id = $1 AND ($3 IS NULL OR c.last_run_id IS DISTINCT FROM $3) "
"  RETURNING c.id, x.followers, x.likes, x.views, x.videos) "
"INSERT INTO cos.channel_history (channel_id, captured_at, run_id, followers, likes, views, videos) "
"SELECT id, now(), $3, followers, likes, views, videos FROM c "
" WHERE num_nonnulls(followers, likes, views, videos) > 0 "
"ON CONFLICT DO NOTHING";

static const char *const END_JOB_SQL =
"UPDATE cos.jobs SET state = $2, last_error = $3, locked_until = NULL, "
"  finished_at = CASE WHEN $2 = 'queued' THEN NULL ELSE now() END, "
"  run_at = CASE WHEN $2 = 'queued' THEN now() + make_interval(secs => $6) ELSE run_at END "
" WHERE id = $1 AND state = 'running' AND attempts = $4 AND locked_by = $5";

static const char *const COUNT_RUN_SQL =
"UPDATE cos.runs SET jobs_done = jobs_done + $2, jobs_failed = jobs_failed + $3, "
"  jobs_retried = jobs_retried + $4, "
"  status = CASE WHEN status = 'running' AND jobs_done + $2 + jobs_failed + $3 >= jobs_total "
"                THEN 'done' ELSE status END, "
"  finished_at = CASE WHEN status = 'running' AND jobs_done + $2 + jobs_failed + $3 >= jobs_total "
"                THEN now() ELSE finished_at END "
" WHERE id = $1";

/*
 * The video jobs of a batch in one statement: their ends, then (for the
 * jobs still ours) the videos' latest counters, their history rows, and the
 * status of those gone.  $1: JSON array of {"job", "attempt", "state",
 * "error", "delay" (s), "video" (cos.videos.id), "run" (or null), "gone"
 * (status, or null), "v" (the extracted video, or null)}; $2: the worker's
 * slot; $3: the jobs' ids again, as bigint[], so that the jobs are reached
 * through their primary key whatever the statistics say.  Returns the ids
 * of the jobs that were still ours.
 */
static const char *const STORE_VIDEO_JOBS_SQL =
"WITH t AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(job bigint, attempt integer, "
"           state text, error text, delay float8, video bigint, run bigint, gone text, v jsonb)), "
"j AS (UPDATE cos.jobs j SET state = t.state, last_error = t.error, locked_until = NULL, "
"  finished_at = CASE WHEN t.state = 'queued' THEN NULL ELSE now() END, "
"  run_at = CASE WHEN t.state = 'queued' THEN now() + make_interval(secs => t.delay) ELSE j.run_at END "
"  FROM t WHERE j.id = ANY ($3) AND j.id = t.job "
"   AND j.state = 'running' AND j.attempts = t.attempt AND j.locked_by = $2 "
"  RETURNING j.id), "
"x AS (SELECT t.* FROM t JOIN j ON j.id = t.job), "
"v AS (UPDATE cos.videos v SET " VIDEO_SET("r") ", last_run_id = x.run "
"  FROM x CROSS JOIN LATERAL jsonb_to_record(x.v) AS r(" VIDEO_COLUMNS ") "
"  WHERE v.id = x.video AND x.v IS NOT NULL AND (x.run IS NULL OR v.last_run_id IS DISTINCT FROM x.run) "
"  RETURNING v.id, x.run, r.views, r.likes, r.comments, r.shares, r.saves), "
"g AS (UPDATE cos.videos v SET status = x.gone, checked_at = now() "
"  FROM x WHERE v.id = x.video AND x.gone IS NOT NULL AND x.v IS NULL), "
"h AS (" INSERT_HISTORY_FROM_V ") "
"SELECT id FROM j";

static const char *const INSERT_LOGS_SQL =
"INSERT INTO cos.fetch_log (job_id, run_id, platform, url, http_status, outcome, error, bytes, duration_ms) "
"SELECT job, run, platform, url, status, outcome, error, bytes, ms "
"  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (job bigint, run bigint, platform text, "
"       url text, status integer, outcome text, error text, bytes integer, ms integer)) "
"       WITH ORDINALITY AS x(job, run, platform, url, status, outcome, error, bytes, ms, o) "
" ORDER BY o";

/*
 * The statements above, prepared once per worker (SPI_keepplan) rather than
 * parsed and planned at every call: a batch runs each of them once per task.
 * Keyed by the statement's address; the plan cache replans them when the
 * tables change.
 */
#define MAX_PLANS 16
static struct
{
	const char *sql;
	SPIPlanPtr	plan;
}			plans[MAX_PLANS];

/* The kept plan of sql (prepared on first use). */
static SPIPlanPtr
PlanFor(const char *sql, int nargs, Oid *types)
{
	int			i;
	SPIPlanPtr	plan;

	for (i = 0; i < MAX_PLANS && plans[i].sql != NULL; i++)
		if (plans[i].sql == sql)
			return plans[i].plan;
	if (i == MAX_PLANS)
		elog(ERROR, "cos: more than %d statements to prepare", MAX_PLANS);
	plan = SPI_prepare(sql, nargs, types);
	if (plan == NULL)
		elog(ERROR, "cos: SPI_prepare failed (%s) for: %.60s",
			 SPI_result_code_string(SPI_result), sql);
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "cos: SPI_keepplan failed");
	plans[i].sql = sql;
	plans[i].plan = plan;
	return plan;
}

/* Runs sql with nargs arguments; NULL values are given as isnull[i] = true. */
static uint64
Exec(const char *sql, int nargs, Oid *types, Datum *values, const bool *isnull, int expected)
{
	char		nulls[16];
	int			i;
	int			rc;

	for (i = 0; i < nargs; i++)
		nulls[i] = isnull[i] ? 'n' : ' ';
	rc = SPI_execute_plan(PlanFor(sql, nargs, types), values, nulls, false, 0);
	if (rc != expected)
		elog(ERROR, "cos: SPI_execute_plan returned %s for: %.60s",
			 SPI_result_code_string(rc), sql);
	return SPI_processed;
}

/*
 * A batch's counts per run, written with one UPDATE of each run at the end
 * of the batch: the row of a run is what every worker updates, so it is
 * updated (and locked) once per batch, just before the commit, not once per
 * task.
 */
typedef struct RunCount
{
	int64		run_id;
	int32		done;
	int32		failed;
	int32		retried;
} RunCount;

/* Adds one finished job's outcome to the batch's counts of its run. */
static void
CountJob(List **counts, int64 run_id, bool ok, bool failed, bool retried)
{
	ListCell   *lc;
	RunCount   *rc = NULL;

	if (run_id == 0)
		return;
	foreach(lc, *counts)
	{
		if (((RunCount *) lfirst(lc))->run_id == run_id)
		{
			rc = (RunCount *) lfirst(lc);
			break;
		}
	}
	if (rc == NULL)
	{
		rc = palloc0(sizeof(RunCount));
		rc->run_id = run_id;
		*counts = lappend(*counts, rc);
	}
	rc->done += ok ? 1 : 0;
	rc->failed += failed ? 1 : 0;
	rc->retried += retried ? 1 : 0;
}

/* Writes the batch's counts (cos.runs; a run whose count is met is done). */
static void
StoreRunCounts(List *counts)
{
	ListCell   *lc;

	foreach(lc, counts)
	{
		RunCount   *rc = (RunCount *) lfirst(lc);
		Oid			types[4] = {INT8OID, INT4OID, INT4OID, INT4OID};
		Datum		values[4] = {Int64GetDatum(rc->run_id), Int32GetDatum(rc->done),
		Int32GetDatum(rc->failed), Int32GetDatum(rc->retried)};
		bool		isnull[4] = {false, false, false, false};

		Exec(COUNT_RUN_SQL, 4, types, values, isnull, SPI_OK_UPDATE);
	}
}

/* A jansson value as a text Datum (JSON). */
static Datum
JsonDatum(json_t *value)
{
	char	   *s = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	Datum		d;

	if (s == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	d = CStringGetTextDatum(s);
	free(s);
	return d;
}

/* Seconds before a retry: Retry-After, else 2^attempt with jitter, ≤ 10 min. */
static double
RetryDelay(FetchTask *task)
{
	double		base;

	if (task->retry_after_s > 0)
		return Min(task->retry_after_s, 600);
	base = pow(2.0, Max(task->attempt - 1, 0));
	return Min(base * (0.5 + pg_prng_double(&pg_global_prng_state)), 600.0);
}

/*
 * The state a task's job ends in: "done" (collected, or the target is gone),
 * "queued" again (a retry, while attempts remain), "dead" (attempts
 * exhausted) or "failed" (not retried); *ok, *failed and *retried say how
 * the run counts it.
 */
static const char *
JobEnd(FetchTask *task, bool *ok, bool *failed, bool *retried)
{
	*ok = *failed = *retried = false;
	switch (task->end)
	{
		case END_DONE:
		case END_GONE:
			*ok = true;
			return "done";
		case END_RETRY:
			if (task->attempt < task->max_attempts)
			{
				*retried = true;
				return "queued";
			}
			*failed = true;
			return "dead";
		default:
			*failed = true;
			return "failed";
	}
}

/*
 * Writes one task: its job's end first (nothing else is written when the
 * job is no longer ours), then its rows.  Adds the job's outcome to
 * *counts (the run's counts) only once the job's end was written; the caller
 * adds them to the batch's counts when the task's subtransaction commits.
 */
static void
StoreTask(FetchTask *task, int worker_slot, RunCount *count)
{
	bool		final_ok;
	bool		final_failed;
	bool		retried;
	const char *state = JobEnd(task, &final_ok, &final_failed, &retried);
	Datum		run_id = Int64GetDatum(task->run_id);
	bool		run_null = (task->run_id == 0);

	{
		Oid			types[6] = {INT8OID, TEXTOID, TEXTOID, INT4OID, INT4OID, FLOAT8OID};
		Datum		values[6];
		bool		isnull[6] = {false, false, task->error == NULL, false, false, false};

		values[0] = Int64GetDatum(task->job_id);
		values[1] = CStringGetTextDatum(state);
		values[2] = task->error ? CStringGetTextDatum(task->error) : (Datum) 0;
		values[3] = Int32GetDatum(task->attempt);
		values[4] = Int32GetDatum(worker_slot);
		values[5] = Float8GetDatum(retried ? RetryDelay(task) : 0.0);
		if (Exec(END_JOB_SQL, 6, types, values, isnull, SPI_OK_UPDATE) == 0)
		{
			ereport(LOG,
					(errmsg("cos: job %lld was reclaimed by another worker; its result is dropped",
							(long long) task->job_id)));
			return;
		}
	}

	if (task->thumbnail)
	{
		/* a download: no run to count, no counters (thumbnail.c) */
		StoreThumbnail(task);
		return;
	}

	if (task->resolved_id != NULL && task->kind == TASK_VIDEO)
	{
		/* a short link resolved: re-key its row, or merge it into the row
		 * the video already had; the rows below go to the survivor */
		Oid			types[4] = {INT8OID, TEXTOID, TEXTOID, TEXTOID};
		Datum		values[4] = {Int64GetDatum(task->target_id),
			CStringGetTextDatum(task->resolved_id),
			task->resolved_handle ? CStringGetTextDatum(task->resolved_handle) : (Datum) 0,
		CStringGetTextDatum(task->resolved_url)};
		bool		isnull[4] = {false, false, task->resolved_handle == NULL, false};
		bool		null;

		Exec("SELECT cos._resolve_video($1, $2, $3, $4)", 4, types, values, isnull, SPI_OK_SELECT);
		task->target_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 1, &null));
	}

	if (task->channel != NULL && task->kind == TASK_CHANNEL)
	{
		Oid			types[3] = {INT8OID, TEXTOID, INT8OID};
		Datum		values[3] = {Int64GetDatum(task->target_id), JsonDatum(task->channel), run_id};
		bool		isnull[3] = {false, false, run_null};

		Exec(UPDATE_CHANNEL_SQL, 3, types, values, isnull, SPI_OK_INSERT);
	}

	if (json_array_size(task->videos) > 0)
	{
		if (task->kind == TASK_VIDEO)
		{
			Oid			types[3] = {INT8OID, TEXTOID, INT8OID};
			Datum		values[3] = {Int64GetDatum(task->target_id),
			JsonDatum(json_array_get(task->videos, 0)), run_id};
			bool		isnull[3] = {false, false, run_null};

			Exec(UPDATE_VIDEO_SQL, 3, types, values, isnull, SPI_OK_INSERT);
		}
		else
		{
			Oid			types[4] = {INT8OID, TEXTOID, INT8OID, TEXTOID};
			Datum		values[4] = {Int64GetDatum(task->target_id), JsonDatum(task->videos), run_id,
			CStringGetTextDatum(cos_platform_name(task->platform))};
			bool		isnull[4] = {false, false, run_null, false};

			Exec(UPSERT_CHANNEL_VIDEOS_SQL, 4, types, values, isnull, SPI_OK_INSERT);
		}
	}

	if (task->end == END_GONE && task->gone_status != NULL)
	{
		Oid			types[2] = {INT8OID, TEXTOID};
		Datum		values[2] = {Int64GetDatum(task->target_id), CStringGetTextDatum(task->gone_status)};
		bool		isnull[2] = {false, false};

		Exec(task->kind == TASK_VIDEO
			 ? "UPDATE cos.videos SET status = $2, checked_at = now() WHERE id = $1"
			 : "UPDATE cos.channels SET status = $2, checked_at = now() WHERE id = $1",
			 2, types, values, isnull, SPI_OK_UPDATE);
	}

	count->run_id = task->run_id;
	count->done = final_ok ? 1 : 0;
	count->failed = final_failed ? 1 : 0;
	count->retried = retried ? 1 : 0;
}

/*
 * Marks a job failed with the reason its rows were refused; counts it as
 * failed in *counts when the job was still ours.
 */
static void
FailJob(FetchTask *task, int worker_slot, const char *reason, List **counts)
{
	Oid			types[6] = {INT8OID, TEXTOID, TEXTOID, INT4OID, INT4OID, FLOAT8OID};
	Datum		values[6];
	bool		isnull[6] = {false, false, false, false, false, false};

	values[0] = Int64GetDatum(task->job_id);
	values[1] = CStringGetTextDatum("failed");
	values[2] = CStringGetTextDatum(psprintf("storing the result failed: %s", reason));
	values[3] = Int32GetDatum(task->attempt);
	values[4] = Int32GetDatum(worker_slot);
	values[5] = Float8GetDatum(0.0);
	if (Exec(END_JOB_SQL, 6, types, values, isnull, SPI_OK_UPDATE) > 0)
		CountJob(counts, task->run_id, false, true, false);
}

/*
 * Reports what the finished tasks' requests did to the accounts and proxies
 * they used (cos._record_usage: quotas, blocks, network failures), in one
 * statement, so rows are locked in one order by every worker.
 */
static void
StoreUsage(FetchTask *finished)
{
	json_t	   *report = json_array();
	FetchTask  *task;

	for (task = finished; task != NULL; task = task->next)
	{
		json_t	   *u;

		if (task->account_id == 0 && task->proxy_id == 0)
			continue;
		u = json_pack("{s:o, s:o, s:i, s:b, s:b, s:s?, s:s}",
					  "account", task->account_id ? json_integer(task->account_id) : json_null(),
					  "proxy", task->proxy_id ? json_integer(task->proxy_id) : json_null(),
					  "requests", task->api_requests,
					  "blocked", task->blocked,
					  "network_error", task->network_failed,
					  "error", task->error,
					  "platform", cos_platform_name(task->platform));
		if (u != NULL)
			json_array_append_new(report, u);
	}
	if (json_array_size(report) > 0)
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1] = {JsonDatum(report)};
		bool		isnull[1] = {false};

		Exec("SELECT cos._record_usage($1::jsonb)", 1, types, values, isnull, SPI_OK_SELECT);
	}
	json_decref(report);
}

/*
 * Inserts the cos.fetch_log rows of the entries (a list through ->next,
 * oldest first) with one statement, in that order.
 */
static void
StoreLogs(FetchLogEntry *oldest_first)
{
	json_t	   *rows = json_array();
	FetchLogEntry *e;

	for (e = oldest_first; e != NULL; e = e->next)
	{
		json_t	   *r = json_pack("{s:I, s:o, s:s, s:s, s:o, s:s, s:s?, s:I, s:i}",
								  "job", (json_int_t) e->job_id,
								  "run", e->run_id ? json_integer(e->run_id) : json_null(),
								  "platform", cos_platform_name(e->platform),
								  "url", e->url,
								  "status", e->http_status ? json_integer(e->http_status) : json_null(),
								  "outcome", e->outcome,
								  "error", e->error,
								  "bytes", (json_int_t) Min(e->bytes, PG_INT32_MAX),
								  "ms", e->duration_ms);

		if (r == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
							errmsg("could not build the fetch log of a batch")));
		json_array_append_new(rows, r);
	}
	if (json_array_size(rows) > 0)
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1] = {JsonDatum(rows)};
		bool		isnull[1] = {false};

		Exec(INSERT_LOGS_SQL, 1, types, values, isnull, SPI_OK_INSERT);
	}
	json_decref(rows);
}

/*
 * A video task whose rows are one update of its own video (not a thumbnail
 * download, no short link re-keyed, not gone with counters): written by StoreVideoJobs together
 * with the others of its batch.
 */
static bool
IsPlainVideoTask(const FetchTask *task)
{
	return task->kind == TASK_VIDEO && !task->thumbnail && task->resolved_id == NULL &&
		!(task->end == END_GONE && json_array_size(task->videos) > 0);
}

/* StoreVideoJobs's arguments and results, for InSubtransaction */
typedef struct StoreVideoJobsArgs
{
	FetchTask  *finished;
	int			worker_slot;
	int64	   *owned;			/* out: ids of the jobs that were still ours */
	int			nowned;
} StoreVideoJobsArgs;

/*
 * Writes every plain video task of the batch with STORE_VIDEO_JOBS_SQL (one
 * statement for the batch, where StoreTask takes three per task).
 */
static void
StoreVideoJobs(void *arg)
{
	StoreVideoJobsArgs *a = (StoreVideoJobsArgs *) arg;
	json_t	   *rows = json_array();
	FetchTask  *task;
	Datum	   *ids;
	int			nids = 0;

	a->nowned = 0;
	for (task = a->finished; task != NULL; task = task->next)
		nids++;
	ids = palloc(sizeof(Datum) * Max(nids, 1));
	nids = 0;
	for (task = a->finished; task != NULL; task = task->next)
	{
		bool		ok;
		bool		failed;
		bool		retried;
		const char *state;
		json_t	   *r;

		if (!IsPlainVideoTask(task))
			continue;
		state = JobEnd(task, &ok, &failed, &retried);
		r = json_pack("{s:I, s:i, s:s, s:s?, s:f, s:I, s:o, s:s?, s:O?}",
					  "job", (json_int_t) task->job_id,
					  "attempt", task->attempt,
					  "state", state,
					  "error", task->error,
					  "delay", retried ? RetryDelay(task) : 0.0,
					  "video", (json_int_t) task->target_id,
					  "run", task->run_id ? json_integer(task->run_id) : json_null(),
					  "gone", task->end == END_GONE ? task->gone_status : NULL,
					  "v", json_array_get(task->videos, 0));
		if (r == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
							errmsg("could not build the video rows of a batch")));
		json_array_append_new(rows, r);
		ids[nids++] = Int64GetDatum(task->job_id);
	}
	if (json_array_size(rows) > 0)
	{
		Oid			types[3] = {TEXTOID, INT4OID, INT8ARRAYOID};
		Datum		values[3] = {JsonDatum(rows), Int32GetDatum(a->worker_slot),
			PointerGetDatum(construct_array(ids, nids, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE))};
		bool		isnull[3] = {false, false, false};
		uint64		n;

		json_decref(rows);
		n = Exec(STORE_VIDEO_JOBS_SQL, 3, types, values, isnull, SPI_OK_SELECT);
		a->owned = palloc(sizeof(int64) * Max(n, 1));
		for (uint64 i = 0; i < n; i++)
		{
			bool		null;

			a->owned[a->nowned++] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
																SPI_tuptable->tupdesc, 1, &null));
		}
		return;
	}
	json_decref(rows);
}

/*
 * Runs fn(arg) in an internal subtransaction of the current transaction.
 * Returns NULL when it succeeded; otherwise the subtransaction is rolled back
 * and the error is returned (copied into the caller's memory context; free it
 * with FreeErrorData), so one refused statement does not abort the batch.
 */
static ErrorData *
InSubtransaction(void (*fn) (void *), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return edata;
}

/* StoreTask's arguments, for InSubtransaction */
typedef struct StoreTaskArgs
{
	FetchTask  *task;
	int			worker_slot;
	RunCount	count;
} StoreTaskArgs;

static void
StoreTaskCallback(void *arg)
{
	StoreTaskArgs *a = (StoreTaskArgs *) arg;

	StoreTask(a->task, a->worker_slot, &a->count);
}

static void
StoreUsageCallback(void *arg)
{
	StoreUsage((FetchTask *) arg);
}

static void
EnqueueThumbnailsCallback(void *arg)
{
	EnqueueThumbnails((FetchTask *) arg);
}

/*
 * StoreFinishedTasks: writes the finished tasks (a list through ->next) and
 * the fetch log entries (a list through ->next) in one transaction.  Must be
 * called outside any transaction.
 */
void
StoreFinishedTasks(FetchTask *finished, FetchLogEntry *log, int worker_slot)
{
	FetchTask  *task;
	FetchLogEntry *e;
	List	   *counts = NIL;
	ErrorData  *edata;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "cos: storing results");

	/*
	 * The plain video tasks in one statement; when it is refused (a value a
	 * column cannot hold, say), they are written one by one below like the
	 * others, so that only the task at fault fails.
	 */
	{
		StoreVideoJobsArgs vargs = {finished, worker_slot, NULL, 0};

		edata = InSubtransaction(StoreVideoJobs, &vargs);
		if (edata == NULL)
		{
			for (task = finished; task != NULL; task = task->next)
			{
				bool		ok;
				bool		failed;
				bool		retried;

				if (!IsPlainVideoTask(task))
					continue;
				task->stored = true;
				for (int i = 0; i < vargs.nowned; i++)
				{
					if (vargs.owned[i] == task->job_id)
					{
						(void) JobEnd(task, &ok, &failed, &retried);
						CountJob(&counts, task->run_id, ok, failed, retried);
						break;
					}
				}
				/* not ours any more: reclaimed by another worker */
			}
		}
		else
		{
			ereport(LOG,
					(errmsg("cos: storing a batch's videos together failed (%s); storing them one by one",
							edata->message)));
			FreeErrorData(edata);
		}
	}

	/* one subtransaction per task: a task whose rows are refused fails alone */
	for (task = finished; task != NULL; task = task->next)
	{
		StoreTaskArgs args = {task, worker_slot, {0}};

		if (task->stored)
			continue;
		edata = InSubtransaction(StoreTaskCallback, &args);
		if (edata == NULL)
			CountJob(&counts, args.count.run_id, args.count.done > 0, args.count.failed > 0,
					 args.count.retried > 0);
		else
		{
			ereport(WARNING,
					(errmsg("cos: could not store job %lld: %s",
							(long long) task->job_id, edata->message)));
			FailJob(task, worker_slot, edata->message, &counts);
			FreeErrorData(edata);
		}
	}

	/* the thumbnails of the videos just stored: one statement per batch */
	if (ThumbnailsDue(finished) &&
		(edata = InSubtransaction(EnqueueThumbnailsCallback, finished)) != NULL)
	{
		ereport(WARNING,
				(errmsg("cos: could not enqueue thumbnail downloads: %s", edata->message)));
		FreeErrorData(edata);
	}

	/* accounting must not cost the batch its results */
	edata = InSubtransaction(StoreUsageCallback, finished);
	if (edata != NULL)
	{
		ereport(WARNING,
				(errmsg("cos: could not record account and proxy usage: %s", edata->message)));
		FreeErrorData(edata);
	}
	/* the log is newest first: written oldest first, so ids follow time */
	{
		FetchLogEntry *oldest_first = NULL;

		while (log != NULL)
		{
			e = log->next;
			log->next = oldest_first;
			oldest_first = log;
			log = e;
		}
		StoreLogs(oldest_first);
	}
	/* last: the runs' rows stay locked only from here to the commit */
	StoreRunCounts(counts);

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}
