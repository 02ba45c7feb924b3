/*
 * worker.h
 *	  What the Cos workers that talk to SPI in a loop (fetch, bot) share:
 *	  their short transactions, and waiting for CREATE EXTENSION cos.
 */
#ifndef COS_WORKER_H
#define COS_WORKER_H

#include <curl/curl.h>

#include "datatype/timestamp.h"
#include "storage/latch.h"

/*
 * cos_begin_work: starts a transaction with SPI connected and a snapshot
 * pushed, as worker_spi does; activity is what pg_stat_activity shows.
 */
extern void cos_begin_work(const char *activity);

/* cos_end_work: commits what cos_begin_work opened; the worker shows idle. */
extern void cos_end_work(void);

/*
 * cos_wait_for_extension: returns once CREATE EXTENSION cos has been run in
 * this database and its table cos.<relname> exists (so not while the
 * extension's script still runs), looking every cos.poll_interval and when
 * the latch is set; reloads the configuration on SIGHUP, exits on SIGTERM.
 */
extern void cos_wait_for_extension(const char *relname);

/*
 * A curl multi handle's sockets waited on together with the worker's latch
 * and postmaster death, through one epoll set that curl's socket callback
 * keeps (libcurl's multi_socket API, as the gateway waits on
 * libmicrohttpd's epoll set): a worker wakes when a transfer can move, when
 * its latch is set (work queued, SIGTERM, SIGHUP) or when curl's timer
 * falls due, and never polls.
 */
typedef struct CosCurlWait
{
	CURLM	   *multi;
	int			epoll_fd;		/* the transfers' sockets */
	WaitEventSet *set;			/* latch, postmaster death, epoll_fd */
	bool		timer_set;		/* curl asked to be called at timer_at */
	TimestampTz timer_at;
} CosCurlWait;

/*
 * cos_curl_wait_init: sets w up for multi (its socket and timer callbacks);
 * the multi handle is then driven by cos_curl_wait only (never
 * curl_multi_perform).  Raises an error when no epoll set can be made.
 */
extern void cos_curl_wait_init(CosCurlWait *w, CURLM *multi);

/*
 * cos_curl_wait: waits up to max_ms (0: does not wait) for a socket of w's
 * transfers, the latch, or curl's timer, then lets curl move every transfer
 * that can; finished transfers are then read with curl_multi_info_read.
 * The latch is left set for the caller to reset.
 */
extern void cos_curl_wait(CosCurlWait *w, long max_ms);

#endif							/* COS_WORKER_H */
