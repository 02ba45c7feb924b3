/*
 * bot.c
 *	  The bot worker: talks to the Telegram Bot API for the bot whose token
 *	  cos.bot_token_file holds.  It long-polls getUpdates and hands each
 *	  update to cos._bot_update() (sql/bot.sql), which answers it by queueing
 *	  rows in cos.outbox and advances the stored offset in the same
 *	  transaction; and it sends what cos.outbox holds, within
 *	  cos.bot_messages_per_second and one message a chat per
 *	  cos.bot_chat_interval.
 *
 * Every call goes through one libcurl multi handle, and the worker waits on
 * curl's sockets and its latch together (cos_curl_wait), so SIGTERM, a reload or a queued
 * message (cos._wake_bot() at commit) is seen at once, even during the 25 s
 * long poll.  No transaction is open while a call is out.
 *
 * At most once: an outbox row is marked sending (committed) before its
 * call; one found sending at start is marked unknown and never sent again.
 * A call that failed before reaching Telegram (no connection) or that
 * Telegram refused with 5xx is retried; 429 waits retry_after before any
 * further outbox call; 403 fails the row and marks the user as having
 * blocked the bot.
 *
 * Bot API: https://core.telegram.org/bots/api (getUpdates, sendMessage,
 * editMessageText, answerCallbackQuery, setMyCommands, setChatMenuButton;
 * answers {"ok", "result"} or {"ok": false, "error_code", "description",
 * "parameters": {"retry_after"}}).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
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
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "cos.h"
#include "worker.h"

/* after PostgreSQL's headers: jansson's json_typeof() is a macro */
#include <curl/curl.h>
#include <jansson.h>

/* the largest Bot API answer read (getUpdates: at most 100 updates) */
#define BOT_MAX_ANSWER_BYTES (8 * 1024 * 1024)
/* how long the worker waits after Telegram refused the token (401, 404) */
#define BOT_TOKEN_RETRY_MS (60 * 1000)
/* the longest backoff after network errors or 5xx */
#define BOT_MAX_BACKOFF_MS (60 * 1000)
/* how often digests and alerts are looked for */
#define BOT_QUEUE_EVERY_MS 5000
/* the sends the limiter remembers (cos.bot_messages_per_second's maximum) */
#define BOT_MAX_RATE 1000
/* a margin on both limits, so that Telegram's clock never sees them passed */
#define BOT_LIMIT_MARGIN 1.02

typedef enum BotCallKind
{
	CALL_UPDATES,				/* getUpdates */
	CALL_SETUP,					/* setMyCommands, setChatMenuButton */
	CALL_OUTBOX					/* a cos.outbox row */
} BotCallKind;

/* One Bot API call in flight. */
typedef struct BotCall
{
	BotCallKind kind;
	CURL	   *easy;
	struct curl_slist *headers;
	char	   *request;		/* the JSON body sent (malloc'd) */
	char	   *answer;			/* the answer read so far (malloc'd) */
	size_t		answer_len;
	size_t		answer_cap;
	bool		too_big;
	int64		row_id;			/* CALL_OUTBOX: cos.outbox id */
	int64		chat_id;
	int			attempts;		/* CALL_OUTBOX: calls made, this one included */
	char		method[32];
	char		errbuf[CURL_ERROR_SIZE];
	struct BotCall *next;
} BotCall;

/* What Telegram answered, read from a finished call. */
typedef struct BotAnswer
{
	CURLcode	curl_rc;
	long		http_status;
	bool		ok;				/* "ok": true */
	json_t	   *json;			/* the whole answer, or NULL */
	const char *description;	/* "description" (in json), or NULL */
	long		retry_after_s;	/* parameters.retry_after or Retry-After */
} BotAnswer;

static CURLM *multi = NULL;
static CosCurlWait curl_wait;
static BotCall *calls = NULL;	/* in flight */
static int	outbox_in_flight = 0;

static char *token = NULL;		/* the token the calls are built with */
static int64 update_offset = 0;

/* when each kind of call may go next (TimestampTz; 0 = now) */
static TimestampTz poll_at = 0;
static TimestampTz setup_at = 0;
static TimestampTz outbox_at = 0;	/* when to look at the outbox again */
static TimestampTz outbox_paused_until = 0;	/* 429, token refused */
static TimestampTz queue_at = 0;	/* digests and alerts */
static bool poll_in_flight = false;
static int	setup_in_flight = 0;
static bool setup_done = false;
static int	poll_failures = 0;

/* the limiter: when the next outbox call may start, and who was sent to */
static TimestampTz next_send_at = 0;
typedef struct RecentChat
{
	int64		chat_id;
	TimestampTz at;
} RecentChat;
static RecentChat recent[BOT_MAX_RATE * 4];
static int	n_recent = 0;

/* when the last cos.bot_messages_per_second outbox calls went (a ring) */
static TimestampTz sends[BOT_MAX_RATE];
static int	sends_next = 0;		/* the oldest, overwritten next */

/* outcomes of finished outbox calls, to be stored (a JSON array) */
static StringInfoData results;
static int	n_results = 0;

/* Leaves the bot's shared-memory slot on exit. */
static void
ReleaseBotSlot(int code, Datum arg)
{
	if (cos_shared == NULL)
		return;
	SpinLockAcquire(&cos_shared->mutex);
	if (cos_shared->bot.pid == MyProcPid)
	{
		cos_shared->bot.pid = 0;
		cos_shared->bot.latch = NULL;
	}
	SpinLockRelease(&cos_shared->mutex);
}

/* Takes the bot's slot; false when another live bot worker holds it. */
static bool
TakeBotSlot(void)
{
	bool		ok = true;
	pid_t		holder;

	SpinLockAcquire(&cos_shared->mutex);
	holder = cos_shared->bot.pid;
	if (holder != 0 && holder != MyProcPid && kill(holder, 0) == 0)
		ok = false;
	else
	{
		cos_shared->bot.pid = MyProcPid;
		cos_shared->bot.latch = MyLatch;
	}
	SpinLockRelease(&cos_shared->mutex);
	return ok;
}

/*
 * In a PG_CATCH block after cos_begin_work: rolls the transaction back and
 * logs the error as a WARNING ("cos bot: <what> failed: <message>"), back
 * in memory context cxt.  The bot goes on.
 */
static void
WarnAndAbort(MemoryContext cxt, const char *what)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	AbortCurrentTransaction();
	ereport(WARNING, (errmsg("cos bot: %s failed: %s", what, edata->message)));
	FreeErrorData(edata);
}

/*
 * Runs sql (with one text argument arg, or none) in a transaction of its
 * own.  An error is logged as a WARNING and the transaction rolled back:
 * false is returned, and the bot goes on.
 */
static bool
RunStatement(const char *activity, const char *sql, const char *arg, int64 *result)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = true;

	PG_TRY();
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1];
		int			rc;

		cos_begin_work(activity);
		if (arg != NULL)
		{
			values[0] = CStringGetTextDatum(arg);
			rc = SPI_execute_with_args(sql, 1, types, values, NULL, false, 0);
		}
		else
			rc = SPI_execute(sql, false, 0);
		if (rc < 0)
			elog(ERROR, "cos bot: %s failed: %s", activity, SPI_result_code_string(rc));
		if (result != NULL && SPI_processed == 1 && SPI_tuptable->tupdesc->natts >= 1)
		{
			char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

			*result = v ? strtoll(v, NULL, 10) : 0;
		}
		cos_end_work();
	}
	PG_CATCH();
	{
		WarnAndAbort(cxt, activity);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	return ok;
}

/*
 * The bot token (cos_secret), or NULL when the setting is empty or its file
 * cannot be used; a bad file is reported once per change of the reason.
 */
static const char *
BotToken(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	const char *volatile t = NULL;
	static char *last_error = NULL;

	PG_TRY();
	{
		t = cos_secret(COS_SECRET_BOT_TOKEN);
		if (last_error != NULL)
		{
			pfree(last_error);
			last_error = NULL;
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (last_error == NULL || strcmp(last_error, edata->message) != 0)
		{
			ereport(WARNING,
					(errmsg("cos bot: cannot read the bot token: %s", edata->message),
					 errhint("Fix cos.bot_token_file; the bot waits until then.")));
			if (last_error != NULL)
				pfree(last_error);
			last_error = MemoryContextStrdup(TopMemoryContext, edata->message);
		}
		FreeErrorData(edata);
		t = NULL;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	return t;
}

/* curl write callback: appends to the call's answer, refusing past the cap. */
static size_t
WriteAnswer(char *data, size_t size, size_t nmemb, void *userdata)
{
	BotCall    *call = (BotCall *) userdata;
	size_t		n = size * nmemb;

	if (call->answer_len + n > BOT_MAX_ANSWER_BYTES)
	{
		call->too_big = true;
		return 0;
	}
	if (call->answer_len + n + 1 > call->answer_cap)
	{
		size_t		cap = Max(Max(call->answer_cap * 2, call->answer_len + n + 1), 4096);
		char	   *grown = realloc(call->answer, cap);

		if (grown == NULL)
			return 0;
		call->answer = grown;
		call->answer_cap = cap;
	}
	memcpy(call->answer + call->answer_len, data, n);
	call->answer_len += n;
	call->answer[call->answer_len] = '\0';
	return n;
}

/* Frees a call and everything it holds. */
static void
FreeCall(BotCall *call)
{
	if (call->easy != NULL)
	{
		curl_multi_remove_handle(multi, call->easy);
		curl_easy_cleanup(call->easy);
	}
	curl_slist_free_all(call->headers);
	free(call->request);
	free(call->answer);
	pfree(call);
}

/*
 * Starts a POST of body (a JSON object; the call owns it) to Bot API method,
 * timing out after timeout_ms.  NULL when curl refuses (logged).
 */
static BotCall *
StartCall(BotCallKind kind, const char *method, json_t *body, long timeout_ms)
{
	BotCall    *call = MemoryContextAllocZero(TopMemoryContext, sizeof(BotCall));
	char	   *url;
	CURLMcode	mrc;

	call->kind = kind;
	strlcpy(call->method, method, sizeof(call->method));
	call->request = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	call->easy = curl_easy_init();
	if (call->request == NULL || call->easy == NULL)
	{
		FreeCall(call);
		ereport(WARNING, (errmsg("cos bot: out of memory building a %s call", method)));
		return NULL;
	}
	/* the token is part of the URL: it never appears in a log line */
	url = psprintf("%s/bot%s/%s", cos_bot_api_url, token, method);
	call->headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(call->easy, CURLOPT_URL, url);
	curl_easy_setopt(call->easy, CURLOPT_POSTFIELDS, call->request);
	curl_easy_setopt(call->easy, CURLOPT_HTTPHEADER, call->headers);
	curl_easy_setopt(call->easy, CURLOPT_WRITEFUNCTION, WriteAnswer);
	curl_easy_setopt(call->easy, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(call->easy, CURLOPT_PRIVATE, call);
	curl_easy_setopt(call->easy, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(call->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(call->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(call->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(call->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(call->easy, CURLOPT_CONNECTTIMEOUT_MS, Min(timeout_ms, 10000L));
	curl_easy_setopt(call->easy, CURLOPT_USERAGENT, "cos-bot");
	mrc = curl_multi_add_handle(multi, call->easy);
	explicit_bzero(url, strlen(url));
	pfree(url);
	if (mrc != CURLM_OK)
	{
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
		FreeCall(call);
		ereport(WARNING, (errmsg("cos bot: could not start a %s call: %s", method, curl_multi_strerror(mrc))));
		return NULL;
	}
	call->next = calls;
	calls = call;
	return call;
}

/* Reads what Telegram answered to a finished call into *a. */
static void
ReadAnswer(BotCall *call, CURLcode rc, BotAnswer *a)
{
	curl_off_t	retry_after = 0;
	json_t	   *v;

	memset(a, 0, sizeof(*a));
	a->curl_rc = rc;
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &a->http_status);
	if (curl_easy_getinfo(call->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
		a->retry_after_s = (long) retry_after;
	if (rc != CURLE_OK || call->answer == NULL)
		return;
	a->json = json_loadb(call->answer, call->answer_len, 0, NULL);
	if (a->json == NULL || !json_is_object(a->json))
		return;
	a->ok = json_is_true(json_object_get(a->json, "ok"));
	v = json_object_get(a->json, "description");
	if (json_is_string(v))
		a->description = json_string_value(v);
	v = json_object_get(json_object_get(a->json, "parameters"), "retry_after");
	if (json_is_integer(v) && json_integer_value(v) > a->retry_after_s)
		a->retry_after_s = (long) Min(json_integer_value(v), 24 * 3600);
}

/* Why a call failed, for a log line or last_error (palloc'd). */
static char *
AnswerError(BotCall *call, const BotAnswer *a)
{
	if (a->curl_rc != CURLE_OK)
		return psprintf("%s", call->errbuf[0] ? call->errbuf : curl_easy_strerror(a->curl_rc));
	if (call->too_big)
		return psprintf("answer larger than %d bytes", BOT_MAX_ANSWER_BYTES);
	if (a->description != NULL)
		return psprintf("%ld %s", a->http_status, a->description);
	if (a->json == NULL)
		return psprintf("HTTP %ld, an answer that is not JSON", a->http_status);
	return psprintf("HTTP %ld", a->http_status);
}

/* ms from now until t, at least 0 */
static long
MsUntil(TimestampTz t)
{
	TimestampTz now = GetCurrentTimestamp();

	return t <= now ? 0 : (long) ((t - now + 999) / 1000);
}

/* A delay of base ms with jitter: between half of it and all of it. */
static long
Jitter(long base)
{
	return base / 2 + (long) (random() % (base / 2 + 1));
}

/* Telegram refused the token: nothing goes out for a while. */
static void
TokenRefused(BotCall *call, const BotAnswer *a)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz until = TimestampTzPlusMilliseconds(now, BOT_TOKEN_RETRY_MS);
	static TimestampTz warned_until = 0;

	/* the calls out at the time all fail alike: one WARNING for them */
	if (now >= warned_until)
		ereport(WARNING,
			(errmsg("cos bot: Telegram refused the bot token (%ld %s) in %s",
					a->http_status, a->description ? a->description : "", call->method),
			 errhint("Check the token in cos.bot_token_file (from @BotFather) and cos.bot_api_url; the bot tries again in %d s.",
					 BOT_TOKEN_RETRY_MS / 1000)));
	warned_until = until;
	poll_at = Max(poll_at, until);
	outbox_paused_until = Max(outbox_paused_until, until);
	if (!setup_done)
		setup_at = Max(setup_at, until);
}

/* Starts getUpdates from the stored offset. */
static void
StartPoll(void)
{
	json_t	   *body = json_pack("{s:I, s:i, s:i, s:[s,s,s]}",
								 "offset", (json_int_t) update_offset,
								 "limit", 100,
								 "timeout", cos_bot_poll_timeout_s,
								 "allowed_updates", "message", "callback_query", "my_chat_member");

	if (StartCall(CALL_UPDATES, "getUpdates", body, (cos_bot_poll_timeout_s + 15) * 1000L) != NULL)
		poll_in_flight = true;
	else
		poll_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 5000);
}

/* Reads the stored offset (cos.bot_state). */
static void
LoadOffset(void)
{
	int64		offset = 0;

	if (RunStatement("reading the update offset", "SELECT update_offset FROM cos.bot_state", NULL, &offset))
		update_offset = offset;
}

/*
 * A getUpdates answer: each update applied by cos._bot_update() in a
 * transaction of its own, which also stores the offset past it.
 */
static void
PollDone(BotCall *call, CURLcode rc)
{
	BotAnswer	a;
	json_t	   *updates;
	size_t		i;
	long		delay_ms = 0;

	poll_in_flight = false;
	ReadAnswer(call, rc, &a);
	updates = json_object_get(a.json, "result");
	if (a.ok && json_is_array(updates))
	{
		poll_failures = 0;
		for (i = 0; i < json_array_size(updates); i++)
		{
			json_t	   *u = json_array_get(updates, i);
			json_t	   *id = json_object_get(u, "update_id");
			char	   *text;
			bool		done;

			if (!json_is_integer(id) || json_integer_value(id) < update_offset)
				continue;		/* handled already (or no id: skipped) */
			text = json_dumps(u, JSON_COMPACT);
			if (text == NULL)
				break;
			done = RunStatement("handling a Bot API update", "SELECT cos._bot_update($1::jsonb)", text, NULL);
			free(text);
			if (!done)
			{
				/* the offset stays: the update comes back with the next poll */
				delay_ms = 5000;
				break;
			}
			update_offset = json_integer_value(id) + 1;
		}
		/* the answers they queued go out now */
		if (i > 0)
			outbox_at = Min(outbox_at, GetCurrentTimestamp());
	}
	else if (a.http_status == 401 || a.http_status == 404)
		TokenRefused(call, &a);
	else if (a.http_status == 429)
		delay_ms = Max(a.retry_after_s, 1) * 1000L;
	else if (a.http_status == 409)
	{
		ereport(WARNING,
				(errmsg("cos bot: getUpdates refused: %s", a.description ? a.description : "409 Conflict"),
				 errhint("A webhook is set for this bot (deleteWebhook removes it), or another process polls with the same token.")));
		delay_ms = 30000;
	}
	else
	{
		char	   *why = AnswerError(call, &a);

		delay_ms = Jitter(Min(1000L << Min(poll_failures, 6), (long) BOT_MAX_BACKOFF_MS));
		poll_failures++;
		ereport(WARNING,
				(errmsg("cos bot: getUpdates failed: %s; trying again in %ld ms", why, delay_ms)));
	}
	if (delay_ms > 0)
		poll_at = Max(poll_at, TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay_ms));
	json_decref(a.json);
}

/* Starts the calls cos._bot_setup() lists (commands, menu button). */
static void
StartSetup(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	List	   *volatile bodies = NIL;
	ListCell   *lc;

	PG_TRY();
	{
		uint64		i;

		cos_begin_work("listing the bot's setup calls");
		if (SPI_execute("SELECT method, params::text FROM cos._bot_setup()", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "cos bot: cos._bot_setup() failed");
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *method = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
			char	   *params = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
			MemoryContext old = MemoryContextSwitchTo(cxt);

			bodies = lappend(bodies, list_make2(pstrdup(method), pstrdup(params)));
			MemoryContextSwitchTo(old);
		}
		cos_end_work();
	}
	PG_CATCH();
	{
		WarnAndAbort(cxt, "listing the setup calls");
		setup_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), BOT_TOKEN_RETRY_MS);
		return;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);

	foreach(lc, bodies)
	{
		List	   *pair = (List *) lfirst(lc);
		json_t	   *body = json_loads((char *) lsecond(pair), 0, NULL);

		if (body != NULL && StartCall(CALL_SETUP, (char *) linitial(pair), body, 10000L) != NULL)
			setup_in_flight++;
	}
	if (setup_in_flight == 0)
		setup_done = true;
}

/* A setup call's answer: the setup is done once all of them succeeded. */
static void
SetupDone(BotCall *call, CURLcode rc)
{
	BotAnswer	a;

	setup_in_flight--;
	ReadAnswer(call, rc, &a);
	if (!a.ok)
	{
		if (a.http_status == 401 || a.http_status == 404)
			TokenRefused(call, &a);
		else
		{
			char	   *why = AnswerError(call, &a);

			ereport(WARNING, (errmsg("cos bot: %s failed: %s; trying again in a minute", call->method, why)));
			setup_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), BOT_TOKEN_RETRY_MS);
		}
		setup_done = false;
	}
	else if (setup_in_flight == 0 && setup_at <= GetCurrentTimestamp())
	{
		setup_done = true;
		ereport(LOG, (errmsg("cos bot: commands and menu button set")));
	}
	json_decref(a.json);
}

/*
 * The earliest instant the next outbox call may go so that no window of
 * a second (and the margin) holds more than cos.bot_messages_per_second:
 * a second after the call that many calls back.
 */
static TimestampTz
WindowOpensAt(void)
{
	int			n = Min(cos_bot_messages_per_second, BOT_MAX_RATE);

	return sends[(sends_next + BOT_MAX_RATE - n) % BOT_MAX_RATE] +
		(int64) (1000000.0 * BOT_LIMIT_MARGIN);
}

/* Records that an outbox call went at t. */
static void
RecordSend(TimestampTz t)
{
	sends[sends_next] = t;
	sends_next = (sends_next + 1) % BOT_MAX_RATE;
}

/* Forgets the limiter's sends older than a chat interval. */
static void
PruneRecent(TimestampTz now)
{
	long		keep_us = (long) (cos_bot_chat_interval_ms * 1000L * BOT_LIMIT_MARGIN);
	int			i,
				j = 0;

	for (i = 0; i < n_recent; i++)
		if (recent[i].at > now - keep_us)
			recent[j++] = recent[i];
	n_recent = j;
}

/*
 * Claims the next due outbox row (cos._bot_claim marks it sending and
 * commits) whose chat had no message within cos.bot_chat_interval, and
 * starts its call.  False when nothing is due.
 */
static bool
SendNext(TimestampTz now)
{
	MemoryContext cxt = CurrentMemoryContext;
	StringInfoData busy;
	volatile bool claimed = false;
	json_t	   *volatile body = NULL;
	char		method[32] = "";
	volatile int64 row_id = 0;
	volatile int64 chat_id = 0;
	volatile int attempts = 0;
	volatile long next_in_ms = -1;
	int			i;

	PruneRecent(now);
	initStringInfo(&busy);
	appendStringInfoChar(&busy, '{');
	for (i = 0; i < n_recent; i++)
		appendStringInfo(&busy, "%s" INT64_FORMAT, i ? "," : "", recent[i].chat_id);
	appendStringInfoChar(&busy, '}');

	PG_TRY();
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(busy.data)};

		cos_begin_work("claiming an outbox row");
		if (SPI_execute_with_args("SELECT id, chat_id, method, attempts, body::text, next_in_ms FROM cos._bot_claim($1::bigint[])",
								  1, types, values, NULL, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "cos bot: cos._bot_claim() failed");
		if (SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) == NULL)
		{
			char	   *next = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6);

			next_in_ms = next ? strtol(next, NULL, 10) : -1;
		}
		else
		{
			HeapTuple	tup = SPI_tuptable->vals[0];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			char	   *text = SPI_getvalue(tup, desc, 5);

			row_id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
			chat_id = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
			strlcpy(method, SPI_getvalue(tup, desc, 3), sizeof(method));
			attempts = DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
			body = json_loads(text, 0, NULL);
			claimed = true;
		}
		cos_end_work();
	}
	PG_CATCH();
	{
		WarnAndAbort(cxt, "claiming from the outbox");
		outbox_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 5000);
		claimed = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	pfree(busy.data);

	if (!claimed)
	{
		if (next_in_ms == 0 && n_recent > 0)
		{
			/* due rows, all to chats written to just now: when the first is free */
			long		keep_us = (long) (cos_bot_chat_interval_ms * 1000L * BOT_LIMIT_MARGIN);
			TimestampTz first = recent[0].at;

			for (i = 1; i < n_recent; i++)
				first = Min(first, recent[i].at);
			outbox_at = Max(outbox_at, first + keep_us);
		}
		else if (next_in_ms >= 0)
			outbox_at = Max(outbox_at, TimestampTzPlusMilliseconds(now, Min(Max(next_in_ms, 10), cos_poll_interval_ms)));
		else
			outbox_at = Max(outbox_at, TimestampTzPlusMilliseconds(now, cos_poll_interval_ms));
		return false;
	}
	if (body != NULL)
	{
		BotCall    *call = StartCall(CALL_OUTBOX, method, body, cos_bot_request_timeout_ms);

		if (call != NULL)
		{
			call->row_id = row_id;
			call->chat_id = chat_id;
			call->attempts = attempts;
			outbox_in_flight++;
			/* a callback's answer is no message in the chat */
			if (strcmp(method, "answerCallbackQuery") != 0 && n_recent < (int) lengthof(recent))
			{
				/* the call goes now, the claim's transaction behind it */
				recent[n_recent].chat_id = chat_id;
				recent[n_recent].at = GetCurrentTimestamp();
				n_recent++;
			}
			return true;
		}
	}
	/* the row could not even be sent: failed, never retried */
	if (n_results++ > 0)
		appendStringInfoChar(&results, ',');
	appendStringInfo(&results, "{\"id\":" INT64_FORMAT ",\"outcome\":\"failed\",\"error\":\"the call could not be built\"}",
					 row_id);
	return true;
}

/* Adds one outcome to the results to be stored. */
static void
AddResult(int64 id, const char *outcome, const char *error, int64 message_id, long retry_ms, bool blocked)
{
	json_t	   *r = json_pack("{s:I, s:s, s:s?, s:o?, s:I, s:b}",
							  "id", (json_int_t) id, "outcome", outcome, "error", error,
							  "message_id", message_id ? json_integer(message_id) : NULL,
							  "retry_ms", (json_int_t) retry_ms, "blocked", blocked);
	char	   *s;

	if (r == NULL)
	{
		ereport(WARNING, (errmsg("cos bot: out of memory recording the outcome of outbox row " INT64_FORMAT, id)));
		return;
	}
	s = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (s == NULL)
		return;
	if (n_results++ > 0)
		appendStringInfoChar(&results, ',');
	appendStringInfoString(&results, s);
	free(s);
}

/* An outbox call's answer: its row's outcome, and the limits it sets. */
static void
OutboxDone(BotCall *call, CURLcode rc)
{
	BotAnswer	a;
	char	   *why;
	json_t	   *msg;

	outbox_in_flight--;
	ReadAnswer(call, rc, &a);
	why = AnswerError(call, &a);
	if (a.ok)
	{
		msg = json_object_get(json_object_get(a.json, "result"), "message_id");
		AddResult(call->row_id, "sent", NULL, json_is_integer(msg) ? json_integer_value(msg) : 0, 0, false);
	}
	else if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
			 rc == CURLE_COULDNT_CONNECT)
	{
		/* it never reached Telegram: safe to send again */
		AddResult(call->row_id, "retry", why, 0,
				  Jitter(Min(1000L << Min(call->attempts, 6), (long) BOT_MAX_BACKOFF_MS)), false);
		outbox_paused_until = Max(outbox_paused_until, TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 1000));
	}
	else if (rc != CURLE_OK || a.json == NULL)
	{
		/* it may have arrived (a timeout, a cut connection): never again */
		AddResult(call->row_id, "unknown", why, 0, 0, false);
	}
	else if (a.http_status == 429)
	{
		/* nothing goes out before retry_after; the row waits as long */
		long		wait_ms = Max(a.retry_after_s, 1) * 1000L;

		AddResult(call->row_id, "later", why, 0, wait_ms, false);
		outbox_paused_until = Max(outbox_paused_until, TimestampTzPlusMilliseconds(GetCurrentTimestamp(), wait_ms));
		ereport(LOG, (errmsg("cos bot: Telegram asked to wait %ld s (429 in %s)", a.retry_after_s, call->method)));
	}
	else if (a.http_status == 401 || a.http_status == 404)
	{
		AddResult(call->row_id, "later", why, 0, BOT_TOKEN_RETRY_MS, false);
		TokenRefused(call, &a);
	}
	else if (a.http_status >= 500)
		AddResult(call->row_id, "retry", why, 0,
				  Jitter(Min(1000L << Min(call->attempts, 6), (long) BOT_MAX_BACKOFF_MS)), false);
	else
	{
		/* 400, 403: Telegram will not deliver it */
		AddResult(call->row_id, "failed", a.description ? a.description : why, 0, 0,
				  a.http_status == 403 && call->chat_id > 0);
	}
	pfree(why);
	json_decref(a.json);
}

/* Stores the outcomes gathered since the last call. */
static void
StoreResults(void)
{
	char	   *json;

	if (n_results == 0)
		return;
	json = psprintf("[%s]", results.data);
	resetStringInfo(&results);
	n_results = 0;
	if (!RunStatement("storing outbox outcomes", "SELECT cos._bot_sent($1::jsonb)", json, NULL))
		ereport(WARNING, (errmsg("cos bot: the outcomes of some outbox rows were lost; they stay sending until the bot restarts, then unknown")));
	pfree(json);
}

/* Handles every call that finished. */
static void
CollectFinished(void)
{
	CURLMsg    *msg;
	int			left;

	while ((msg = curl_multi_info_read(multi, &left)) != NULL)
	{
		BotCall    *call;
		BotCall   **link;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &call);
		switch (call->kind)
		{
			case CALL_UPDATES:
				PollDone(call, msg->data.result);
				break;
			case CALL_SETUP:
				SetupDone(call, msg->data.result);
				break;
			case CALL_OUTBOX:
				OutboxDone(call, msg->data.result);
				break;
		}
		for (link = &calls; *link != NULL; link = &(*link)->next)
			if (*link == call)
			{
				*link = call->next;
				break;
			}
		FreeCall(call);
	}
}

/*
 * Waits up to timeout_ms for curl's sockets, the latch or postmaster death,
 * then lets curl do what became possible.
 */
static void
WaitAndPerform(long timeout_ms)
{
	pgstat_report_activity(STATE_IDLE, NULL);
	cos_curl_wait(&curl_wait, Max(timeout_ms, 0));
}

/* Drops every call in flight (the token changed); their rows stay sending. */
static void
DropCalls(void)
{
	while (calls != NULL)
	{
		BotCall    *next = calls->next;

		if (calls->kind == CALL_OUTBOX)
			AddResult(calls->row_id, "unknown", "the bot token changed while this call was out", 0, 0, false);
		FreeCall(calls);
		calls = next;
	}
	poll_in_flight = false;
	setup_in_flight = 0;
	outbox_in_flight = 0;
}

/*
 * Entry point of the bot worker (started by the launcher while
 * cos.bot_token_file is set).
 */
void
cos_bot_main(Datum arg)
{
	MemoryContext loop_cxt;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (!TakeBotSlot())
	{
		ereport(LOG, (errmsg("cos bot worker is already running")));
		proc_exit(0);
	}
	before_shmem_exit(ReleaseBotSlot, (Datum) 0);

	BackgroundWorkerInitializeConnection(cos_database, NULL, 0);
	pgstat_report_appname("cos bot");

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		ereport(ERROR, (errmsg("cos bot: could not initialise libcurl")));
	multi = curl_multi_init();
	if (multi == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not create a curl multi handle")));
	cos_curl_wait_init(&curl_wait, multi);
	srandom((unsigned int) (MyProcPid ^ GetCurrentTimestamp()));

	MemoryContextSwitchTo(TopMemoryContext);
	initStringInfo(&results);
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "cos bot loop", ALLOCSET_DEFAULT_SIZES);

	cos_wait_for_extension("outbox");

	RunStatement("marking rows left sending", "SELECT cos._bot_recover()", NULL, NULL);
	LoadOffset();
	ereport(LOG, (errmsg("cos bot worker started (updates from offset " INT64_FORMAT ")", update_offset)));

	for (;;)
	{
		const char *t;
		TimestampTz now;
		long		timeout_ms;

		MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			setup_done = false; /* cos.webapp_url may have changed */
		}
		if (MyLatch->is_set)
		{
			/* rows were queued */
			ResetLatch(MyLatch);
			outbox_at = Min(outbox_at, GetCurrentTimestamp());
		}

		t = BotToken();
		if (t == NULL)
		{
			if (calls != NULL)
				DropCalls();
			if (token != NULL)
			{
				pfree(token);
				token = NULL;
			}
			StoreResults();
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 10000L, PG_WAIT_EXTENSION);
			continue;
		}
		if (token == NULL || strcmp(token, t) != 0)
		{
			/* a new token: a new bot, as far as Telegram can tell */
			if (calls != NULL)
				DropCalls();
			if (token != NULL)
			{
				ereport(LOG, (errmsg("cos bot: the bot token changed")));
				explicit_bzero(token, strlen(token));
				pfree(token);
				LoadOffset();
			}
			token = MemoryContextStrdup(TopMemoryContext, t);
			poll_at = setup_at = outbox_at = outbox_paused_until = 0;
			setup_done = false;
		}

		now = GetCurrentTimestamp();
		if (!setup_done && setup_in_flight == 0 && now >= setup_at)
			StartSetup();
		if (!poll_in_flight && now >= poll_at)
			StartPoll();
		if (now >= queue_at)
		{
			int64		n = 0;

			RunStatement("queueing digests", "SELECT cos._bot_queue_digests()", NULL, &n);
			RunStatement("queueing alerts", "SELECT cos._bot_queue_alerts()", NULL, &n);
			queue_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), BOT_QUEUE_EVERY_MS);
		}

		/*
		 * The outbox: calls spaced evenly at cos.bot_messages_per_second
		 * (and the margin), never more than that in any second counted
		 * from when they went (the claim's transaction may delay one), at
		 * most that many in flight.
		 */
		now = GetCurrentTimestamp();
		while (now >= outbox_at && now >= outbox_paused_until && now >= next_send_at &&
			   now >= WindowOpensAt() && outbox_in_flight < cos_bot_messages_per_second)
		{
			TimestampTz went;

			if (!SendNext(now))
				break;			/* SendNext set outbox_at */
			went = GetCurrentTimestamp();
			RecordSend(went);
			next_send_at = Max(next_send_at, went) +
				(int64) (1000000.0 * BOT_LIMIT_MARGIN / cos_bot_messages_per_second);
			now = GetCurrentTimestamp();
		}
		StoreResults();

		timeout_ms = Min(MsUntil(queue_at), MsUntil(poll_at));
		if (outbox_in_flight < cos_bot_messages_per_second)
			timeout_ms = Min(timeout_ms, MsUntil(Max(Max(outbox_at, next_send_at),
													 Max(outbox_paused_until, WindowOpensAt()))));
		if (!setup_done && setup_in_flight == 0)
			timeout_ms = Min(timeout_ms, MsUntil(setup_at));
		WaitAndPerform(Max(timeout_ms, 0));
		CollectFinished();
		StoreResults();
	}
}
