/*
 * launcher.c
 *	  The static "cos launcher" worker: starts cos.fetch_workers fetch
 *	  workers, restarts any that die, and stops extra ones when the setting
 *	  is lowered (SIGHUP).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"

#include "cos.h"

static BackgroundWorkerHandle *fetch_handles[COS_MAX_FETCH_WORKERS];

/* Registers fetch worker number slot; false when no bgworker slot is free. */
static bool
StartFetchWorker(int slot)
{
	BackgroundWorker worker;

	cos_worker_init(&worker, "cos_fetch_main", "cos fetch worker", slot, BGW_NEVER_RESTART, true);
	snprintf(worker.bgw_name, BGW_MAXLEN, "cos fetch worker %d", slot);
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &fetch_handles[slot]))
	{
		fetch_handles[slot] = NULL;
		return false;
	}
	return true;
}

/* Brings the running fetch workers in line with cos.fetch_workers. */
static void
SuperviseFetchWorkers(void)
{
	int			slot;

	for (slot = 0; slot < COS_MAX_FETCH_WORKERS; slot++)
	{
		pid_t		pid;
		BgwHandleStatus status = BGWH_STOPPED;

		if (fetch_handles[slot] != NULL)
			status = GetBackgroundWorkerPid(fetch_handles[slot], &pid);

		if (slot < cos_fetch_workers)
		{
			if (fetch_handles[slot] == NULL || status == BGWH_STOPPED)
			{
				if (fetch_handles[slot] != NULL)
					ereport(LOG,
							(errmsg("cos launcher: fetch worker %d exited, restarting it", slot)));
				if (!StartFetchWorker(slot))
					ereport(WARNING,
							(errmsg("cos launcher: could not start fetch worker %d", slot),
							 errhint("Raise max_worker_processes.")));
			}
		}
		else if (fetch_handles[slot] != NULL)
		{
			if (status != BGWH_STOPPED)
				TerminateBackgroundWorker(fetch_handles[slot]);
			else
				fetch_handles[slot] = NULL;
		}
	}
}

/*
 * Entry point of the launcher.  It holds no database connection.  The
 * postmaster's notice that a worker it started changed state (bgw_notify_pid)
 * interrupts a wait without setting the latch, so the launcher looks at its
 * workers every second: a dead one is back within a second.
 */
void
cos_launcher_main(Datum arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	SpinLockAcquire(&cos_shared->mutex);
	cos_shared->launcher_latch = MyLatch;
	SpinLockRelease(&cos_shared->mutex);

	ereport(LOG,
			(errmsg("cos launcher started: %d fetch workers for database \"%s\"",
					cos_fetch_workers, cos_database)));

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		SuperviseFetchWorkers();

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
