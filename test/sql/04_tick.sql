-- The planner: one run per slot instant, in the slot's time zone.
SET timezone = 'UTC';
-- installed_at is moved back so that these chosen instants count.
UPDATE cos._meta SET value = '2030-01-01 00:00+00' WHERE key = 'installed_at';

-- 08:59 UTC = 11:59 Moscow: the 12:00 slot has not come; yesterday's 21:00
-- (18:00 UTC) is 15 h old, past cos.catchup_window (6 h): recorded as skipped
SELECT cos.tick('2030-03-10 08:59:00+00');
SELECT slot, kind, status, jobs_total FROM cos.runs WHERE kind = 'scheduled' ORDER BY slot;

-- 09:00 UTC = 12:00 Moscow: the slot's run opens and every target is enqueued
-- (the vm.tiktok.com short link added in 02_targets too: the worker resolves it first)
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

-- the run in progress, as cos.run_progress shows it
SELECT slot, jobs_total, jobs_queued, jobs_running, percent_done FROM cos.run_progress;

-- single flight: the targets already have open jobs, so run_now adds none
SELECT cos.run_now() AS rid \gset
SELECT jobs_total, status FROM cos.runs WHERE id = :rid;

-- an unknown platform is refused
SELECT cos.run_now('myspace');

-- clean up the queue so the workers do not keep retrying against port 9
DELETE FROM cos.jobs;

-- a channel with its own interval is enqueued when it falls due (no run),
-- once: a second tick finds its job still open
UPDATE cos.channels SET collect_every = '15 minutes' WHERE external_id = '@novix.ht';
SELECT cos.tick('2030-03-10 10:00:00+00') AS enqueued;
SELECT cos.tick('2030-03-10 10:00:20+00') AS enqueued_again;
SELECT c.external_id, j.run_id, j.run_at FROM cos.jobs j JOIN cos.channels c ON c.id = j.channel_id;
-- collected at 10:00: not due again at 10:10, due at 10:15
DELETE FROM cos.jobs;
UPDATE cos.channels SET checked_at = '2030-03-10 10:00:00+00' WHERE external_id = '@novix.ht';
SELECT cos.tick('2030-03-10 10:10:00+00') AS enqueued_at_1010;
SELECT cos.tick('2030-03-10 10:15:00+00') AS enqueued_at_1015;
DELETE FROM cos.jobs;
UPDATE cos.channels SET collect_every = NULL;

-- retention: finished jobs and fetch_log rows older than cos.log_retention (7 days) go
SHOW cos.log_retention;
INSERT INTO cos.fetch_log (at, platform, url, outcome) VALUES
	('2030-03-01 00:00+00', 'tiktok', 'http://old', 'ok'),
	('2030-03-09 00:00+00', 'tiktok', 'http://recent', 'ok');
SELECT cos.tick('2030-03-10 10:16:00+00');
SELECT url FROM cos.fetch_log WHERE url LIKE 'http://%' ORDER BY at;
DELETE FROM cos.fetch_log;

-- history retention: off by default (history is kept for ever; the tick
-- above dropped nothing); cos._drop_history_before drops the monthly
-- partitions whose month ended by the cutoff, with their rows, never the
-- default partition nor a month that has not ended (months of 2001, before
-- any other partition)
SHOW cos.history_retention;
SELECT cos._ensure_partitions('2001-01-01', 2) AS made;
INSERT INTO cos.video_history (video_id, captured_at, views) VALUES
	(-1, '2001-01-15 00:00+00', 1), (-1, '2001-02-28 23:59:59+00', 2), (-1, '2001-03-05 00:00+00', 3),
	(-1, '2000-12-31 00:00+00', 0);
INSERT INTO cos.channel_history (channel_id, captured_at, followers) VALUES (-1, '2001-01-15 00:00+00', 10);
SELECT cos._drop_history_before('2001-03-01 00:00+00') AS dropped;
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent IN ('cos.video_history'::regclass, 'cos.channel_history'::regclass)
   AND c.relname ~ '2001' ORDER BY 1;
SELECT captured_at, views, tableoid::regclass AS part FROM cos.video_history WHERE video_id = -1 ORDER BY 1;
SELECT count(*) AS channel_rows FROM cos.channel_history WHERE channel_id = -1;
SELECT cos._drop_history_before('2001-04-01 00:00+00') AS dropped, current_setting('lock_timeout') AS lock_timeout_after;
DELETE FROM cos.video_history WHERE video_id = -1;
-- tick() applies it once set (a server setting): ten years here, so at
-- this file's 2030 the months of 2001 go and March 2030 stays
SELECT cos._ensure_partitions('2001-01-01', 0) AS made;
ALTER SYSTEM SET cos.history_retention = '3650d';
-- (a backend reads a reloaded setting between statements: wait for it,
-- quietly, however slow the machine)
SELECT pg_reload_conf() AS reloaded \gset
SELECT pg_sleep(0.2) \gset
SELECT current_setting('cos.history_retention') = '0' AS pending \gset
\if :pending
SELECT pg_sleep(1) \gset
\endif
SELECT current_setting('cos.history_retention') = '0' AS pending \gset
\if :pending
SELECT pg_sleep(5) \gset
\endif
SHOW cos.history_retention;
SELECT cos.tick('2030-03-10 10:17:00+00') >= 0 AS ticked;
SELECT count(*) FILTER (WHERE c.relname ~ '_y2001') AS months_of_2001,
	   count(*) FILTER (WHERE c.relname ~ '_y2030m03') AS march_2030
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent IN ('cos.video_history'::regclass, 'cos.channel_history'::regclass);
ALTER SYSTEM RESET cos.history_retention;
SELECT pg_reload_conf() AS reloaded \gset
