-- The extension is created by pg_regress (--load-extension=pg_cron, cos).
-- Point every platform at a closed loopback port first: nothing in this suite
-- may reach a real host, and the workers are running.
UPDATE cos.platforms
   SET web_base = 'http://127.0.0.1:9/' || name,
       api_base = CASE WHEN api_base IS NOT NULL THEN 'http://127.0.0.1:9/' || name || '-api' END,
       cdn_base = 'http://127.0.0.1:9/cdn',
       connect_timeout_ms = 200, timeout_ms = 500, max_attempts = 1;

SELECT extname, extversion FROM pg_extension WHERE extname IN ('cos', 'pg_cron') ORDER BY 1;

-- the planner is scheduled in pg_cron, every minute
SELECT jobname, schedule, command FROM cron.job WHERE jobname = 'cos-tick';
-- this suite calls tick() itself with chosen instants
UPDATE cron.job SET active = false WHERE jobname = 'cos-tick';

SELECT name, enabled FROM cos.platforms ORDER BY name;
SELECT local_time, time_zone, spread, enabled FROM cos.schedule_slots ORDER BY local_time;

-- history is partitioned by month, with a default partition
SELECT c.relname, c.relkind
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'cos.video_history'::regclass AND c.relname = 'video_history_default';
-- monthly partitions are made by tick() and run_now(), outside the extension
-- script, so that pg_dump dumps them with their rows: none is a member
SELECT count(*) AS member_monthly_partitions
  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cos') AND d.deptype = 'e'
   AND c.relname ~ '_history_y\d{4}m\d{2}$';
-- the tables an extension owns are dumped only when marked: the history's
-- default partitions and the id sequences are
SELECT c.relname, x.cond
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(oid, cond)
  JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'cos' ORDER BY c.relname;
SELECT pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'cos.video_history'::regclass AND contype = 'p';

-- every public function carries a comment
SELECT p.proname
  FROM pg_proc p
 WHERE p.pronamespace = 'cos'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL;

-- the fetch workers are running (cos.fetch_workers = 2; the launcher holds no
-- database connection, so it is not listed here).  They connect to this
-- database, which pg_regress created a moment ago: the launcher restarts
-- them within a second, so wait up to 10 s for them.
DO $$
BEGIN
	FOR i IN 1 .. 200 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXIT WHEN (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos fetch worker') = 2;
		PERFORM pg_sleep(0.05);
	END LOOP;
END
$$;
SELECT backend_type, count(*) FROM pg_stat_activity
 WHERE backend_type LIKE 'cos%' GROUP BY 1 ORDER BY 1;

-- For the files after this one (07, 08, 10): runs q as the current role and
-- shows its error as "SQLSTATE: message" (the SQLSTATE is what the gateway
-- maps to an HTTP status); row ids in the message are shown as N, since
-- they depend on the tests before.
CREATE FUNCTION public.fails(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '(user|channel|video|batch) \d+', '\1 N', 'g');
END
$$;

-- For the files that claim jobs themselves (05, 09), after they set
-- cos.fetch_workers = 0 and reload: waits (10 s at most) until the
-- instance's fetch workers have exited.
CREATE FUNCTION public.wait_no_fetch_workers() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..200 LOOP
		EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'cos fetch worker');
		PERFORM pg_sleep(0.05);
	END LOOP;
END
$$;
