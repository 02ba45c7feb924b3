/*
 * launcher.c
 *	  The static "cos launcher" worker: starts cos.fetch_workers fetch
 *	  workers, restarts any that die, and stops extra ones when the setting
 *	  is lowered (SIGHUP); and runs the bot worker while cos.bot_token_file
 *	  is set.
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
static BackgroundWorkerHandle *bot_handle = NULL;

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
 * Runs the bot worker while cos.bot_token_file is set and cos.bot_enabled
 * is on (it reads the file itself, and waits while the file cannot be
 * used), and stops it when either changes.
 */
static void
SuperviseBotWorker(void)
{
	bool		wanted = cos_bot_enabled && cos_bot_token_file != NULL && cos_bot_token_file[0] != '\0';
	BgwHandleStatus status = BGWH_STOPPED;
	pid_t		pid;

	if (bot_handle != NULL)
		status = GetBackgroundWorkerPid(bot_handle, &pid);
	if (wanted && (bot_handle == NULL || status == BGWH_STOPPED))
	{
		BackgroundWorker worker;

		if (bot_handle != NULL)
			ereport(LOG, (errmsg("cos launcher: the bot worker exited, restarting it")));
		cos_worker_init(&worker, "cos_bot_main", "cos bot", 0, BGW_NEVER_RESTART, true);
		snprintf(worker.bgw_name, BGW_MAXLEN, "cos bot");
		worker.bgw_notify_pid = MyProcPid;
		if (!RegisterDynamicBackgroundWorker(&worker, &bot_handle))
		{
			bot_handle = NULL;
			ereport(WARNING,
					(errmsg("cos launcher: could not start the bot worker"),
					 errhint("Raise max_worker_processes.")));
		}
	}
	else if (!wanted && bot_handle != NULL)
	{
		if (status != BGWH_STOPPED)
			TerminateBackgroundWorker(bot_handle);
		else
			bot_handle = NULL;
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
		SuperviseBotWorker();

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
