/*
 * cos.c
 *	  Module load: GUCs, shared memory, and the static launcher worker.
 */
#include "postgres.h"

#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"

#include "cos.h"
#include "pgrst.h"

PG_MODULE_MAGIC;

char	   *cos_database = NULL;
int			cos_fetch_workers = 2;
int			cos_fetch_concurrency = 64;
int			cos_poll_interval_ms = 5000;
int			cos_visibility_timeout_s = 300;
int			cos_max_response_bytes = 8 * 1024 * 1024;
int			cos_channel_max_videos = 500;
int			cos_thumbnail_max_bytes = 1024 * 1024;
char	   *cos_http_listen = NULL;
int			cos_http_workers = -1;
char	   *cos_http_cors_origin = NULL;
int			cos_http_max_body = 1024 * 1024;
int			cos_http_max_anon_body = 16 * 1024;
int			cos_http_max_connections = 1000;
int			cos_http_max_connections_per_client = 64;
int			cos_http_connection_timeout_s = 15;
char	   *cos_http_role = NULL;
char	   *cos_http_app_dir = NULL;
char	   *cos_bot_token_file = NULL;
char	   *cos_bot_api_url = NULL;
bool		cos_bot_enabled = true;
int			cos_bot_poll_timeout_s = 25;
int			cos_bot_messages_per_second = 30;
int			cos_bot_chat_interval_ms = 1000;
int			cos_bot_request_timeout_ms = 10000;
char	   *cos_jwt_secret_file = NULL;
char	   *cos_authenticator_roles = NULL;
int			cos_http_statement_timeout_ms = 5000;
int			cos_http_lock_timeout_ms = 2000;
int			cos_init_data_max_age_s = 86400;
int			cos_jwt_expiry_s = 86400;

CosShared  *cos_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

void		_PG_init(void);

/* Asks the postmaster for our shared memory. */
static void
CosShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(CosShared)));
}

/* Creates or attaches the shared state. */
static void
CosShmemStartup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	cos_shared = ShmemInitStruct("cos", sizeof(CosShared), &found);
	if (!found)
	{
		memset(cos_shared, 0, sizeof(CosShared));
		SpinLockInit(&cos_shared->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Sets the latch of every running fetch worker. */
void
cos_wake_fetch_workers(void)
{
	int			i;

	if (cos_shared == NULL)
		return;
	SpinLockAcquire(&cos_shared->mutex);
	for (i = 0; i < COS_MAX_FETCH_WORKERS; i++)
	{
		if (cos_shared->fetch[i].latch != NULL)
			SetLatch(cos_shared->fetch[i].latch);
	}
	SpinLockRelease(&cos_shared->mutex);
}

/* Sets the bot worker's latch. */
void
cos_wake_bot(void)
{
	if (cos_shared == NULL)
		return;
	SpinLockAcquire(&cos_shared->mutex);
	if (cos_shared->bot.latch != NULL)
		SetLatch(cos_shared->bot.latch);
	SpinLockRelease(&cos_shared->mutex);
}

/*
 * The check_hook of a setting that held a secret before (cos.bot_token,
 * cos.jwt_secret): any value but empty is refused, naming the setting that
 * replaced it.
 */
static bool
RemovedSecret(char **newval, const char *name, const char *replacement)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	GUC_check_errmsg("%s was removed: members of pg_read_all_settings can read a secret held in a setting", name);
	GUC_check_errhint("Put the secret in a file only the server's operating-system user may read (chmod 600) and name that file in %s.",
					  replacement);
	return false;
}

/* check_hook of the removed cos.bot_token */
static bool
CheckRemovedBotToken(char **newval, void **extra, GucSource source)
{
	return RemovedSecret(newval, "cos.bot_token", "cos.bot_token_file");
}

/* check_hook of the removed cos.jwt_secret */
static bool
CheckRemovedJwtSecret(char **newval, void **extra, GucSource source)
{
	return RemovedSecret(newval, "cos.jwt_secret", "cos.jwt_secret_file");
}

/* check_hook of cos.http_listen: empty, or host:port. */
static bool
CheckHttpListen(char **newval, void **extra, GucSource source)
{
	char		host[256];
	int			port;

	if (*newval == NULL || (*newval)[0] == '\0' ||
		cos_parse_listen(*newval, host, sizeof(host), &port))
		return true;
	GUC_check_errdetail("Give host:port, e.g. '127.0.0.1:8787' or '[::1]:8787', or '' for no gateway.");
	return false;
}

/*
 * cos.http_workers = -1 runs one gateway worker per CPU core online, at most
 * HTTP_AUTO_MAX_WORKERS, and at most max_worker_processes minus
 * HTTP_AUTO_OTHER_WORKERS, so that with the default max_worker_processes (8)
 * the others still find a slot: Postgres's logical replication launcher,
 * pg_cron's launcher, the cos launcher, two fetch workers and a gateway's
 * short-lived role check.
 */
#define HTTP_AUTO_MAX_WORKERS 4
#define HTTP_AUTO_OTHER_WORKERS 6

/* The number of gateway workers cos.http_workers = -1 stands for (at least 1). */
static int
AutoHttpWorkers(void)
{
	long		cores = sysconf(_SC_NPROCESSORS_ONLN);
	int			n = cores > 0 ? (int) Min(cores, HTTP_AUTO_MAX_WORKERS) : 1;

	n = Min(n, max_worker_processes - HTTP_AUTO_OTHER_WORKERS);
	return Max(n, 1);
}

/*
 * check_hook of cos.http_workers: -1 becomes AutoHttpWorkers(), so that
 * SHOW gives the count running (as wal_buffers = -1 does); 0 is refused.
 */
static bool
CheckHttpWorkers(int *newval, void **extra, GucSource source)
{
	if (*newval == -1)
		*newval = AutoHttpWorkers();
	if (*newval >= 1)
		return true;
	GUC_check_errdetail("Give -1 (one per CPU core, at most %d) or a count from 1 to %d; an empty cos.http_listen turns the gateway off.",
						HTTP_AUTO_MAX_WORKERS, COS_MAX_HTTP_WORKERS);
	return false;
}

/* cos_worker_init: see cos.h */
void
cos_worker_init(BackgroundWorker *worker, const char *function, const char *type,
				int arg, int restart_s, bool connects)
{
	memset(worker, 0, sizeof(*worker));
	worker->bgw_flags = BGWORKER_SHMEM_ACCESS |
		(connects ? BGWORKER_BACKEND_DATABASE_CONNECTION : 0);
	worker->bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker->bgw_restart_time = restart_s;
	snprintf(worker->bgw_library_name, BGW_MAXLEN, "cos");
	snprintf(worker->bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(worker->bgw_type, BGW_MAXLEN, "%s", type);
	worker->bgw_main_arg = Int32GetDatum(arg);
}

/*
 * Opens the gateway's listening socket and registers cos.http_workers
 * static gateway workers when cos.http_listen is set.  Static rather than
 * started by the launcher: the gateway needs neither the launcher nor the
 * fetch workers, the postmaster restarts a gateway worker that dies, and
 * they inherit the socket the postmaster holds (so their count and address
 * only change with a restart).
 */
static void
RegisterHttpWorkers(void)
{
	int			i;

	if (cos_http_listen == NULL || cos_http_listen[0] == '\0')
		return;
	cos_http_open_listen_socket();
	for (i = 0; i < cos_http_workers; i++)
	{
		BackgroundWorker worker;

		cos_worker_init(&worker, "cos_http_main", "cos http gateway", i, 5, true);
		snprintf(worker.bgw_name, BGW_MAXLEN, "cos http gateway %d", i);
		RegisterBackgroundWorker(&worker);
	}
}

/* Defines the GUCs, hooks shared memory and registers the workers. */
void
_PG_init(void)
{
	BackgroundWorker worker;

	if (IsBinaryUpgrade)
		return;

	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cos must be loaded via shared_preload_libraries"),
				 errhint("Add cos to the shared_preload_libraries configuration variable in postgresql.conf, after pg_cron.")));

	DefineCustomStringVariable("cos.database",
							   "Database the Cos workers connect to (where CREATE EXTENSION cos is run).",
							   NULL, &cos_database, "postgres",
							   PGC_POSTMASTER, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.fetch_workers",
							"Number of fetch workers (0 = none).",
							NULL, &cos_fetch_workers, 2, 0, COS_MAX_FETCH_WORKERS,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.fetch_concurrency",
							"HTTP transfers at once per fetch worker.",
							NULL, &cos_fetch_concurrency, 64, 1, 1024,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.poll_interval",
							"Longest time an idle fetch worker waits before looking at the queue again.",
							"Workers are woken at commit when jobs are enqueued; this is the fallback.",
							&cos_poll_interval_ms, 5000, 10, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.visibility_timeout",
							"How long a claimed job stays invisible to other workers.",
							"A job whose worker died reappears after this time.",
							&cos_visibility_timeout_s, 300, 5, 24 * 3600,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.max_response_bytes",
							"Largest response body a worker accepts.",
							NULL, &cos_max_response_bytes, 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.thumbnail_max_bytes",
							"Largest thumbnail a worker downloads; 0 turns thumbnail downloads off.",
							"Thumbnails are downloaded once per video from its platform's CDN hosts and served as /uploads/<sha256>.",
							&cos_thumbnail_max_bytes, 1024 * 1024, 0, 64 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.channel_max_videos",
							"Most videos collected per channel per run (YouTube uploads playlist pages).",
							NULL, &cos_channel_max_videos, 500, 1, 100000,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	/* read by cos.tick() through current_setting() */
	{
		static int	catchup_window_s;

		DefineCustomIntVariable("cos.catchup_window",
								"A schedule slot missed by less than this is run once when tick() next runs.",
								NULL, &catchup_window_s, 6 * 3600, 0, 7 * 24 * 3600,
								PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	}

	/* read by cos.tick() through current_setting() */
	{
		static int	log_retention_s;

		DefineCustomIntVariable("cos.log_retention",
								"How long finished jobs and fetch_log rows are kept (tick() drops older ones).",
								NULL, &log_retention_s, 7 * 24 * 3600, 3600, INT_MAX,
								PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	}

	/* read by cos.tick() through current_setting() */
	{
		static int	history_retention_s;

		DefineCustomIntVariable("cos.history_retention",
								"How long history is kept: tick() drops the monthly partitions of video_history and channel_history that ended longer ago (0: kept for ever).",
								NULL, &history_retention_s, 0, 0, INT_MAX,
								PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	}

	/* read by cos.tick() through current_setting() */
	{
		static int	batch_timeout_s;

		DefineCustomIntVariable("cos.batch_timeout",
								"A batch whose worker took no job from it for this long is released by tick().",
								NULL, &batch_timeout_s, 30 * 60, 60, 7 * 24 * 3600,
								PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	}
	/*
	 * The HTTP gateway.  The address and the number of workers are fixed at
	 * server start, like listen_addresses and port: the workers are static
	 * background workers registered below.
	 */
	DefineCustomStringVariable("cos.http_listen",
							   "Address the HTTP gateway listens on, host:port (empty = no gateway).",
							   "For example '127.0.0.1:8787'.  The postmaster opens it once; every gateway worker accepts on it.",
							   &cos_http_listen, "",
							   PGC_POSTMASTER, 0, CheckHttpListen, NULL, NULL);
	DefineCustomIntVariable("cos.http_workers",
							"Number of HTTP gateway workers sharing cos.http_listen (-1 = one per CPU core, at most 4).",
							"-1 also leaves 6 of max_worker_processes to other workers.",
							&cos_http_workers, -1, -1, COS_MAX_HTTP_WORKERS,
							PGC_POSTMASTER, 0, CheckHttpWorkers, NULL, NULL);
	DefineCustomStringVariable("cos.http_cors_origin",
							   "Origins whose pages may call the HTTP gateway (CORS): empty = none, '*' = any, or a comma-separated list.",
							   NULL, &cos_http_cors_origin, "",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("cos.http_app_dir",
							   "Directory of the mini-app's built files the HTTP gateway serves at /app/ (empty = <sharedir>/cos_app, where make install puts them).",
							   NULL, &cos_http_app_dir, "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomStringVariable("cos.http_role",
							   "Role the HTTP gateway workers log in as (PostgREST's authenticator role).",
							   "It needs LOGIN, must be neither superuser nor BYPASSRLS, and is granted the roles "
							   "requests switch to (cos_anon, cos_user, cos_admin).",
							   &cos_http_role, "cos_authenticator",
							   PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.http_max_body",
							"Largest request body the HTTP gateway accepts.",
							"A larger body announced by Content-Length is answered 413 without being read; "
							"a chunked one is cut off (the connection closed) when it passes the limit.",
							&cos_http_max_body, 1024 * 1024, 1024, 256 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.http_max_anon_body",
							"Largest request body the HTTP gateway accepts without an Authorization header.",
							"Anonymous requests can only sign in (cos_api.login), which takes a few kB.  "
							"The lower of this and cos.http_max_body applies.",
							&cos_http_max_anon_body, 16 * 1024, 1024, 256 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.http_statement_timeout",
							"Longest time an HTTP gateway request may run (0 = no limit).",
							"It is the request's statement_timeout, counted from the start of its transaction; "
							"a longer request is cancelled with SQLSTATE 57014.",
							&cos_http_statement_timeout_ms, 5000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.http_lock_timeout",
							"Longest time an HTTP gateway request waits for one lock (0 = no limit).",
							"The request's lock_timeout: a longer wait fails with SQLSTATE 55P03.",
							&cos_http_lock_timeout_ms, 2000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	/*
	 * Connection limits: libmicrohttpd takes them when a gateway worker
	 * starts its daemon, so they change with a restart.
	 */
	DefineCustomIntVariable("cos.http_max_connections",
							"Most connections each HTTP gateway worker holds at once.",
							"Lowered at start, with a LOG line, when the open files limit leaves less.",
							&cos_http_max_connections, 1000, 1, 1000000,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.http_max_connections_per_client",
							"Most connections each HTTP gateway worker holds from one client address (0 = no limit).",
							"Behind a reverse proxy every client has the proxy's address: raise it or set 0 there.",
							&cos_http_max_connections_per_client, 64, 0, 1000000,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.http_connection_timeout",
							"How long the HTTP gateway keeps a connection on which nothing is sent or received.",
							NULL, &cos_http_connection_timeout_s, 15, 1, 3600,
							PGC_POSTMASTER, GUC_UNIT_S, NULL, NULL, NULL);

	/*
	 * The mini-app's API (sql_auth.c).  The secrets live in files
	 * (secrets.c): members of pg_read_all_settings can read any setting.
	 * Superuser-only: a user who could name another file could forge
	 * sign-ins.
	 */
	DefineCustomStringVariable("cos.bot_token_file",
							   "File holding the Telegram bot token Mini App initData is validated with.",
							   "Readable by the server's operating-system user only (chmod 600); relative to the data directory.",
							   &cos_bot_token_file, "",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("cos.jwt_secret_file",
							   "File holding the secret the API's JWTs are signed with (HS256, at least 32 bytes; PostgREST's jwt-secret).",
							   "Readable by the server's operating-system user only (chmod 600); relative to the data directory.",
							   &cos_jwt_secret_file, "",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	/* the settings that held the secrets before: a value is refused */
	{
		static char *removed_bot_token;
		static char *removed_jwt_secret;

		DefineCustomStringVariable("cos.bot_token",
								   "Removed: use cos.bot_token_file.", NULL,
								   &removed_bot_token, "", PGC_SUSET,
								   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_SUPERUSER_ONLY,
								   CheckRemovedBotToken, NULL, NULL);
		DefineCustomStringVariable("cos.jwt_secret",
								   "Removed: use cos.jwt_secret_file.", NULL,
								   &removed_jwt_secret, "", PGC_SUSET,
								   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_SUPERUSER_ONLY,
								   CheckRemovedJwtSecret, NULL, NULL);
	}
	DefineCustomStringVariable("cos.authenticator_roles",
							   "Login roles whose sessions may pass a user's claims in request.jwt.claims (PostgREST's authenticator), besides cos.http_role and superusers.",
							   "A comma-separated list of role names.  In any other session the API ignores the claims: nobody is signed in.",
							   &cos_authenticator_roles, "cos_authenticator",
							   PGC_SUSET, GUC_LIST_INPUT, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.init_data_max_age",
							"Oldest Telegram initData (by its auth_date) accepted at sign-in.",
							NULL, &cos_init_data_max_age_s, 86400, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.jwt_expiry",
							"How long a JWT issued by cos_api.login stays valid.",
							NULL, &cos_jwt_expiry_s, 86400, 60, 365 * 86400,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);

	/* the mini-app users' limits, read by cos._check_add() (sql/api.sql) */
	{
		static int	user_max_channels;
		static int	user_max_videos;
		static int	user_adds_per_minute;

		DefineCustomIntVariable("cos.user_max_channels",
								"Most channels one mini-app user may track (0 = no limit; administrators are exempt).",
								NULL, &user_max_channels, 100, 0, INT_MAX,
								PGC_SUSET, 0, NULL, NULL, NULL);
		DefineCustomIntVariable("cos.user_max_videos",
								"Most single videos one mini-app user may track (0 = no limit; administrators are exempt).",
								"Videos found through a tracked channel do not count.",
								&user_max_videos, 1000, 0, INT_MAX,
								PGC_SUSET, 0, NULL, NULL, NULL);
		DefineCustomIntVariable("cos.user_adds_per_minute",
								"Most channels and videos one mini-app user may add a minute (0 = no limit; administrators are exempt).",
								"A burst of this many, then one every 60 / this seconds.",
								&user_adds_per_minute, 30, 0, 100000,
								PGC_SUSET, 0, NULL, NULL, NULL);
	}

	/*
	 * The bot (bgworker/bot.c, sql/bot.sql).  The launcher runs it while
	 * cos.bot_token_file is set.
	 */
	DefineCustomBoolVariable("cos.bot_enabled",
							 "Whether the bot worker runs (while cos.bot_token_file is set).",
							 "Off when another program answers this bot's updates: the mini-app's sign-in still uses the token.",
							 &cos_bot_enabled, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("cos.bot_api_url",
							   "Base URL of the Telegram Bot API the bot calls (<url>/bot<token>/<method>).",
							   "A local Bot API server, or a test's fake, may stand in for Telegram's.",
							   &cos_bot_api_url, "https://api.telegram.org",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	{
		static char *webapp_url;
		static char *bot_username;
		static char *bot_app_name;
		static int	bot_max_attempts;

		/* read by sql/bot.sql through current_setting() */
		DefineCustomStringVariable("cos.webapp_url",
								   "Public HTTPS URL of the mini-app, which the bot's buttons and menu button open (empty = no button).",
								   "For example 'https://cos.example.com/app/'; a start_param is passed as ?startapp=<param>.",
								   &webapp_url, "", PGC_SUSET, 0, NULL, NULL, NULL);
		DefineCustomStringVariable("cos.bot_username",
								   "The bot's username, without @ (for t.me links).",
								   NULL, &bot_username, "", PGC_SUSET, 0, NULL, NULL, NULL);
		DefineCustomStringVariable("cos.bot_app_name",
								   "The short name of the mini-app registered with @BotFather (/newapp): alerts and digests link to https://t.me/<cos.bot_username>/<this>?startapp=<param>.",
								   "Empty: they carry a web_app button to cos.webapp_url instead.",
								   &bot_app_name, "", PGC_SUSET, 0, NULL, NULL, NULL);
		DefineCustomIntVariable("cos.bot_max_attempts",
								"Most calls the bot makes for one outbox message Telegram answered 5xx or could not be reached for.",
								NULL, &bot_max_attempts, 5, 1, 100,
								PGC_SUSET, 0, NULL, NULL, NULL);
	}
	DefineCustomIntVariable("cos.bot_poll_timeout",
							"How long one getUpdates long poll waits for updates.",
							NULL, &cos_bot_poll_timeout_s, 25, 0, 50,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.bot_messages_per_second",
							"Most Bot API calls a second the bot makes from its outbox (Telegram allows about 30 messages a second).",
							"The calls are spaced evenly, 2% apart more than the limit.",
							&cos_bot_messages_per_second, 30, 1, 1000,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.bot_chat_interval",
							"Shortest time between two messages the bot sends to one chat (Telegram allows about one a second).",
							NULL, &cos_bot_chat_interval_ms, 1000, 0, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("cos.bot_request_timeout",
							"Longest time the bot waits for Telegram to answer a message it sends.",
							"A call that times out may have been delivered: its row ends unknown, never sent twice.",
							&cos_bot_request_timeout_ms, 10000, 100, 600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	MarkGUCPrefixReserved("cos");

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = CosShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = CosShmemStartup;

	cos_worker_init(&worker, "cos_launcher_main", "cos launcher", 0, 5, false);
	snprintf(worker.bgw_name, BGW_MAXLEN, "cos launcher");
	RegisterBackgroundWorker(&worker);

	RegisterHttpWorkers();
}
