/*
 * worker.c
 *	  What the Cos workers that talk to SPI in a loop share (worker.h):
 *	  short transactions, waiting for the extension, and waiting on curl's
 *	  sockets and the latch together.
 */
#include "postgres.h"

#include <sys/epoll.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "cos.h"
#include "worker.h"

/* cos_begin_work: see worker.h */
void
cos_begin_work(const char *activity)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

/* cos_end_work: see worker.h */
void
cos_end_work(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* True when the extension is created and cos.<relname> exists. */
static bool
ExtensionReady(const char *relname)
{
	bool		ready;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	ready = OidIsValid(get_extension_oid("cos", true));
	if (ready)
	{
		Oid			nsp = get_namespace_oid("cos", true);

		ready = OidIsValid(nsp) && OidIsValid(get_relname_relid(relname, nsp));
	}
	CommitTransactionCommand();
	return ready;
}

/* cos_wait_for_extension: see worker.h */
void
cos_wait_for_extension(const char *relname)
{
	while (!ExtensionReady(relname))
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 cos_poll_interval_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	}
}

/*
 * curl's socket callback: keeps s in the epoll set with the events curl
 * waits for (CURL_POLL_IN, _OUT, _INOUT), or takes it out (CURL_POLL_REMOVE,
 * before curl closes it).
 */
static int
CurlSocket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	CosCurlWait *w = (CosCurlWait *) userp;
	struct epoll_event ev;

	if (what == CURL_POLL_REMOVE)
	{
		(void) epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = s;
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
	if (epoll_ctl(w->epoll_fd, EPOLL_CTL_MOD, s, &ev) != 0 &&
		(errno != ENOENT || epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, s, &ev) != 0))
	{
		ereport(WARNING,
				(errmsg("cos: could not watch a curl socket: %m")));
		return -1;
	}
	return 0;
}

/* curl's timer callback: when to call it with CURL_SOCKET_TIMEOUT. */
static int
CurlTimer(CURLM *multi, long timeout_ms, void *userp)
{
	CosCurlWait *w = (CosCurlWait *) userp;

	w->timer_set = timeout_ms >= 0;
	if (w->timer_set)
		w->timer_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	return 0;
}

/* cos_curl_wait_init: see worker.h */
void
cos_curl_wait_init(CosCurlWait *w, CURLM *multi)
{
	memset(w, 0, sizeof(*w));
	w->multi = multi;
	w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epoll_fd < 0)
		ereport(ERROR,
				(errcode_for_socket_access(),
				 errmsg("could not create an epoll set for curl's sockets: %m")));
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, CurlSocket);
	curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, w);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, CurlTimer);
	curl_multi_setopt(multi, CURLMOPT_TIMERDATA, w);
	w->set = CreateWaitEventSet(TopMemoryContext, 3);
	AddWaitEventToSet(w->set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(w->set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(w->set, WL_SOCKET_READABLE, w->epoll_fd, NULL, NULL);
}

/* cos_curl_wait: see worker.h */
void
cos_curl_wait(CosCurlWait *w, long max_ms)
{
	struct epoll_event ready[64];
	int			running;
	int			n;

	if (w->timer_set)
	{
		TimestampTz now = GetCurrentTimestamp();

		max_ms = Min(max_ms, w->timer_at <= now ? 0 : (long) ((w->timer_at - now + 999) / 1000));
	}
	if (max_ms > 0)
	{
		WaitEvent	event;

		(void) WaitEventSetWait(w->set, max_ms, &event, 1, PG_WAIT_EXTENSION);
	}

	/* every socket that is ready, 64 at a time */
	do
	{
		int			i;

		n = epoll_wait(w->epoll_fd, ready, lengthof(ready), 0);
		for (i = 0; i < n; i++)
		{
			int			flags = ((ready[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
				((ready[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
				((ready[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);

			curl_multi_socket_action(w->multi, ready[i].data.fd, flags, &running);
		}
	} while (n == lengthof(ready));

	if (w->timer_set && GetCurrentTimestamp() >= w->timer_at)
	{
		w->timer_set = false;
		curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
}
