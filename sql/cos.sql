/* sql/cos.sql -- source of sql/cos--0.1.sql */

\echo Use "CREATE EXTENSION cos" to load this file. \quit

-- Every object lives in schema cos (created by CREATE EXTENSION: schema = cos
-- in cos.control).  Deny by default: nothing is granted to PUBLIC.
REVOKE ALL ON SCHEMA cos FROM PUBLIC;

------------------------------------------------------------------------------
-- Configuration
------------------------------------------------------------------------------

CREATE TABLE cos.platforms (
	name text PRIMARY KEY
		CHECK (name IN ('tiktok', 'youtube', 'instagram', 'likee', 'telegram')),
	enabled boolean NOT NULL DEFAULT true,
	web_base text NOT NULL CHECK (web_base ~ '^https?://[^/@]+'),
	api_base text CHECK (api_base ~ '^https?://[^/@]+'),
	max_concurrency integer NOT NULL DEFAULT 8 CHECK (max_concurrency > 0),
	requests_per_second real NOT NULL DEFAULT 10 CHECK (requests_per_second > 0),
	connect_timeout_ms integer NOT NULL DEFAULT 5000 CHECK (connect_timeout_ms > 0),
	timeout_ms integer NOT NULL DEFAULT 20000 CHECK (timeout_ms > 0),
	max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
	user_agent text NOT NULL
);
COMMENT ON TABLE cos.platforms IS
'One row per platform: whether it is collected, the base URLs requests are built from (tests point them at a loopback fixture server), and its limits.';

INSERT INTO cos.platforms (name, web_base, api_base, max_concurrency, user_agent) VALUES
	('tiktok', 'https://www.tiktok.com', NULL, 8,
	 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'),
	('youtube', 'https://www.youtube.com', 'https://www.googleapis.com/youtube/v3', 16,
	 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'),
	('instagram', 'https://www.instagram.com', 'https://i.instagram.com', 2,
	 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'),
	('likee', 'https://likee.video', 'https://api.like-video.com', 4,
	 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'),
	('telegram', 'https://t.me', NULL, 4,
	 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36');

CREATE TABLE cos.accounts (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	platform text NOT NULL REFERENCES cos.platforms (name),
	kind text NOT NULL CHECK (kind IN ('api_key', 'cookie')),
	label text,
	secret text NOT NULL,
	app_id text,
	active boolean NOT NULL DEFAULT true,
	cooldown_until timestamptz,
	last_used_at timestamptz,
	daily_quota integer CHECK (daily_quota > 0),
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE cos.accounts IS
'Credentials the workers use: the YouTube Data API key (kind api_key), Instagram session cookies (kind cookie: secret is the Cookie header, app_id the X-IG-App-ID header).  Secrets are readable by superusers only.';

CREATE TABLE cos.schedule_slots (
	id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	local_time time NOT NULL,
	time_zone text NOT NULL DEFAULT 'Europe/Moscow',
	spread interval NOT NULL DEFAULT '30 minutes' CHECK (spread >= '0'),
	enabled boolean NOT NULL DEFAULT true,
	UNIQUE (local_time, time_zone)
);
COMMENT ON TABLE cos.schedule_slots IS
'When collection runs start: a local time in a time zone; the run''s jobs are spread evenly over spread.  Defaults: 12:00 and 21:00 Europe/Moscow.';

INSERT INTO cos.schedule_slots (local_time, time_zone) VALUES
	('12:00', 'Europe/Moscow'), ('21:00', 'Europe/Moscow');

-- Private key/value state (install time, so slots before it are not run).
CREATE TABLE cos._meta (
	key text PRIMARY KEY,
	value text NOT NULL
);
INSERT INTO cos._meta VALUES ('installed_at', now()::text);

------------------------------------------------------------------------------
-- Targets
------------------------------------------------------------------------------

CREATE TABLE cos.channels (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	platform text NOT NULL REFERENCES cos.platforms (name),
	external_id text NOT NULL,
	platform_id text,
	handle text,
	url text NOT NULL,
	title text,
	avatar_url text,
	followers bigint,
	likes bigint,
	views bigint,
	videos_count bigint,
	status text NOT NULL DEFAULT 'ok'
		CHECK (status IN ('ok', 'pending', 'unavailable', 'private')),
	active boolean NOT NULL DEFAULT true,
	collect_every interval CHECK (collect_every >= '1 minute'),
	owner bigint,
	added_at timestamptz NOT NULL DEFAULT now(),
	checked_at timestamptz,
	last_run_id bigint,
	UNIQUE (platform, external_id)
);
COMMENT ON TABLE cos.channels IS
'Tracked channels.  external_id is the canonical key from the URL (YouTube UC… or @handle, TikTok @uniqueid, …); platform_id the platform''s own id once a fetch has seen it; collect_every, when set, collects the channel that often besides the schedule slots (e.g. a Telegram channel every 15 minutes).';

CREATE TABLE cos.videos (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	platform text NOT NULL REFERENCES cos.platforms (name),
	external_id text NOT NULL,
	channel_id bigint REFERENCES cos.channels (id) ON DELETE SET NULL,
	handle text,
	url text NOT NULL,
	title text,
	thumbnail_url text,
	published_at timestamptz,
	duration_s integer,
	views bigint,
	likes bigint,
	comments bigint,
	shares bigint,
	saves bigint,
	status text NOT NULL DEFAULT 'ok'
		CHECK (status IN ('ok', 'pending', 'unavailable', 'private')),
	tracked boolean NOT NULL DEFAULT false,
	owner bigint,
	added_at timestamptz NOT NULL DEFAULT now(),
	checked_at timestamptz,
	last_run_id bigint,
	UNIQUE (platform, external_id)
);
COMMENT ON TABLE cos.videos IS
'Known videos with their latest counters (NULL where the platform does not publish one).  tracked: added on its own by add_video, collected every run even without its channel.';

------------------------------------------------------------------------------
-- History (append-only, partitioned by month on captured_at)
------------------------------------------------------------------------------

CREATE TABLE cos.video_history (
	video_id bigint NOT NULL,
	captured_at timestamptz NOT NULL,
	run_id bigint,
	views bigint,
	likes bigint,
	comments bigint,
	shares bigint,
	saves bigint,
	PRIMARY KEY (video_id, captured_at)
) PARTITION BY RANGE (captured_at);
COMMENT ON TABLE cos.video_history IS
'One row per video per collection: the counters as captured (NULL = not published by the platform).  Range-partitioned by month; the default partition takes anything no monthly partition covers.';
CREATE TABLE cos.video_history_default PARTITION OF cos.video_history DEFAULT;

CREATE TABLE cos.channel_history (
	channel_id bigint NOT NULL,
	captured_at timestamptz NOT NULL,
	run_id bigint,
	followers bigint,
	likes bigint,
	views bigint,
	videos bigint,
	PRIMARY KEY (channel_id, captured_at)
) PARTITION BY RANGE (captured_at);
COMMENT ON TABLE cos.channel_history IS
'One row per channel per collection: followers, total likes, total views and video count as captured.  Partitioned like video_history.';
CREATE TABLE cos.channel_history_default PARTITION OF cos.channel_history DEFAULT;

-- Creates the monthly partitions of the history tables from the month of
-- "at" to months_ahead months later; existing ones are left alone.
CREATE FUNCTION cos._ensure_partitions(at timestamptz DEFAULT now(), months_ahead integer DEFAULT 2)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m date := date_trunc('month', at AT TIME ZONE 'UTC')::date;
	t text;
	part text;
	created integer := 0;
BEGIN
	FOR i IN 0 .. months_ahead LOOP
		FOREACH t IN ARRAY ARRAY['video_history', 'channel_history'] LOOP
			part := format('%s_y%sm%s', t, to_char(m, 'YYYY'), to_char(m, 'MM'));
			IF to_regclass(format('cos.%I', part)) IS NULL THEN
				BEGIN
					EXECUTE format('CREATE TABLE cos.%I PARTITION OF cos.%I FOR VALUES FROM (%L) TO (%L)',
								   part, t, m::timestamp AT TIME ZONE 'UTC',
								   (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
					created := created + 1;
				EXCEPTION WHEN check_violation THEN
					-- rows for that month already sit in the default partition:
					-- they stay there (still queryable); say so once
					RAISE WARNING 'cos: partition % not created: the default partition holds rows for that month', part;
				END;
			END IF;
		END LOOP;
		m := m + interval '1 month';
	END LOOP;
	RETURN created;
END
$$;
COMMENT ON FUNCTION cos._ensure_partitions(timestamptz, integer) IS
'Private: creates the monthly partitions of video_history and channel_history from the month of at to months_ahead later.';

-- No monthly partition is created here: tick() and run_now() create them,
-- outside this script, so they are ordinary tables that pg_dump dumps with
-- their rows (an extension's own tables are dumped only when marked, below).

------------------------------------------------------------------------------
-- Runs, jobs, fetch log
------------------------------------------------------------------------------

CREATE TABLE cos.runs (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slot timestamptz UNIQUE,
	slot_id integer REFERENCES cos.schedule_slots (id) ON DELETE SET NULL,
	platform text REFERENCES cos.platforms (name),
	kind text NOT NULL CHECK (kind IN ('scheduled', 'manual')),
	status text NOT NULL DEFAULT 'running'
		CHECK (status IN ('running', 'done', 'skipped')),
	started_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	jobs_total integer NOT NULL DEFAULT 0,
	jobs_done integer NOT NULL DEFAULT 0,
	jobs_failed integer NOT NULL DEFAULT 0,
	jobs_retried integer NOT NULL DEFAULT 0,
	note text
);
COMMENT ON TABLE cos.runs IS
'One row per collection run: a schedule slot''s instant (slot, unique) or a manual run_now (slot NULL), and its job counts.';

CREATE TABLE cos.jobs (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	queue text NOT NULL,
	platform text NOT NULL REFERENCES cos.platforms (name),
	channel_id bigint REFERENCES cos.channels (id) ON DELETE CASCADE,
	video_id bigint REFERENCES cos.videos (id) ON DELETE CASCADE,
	run_id bigint REFERENCES cos.runs (id) ON DELETE SET NULL,
	state text NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
	run_at timestamptz NOT NULL DEFAULT now(),
	attempts integer NOT NULL DEFAULT 0,
	max_attempts integer NOT NULL DEFAULT 3,
	locked_until timestamptz,
	locked_by integer,
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	CHECK ((channel_id IS NULL) <> (video_id IS NULL)),
	CHECK (queue = 'parsing_' || platform)
);
COMMENT ON TABLE cos.jobs IS
'The work queue, one queue per platform (parsing_tiktok, …).  Workers claim due jobs with FOR UPDATE SKIP LOCKED and hold them until locked_until (the visibility timeout); done, failed (not retried: unavailable, private, 4xx) and dead (attempts exhausted) are final.';

CREATE INDEX jobs_due ON cos.jobs (run_at) WHERE state = 'queued';
CREATE INDEX jobs_running ON cos.jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_run ON cos.jobs (run_id);
-- Single flight: one open job per target.
CREATE UNIQUE INDEX jobs_open_target ON cos.jobs (coalesce(channel_id, 0), coalesce(video_id, 0))
	WHERE state IN ('queued', 'running');

CREATE TABLE cos.fetch_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	job_id bigint,
	run_id bigint,
	platform text NOT NULL,
	url text NOT NULL,
	http_status integer,
	outcome text NOT NULL,
	error text,
	bytes integer,
	duration_ms integer
);
COMMENT ON TABLE cos.fetch_log IS
'One row per HTTP request a worker made: the URL (API keys redacted), HTTP status, outcome (ok, unavailable, private, blocked, error, http_error, network_error, timeout, too_large) and the reason.';
CREATE INDEX fetch_log_at ON cos.fetch_log (at);

-- Claims up to n due jobs for fetch worker "worker": queued jobs whose run_at
-- has come, and running jobs whose visibility timeout has passed (their
-- worker died).  Each claim bumps attempts, which the worker later presents
-- as its token when it writes the job's end.
CREATE FUNCTION cos._claim(n integer, visibility_s double precision, worker integer)
RETURNS TABLE (job_id bigint, attempt integer, run_id bigint, max_attempts integer,
			   platform text, is_video boolean, target_id bigint, external_id text,
			   handle text, platform_id text, web_base text, api_base text, user_agent text,
			   connect_timeout_ms integer, timeout_ms integer, max_concurrency integer,
			   account_kind text, secret text, app_id text)
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
SET enable_sort = off
SET jit = off
AS $$
	-- Two index scans that stop after n rows (jobs_running, then jobs_due in
	-- run_at order), never a sort of every open job: the planner is told so
	-- (enable_sort = off above), since right after a run is enqueued the
	-- statistics of cos.jobs still say it is nearly empty.  (jit = off: the
	-- one sort left, of a platform's few accounts, now costs enough to
	-- make the planner JIT-compile every claim.)  The claimed ids are then
	-- updated through the primary key.
	WITH expired AS (
		SELECT j.id FROM cos.jobs j
		 WHERE j.state = 'running' AND j.locked_until < now()
		   AND j.platform = ANY (ARRAY(SELECT p.name FROM cos.platforms p WHERE p.enabled))
		 ORDER BY j.locked_until
		 LIMIT n
		   FOR UPDATE SKIP LOCKED
	), due AS (
		SELECT j.id FROM cos.jobs j
		 WHERE j.state = 'queued' AND j.run_at <= now()
		   AND j.platform = ANY (ARRAY(SELECT p.name FROM cos.platforms p WHERE p.enabled))
		 ORDER BY j.run_at
		 LIMIT greatest(n - (SELECT count(*) FROM expired), 0)
		   FOR UPDATE SKIP LOCKED
	), u AS (
		UPDATE cos.jobs j SET state = 'running', attempts = j.attempts + 1, locked_by = worker,
			   locked_until = now() + make_interval(secs => visibility_s)
		 WHERE j.id = ANY (ARRAY(SELECT id FROM expired UNION ALL SELECT id FROM due))
		RETURNING j.*
	)
	SELECT u.id, u.attempts, coalesce(u.run_id, 0), u.max_attempts, u.platform,
		   u.video_id IS NOT NULL, coalesce(u.video_id, u.channel_id),
		   coalesce(v.external_id, ch.external_id, ''), coalesce(v.handle, ch.handle),
		   ch.platform_id,
		   p.web_base, p.api_base, p.user_agent, p.connect_timeout_ms, p.timeout_ms,
		   p.max_concurrency, a.kind, a.secret, a.app_id
	  FROM u JOIN cos.platforms p ON p.name = u.platform
	  LEFT JOIN cos.videos v ON v.id = u.video_id
	  LEFT JOIN cos.channels ch ON ch.id = u.channel_id
	  LEFT JOIN LATERAL (
			SELECT a.kind, a.secret, a.app_id FROM cos.accounts a
			 WHERE a.platform = u.platform AND a.active
			   AND (a.cooldown_until IS NULL OR a.cooldown_until < now())
			 ORDER BY a.last_used_at NULLS FIRST, a.id LIMIT 1) a ON true
$$;
COMMENT ON FUNCTION cos._claim(integer, double precision, integer) IS
'Private: claims up to n due jobs for a fetch worker (FOR UPDATE SKIP LOCKED, visibility timeout) and returns what it needs to fetch them.';

------------------------------------------------------------------------------
-- C functions
------------------------------------------------------------------------------

CREATE FUNCTION cos.parse_url(url text,
	OUT platform text, OUT kind text, OUT id text, OUT canonical_url text,
	OUT pending boolean, OUT handle text)
RETURNS record
AS 'MODULE_PATHNAME', 'cos_parse_url'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cos.parse_url(text) IS
'Canonicalises a public channel or video URL: platform, kind (video or channel), canonical id, canonical URL, pending (a short link the worker resolves) and the handle it names.  Raises invalid_parameter_value for anything else.';

CREATE FUNCTION cos.extract(url text, body bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'cos_extract_sql'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cos.extract(text, bytea) IS
'Runs the extractor for url (a real platform URL) on body, the response fetched from it, and returns the result: status, platform, error, channels, videos, next.';

CREATE FUNCTION cos._wake()
RETURNS void
AS 'MODULE_PATHNAME', 'cos_wake'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION cos._wake() IS
'Private: wakes the fetch workers when the calling transaction commits.';

------------------------------------------------------------------------------
-- Adding targets
------------------------------------------------------------------------------

-- Upserts the channel a URL names and returns its id.
CREATE FUNCTION cos.add_channel(url text, owner bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p record;
	cid bigint;
BEGIN
	p := cos.parse_url(url);
	IF p.kind <> 'channel' THEN
		RAISE EXCEPTION 'URL "%" names a % video, not a channel', url, p.platform
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use cos.add_video() to track a single video.';
	END IF;
	INSERT INTO cos.channels AS c (platform, external_id, handle, url, owner, status)
	VALUES (p.platform, p.id, nullif(p.handle, ''), p.canonical_url, owner,
			CASE WHEN p.pending THEN 'pending' ELSE 'ok' END)
	ON CONFLICT (platform, external_id) DO UPDATE
		SET active = true, owner = coalesce(EXCLUDED.owner, c.owner)
	RETURNING c.id INTO cid;
	RETURN cid;
END
$$;
COMMENT ON FUNCTION cos.add_channel(text, bigint) IS
'Starts tracking the channel a public URL names (any public URL form; two forms of one channel give one row) and returns its id.  Raises invalid_parameter_value for an unsupported or malformed URL, or a video URL.';

-- Upserts the video a URL names and returns its id.
CREATE FUNCTION cos.add_video(url text, owner bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p record;
	vid bigint;
BEGIN
	p := cos.parse_url(url);
	IF p.kind <> 'video' THEN
		RAISE EXCEPTION 'URL "%" names a % channel, not a video', url, p.platform
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use cos.add_channel() to track a channel.';
	END IF;
	INSERT INTO cos.videos AS v (platform, external_id, handle, url, owner, tracked, status)
	VALUES (p.platform, p.id, nullif(p.handle, ''), p.canonical_url, owner, true,
			CASE WHEN p.pending THEN 'pending' ELSE 'ok' END)
	ON CONFLICT (platform, external_id) DO UPDATE
		SET tracked = true, owner = coalesce(EXCLUDED.owner, v.owner),
			handle = coalesce(v.handle, EXCLUDED.handle)
	RETURNING v.id INTO vid;
	RETURN vid;
END
$$;
COMMENT ON FUNCTION cos.add_video(text, bigint) IS
'Starts tracking the video a public URL names (watch?v=, youtu.be/, /shorts/, TikTok /@user/video/…, short links kept as pending, …) and returns its id.  Raises invalid_parameter_value for an unsupported or malformed URL, or a channel URL.';

------------------------------------------------------------------------------
-- Planning: runs and the queue
------------------------------------------------------------------------------

-- Enqueues every active target (of one platform, or all) into run run_id,
-- spread evenly from start over spread with platforms interleaved; returns
-- the number of jobs enqueued (targets with an open job are skipped).
CREATE FUNCTION cos._enqueue_run(run_id bigint, only_platform text, start timestamptz, spread interval)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	-- pending targets (short links not resolved yet) are not collected
	WITH targets AS (
		SELECT c.platform, c.id AS channel_id, NULL::bigint AS video_id
		  FROM cos.channels c JOIN cos.platforms p ON p.name = c.platform
		 WHERE c.active AND p.enabled AND c.status = 'ok'
		   AND (only_platform IS NULL OR c.platform = only_platform)
		UNION ALL
		SELECT v.platform, NULL, v.id
		  FROM cos.videos v JOIN cos.platforms p ON p.name = v.platform
		 WHERE v.tracked AND p.enabled AND v.status = 'ok'
		   AND (only_platform IS NULL OR v.platform = only_platform)
	), ranked AS (
		SELECT t.*, row_number() OVER (PARTITION BY t.platform
									   ORDER BY t.channel_id NULLS LAST, t.video_id) AS k
		  FROM targets t
	), ordered AS (
		-- interleave platforms: the k-th target of every platform, then the k+1-th
		SELECT r.*, row_number() OVER (ORDER BY r.k, r.platform) AS rn,
			   count(*) OVER () AS total
		  FROM ranked r
	), ins AS (
		INSERT INTO cos.jobs (queue, platform, channel_id, video_id, run_id, run_at, max_attempts)
		SELECT 'parsing_' || o.platform, o.platform, o.channel_id, o.video_id, _enqueue_run.run_id,
			   start + spread * ((o.rn - 1)::double precision / greatest(o.total, 1)),
			   p.max_attempts
		  FROM ordered o JOIN cos.platforms p ON p.name = o.platform
		ON CONFLICT (coalesce(channel_id, 0), coalesce(video_id, 0))
			WHERE state IN ('queued', 'running') DO NOTHING
		RETURNING 1
	)
	SELECT count(*) INTO n FROM ins;

	UPDATE cos.runs SET jobs_total = jobs_total + n,
		   status = CASE WHEN jobs_total + n = 0 THEN 'done' ELSE status END,
		   finished_at = CASE WHEN jobs_total + n = 0 THEN now() ELSE finished_at END
	 WHERE id = _enqueue_run.run_id;
	PERFORM cos._wake();
	RETURN n;
END
$$;
COMMENT ON FUNCTION cos._enqueue_run(bigint, text, timestamptz, interval) IS
'Private: enqueues the active targets into a run, spread over an interval with platforms interleaved.';

CREATE FUNCTION cos.run_now(platform text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rid bigint;
BEGIN
	IF platform IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cos.platforms p WHERE p.name = run_now.platform) THEN
		RAISE EXCEPTION 'unknown platform "%"', platform
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Platforms are tiktok, youtube, instagram, likee and telegram.';
	END IF;
	PERFORM cos._ensure_partitions(now(), 2);
	INSERT INTO cos.runs (kind, platform) VALUES ('manual', platform) RETURNING id INTO rid;
	PERFORM cos._enqueue_run(rid, platform, now(), '0'::interval);
	RETURN rid;
END
$$;
COMMENT ON FUNCTION cos.run_now(text) IS
'Opens a manual run and enqueues every active channel and tracked video (of one platform, or all) to be collected now; returns the run id.  Targets that already have an open job are not enqueued twice.';

CREATE FUNCTION cos.tick(at timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s record;
	local_now timestamp;
	instant timestamptz;
	rid bigint;
	enqueued integer := 0;
	catchup interval := current_setting('cos.catchup_window')::interval;
	installed timestamptz := (SELECT value::timestamptz FROM cos._meta WHERE key = 'installed_at');
	retention interval := current_setting('cos.log_retention')::interval;
BEGIN
	PERFORM cos._ensure_partitions(at, 2);

	FOR s IN SELECT * FROM cos.schedule_slots WHERE enabled ORDER BY id LOOP
		-- the latest instant of this slot at or before "at", in the slot's zone
		local_now := at AT TIME ZONE s.time_zone;
		instant := (local_now::date + s.local_time) AT TIME ZONE s.time_zone;
		IF instant > at THEN
			instant := ((local_now::date - 1) + s.local_time) AT TIME ZONE s.time_zone;
		END IF;
		CONTINUE WHEN instant < installed;
		CONTINUE WHEN EXISTS (SELECT 1 FROM cos.runs r WHERE r.slot = instant);

		IF at - instant > catchup THEN
			INSERT INTO cos.runs (slot, slot_id, kind, status, finished_at, note)
			VALUES (instant, s.id, 'scheduled', 'skipped', at,
					format('missed by %s, more than cos.catchup_window', at - instant))
			ON CONFLICT (slot) DO NOTHING;
			CONTINUE;
		END IF;

		INSERT INTO cos.runs (slot, slot_id, kind) VALUES (instant, s.id, 'scheduled')
		ON CONFLICT (slot) DO NOTHING
		RETURNING id INTO rid;
		CONTINUE WHEN rid IS NULL;
		enqueued := enqueued + cos._enqueue_run(rid, NULL, greatest(at, instant), s.spread);
	END LOOP;

	-- channels with their own interval, when it has passed (no run: these
	-- are not a slot's); one open job per target
	WITH ins AS (
		INSERT INTO cos.jobs (queue, platform, channel_id, run_at, max_attempts)
		SELECT 'parsing_' || c.platform, c.platform, c.id, at, p.max_attempts
		  FROM cos.channels c JOIN cos.platforms p ON p.name = c.platform
		 WHERE c.collect_every IS NOT NULL AND c.active AND p.enabled AND c.status = 'ok'
		   AND (c.checked_at IS NULL OR c.checked_at + c.collect_every <= at)
		ON CONFLICT (coalesce(channel_id, 0), coalesce(video_id, 0))
			WHERE state IN ('queued', 'running') DO NOTHING
		RETURNING 1
	)
	SELECT enqueued + count(*) INTO enqueued FROM ins;
	IF enqueued > 0 THEN
		PERFORM cos._wake();
	END IF;

	-- retention: finished jobs and the fetch log (runs keep their counts)
	DELETE FROM cos.jobs
	 WHERE state IN ('done', 'failed', 'dead') AND finished_at < at - retention;
	DELETE FROM cos.fetch_log WHERE fetch_log.at < tick.at - retention;
	RETURN enqueued;
END
$$;
COMMENT ON FUNCTION cos.tick(timestamptz) IS
'The planner pg_cron calls every minute: creates history partitions ahead, opens one run per schedule slot that has come (in the slot''s time zone; a slot missed by less than cos.catchup_window is caught up once, older ones are recorded as skipped) and enqueues its jobs spread over the slot''s spread, enqueues channels whose own collect_every has passed, and drops finished jobs and fetch_log rows older than cos.log_retention.  Returns the number of jobs enqueued.';

CREATE VIEW cos.run_progress AS
SELECT r.id, r.slot, r.kind, r.platform, r.started_at,
	   r.jobs_total, r.jobs_done, r.jobs_failed, r.jobs_retried,
	   count(j.id) FILTER (WHERE j.state = 'running') AS jobs_running,
	   count(j.id) FILTER (WHERE j.state = 'queued') AS jobs_queued,
	   round(100.0 * (r.jobs_done + r.jobs_failed) / nullif(r.jobs_total, 0), 1) AS percent_done
  FROM cos.runs r LEFT JOIN cos.jobs j ON j.run_id = r.id
 WHERE r.status = 'running'
 GROUP BY r.id;
COMMENT ON VIEW cos.run_progress IS
'The runs in progress: job counts, jobs running and queued now, and the share finished (done or failed) in percent.';

CREATE FUNCTION cos.wait_idle(timeout interval DEFAULT '60 s')
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	deadline timestamptz := clock_timestamp() + timeout;
BEGIN
	LOOP
		-- a retry waiting out its backoff counts as pending work; a job of a
		-- scheduled run spread into the future does not
		IF NOT EXISTS (SELECT 1 FROM cos.jobs
						WHERE state = 'running'
						   OR (state = 'queued' AND (run_at <= clock_timestamp() OR attempts > 0))) THEN
			RETURN true;
		END IF;
		IF clock_timestamp() >= deadline THEN
			RETURN false;
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
END
$$;
COMMENT ON FUNCTION cos.wait_idle(interval) IS
'Waits until no job is due, running or waiting to be retried (jobs spread into the future by a schedule slot do not count), up to timeout; returns false if the timeout came first.  For tests and the demo.';

------------------------------------------------------------------------------
-- Privileges and pg_dump
------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA cos FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA cos FROM PUBLIC;
GRANT USAGE ON SCHEMA cos TO PUBLIC;
GRANT EXECUTE ON FUNCTION cos.parse_url(text), cos.extract(text, bytea) TO PUBLIC;

-- Rows this script inserts itself are not dumped (a restore runs the script
-- again, and the dumped copies would collide with them): the five platform
-- rows (their settings come back at their defaults after a restore), the
-- two default slots, and installed_at (a restore counts as a new install).
SELECT pg_catalog.pg_extension_config_dump('cos.platforms', 'WHERE false');
SELECT pg_catalog.pg_extension_config_dump('cos.accounts', '');
SELECT pg_catalog.pg_extension_config_dump('cos.schedule_slots', 'WHERE id > 2');
SELECT pg_catalog.pg_extension_config_dump('cos._meta', 'WHERE key <> ''installed_at''');
SELECT pg_catalog.pg_extension_config_dump('cos.channels', '');
SELECT pg_catalog.pg_extension_config_dump('cos.videos', '');
SELECT pg_catalog.pg_extension_config_dump('cos.runs', '');
SELECT pg_catalog.pg_extension_config_dump('cos.jobs', '');
SELECT pg_catalog.pg_extension_config_dump('cos.fetch_log', '');
-- history: the monthly partitions are not extension members (see above);
-- the default partitions are, so they are marked too
SELECT pg_catalog.pg_extension_config_dump('cos.video_history_default', '');
SELECT pg_catalog.pg_extension_config_dump('cos.channel_history_default', '');
-- the identity sequences, so that a restore goes on from the dumped ids
-- (one call per statement: each updates pg_extension's row)
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['accounts', 'schedule_slots', 'channels', 'videos', 'runs', 'jobs', 'fetch_log'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cos.' || t, 'id'), '');
	END LOOP;
END
$$;

-- The planner runs every minute; slot maths is in cos.tick, in each slot's
-- own time zone (pg_cron 1.4 runs in UTC).
SELECT cron.schedule('cos-tick', '* * * * *', 'SELECT cos.tick()');

-- Let already running workers notice the extension now.
SELECT cos._wake();
