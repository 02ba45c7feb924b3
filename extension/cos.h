/*
 * cos.h
 *	  Backend-side declarations shared by the extension and its workers:
 *	  GUC variables and the shared-memory state the workers are woken through.
 */
#ifndef COS_H
#define COS_H

#include "postgres.h"
#include "postmaster/bgworker.h"
#include "storage/latch.h"
#include "storage/spin.h"

#define COS_MAX_FETCH_WORKERS 64

/* GUC variables (see _PG_init for meanings and defaults). */
extern char *cos_database;
extern int	cos_fetch_workers;
extern int	cos_fetch_concurrency;
extern int	cos_poll_interval_ms;
extern int	cos_visibility_timeout_s;
extern int	cos_max_response_bytes;
extern int	cos_channel_max_videos;
extern int	cos_thumbnail_max_bytes;
extern char *cos_http_listen;
extern int	cos_http_workers;
extern char *cos_http_cors_origin;
extern int	cos_http_max_body;
extern int	cos_http_max_anon_body;
extern int	cos_http_max_connections;
extern int	cos_http_max_connections_per_client;
extern int	cos_http_connection_timeout_s;
extern char *cos_http_role;
extern char *cos_http_app_dir;
extern int	cos_http_statement_timeout_ms;
extern int	cos_http_lock_timeout_ms;

#define COS_MAX_HTTP_WORKERS 32

extern char *cos_bot_token_file;
extern char *cos_bot_api_url;
extern bool cos_bot_enabled;
extern int	cos_bot_poll_timeout_s;
extern int	cos_bot_messages_per_second;
extern int	cos_bot_chat_interval_ms;
extern int	cos_bot_request_timeout_ms;
extern char *cos_jwt_secret_file;
extern char *cos_authenticator_roles;
extern int	cos_init_data_max_age_s;
extern int	cos_jwt_expiry_s;

/* The secrets read from files (secrets.c). */
typedef enum CosSecret
{
	COS_SECRET_JWT,				/* cos.jwt_secret_file: HS256 secret of the API's JWTs */
	COS_SECRET_BOT_TOKEN		/* cos.bot_token_file: the Mini App bot's token */
} CosSecret;

/*
 * cos_secret: the secret in the file its setting names (trailing newline and
 * blanks cut; NUL-terminated, valid until the next call for that secret), or
 * NULL when the setting is empty.  Read at first use and again whenever the
 * setting or the file changes.  Raises object_not_in_prerequisite_state
 * (55000) for a file its group or others may access, an empty one or one
 * over 4 kB, and a file-access error for one that cannot be read.
 */
extern const char *cos_secret(CosSecret which);

/* One slot per fetch worker: who holds it and the latch to wake it. */
typedef struct CosWorkerSlot
{
	pid_t		pid;
	Latch	   *latch;
} CosWorkerSlot;

/* Platforms are indexed by CosPlatform (url.h); 0 is unused. */
#define COS_PLATFORM_SLOTS 8

/*
 * Each platform's limits across all fetch workers (under mutex):
 *   active[w][p]     transfers fetch worker w has in flight for platform p
 *                    (a restarted worker clears its own row);
 *   next_request[p]  the earliest instant (TimestampTz, µs) the platform's
 *                    next request may start: requests_per_second as a
 *                    generic cell rate, with no burst.
 */
/*
 * What a gateway worker's role check (cos_http_check_main) found about
 * cos.http_role and cos.database, written to http_role_check[worker].
 */
typedef enum CosHttpRoleCheck
{
	COS_HTTP_CHECK_PENDING = 0,	/* no answer: the check worker exited without
								 * one (it failed, or was stopped) */
	COS_HTTP_CHECK_READY,		/* the gateway may connect */
	COS_HTTP_CHECK_NO_ROLE,
	COS_HTTP_CHECK_NO_LOGIN,
	COS_HTTP_CHECK_PRIVILEGED,	/* superuser or BYPASSRLS: refused */
	COS_HTTP_CHECK_NO_DATABASE,
	COS_HTTP_CHECK_NOT_STARTED	/* the check worker could not be registered
								 * (no free background worker slot) */
} CosHttpRoleCheck;

typedef struct CosShared
{
	slock_t		mutex;
	Latch	   *launcher_latch;
	CosWorkerSlot fetch[COS_MAX_FETCH_WORKERS];
	CosWorkerSlot bot;			/* the bot worker (bot.c) */
	int16		active[COS_MAX_FETCH_WORKERS][COS_PLATFORM_SLOTS];
	int64		next_request[COS_PLATFORM_SLOTS];
	int			http_role_check[COS_MAX_HTTP_WORKERS];	/* CosHttpRoleCheck */
} CosShared;

extern CosShared *cos_shared;

/*
 * cos_clip: s (NUL-terminated, server encoding) cut to its first
 * COS_CLIP_CHARS characters with "…" appended when longer, palloc'd: for
 * quoting input in an error message, which must not echo a megabyte back.
 */
#define COS_CLIP_CHARS 200
extern char *cos_clip(const char *s);

/* Sets the latch of every fetch worker (any process may call this). */
extern void cos_wake_fetch_workers(void);

/* Sets the bot worker's latch, if it runs (any process may call this). */
extern void cos_wake_bot(void);

/* Background worker entry points (bgworker/). */
extern PGDLLEXPORT void cos_launcher_main(Datum arg);
extern PGDLLEXPORT void cos_fetch_main(Datum arg);
extern PGDLLEXPORT void cos_http_main(Datum arg);
extern PGDLLEXPORT void cos_http_check_main(Datum arg);
extern PGDLLEXPORT void cos_bot_main(Datum arg);

/*
 * cos_http_open_listen_socket: in the postmaster, binds cos.http_listen once
 * for every gateway worker, which inherit it (http.c); a WARNING and no
 * socket when it cannot, and the workers then bind their own.
 */
extern void cos_http_open_listen_socket(void);

/*
 * cos_worker_init: fills *worker (zeroed first) for one of Cos's background
 * workers: library "cos", entry point function (e.g. "cos_fetch_main"),
 * backend_type type, main argument arg, started once recovery has finished,
 * restarted restart_s seconds after a crash (BGW_NEVER_RESTART: never),
 * with a database connection when connects.  The caller sets bgw_name, and
 * bgw_notify_pid for a dynamic worker it waits for.
 */
extern void cos_worker_init(BackgroundWorker *worker, const char *function, const char *type,
							int arg, int restart_s, bool connects);

#endif							/* COS_H */
