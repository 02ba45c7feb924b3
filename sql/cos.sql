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
	user_agent text NOT NULL,
	-- which jobs need a cos.accounts row: never, channels only, or always
	needs_account text NOT NULL DEFAULT 'never'
		CHECK (needs_account IN ('never', 'channels', 'always')),
	-- how long an account or proxy rests after the platform blocked it
	cooldown interval NOT NULL DEFAULT '15 minutes' CHECK (cooldown >= '0'),
	-- the zone whose midnight resets accounts' daily quotas
	quota_time_zone text NOT NULL DEFAULT 'UTC',
	-- a run's jobs go out in batches, one per account (Instagram)
	batched boolean NOT NULL DEFAULT false,
	use_proxies boolean NOT NULL DEFAULT true,
	-- short links are resolved at their canonical URL; when set (tests), at
	-- this base followed by the canonical URL's path
	short_link_base text CHECK (short_link_base ~ '^https?://[^/@]+'),
	-- the hosts thumbnails may be downloaded from: a host qualifies when it
	-- is one of these or ends with "." and one of them (whole labels)
	cdn_hosts text[] NOT NULL DEFAULT '{}'
		CHECK (array_position(cdn_hosts, NULL) IS NULL),
	-- tests only: thumbnails are requested at this base followed by "/",
	-- the thumbnail URL's host, path and query (the check is done on the
	-- thumbnail URL itself)
	cdn_base text CHECK (cdn_base ~ '^https?://[^/@]+')
);
COMMENT ON TABLE cos.platforms IS
'One row per platform: whether it is collected, the base URLs requests are built from (tests point them at a loopback fixture server), its limits across all workers (max_concurrency transfers at once, requests_per_second), which jobs need an account (needs_account), how long a blocked account or proxy rests (cooldown), whether a run''s jobs are batched per account (batched), and the CDN hosts thumbnails may be downloaded from (cdn_hosts: host suffixes matched on whole labels).  short_link_base and cdn_base are for tests: they send short-link and thumbnail requests to a loopback fixture server.';

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

UPDATE cos.platforms SET needs_account = 'channels', quota_time_zone = 'America/Los_Angeles'
 WHERE name = 'youtube';
UPDATE cos.platforms SET needs_account = 'always', batched = true, requests_per_second = 1
 WHERE name = 'instagram';
-- where each platform's pages point their thumbnails (the hosts in the
-- captures of test/fixtures, and their siblings)
UPDATE cos.platforms SET cdn_hosts = CASE name
	WHEN 'tiktok' THEN '{tiktokcdn.com,tiktokcdn-us.com,tiktokcdn-eu.com,ibyteimg.com}'::text[]
	WHEN 'youtube' THEN '{ytimg.com,ggpht.com}'::text[]
	WHEN 'instagram' THEN '{cdninstagram.com,fbcdn.net}'::text[]
	WHEN 'likee' THEN '{like.video}'::text[]
	WHEN 'telegram' THEN '{telesco.pe,cdn-telegram.org,telegram-cdn.org}'::text[] END;

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
	quota_used integer NOT NULL DEFAULT 0,
	quota_day date,
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE cos.accounts IS
'Credentials the workers use: the YouTube Data API key (kind api_key), Instagram session cookies (kind cookie: secret is the Cookie header, app_id the X-IG-App-ID header).  Workers take the least recently used account not cooling down and within its daily_quota (requests made with it on quota_day, in the platform''s quota_time_zone); an account the platform blocked rests until cooldown_until.  Secrets are readable by superusers only: others use cos.account_status.';

CREATE TABLE cos.proxies (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	url text NOT NULL UNIQUE
		CHECK (url ~ '^(http|https|socks5|socks5h)://[^/]+/?$'),
	label text,
	active boolean NOT NULL DEFAULT true,
	cooldown_until timestamptz,
	failures integer NOT NULL DEFAULT 0,
	last_error text,
	last_used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE cos.proxies IS
'Outgoing proxies (http, https, socks5; credentials in the URL as user:password@).  Each request of a platform with use_proxies goes through the least recently used proxy that is active and not cooling down; a proxy rests after the platform blocked a request through it, or after 3 network failures in a row.  With no usable proxy, requests go direct.  URLs are readable by superusers only: others use cos.proxy_status.';

-- What non-superusers may see of accounts and proxies: no secrets.
CREATE VIEW cos.account_status AS
SELECT id, platform, kind, label, active, cooldown_until, last_used_at, daily_quota,
	   quota_used, quota_day, last_error,
	   '…' || right(secret, 4) AS secret_hint, created_at
  FROM cos.accounts;
COMMENT ON VIEW cos.account_status IS
'cos.accounts without the secrets (their last 4 characters only), for dashboards and roles that must not read credentials.';

CREATE VIEW cos.proxy_status AS
SELECT id, regexp_replace(url, '//[^@/]*@', '//***@') AS url, label, active, cooldown_until,
	   failures, last_error, last_used_at, created_at
  FROM cos.proxies;
COMMENT ON VIEW cos.proxy_status IS
'cos.proxies with the credentials in their URLs masked, for dashboards and roles that must not read them.';

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
-- Uploads (thumbnails), served by the HTTP gateway as /uploads/<sha256>
------------------------------------------------------------------------------

CREATE TABLE cos.uploads (
	sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	content_type text NOT NULL CHECK (content_type ~ '^[a-z0-9.+-]+/[a-zA-Z0-9.+-]+$'),
	body bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (sha256 = pg_catalog.encode(pg_catalog.sha256(body), 'hex'))
);
COMMENT ON TABLE cos.uploads IS
'Files stored once by content (thumbnails the workers download): the name is the SHA-256 of the body, in lower-case hex, which the HTTP gateway serves as /uploads/<sha256> with this content type, an ETag and a year of immutable caching.';

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
	-- added by an operator (cos.add_channel), not only through the API:
	-- collected whatever the mini-app's users add or remove
	operator_added boolean NOT NULL DEFAULT false,
	collect_every interval CHECK (collect_every >= '1 minute'),
	owner bigint,
	added_at timestamptz NOT NULL DEFAULT now(),
	checked_at timestamptz,
	last_run_id bigint,
	UNIQUE (platform, external_id)
);
COMMENT ON TABLE cos.channels IS
'Tracked channels.  external_id is the canonical key from the URL (YouTube UC… or @handle, TikTok @uniqueid, …); platform_id the platform''s own id once a fetch has seen it; collect_every, when set, collects the channel that often besides the schedule slots (e.g. a Telegram channel every 15 minutes).  active: collected at each run; operator_added: added by cos.add_channel (SQL), so that no mini-app user''s removal stops it (an operator stops one with active = false, operator_added = false).';

-- What changed on a channel's profile, as the workers saw it: written by a
-- trigger on cos.channels whenever a collection stores another title,
-- handle or avatar than the one it had (the first value a channel gets is
-- no change).  The bot alerts the channel's followers (sql/bot.sql).
CREATE TABLE cos.channel_changes (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	channel_id bigint NOT NULL REFERENCES cos.channels (id) ON DELETE CASCADE,
	changed_at timestamptz NOT NULL DEFAULT now(),
	field text NOT NULL CHECK (field IN ('title', 'handle', 'avatar', 'description')),
	old_value text,
	new_value text,
	alerted_at timestamptz
);
CREATE INDEX channel_changes_channel ON cos.channel_changes (channel_id, changed_at);
CREATE INDEX channel_changes_pending ON cos.channel_changes (id) WHERE alerted_at IS NULL;
COMMENT ON TABLE cos.channel_changes IS
'A channel''s profile changes as collections saw them: field title, handle, avatar (old_value and new_value are the image URLs; a new signature on the same image is no change) or description; alerted_at: when the bot queued its alerts to the channel''s followers.';

-- The image an avatar URL names: its path, without the host (CDNs serve one
-- image from many) and the query (signatures and expiry times change on
-- every fetch).
CREATE FUNCTION cos._image_path(url text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN regexp_replace(url, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*|[?#].*$', '', 'g');
COMMENT ON FUNCTION cos._image_path(text) IS
'Private: the path of an image URL (no scheme, host, query or fragment), what tells two avatars apart.';

CREATE FUNCTION cos._channel_changed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF OLD.title IS NOT NULL AND NEW.title IS DISTINCT FROM OLD.title AND NEW.title IS NOT NULL THEN
		INSERT INTO cos.channel_changes (channel_id, field, old_value, new_value)
		VALUES (NEW.id, 'title', OLD.title, NEW.title);
	END IF;
	IF OLD.handle IS NOT NULL AND NEW.handle IS DISTINCT FROM OLD.handle AND NEW.handle IS NOT NULL THEN
		INSERT INTO cos.channel_changes (channel_id, field, old_value, new_value)
		VALUES (NEW.id, 'handle', OLD.handle, NEW.handle);
	END IF;
	IF OLD.avatar_url IS NOT NULL AND NEW.avatar_url IS NOT NULL
	   AND cos._image_path(NEW.avatar_url) <> cos._image_path(OLD.avatar_url) THEN
		INSERT INTO cos.channel_changes (channel_id, field, old_value, new_value)
		VALUES (NEW.id, 'avatar', OLD.avatar_url, NEW.avatar_url);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION cos._channel_changed() IS
'Private: the trigger that records a channel''s changed title, handle or avatar in cos.channel_changes.';

CREATE TRIGGER channel_changes AFTER UPDATE OF title, handle, avatar_url ON cos.channels
	FOR EACH ROW
	WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.handle IS DISTINCT FROM NEW.handle
		  OR OLD.avatar_url IS DISTINCT FROM NEW.avatar_url)
	EXECUTE FUNCTION cos._channel_changed();

CREATE TABLE cos.videos (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	platform text NOT NULL REFERENCES cos.platforms (name),
	external_id text NOT NULL,
	channel_id bigint REFERENCES cos.channels (id) ON DELETE SET NULL,
	handle text,
	url text NOT NULL,
	title text,
	thumbnail_url text,
	-- the thumbnail downloaded from thumbnail_url, and when a download was
	-- last enqueued (a failed one is tried again 7 days later)
	thumbnail_sha256 text REFERENCES cos.uploads (sha256) ON DELETE SET NULL,
	thumbnail_tried_at timestamptz,
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
	-- added by an operator (cos.add_video), not only through the API
	operator_added boolean NOT NULL DEFAULT false,
	owner bigint,
	added_at timestamptz NOT NULL DEFAULT now(),
	checked_at timestamptz,
	last_run_id bigint,
	UNIQUE (platform, external_id)
);
COMMENT ON TABLE cos.videos IS
'Known videos with their latest counters (NULL where the platform does not publish one).  tracked: added on its own by add_video, collected every run even without its channel; operator_added: added by cos.add_video (SQL), so that no mini-app user''s removal untracks it.  thumbnail_sha256: the thumbnail the workers downloaded from thumbnail_url, stored once in cos.uploads (served as /uploads/<sha256>); thumbnail_tried_at: when its download was last enqueued.';
-- the videos whose thumbnail is still to be downloaded, oldest attempt first
CREATE INDEX videos_thumbnail_wanted ON cos.videos (thumbnail_tried_at NULLS FIRST, id)
	WHERE thumbnail_sha256 IS NULL AND thumbnail_url IS NOT NULL;

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

-- Drops the monthly partitions (named as _ensure_partitions names them) of
-- the history tables whose month ended at or before cutoff.  A partition
-- someone is reading (an analyst's long query) is skipped after waiting
-- lock_wait, and dropped by a later call: the drop must lock the table, and
-- a drop queued behind a reader would hold up every reader after it.
CREATE FUNCTION cos._drop_history_before(cutoff timestamptz, lock_wait interval DEFAULT '1 second')
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p record;
	dropped integer := 0;
	old_timeout text := current_setting('lock_timeout');
BEGIN
	FOR p IN
		SELECT c.relname, parent.relname AS parent_name
		  FROM pg_inherits i
		  JOIN pg_class c ON c.oid = i.inhrelid
		  JOIN pg_class parent ON parent.oid = i.inhparent
		 WHERE i.inhparent IN ('cos.video_history'::regclass, 'cos.channel_history'::regclass)
		   AND c.relname ~ '_y[0-9]{4}m[0-9]{2}$'
		   AND (to_date(substring(c.relname FROM '_y([0-9]{4}m[0-9]{2})$'), 'YYYY"m"MM')
				+ interval '1 month')::timestamp AT TIME ZONE 'UTC' <= cutoff
		 ORDER BY c.relname
	LOOP
		BEGIN
			PERFORM set_config('lock_timeout', (extract(epoch FROM lock_wait) * 1000)::bigint::text, true);
			EXECUTE format('DROP TABLE cos.%I', p.relname);
			dropped := dropped + 1;
			RAISE LOG 'cos: dropped history partition % (cos.history_retention)', p.relname;
		EXCEPTION WHEN lock_not_available THEN
			RAISE WARNING 'cos: history partition % is in use: not dropped now, tried again at the next tick', p.relname;
		END;
	END LOOP;
	PERFORM set_config('lock_timeout', old_timeout, true);
	RETURN dropped;
END
$$;
COMMENT ON FUNCTION cos._drop_history_before(timestamptz, interval) IS
'Private: drops the monthly partitions of video_history and channel_history (those named <table>_yYYYYmMM, as cos._ensure_partitions makes them) whose month ended at or before cutoff; one that stays locked by a reader for lock_wait is skipped with a WARNING.  The default partition is never dropped.  Returns how many were dropped.';

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
	note text,
	-- why some of its queued jobs cannot go out now (no usable account, …);
	-- kept up to date by tick(), NULL when nothing waits
	waiting text,
	-- when the bot queued this run's digests (sql/bot.sql), NULL before
	digest_at timestamptz
);
COMMENT ON TABLE cos.runs IS
'One row per collection run: a schedule slot''s instant (slot, unique) or a manual run_now (slot NULL), and its job counts; digest_at: when the bot queued the digests of this (scheduled, done) run.';

-- A batch: the jobs of one run on a batched platform (Instagram) that one
-- account collects; one worker claims the whole batch.
CREATE INDEX runs_digest_pending ON cos.runs (id) WHERE digest_at IS NULL;

CREATE TABLE cos.batches (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id bigint REFERENCES cos.runs (id) ON DELETE CASCADE,
	platform text NOT NULL REFERENCES cos.platforms (name),
	account_id bigint REFERENCES cos.accounts (id) ON DELETE SET NULL,
	state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'claimed', 'done')),
	claimed_by integer,
	claimed_at timestamptz,
	releases integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((state = 'claimed') = (claimed_by IS NOT NULL))
);
CREATE INDEX batches_open ON cos.batches (id) WHERE state <> 'done';
COMMENT ON TABLE cos.batches IS
'Batches of a run''s jobs on a batched platform (Instagram): one per account, claimed whole by one fetch worker (claimed_by), done when none of its jobs is open.  cos.release_batch() and tick (after cos.batch_timeout) give a stuck batch back.';

CREATE TABLE cos.jobs (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- collect: a target's counters; thumbnail: a video's thumbnail download
	kind text NOT NULL DEFAULT 'collect' CHECK (kind IN ('collect', 'thumbnail')),
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
	batch_id bigint REFERENCES cos.batches (id) ON DELETE SET NULL,
	-- the account and proxy the current attempt uses
	account_id bigint REFERENCES cos.accounts (id) ON DELETE SET NULL,
	proxy_id bigint REFERENCES cos.proxies (id) ON DELETE SET NULL,
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	CHECK ((channel_id IS NULL) <> (video_id IS NULL)),
	CHECK (queue = 'parsing_' || platform),
	-- a thumbnail download belongs to no run (run counts stay the run's
	-- targets) and to no batch
	CONSTRAINT jobs_thumbnail_of_no_run
		CHECK (kind = 'collect' OR (video_id IS NOT NULL AND run_id IS NULL AND batch_id IS NULL))
);
COMMENT ON TABLE cos.jobs IS
'The work queue, one queue per platform (parsing_tiktok, …).  Workers claim due jobs with FOR UPDATE SKIP LOCKED and hold them until locked_until (the visibility timeout); done, failed (not retried: unavailable, private, 4xx) and dead (attempts exhausted) are final.  kind collect fetches a target''s counters; kind thumbnail downloads a video''s thumbnail (no run, no account, the platform''s queue and limits).';

CREATE INDEX jobs_due ON cos.jobs (run_at) WHERE state = 'queued';
CREATE INDEX jobs_running ON cos.jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_run ON cos.jobs (run_id);
-- due jobs of no batch, for the claim (another worker's batch is not scanned)
CREATE INDEX jobs_due_free ON cos.jobs (run_at) WHERE state = 'queued' AND batch_id IS NULL;
-- the open jobs of a batch (a batch is done when it has none), due first
CREATE INDEX jobs_batch ON cos.jobs (batch_id, run_at) WHERE state IN ('queued', 'running');
-- Single flight: one open job per target and kind.
CREATE UNIQUE INDEX jobs_open_target ON cos.jobs (kind, coalesce(channel_id, 0), coalesce(video_id, 0))
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
'One row per HTTP request a worker made: the URL (API keys redacted), HTTP status, outcome (ok, unavailable, private, blocked, error, http_error, network_error, timeout, too_large, not_image) and the reason; also one row, outcome refused, per thumbnail URL that was not requested because its host is not one of the platform''s cdn_hosts.';
CREATE INDEX fetch_log_at ON cos.fetch_log (at);

-- The accounts a worker may use now: active, not cooling down, and within
-- their daily quota (the day in the platform's quota_time_zone).
CREATE VIEW cos._usable_accounts AS
SELECT a.*
  FROM cos.accounts a JOIN cos.platforms p ON p.name = a.platform
 WHERE a.active AND (a.cooldown_until IS NULL OR a.cooldown_until <= now())
   AND (a.daily_quota IS NULL OR a.quota_day IS DISTINCT FROM (now() AT TIME ZONE p.quota_time_zone)::date
		OR a.quota_used < a.daily_quota);
COMMENT ON VIEW cos._usable_accounts IS
'Private: accounts that are active, not cooling down and within their daily quota.';

-- The one place that says which jobs wait for an account: every job of a
-- platform listed here with needs_account = 'always', its channel jobs when
-- 'channels'.  Read by cos._claim (skips them), cos.tick (runs.waiting says
-- why) and cos.wait_idle (they are not pending work).
CREATE VIEW cos._accountless_platforms AS
SELECT p.name AS platform, p.needs_account
  FROM cos.platforms p
 WHERE p.needs_account <> 'never'
   AND NOT EXISTS (SELECT 1 FROM cos._usable_accounts a WHERE a.platform = p.name);
COMMENT ON VIEW cos._accountless_platforms IS
'Private: platforms that need an account and have none usable now; their jobs (needs_account = always) or their channel jobs (channels) wait.';

-- Claims up to n due jobs for fetch worker "worker": queued jobs whose run_at
-- has come, and running jobs whose visibility timeout has passed (their
-- worker died).  Each claim bumps attempts, which the worker later presents
-- as its token when it writes the job's end.  Jobs of a batch go only to the
-- worker that claimed the batch (one new batch per call); jobs that need an
-- account wait while their platform has none usable.  Accounts and proxies
-- are dealt out round robin, least recently used first.
CREATE FUNCTION cos._claim(n integer, visibility_s double precision, worker integer)
RETURNS TABLE (job_id bigint, attempt integer, run_id bigint, max_attempts integer,
			   platform text, is_video boolean, target_id bigint, external_id text,
			   handle text, platform_id text, web_base text, api_base text, user_agent text,
			   connect_timeout_ms integer, timeout_ms integer, max_concurrency integer,
			   account_kind text, secret text, app_id text,
			   account_id bigint, proxy_id bigint, proxy_url text, requests_per_second real,
			   pending boolean, target_url text, short_link_base text,
			   kind text, thumbnail_url text, cdn_hosts text[], cdn_base text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_sort = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	b bigint;
	ids bigint[];
	batches bigint[];
	enabled text[];
	mine bigint[];
	no_account text[];			-- platforms whose every job waits for an account
	no_channel_account text[];	-- platforms whose channel jobs wait for one
BEGIN
	-- this worker's batches with no open job left are done
	FOR b IN SELECT b2.id FROM cos.batches b2 WHERE b2.state = 'claimed' AND b2.claimed_by = worker
	LOOP
		IF NOT EXISTS (SELECT 1 FROM cos.jobs j
						WHERE j.batch_id = b AND j.state IN ('queued', 'running')) THEN
			UPDATE cos.batches b2 SET state = 'done', claimed_by = NULL WHERE b2.id = b;
		END IF;
	END LOOP;
	-- take over one open batch that has a due job
	FOR b IN SELECT b2.id FROM cos.batches b2 WHERE b2.state = 'open' ORDER BY b2.id
	LOOP
		IF EXISTS (SELECT 1 FROM cos.jobs j
					WHERE j.batch_id = b AND j.state = 'queued' AND j.run_at <= now()) THEN
			UPDATE cos.batches b2 SET state = 'claimed', claimed_by = worker, claimed_at = now()
			 WHERE b2.id = (SELECT b3.id FROM cos.batches b3 WHERE b3.id = b AND b3.state = 'open'
							   FOR UPDATE SKIP LOCKED);
			EXIT WHEN FOUND;
		END IF;
	END LOOP;

	SELECT array_agg(p.name) INTO enabled FROM cos.platforms p WHERE p.enabled;
	SELECT array_agg(w.platform) FILTER (WHERE w.needs_account = 'always'),
		   array_agg(w.platform) FILTER (WHERE w.needs_account = 'channels')
	  INTO no_account, no_channel_account
	  FROM cos._accountless_platforms w;
	SELECT array_agg(b2.id) INTO mine FROM cos.batches b2
	 WHERE b2.state = 'claimed' AND b2.claimed_by = worker;

	-- Index scans that stop after n rows (jobs_running, this worker's
	-- batches on jobs_batch, then jobs_due_free in run_at order), never a
	-- sort of every open job: the planner is told so
	-- (enable_sort = off above), since right after a run is enqueued the
	-- statistics of cos.jobs still say it is nearly empty.  Plans are
	-- generic (plan_cache_mode above): planning these statements afresh at
	-- each claim cost more than running them, the estimates of run_at and
	-- locked_until probing index ends full of dead entries.  A generic plan
	-- is made with the statistics of the moment, which say cos.jobs is tiny
	-- before a run's first ANALYZE: hash and merge joins are off so that
	-- the claimed jobs are always reached through their primary key, never
	-- by a scan of every job.  (jit = off: the
	-- one sort left, of a platform's few accounts, now costs enough to
	-- make the planner JIT-compile every claim.)  A job is skipped when it
	-- belongs to another worker's batch or waits for an account.  Each
	-- claimed job is then updated once, through the primary key, with the
	-- account and proxy it is dealt: round robin over the usable ones,
	-- least recently used first (a batch keeps its own account).
	WITH expired AS (
		SELECT j.id, j.platform, j.batch_id, j.kind FROM cos.jobs j
		 WHERE j.state = 'running' AND j.locked_until < now()
		   AND j.platform = ANY (enabled)
		   AND (j.batch_id IS NULL OR j.batch_id = ANY (mine))
		   AND NOT (j.kind = 'collect' AND coalesce(j.platform = ANY (no_account), false))
		   AND NOT (j.channel_id IS NOT NULL AND coalesce(j.platform = ANY (no_channel_account), false))
		 ORDER BY j.locked_until
		 LIMIT n
		   FOR UPDATE SKIP LOCKED
	), batched AS (
		-- at most half of the rest from this worker's batches, so that a
		-- batch held back by its platform's limits does not fill every slot
		SELECT j.id, j.platform, j.batch_id, j.kind FROM cos.jobs j
		 WHERE j.batch_id = ANY (mine) AND j.state = 'queued' AND j.run_at <= now()
		   AND j.platform = ANY (enabled)
		   AND NOT (j.kind = 'collect' AND coalesce(j.platform = ANY (no_account), false))
		 ORDER BY j.batch_id, j.run_at	-- jobs_batch's order: that index, not jobs_due
		 LIMIT (greatest(n - (SELECT count(*) FROM expired), 0) + 1) / 2
		   FOR UPDATE SKIP LOCKED
	), due AS (
		-- jobs of no batch only (jobs_due_free): other workers' batches are
		-- not even looked at
		SELECT j.id, j.platform, j.batch_id, j.kind FROM cos.jobs j
		 WHERE j.state = 'queued' AND j.batch_id IS NULL AND j.run_at <= now()
		   AND j.platform = ANY (enabled)
		   AND NOT (j.kind = 'collect' AND coalesce(j.platform = ANY (no_account), false))
		   AND NOT (j.channel_id IS NOT NULL AND coalesce(j.platform = ANY (no_channel_account), false))
		 ORDER BY j.run_at
		 LIMIT greatest(n - (SELECT count(*) FROM expired) - (SELECT count(*) FROM batched), 0)
		   FOR UPDATE SKIP LOCKED
	), k AS (
		SELECT c.id, c.platform, c.batch_id, c.kind,
			   row_number() OVER (PARTITION BY c.platform ORDER BY c.id) - 1 AS rn,
			   row_number() OVER (ORDER BY c.id) - 1 AS rn_all
		  FROM (SELECT * FROM expired UNION ALL SELECT * FROM batched UNION ALL SELECT * FROM due) c
	), acc AS (
		SELECT a.id, a.platform,
			   row_number() OVER (PARTITION BY a.platform ORDER BY a.last_used_at NULLS FIRST, a.id) - 1 AS k,
			   count(*) OVER (PARTITION BY a.platform) AS cnt
		  FROM cos._usable_accounts a
	), px AS (
		SELECT x.id, row_number() OVER (ORDER BY x.last_used_at NULLS FIRST, x.id) - 1 AS k,
			   count(*) OVER () AS cnt
		  FROM cos.proxies x
		 WHERE x.active AND (x.cooldown_until IS NULL OR x.cooldown_until <= now())
	), pick AS (
		-- a thumbnail download (a CDN, not the platform's pages) goes
		-- without an account and without a proxy
		SELECT k.id, CASE WHEN k.kind = 'collect' THEN coalesce(ba.id, a.id) END AS account_id,
			   CASE WHEN p.use_proxies AND k.kind = 'collect' THEN x.id END AS proxy_id
		  FROM k JOIN cos.platforms p ON p.name = k.platform
		  LEFT JOIN cos.batches b ON b.id = k.batch_id
		  LEFT JOIN cos._usable_accounts ba ON ba.id = b.account_id
		  LEFT JOIN acc a ON a.platform = k.platform AND a.k = k.rn % a.cnt
		  LEFT JOIN px x ON x.k = k.rn_all % x.cnt
	), u AS (
		UPDATE cos.jobs j SET state = 'running', attempts = j.attempts + 1, locked_by = worker,
			   locked_until = now() + make_interval(secs => visibility_s),
			   account_id = pick.account_id, proxy_id = pick.proxy_id
		  FROM pick WHERE j.id = pick.id
		RETURNING j.id, j.batch_id
	)
	SELECT array_agg(u.id), array_agg(DISTINCT u.batch_id) FILTER (WHERE u.batch_id IS NOT NULL)
	  INTO ids, batches FROM u;
	IF ids IS NULL THEN
		RETURN;
	END IF;
	-- a batch's claimed_at is its last activity (tick releases idle ones)
	IF batches IS NOT NULL THEN
		UPDATE cos.batches b SET claimed_at = now() WHERE b.id = ANY (batches);
	END IF;

	-- least recently used: a hint only, so rows another worker holds are
	-- skipped.  Each row is stamped with its last place in this claim (in
	-- microseconds after now()), so the next claim goes on where this one
	-- stopped instead of starting again from the lowest id.
	UPDATE cos.accounts a SET last_used_at = now() + make_interval(secs => u.pos / 1e6)
	  FROM (SELECT j.account_id, max(j.pos) AS pos
			  FROM (SELECT j.account_id, row_number() OVER (ORDER BY j.id) AS pos
					  FROM cos.jobs j WHERE j.id = ANY (ids)) j
			 GROUP BY j.account_id) u
	 WHERE a.id = u.account_id
	   AND a.id IN (SELECT a2.id FROM cos.accounts a2
					 WHERE a2.id IN (SELECT j.account_id FROM cos.jobs j WHERE j.id = ANY (ids))
					 ORDER BY a2.id FOR UPDATE SKIP LOCKED);
	UPDATE cos.proxies x SET last_used_at = now() + make_interval(secs => u.pos / 1e6)
	  FROM (SELECT j.proxy_id, max(j.pos) AS pos
			  FROM (SELECT j.proxy_id, row_number() OVER (ORDER BY j.id) AS pos
					  FROM cos.jobs j WHERE j.id = ANY (ids)) j
			 GROUP BY j.proxy_id) u
	 WHERE x.id = u.proxy_id
	   AND x.id IN (SELECT x2.id FROM cos.proxies x2
					 WHERE x2.id IN (SELECT j.proxy_id FROM cos.jobs j WHERE j.id = ANY (ids))
					 ORDER BY x2.id FOR UPDATE SKIP LOCKED);

	RETURN QUERY
	SELECT j.id, j.attempts, coalesce(j.run_id, 0), j.max_attempts, j.platform,
		   j.video_id IS NOT NULL, coalesce(j.video_id, j.channel_id),
		   coalesce(v.external_id, ch.external_id, ''), coalesce(v.handle, ch.handle),
		   ch.platform_id,
		   p.web_base, p.api_base, p.user_agent, p.connect_timeout_ms, p.timeout_ms,
		   p.max_concurrency, a.kind, a.secret, a.app_id,
		   j.account_id, j.proxy_id, x.url, p.requests_per_second,
		   coalesce(v.status, ch.status) = 'pending', coalesce(v.url, ch.url), p.short_link_base,
		   j.kind, v.thumbnail_url, p.cdn_hosts, p.cdn_base
	  FROM cos.jobs j JOIN cos.platforms p ON p.name = j.platform
	  LEFT JOIN cos.videos v ON v.id = j.video_id
	  LEFT JOIN cos.channels ch ON ch.id = j.channel_id
	  LEFT JOIN cos.accounts a ON a.id = j.account_id
	  LEFT JOIN cos.proxies x ON x.id = j.proxy_id
	 WHERE j.id = ANY (ids);
END
$$;
COMMENT ON FUNCTION cos._claim(integer, double precision, integer) IS
'Private: claims up to n due jobs for a fetch worker (FOR UPDATE SKIP LOCKED, visibility timeout; batches whole; jobs needing an account only while one is usable; thumbnail jobs never need one), deals out accounts and proxies least recently used first, and returns what the worker needs to fetch them (kind, and for thumbnail jobs the video''s thumbnail URL and the platform''s cdn_hosts).';

-- Records what the workers' requests did to the accounts and proxies they
-- used: requests counted against daily quotas; a block puts the proxy it
-- went through (else the account) into its platform's cooldown; three
-- network failures in a row rest a proxy.  report is a JSON array of
-- cos._usage_report objects (defined just below).
-- Rows are updated in id order, accounts first, so two workers never wait
-- on each other in a cycle.
CREATE TYPE cos._usage_report AS (
	account bigint,				-- cos.accounts.id used, or null
	proxy bigint,				-- cos.proxies.id used, or null
	requests integer,			-- requests made with the account
	blocked boolean,			-- the platform answered with an anti-bot page
	network_error boolean,		-- the last request failed below HTTP
	error text,
	platform text
);
COMMENT ON TYPE cos._usage_report IS
'Private: one finished task''s report to cos._record_usage.';

CREATE FUNCTION cos._record_usage(report jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT x.account, sum(coalesce(x.requests, 0))::integer AS requests,
			   bool_or(coalesce(x.blocked, false) AND x.proxy IS NULL) AS blocked,
			   max(x.error) FILTER (WHERE x.blocked AND x.proxy IS NULL) AS error
		  FROM jsonb_populate_recordset(NULL::cos._usage_report, report) x
		 WHERE x.account IS NOT NULL
		 GROUP BY x.account ORDER BY x.account
	LOOP
		UPDATE cos.accounts a
		   SET quota_used = CASE WHEN a.quota_day = (now() AT TIME ZONE p.quota_time_zone)::date
								 THEN a.quota_used ELSE 0 END + r.requests,
			   quota_day = (now() AT TIME ZONE p.quota_time_zone)::date,
			   cooldown_until = CASE WHEN r.blocked THEN now() + p.cooldown ELSE a.cooldown_until END,
			   last_error = CASE WHEN r.blocked THEN r.error ELSE a.last_error END
		  FROM cos.platforms p
		 WHERE a.id = r.account AND p.name = a.platform;
	END LOOP;

	FOR r IN
		SELECT x.proxy, bool_or(coalesce(x.blocked, false)) AS blocked,
			   bool_or(NOT coalesce(x.network_error, false)) AS reached,
			   count(*) FILTER (WHERE x.network_error)::integer AS failures,
			   max(x.error) FILTER (WHERE x.blocked OR x.network_error) AS error,
			   max(p.cooldown) AS cooldown
		  FROM jsonb_populate_recordset(NULL::cos._usage_report, report) x
		  LEFT JOIN cos.platforms p ON p.name = x.platform
		 WHERE x.proxy IS NOT NULL
		 GROUP BY x.proxy ORDER BY x.proxy
	LOOP
		UPDATE cos.proxies x
		   SET failures = CASE WHEN r.reached AND NOT r.blocked THEN 0 ELSE x.failures + r.failures END,
			   cooldown_until = CASE
					WHEN r.blocked THEN now() + coalesce(r.cooldown, '15 minutes')
					WHEN NOT r.reached AND x.failures + r.failures >= 3
						THEN now() + coalesce(r.cooldown, '15 minutes')
					ELSE x.cooldown_until END,
			   last_error = coalesce(r.error, x.last_error)
		 WHERE x.id = r.proxy;
	END LOOP;
END
$$;
COMMENT ON FUNCTION cos._record_usage(jsonb) IS
'Private: the fetch workers report what their requests did to accounts (quota, blocks) and proxies (blocks, network failures).';

-- Gives a stuck batch back: its running jobs return to the queue (their
-- attempt stays counted) and any worker may claim the batch again.
CREATE FUNCTION cos.release_batch(batch_id bigint)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	UPDATE cos.batches b SET state = 'open', claimed_by = NULL, claimed_at = NULL,
		   releases = b.releases + 1
	 WHERE b.id = release_batch.batch_id AND b.state = 'claimed';
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT 1 FROM cos.batches b WHERE b.id = release_batch.batch_id) THEN
			RAISE EXCEPTION 'batch % does not exist', batch_id
				USING ERRCODE = 'no_data_found';
		END IF;
		RETURN 0;
	END IF;
	UPDATE cos.jobs j SET state = 'queued', locked_until = NULL, locked_by = NULL
	 WHERE j.batch_id = release_batch.batch_id AND j.state = 'running';
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM cos._wake();
	RETURN n;
END
$$;
COMMENT ON FUNCTION cos.release_batch(bigint) IS
'Admin: frees a stuck batch (one a worker claimed and does not finish): its running jobs go back to the queue, without duplicates, and any worker may claim the batch again.  Returns the number of jobs put back; 0 when the batch was not claimed.  Raises no_data_found for an unknown batch.  tick() does the same for batches claimed longer than cos.batch_timeout.';

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

CREATE FUNCTION cos._thumbnail_url_allowed(url text, cdn_hosts text[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'cos_thumbnail_url_allowed_sql'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION cos._thumbnail_url_allowed(text, text[]) IS
'Private: whether a thumbnail URL may be downloaded from a platform whose CDN hosts are cdn_hosts: http or https, a DNS host name (no IP address), no user info, the default port, and a host equal to one of cdn_hosts or ending with "." and one of them.  The URL is parsed by libcurl''s URL API, as the worker does.';

------------------------------------------------------------------------------
-- Thumbnails
------------------------------------------------------------------------------

-- Enqueues one thumbnail download (a job of kind thumbnail, no run) for up
-- to lim videos that have a thumbnail URL and no stored thumbnail, and whose
-- download was never enqueued or last enqueued 7 days ago or more; rows
-- another transaction holds are skipped (the fetch workers call this once
-- per stored batch, and tick() every minute).  A URL on a host outside the
-- platform's cdn_hosts gets no job: a fetch_log row (outcome refused) says
-- why.  Returns the number of jobs enqueued; 0 when cos.thumbnail_max_bytes
-- is 0 (downloads off).
CREATE FUNCTION cos._enqueue_thumbnails(lim integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	IF pg_size_bytes(current_setting('cos.thumbnail_max_bytes')) = 0 THEN
		RETURN 0;
	END IF;
	WITH cand AS (
		SELECT v.id, v.platform, v.thumbnail_url, p.max_attempts,
			   cos._thumbnail_url_allowed(v.thumbnail_url, p.cdn_hosts) AS allowed
		  FROM cos.videos v JOIN cos.platforms p ON p.name = v.platform
		 WHERE v.thumbnail_sha256 IS NULL AND v.thumbnail_url IS NOT NULL
		   AND (v.thumbnail_tried_at IS NULL OR v.thumbnail_tried_at <= now() - interval '7 days')
		   AND v.status = 'ok' AND p.enabled
		 ORDER BY v.thumbnail_tried_at NULLS FIRST, v.id
		 LIMIT lim
		   FOR UPDATE OF v SKIP LOCKED
	), marked AS (
		UPDATE cos.videos v SET thumbnail_tried_at = now() FROM cand WHERE v.id = cand.id
	), refused AS (
		INSERT INTO cos.fetch_log (platform, url, outcome, error)
		SELECT cand.platform, left(cand.thumbnail_url, 2048), 'refused',
			   'thumbnail of video ' || cand.id || ' not requested: its host is not one of cos.platforms.cdn_hosts'
		  FROM cand WHERE NOT cand.allowed
	), ins AS (
		INSERT INTO cos.jobs (kind, queue, platform, video_id, max_attempts)
		SELECT 'thumbnail', 'parsing_' || cand.platform, cand.platform, cand.id, cand.max_attempts
		  FROM cand WHERE cand.allowed
		 ORDER BY cand.id
		ON CONFLICT (kind, coalesce(channel_id, 0), coalesce(video_id, 0))
			WHERE state IN ('queued', 'running') DO NOTHING
		RETURNING 1
	)
	SELECT count(*) INTO n FROM ins;
	IF n > 0 THEN
		PERFORM cos._wake();
	END IF;
	RETURN n;
END
$$;
COMMENT ON FUNCTION cos._enqueue_thumbnails(integer) IS
'Private: enqueues a thumbnail download for up to lim videos that have a thumbnail URL on one of their platform''s cdn_hosts, no stored thumbnail, no open thumbnail job and no attempt in the last 7 days; logs the URLs on other hosts as refused.  Returns the number of jobs enqueued (0 when cos.thumbnail_max_bytes is 0).';

-- Stores a downloaded thumbnail once by content and links it to its video.
CREATE FUNCTION cos._store_thumbnail(video_id bigint, content_type text, body bytea)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	sha text := encode(sha256(body), 'hex');
BEGIN
	INSERT INTO cos.uploads (sha256, content_type, body)
	VALUES (sha, content_type, body)
	ON CONFLICT (sha256) DO NOTHING;
	UPDATE cos.videos v SET thumbnail_sha256 = sha WHERE v.id = _store_thumbnail.video_id;
	RETURN sha;
END
$$;
COMMENT ON FUNCTION cos._store_thumbnail(bigint, text, bytea) IS
'Private: stores a downloaded thumbnail in cos.uploads under the SHA-256 of its bytes (once: an identical body is not stored again) and sets the video''s thumbnail_sha256; returns the SHA-256 in hex.';

------------------------------------------------------------------------------
-- Adding targets
------------------------------------------------------------------------------

-- At most the first 200 characters of a value quoted in an error message
-- (a 1 MB URL must not come back in a 1 MB error).
CREATE FUNCTION cos._clip(s text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN pg_catalog.length(s) > 200 THEN pg_catalog.left(s, 200) || '…' ELSE s END
$$;
COMMENT ON FUNCTION cos._clip(text) IS
'Private: s cut to its first 200 characters and "…" when longer, for quoting input in error messages.';

-- Upserts the channel a URL names and returns its id; by_operator marks it
-- as added by an operator (cos.add_channel) rather than only by mini-app
-- users (cos_api.add_channel), whose removals then never stop it.
CREATE FUNCTION cos._add_channel(url text, owner bigint, by_operator boolean)
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
		RAISE EXCEPTION 'URL "%" names a % video, not a channel', cos._clip(url), p.platform
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use cos.add_video() to track a single video.';
	END IF;
	INSERT INTO cos.channels AS c (platform, external_id, handle, url, owner, status, operator_added)
	VALUES (p.platform, p.id, nullif(p.handle, ''), p.canonical_url, owner,
			CASE WHEN p.pending THEN 'pending' ELSE 'ok' END, by_operator)
	ON CONFLICT (platform, external_id) DO UPDATE
		SET active = true, owner = coalesce(EXCLUDED.owner, c.owner),
			operator_added = c.operator_added OR EXCLUDED.operator_added
	RETURNING c.id INTO cid;
	RETURN cid;
END
$$;
COMMENT ON FUNCTION cos._add_channel(text, bigint, boolean) IS
'Private: upserts the channel a URL names, active, and returns its id; by_operator sets operator_added (never cleared here).';

CREATE FUNCTION cos.add_channel(url text, owner bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT cos._add_channel(url, owner, true)
$$;
COMMENT ON FUNCTION cos.add_channel(text, bigint) IS
'Starts tracking the channel a public URL names (any public URL form; two forms of one channel give one row) and returns its id.  A channel added here is collected whatever the mini-app''s users add or remove (operator_added).  Raises invalid_parameter_value for an unsupported or malformed URL, or a video URL.';

-- Upserts the video a URL names and returns its id (by_operator as in
-- cos._add_channel).
CREATE FUNCTION cos._add_video(url text, owner bigint, by_operator boolean)
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
		RAISE EXCEPTION 'URL "%" names a % channel, not a video', cos._clip(url), p.platform
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use cos.add_channel() to track a channel.';
	END IF;
	INSERT INTO cos.videos AS v (platform, external_id, handle, url, owner, tracked, status, operator_added)
	VALUES (p.platform, p.id, nullif(p.handle, ''), p.canonical_url, owner, true,
			CASE WHEN p.pending THEN 'pending' ELSE 'ok' END, by_operator)
	ON CONFLICT (platform, external_id) DO UPDATE
		SET tracked = true, owner = coalesce(EXCLUDED.owner, v.owner),
			handle = coalesce(v.handle, EXCLUDED.handle),
			operator_added = v.operator_added OR EXCLUDED.operator_added
	RETURNING v.id INTO vid;
	RETURN vid;
END
$$;
COMMENT ON FUNCTION cos._add_video(text, bigint, boolean) IS
'Private: upserts the video a URL names, tracked, and returns its id; by_operator sets operator_added (never cleared here).';

CREATE FUNCTION cos.add_video(url text, owner bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT cos._add_video(url, owner, true)
$$;
COMMENT ON FUNCTION cos.add_video(text, bigint) IS
'Starts tracking the video a public URL names (watch?v=, youtu.be/, /shorts/, TikTok /@user/video/…, short links kept as pending, …) and returns its id.  A video added here is collected whatever the mini-app''s users add or remove (operator_added).  Raises invalid_parameter_value for an unsupported or malformed URL, or a channel URL.';

-- A short link (pending video) the worker resolved to external_id: the row
-- takes that id, or, when the video already has a row, is merged into it
-- (tracked and owner carried over, jobs moved; an open job of the pending
-- row is closed when the survivor has its own).  Returns the surviving id.
CREATE FUNCTION cos._resolve_video(pending_id bigint, external_id text, handle text, url text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	pv cos.videos;
	keep bigint;
BEGIN
	SELECT * INTO pv FROM cos.videos v WHERE v.id = pending_id FOR UPDATE;
	IF NOT FOUND OR pv.status <> 'pending' THEN
		RETURN pending_id;
	END IF;
	SELECT v.id INTO keep FROM cos.videos v
	 WHERE v.platform = pv.platform AND v.external_id = _resolve_video.external_id
	   FOR UPDATE;
	IF keep IS NULL THEN
		BEGIN
			UPDATE cos.videos v SET external_id = _resolve_video.external_id,
				   handle = coalesce(_resolve_video.handle, v.handle), url = _resolve_video.url,
				   status = 'ok'
			 WHERE v.id = pending_id;
			RETURN pending_id;
		EXCEPTION WHEN unique_violation THEN
			-- another worker just gave a short link to the same video this id
			SELECT v.id INTO keep FROM cos.videos v
			 WHERE v.platform = pv.platform AND v.external_id = _resolve_video.external_id
			   FOR UPDATE;
		END;
	END IF;

	UPDATE cos.videos v SET tracked = v.tracked OR pv.tracked, owner = coalesce(v.owner, pv.owner),
		   operator_added = v.operator_added OR pv.operator_added,
		   handle = coalesce(v.handle, _resolve_video.handle)
	 WHERE v.id = keep;
	-- single flight: the survivor keeps its own open job, the other one ends
	WITH closed AS (
		UPDATE cos.jobs j SET state = 'done', finished_at = now(), locked_until = NULL,
			   last_error = format('short link resolved to video %s, collected by its own job', keep)
		 WHERE j.video_id = pending_id AND j.state IN ('queued', 'running')
		   AND EXISTS (SELECT 1 FROM cos.jobs k WHERE k.video_id = keep AND k.kind = j.kind
						  AND k.state IN ('queued', 'running'))
		RETURNING j.run_id
	)
	UPDATE cos.runs r SET jobs_done = r.jobs_done + c.n,
		   status = CASE WHEN r.status = 'running' AND r.jobs_done + c.n + r.jobs_failed >= r.jobs_total
						 THEN 'done' ELSE r.status END,
		   finished_at = CASE WHEN r.status = 'running' AND r.jobs_done + c.n + r.jobs_failed >= r.jobs_total
							  THEN now() ELSE r.finished_at END
	  FROM (SELECT closed.run_id, count(*) AS n FROM closed WHERE closed.run_id IS NOT NULL
			 GROUP BY closed.run_id) c
	 WHERE r.id = c.run_id;
	UPDATE cos.jobs j SET video_id = keep WHERE j.video_id = pending_id;
	-- the mini-app users who added the short link now track the video
	-- (cos.user_videos: sql/api.sql)
	INSERT INTO cos.user_videos (user_id, video_id, added_at)
	SELECT u.user_id, keep, u.added_at FROM cos.user_videos u WHERE u.video_id = pending_id
	ON CONFLICT DO NOTHING;
	DELETE FROM cos.videos v WHERE v.id = pending_id;
	RETURN keep;
END
$$;
COMMENT ON FUNCTION cos._resolve_video(bigint, text, text, text) IS
'Private: gives a resolved short link its canonical id, or merges it into the row the video already has; returns the surviving video id.';

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
	bp record;
BEGIN
	-- pending videos (short links) are collected too: the worker resolves
	-- the link first
	WITH targets AS (
		SELECT c.platform, c.id AS channel_id, NULL::bigint AS video_id
		  FROM cos.channels c JOIN cos.platforms p ON p.name = c.platform
		 WHERE c.active AND p.enabled AND c.status = 'ok'
		   AND (only_platform IS NULL OR c.platform = only_platform)
		UNION ALL
		SELECT v.platform, NULL, v.id
		  FROM cos.videos v JOIN cos.platforms p ON p.name = v.platform
		 WHERE v.tracked AND p.enabled AND v.status IN ('ok', 'pending')
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
		ON CONFLICT (kind, coalesce(channel_id, 0), coalesce(video_id, 0))
			WHERE state IN ('queued', 'running') DO NOTHING
		RETURNING 1
	)
	SELECT count(*) INTO n FROM ins;

	-- batched platforms (Instagram): the run's jobs dealt out in turn to one
	-- batch per active account (one batch without an account when none is)
	FOR bp IN SELECT p.name FROM cos.platforms p
			   WHERE p.batched AND p.enabled AND (only_platform IS NULL OR p.name = only_platform)
				 AND EXISTS (SELECT 1 FROM cos.jobs j
							  WHERE j.run_id = _enqueue_run.run_id AND j.platform = p.name
								AND j.batch_id IS NULL AND j.state = 'queued')
	LOOP
		WITH acc AS (
			SELECT a.id FROM cos.accounts a WHERE a.platform = bp.name AND a.active
			UNION ALL
			SELECT NULL WHERE NOT EXISTS (SELECT 1 FROM cos.accounts a
										   WHERE a.platform = bp.name AND a.active)
		), b AS (
			INSERT INTO cos.batches (run_id, platform, account_id)
			SELECT _enqueue_run.run_id, bp.name, acc.id FROM acc ORDER BY acc.id
			RETURNING id
		), bk AS (
			SELECT b.id, row_number() OVER (ORDER BY b.id) - 1 AS k, count(*) OVER () AS cnt FROM b
		), jk AS (
			SELECT j.id, row_number() OVER (ORDER BY j.run_at, j.id) - 1 AS k
			  FROM cos.jobs j
			 WHERE j.run_id = _enqueue_run.run_id AND j.platform = bp.name
			   AND j.batch_id IS NULL AND j.state = 'queued'
		)
		UPDATE cos.jobs j SET batch_id = bk.id
		  FROM jk JOIN bk ON bk.k = jk.k % bk.cnt
		 WHERE j.id = jk.id;
	END LOOP;

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
		RAISE EXCEPTION 'unknown platform "%"', cos._clip(platform)
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
		ON CONFLICT (kind, coalesce(channel_id, 0), coalesce(video_id, 0))
			WHERE state IN ('queued', 'running') DO NOTHING
		RETURNING 1
	)
	SELECT enqueued + count(*) INTO enqueued FROM ins;
	IF enqueued > 0 THEN
		PERFORM cos._wake();
	END IF;

	-- thumbnails the workers' per-batch call left (downloads off at the
	-- time, rows it skipped, failures due for another try); not counted in
	-- the return value, which counts collection jobs
	PERFORM cos._enqueue_thumbnails();

	-- batches whose worker took no job from them for cos.batch_timeout
	PERFORM cos.release_batch(b.id) FROM cos.batches b
	 WHERE b.state = 'claimed'
	   AND b.claimed_at < at - current_setting('cos.batch_timeout')::interval;

	-- why jobs of a running run wait: no usable account for their platform
	UPDATE cos.runs r SET waiting = w.why
	  FROM (SELECT r2.id, string_agg(format('%s %s job(s) wait for a usable %s account (%s)',
							q.n, q.platform, q.platform,
							CASE WHEN q.active = 0 THEN 'none is active: add one to cos.accounts'
								 WHEN q.back IS NOT NULL
									THEN format('%s active, all cooling down or out of quota; the first cooldown ends at %s',
												q.active, q.back)
								 ELSE format('%s active, all out of their daily quota until midnight %s',
											 q.active, q.zone) END), '; ' ORDER BY q.platform)
						FILTER (WHERE q.platform IS NOT NULL) AS why
			  FROM cos.runs r2
			  LEFT JOIN LATERAL (
					SELECT j.platform, count(*) AS n,
						   (SELECT count(*) FROM cos.accounts a WHERE a.platform = j.platform AND a.active) AS active,
						   (SELECT min(a.cooldown_until) FROM cos.accounts a
							 WHERE a.platform = j.platform AND a.active AND a.cooldown_until > now()) AS back,
						   min(p.quota_time_zone) AS zone
					  FROM cos.jobs j JOIN cos.platforms p ON p.name = j.platform
					 WHERE j.run_id = r2.id AND j.state = 'queued'
					   AND EXISTS (SELECT 1 FROM cos._accountless_platforms w
									WHERE w.platform = j.platform
									  AND (w.needs_account = 'always' OR j.channel_id IS NOT NULL))
					 GROUP BY j.platform) q ON true
			 WHERE r2.status = 'running'
			 GROUP BY r2.id) w
	 WHERE r.id = w.id AND r.waiting IS DISTINCT FROM w.why;

	-- retention: finished jobs and the fetch log (runs keep their counts)
	DELETE FROM cos.jobs
	 WHERE state IN ('done', 'failed', 'dead') AND finished_at < at - retention;
	DELETE FROM cos.fetch_log WHERE fetch_log.at < tick.at - retention;
	-- history retention (0: kept for ever): whole monthly partitions
	IF current_setting('cos.history_retention')::interval > interval '0' THEN
		PERFORM cos._drop_history_before(at - current_setting('cos.history_retention')::interval);
	END IF;
	RETURN enqueued;
END
$$;
COMMENT ON FUNCTION cos.tick(timestamptz) IS
'The planner pg_cron calls every minute: creates history partitions ahead, opens one run per schedule slot that has come (in the slot''s time zone; a slot missed by less than cos.catchup_window is caught up once, older ones are recorded as skipped) and enqueues its jobs spread over the slot''s spread, enqueues channels whose own collect_every has passed, enqueues the thumbnail downloads that are due (cos._enqueue_thumbnails), drops finished jobs and fetch_log rows older than cos.log_retention, and, when cos.history_retention is set, the monthly history partitions that ended longer ago.  Returns the number of jobs enqueued.';

CREATE VIEW cos.run_progress AS
SELECT r.id, r.slot, r.kind, r.platform, r.started_at,
	   r.jobs_total, r.jobs_done, r.jobs_failed, r.jobs_retried,
	   count(j.id) FILTER (WHERE j.state = 'running') AS jobs_running,
	   count(j.id) FILTER (WHERE j.state = 'queued') AS jobs_queued,
	   round(100.0 * (r.jobs_done + r.jobs_failed) / nullif(r.jobs_total, 0), 1) AS percent_done,
	   r.waiting
  FROM cos.runs r LEFT JOIN cos.jobs j ON j.run_id = r.id
 WHERE r.status = 'running'
 GROUP BY r.id;
COMMENT ON VIEW cos.run_progress IS
'The runs in progress: job counts, jobs running and queued now, the share finished (done or failed) in percent, and why jobs wait (waiting: no usable account), as tick last saw it.';

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
		IF NOT EXISTS (SELECT 1 FROM cos.jobs j JOIN cos.platforms p ON p.name = j.platform
						WHERE j.state = 'running'
						   OR (j.state = 'queued' AND (j.run_at <= clock_timestamp() OR j.attempts > 0)
							   AND p.enabled
							   -- jobs waiting for an account are not pending work
							   AND (j.kind = 'thumbnail'
									OR NOT EXISTS (SELECT 1 FROM cos._accountless_platforms w
													WHERE w.platform = j.platform
													  AND (w.needs_account = 'always'
														   OR j.channel_id IS NOT NULL))))) THEN
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
'Waits until no job is due, running or waiting to be retried (jobs spread into the future by a schedule slot, and jobs waiting for a usable account, do not count), up to timeout; returns false if the timeout came first.  For tests and the demo.';

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
SELECT pg_catalog.pg_extension_config_dump('cos.proxies', '');
SELECT pg_catalog.pg_extension_config_dump('cos.batches', '');
SELECT pg_catalog.pg_extension_config_dump('cos.schedule_slots', 'WHERE id > 2');
SELECT pg_catalog.pg_extension_config_dump('cos._meta', 'WHERE key <> ''installed_at''');
SELECT pg_catalog.pg_extension_config_dump('cos.channels', '');
SELECT pg_catalog.pg_extension_config_dump('cos.videos', '');
SELECT pg_catalog.pg_extension_config_dump('cos.channel_changes', '');
SELECT pg_catalog.pg_extension_config_dump('cos.runs', '');
SELECT pg_catalog.pg_extension_config_dump('cos.jobs', '');
SELECT pg_catalog.pg_extension_config_dump('cos.fetch_log', '');
SELECT pg_catalog.pg_extension_config_dump('cos.uploads', '');
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
	FOREACH t IN ARRAY ARRAY['accounts', 'proxies', 'batches', 'schedule_slots', 'channels', 'channel_changes', 'videos', 'runs', 'jobs', 'fetch_log'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cos.' || t, 'id'), '');
	END LOOP;
END
$$;

-- The planner runs every minute; slot maths is in cos.tick, in each slot's
-- own time zone (pg_cron 1.4 runs in UTC).
SELECT cron.schedule('cos-tick', '* * * * *', 'SELECT cos.tick()');

-- Let already running workers notice the extension now.
SELECT cos._wake();
