-- The planner: one run per slot instant, in the slot's time zone.
SET timezone = 'UTC';
-- installed_at is moved back so that these chosen instants count.
UPDATE cos._meta SET value = '2030-01-01 00:00+00' WHERE key = 'installed_at';

-- 08:59 UTC = 11:59 Moscow: the 12:00 slot has not come; yesterday's 21:00
-- (18:00 UTC) is 15 h old, past cos.catchup_window (6 h): recorded as skipped
SELECT cos.tick('2030-03-10 08:59:00+00');
SELECT slot, kind, status, jobs_total FROM cos.runs WHERE kind = 'scheduled' ORDER BY slot;

-- 09:00 UTC = 12:00 Moscow: the slot's run opens and every target is enqueued
-- (but the vm.tiktok.com short link added in 02_targets: it is pending)
SELECT cos.tick('2030-03-10 09:00:30+00') AS enqueued;
-- tick created the history partitions of that month and the next two
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'cos.video_history'::regclass AND c.relname LIKE '%2030%' ORDER BY 1;
-- a second tick in the same minute enqueues nothing
SELECT cos.tick('2030-03-10 09:00:45+00') AS enqueued_again;
SELECT slot, status, jobs_total FROM cos.runs WHERE kind = 'scheduled' ORDER BY slot;

-- the jobs are spread over the slot's 30 minutes, platforms interleaved
SELECT j.platform, j.queue, j.channel_id IS NOT NULL AS is_channel, run_at - '2030-03-10 09:00:30+00' AS after_tick
  FROM cos.jobs j JOIN cos.runs r ON r.id = j.run_id
 WHERE r.slot = '2030-03-10 09:00:00+00' ORDER BY run_at, j.id;

-- single flight: the targets already have open jobs, so run_now adds none
SELECT cos.run_now() AS rid \gset
SELECT jobs_total, status FROM cos.runs WHERE id = :rid;

-- an unknown platform is refused
SELECT cos.run_now('myspace');

-- clean up the queue so the workers do not keep retrying against port 9
DELETE FROM cos.jobs;
