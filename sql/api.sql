/* sql/api.sql -- the mini-app's API; appended to sql/cos.sql to make sql/cos--0.1.sql */

\echo Use "CREATE EXTENSION cos" to load this file. \quit

------------------------------------------------------------------------------
-- Roles (cluster-wide: created only when missing, never dropped)
------------------------------------------------------------------------------

-- cos_anon: no credentials, may only sign in.  cos_user: a signed-in
-- Telegram user, sees what it tracks.  cos_admin: sees everything (also a
-- cos_user).  cos_authenticator: the role the HTTP gateway (cos.http_role)
-- or PostgREST logs in as and switches from: LOGIN without a password (the
-- gateway's background workers do not go through pg_hba.conf; give it a
-- password for PostgREST), NOINHERIT, so that it holds no privilege of its
-- own beyond signing in.
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['cos_anon', 'cos_user', 'cos_admin'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'cos_authenticator') THEN
		CREATE ROLE cos_authenticator LOGIN NOINHERIT;
	END IF;
	IF NOT pg_catalog.pg_has_role('cos_admin', 'cos_user', 'MEMBER') THEN
		GRANT cos_user TO cos_admin;
	END IF;
	FOREACH r IN ARRAY ARRAY['cos_anon', 'cos_user', 'cos_admin'] LOOP
		IF NOT pg_catalog.pg_has_role('cos_authenticator', r, 'MEMBER') THEN
			EXECUTE format('GRANT %I TO cos_authenticator', r);
		END IF;
	END LOOP;
END
$$;

------------------------------------------------------------------------------
-- Users and what they track
------------------------------------------------------------------------------

CREATE TABLE cos.users (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	telegram_id bigint NOT NULL UNIQUE,
	username text,
	first_name text,
	last_name text,
	language_code text,
	is_premium boolean,
	photo_url text,
	role text NOT NULL DEFAULT 'cos_user' CHECK (role IN ('cos_user', 'cos_admin')),
	status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
	start_param text,
	created_at timestamptz NOT NULL DEFAULT now(),
	seen_at timestamptz NOT NULL DEFAULT now(),
	-- the token bucket of cos.user_adds_per_minute: adds left, as of when
	add_tokens double precision,
	add_tokens_at timestamptz,
	-- the bot (sql/bot.sql): when they first wrote to it (it may write to
	-- them since), when they blocked it (cleared when they write again),
	-- and whether they get a digest after each scheduled run
	bot_started_at timestamptz,
	bot_blocked_at timestamptz,
	digest boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cos.users IS
'Mini-app users, one per Telegram user (telegram_id from the validated initData; names as Telegram last sent them).  role: cos_user or cos_admin (the database role the API switches to); status blocked refuses sign-in; start_param: the deep-link parameter of the first sign-in; add_tokens, add_tokens_at: how many adds the user has left under cos.user_adds_per_minute, and when that was counted; bot_started_at: when they first wrote to the bot (it may message them since); bot_blocked_at: when they blocked the bot (no message goes to them until they write again); digest: whether they get a digest after each scheduled run.';

CREATE TABLE cos.user_channels (
	user_id bigint NOT NULL REFERENCES cos.users (id) ON DELETE CASCADE,
	channel_id bigint NOT NULL REFERENCES cos.channels (id) ON DELETE CASCADE,
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, channel_id)
);
CREATE INDEX user_channels_channel ON cos.user_channels (channel_id);
COMMENT ON TABLE cos.user_channels IS
'Which user tracks which channel (several users may track one channel).  A user sees a tracked channel, its history and its videos.';

CREATE TABLE cos.user_videos (
	user_id bigint NOT NULL REFERENCES cos.users (id) ON DELETE CASCADE,
	video_id bigint NOT NULL REFERENCES cos.videos (id) ON DELETE CASCADE,
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, video_id)
);
CREATE INDEX user_videos_video ON cos.user_videos (video_id);
COMMENT ON TABLE cos.user_videos IS
'Which user tracks which single video (added by URL, not through a channel).';

-- videos are listed per channel by channel_videos()
CREATE INDEX IF NOT EXISTS videos_channel ON cos.videos (channel_id);

SELECT pg_catalog.pg_extension_config_dump('cos.users', '');
SELECT pg_catalog.pg_extension_config_dump('cos.user_channels', '');
SELECT pg_catalog.pg_extension_config_dump('cos.user_videos', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cos.users', 'id'), '');

------------------------------------------------------------------------------
-- Sign-in: initData, JWT (C, sql_auth.c)
------------------------------------------------------------------------------

CREATE FUNCTION cos._verify_init_data(init_data text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'cos_verify_init_data'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION cos._verify_init_data(text) IS
'Private: validates Telegram Mini App initData with cos.bot_token and cos.init_data_max_age (Telegram''s rules: HMAC-SHA256 over the sorted fields) and returns its fields (user, auth_date, start_param, …).  Raises invalid_authorization_specification (28000) on any failure.';

CREATE FUNCTION cos._jwt_sign(claims jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'cos_jwt_sign_sql'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION cos._jwt_sign(jsonb) IS
'Private: signs claims as an HS256 JWT with cos.jwt_secret, adding iat and exp (now + cos.jwt_expiry) unless given.';

CREATE FUNCTION cos._auth_jwt(token text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'cos_auth_jwt'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION cos._auth_jwt(text) IS
'Private (for the HTTP gateway): verifies an HS256 JWT with cos.jwt_secret and returns its claims (at least role and sub).  Raises invalid_authorization_specification (28000) for a missing, malformed, forged, non-HS256 or expired token.';

-- The user a validated initData names: created on first sign-in, names
-- refreshed when they change (and seen_at at most every 5 minutes, so
-- repeated requests rarely write).  Returns the JWT claims for that user.
CREATE FUNCTION cos._auth_init_data(init_data text)
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d jsonb := cos._verify_init_data(init_data);
	u jsonb := d -> 'user';
	tid bigint;
	r cos.users;
BEGIN
	IF jsonb_typeof(u -> 'id') IS DISTINCT FROM 'number' OR (u ->> 'id') !~ '^[0-9]{1,18}$' THEN
		RAISE EXCEPTION 'invalid Telegram initData: no user with a numeric id'
			USING ERRCODE = 'invalid_authorization_specification',
				  HINT = 'Open the Mini App from a chat or the bot''s menu button, so that Telegram passes the user.';
	END IF;
	tid := (u ->> 'id')::bigint;
	SELECT * INTO r FROM cos.users WHERE telegram_id = tid;
	IF NOT FOUND THEN
		INSERT INTO cos.users AS x (telegram_id, username, first_name, last_name, language_code,
									is_premium, photo_url, start_param)
		VALUES (tid, u ->> 'username', u ->> 'first_name', u ->> 'last_name', u ->> 'language_code',
				(u ->> 'is_premium')::boolean, u ->> 'photo_url', d ->> 'start_param')
		ON CONFLICT (telegram_id) DO UPDATE SET seen_at = now()
		RETURNING * INTO r;
	ELSIF (r.username, r.first_name, r.last_name, r.language_code, r.is_premium, r.photo_url)
		  IS DISTINCT FROM
		  (u ->> 'username', u ->> 'first_name', u ->> 'last_name', u ->> 'language_code',
		   (u ->> 'is_premium')::boolean, u ->> 'photo_url')
		  OR r.seen_at < now() - interval '5 minutes' THEN
		UPDATE cos.users SET username = u ->> 'username', first_name = u ->> 'first_name',
			   last_name = u ->> 'last_name', language_code = u ->> 'language_code',
			   is_premium = (u ->> 'is_premium')::boolean, photo_url = u ->> 'photo_url',
			   seen_at = now()
		 WHERE id = r.id
		RETURNING * INTO r;
	END IF;
	IF r.status = 'blocked' THEN
		RAISE EXCEPTION 'user % is blocked', r.id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN jsonb_build_object('role', r.role, 'sub', r.id::text, 'telegram_id', r.telegram_id);
END
$$;
COMMENT ON FUNCTION cos._auth_init_data(text) IS
'Private (for the HTTP gateway and login): validates initData, creates or refreshes the cos.users row of its user, and returns the JWT claims {"role", "sub" (cos.users id as text), "telegram_id"}.  Raises invalid_authorization_specification (28000) for bad initData, insufficient_privilege (42501) for a blocked user.  Writes on first sign-in and when the names change, so call it outside a read-only transaction.';

-- The signed-in user's id from request.jwt.claims (set by PostgREST or the
-- gateway from a verified JWT or initData); NULL when there is none, and in
-- any session that did not log in as the gateway's role, a role of
-- cos.authenticator_roles or a superuser, since such a session could set the
-- claims itself (sql_auth.c).
CREATE FUNCTION cos._uid()
RETURNS bigint
AS 'MODULE_PATHNAME', 'cos_uid'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION cos._uid() IS
'Private: the cos.users id in request.jwt.claims (its sub), or NULL.  The claims count only in a session whose session_user (the login, not the current role) is cos.http_role, one of cos.authenticator_roles or a superuser: in any other session anyone could set them.';

-- The signed-in user's id; raises PT401 when there is none, 42501 when
-- blocked.  Called once at the top of every cos_api function that needs a user.
CREATE FUNCTION cos._me()
RETURNS bigint
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint := cos._uid();
	st text;
BEGIN
	IF uid IS NULL THEN
		RAISE EXCEPTION 'not signed in'
			USING ERRCODE = 'PT401',
				  HINT = 'Sign in with cos_api.login, then send the token as "Authorization: Bearer <token>".';
	END IF;
	SELECT status INTO st FROM cos.users WHERE id = uid;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown user %', uid
			USING ERRCODE = 'PT401';
	ELSIF st = 'blocked' THEN
		RAISE EXCEPTION 'user % is blocked', uid USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN uid;
END
$$;
COMMENT ON FUNCTION cos._me() IS
'Private: the signed-in user''s id; raises PT401 (HTTP 401 in PostgREST and the gateway) when not signed in or unknown, insufficient_privilege (42501) when blocked.';

-- True when the signed-in user is an administrator now (the database row,
-- not only the role in a token issued before a demotion).
-- PL/pgSQL, not SQL: a SECURITY DEFINER SQL function cannot be inlined and
-- is planned again at every call, while PL/pgSQL keeps its plans for the
-- session (the same holds for _sees_video and _sees_channel).
CREATE FUNCTION cos._is_admin()
RETURNS boolean
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN coalesce((SELECT u.role = 'cos_admin' AND u.status = 'active'
					   FROM cos.users u WHERE u.id = cos._uid()), false);
END
$$;
COMMENT ON FUNCTION cos._is_admin() IS
'Private: whether the signed-in user is an active cos_admin in cos.users.';

CREATE FUNCTION cos._require_admin()
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint := cos._me();
BEGIN
	IF NOT cos._is_admin() THEN
		RAISE EXCEPTION 'administrators only'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN uid;
END
$$;
COMMENT ON FUNCTION cos._require_admin() IS
'Private: the signed-in user''s id if an administrator; raises insufficient_privilege (42501) otherwise.';

------------------------------------------------------------------------------
-- Row-level security: a cos_user sees the channels and videos it tracks
------------------------------------------------------------------------------

ALTER TABLE cos.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE cos.user_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE cos.user_videos ENABLE ROW LEVEL SECURITY;
ALTER TABLE cos.channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE cos.videos ENABLE ROW LEVEL SECURITY;
ALTER TABLE cos.video_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE cos.channel_history ENABLE ROW LEVEL SECURITY;

-- (SELECT cos._uid()) is evaluated once per query (an InitPlan), not per row.
CREATE POLICY own_row ON cos.users FOR SELECT TO cos_user
	USING (id = (SELECT cos._uid()));
CREATE POLICY own_rows ON cos.user_channels FOR SELECT TO cos_user
	USING (user_id = (SELECT cos._uid()));
CREATE POLICY own_rows ON cos.user_videos FOR SELECT TO cos_user
	USING (user_id = (SELECT cos._uid()));
CREATE POLICY tracked ON cos.channels FOR SELECT TO cos_user
	USING (EXISTS (SELECT 1 FROM cos.user_channels uc
					WHERE uc.channel_id = channels.id AND uc.user_id = (SELECT cos._uid())));
CREATE POLICY tracked ON cos.videos FOR SELECT TO cos_user
	USING (EXISTS (SELECT 1 FROM cos.user_videos uv
					WHERE uv.video_id = videos.id AND uv.user_id = (SELECT cos._uid()))
		   OR EXISTS (SELECT 1 FROM cos.user_channels uc
					   WHERE uc.channel_id = videos.channel_id AND uc.user_id = (SELECT cos._uid())));
-- history follows its video / channel (whose own policies apply in the subquery)
CREATE POLICY tracked ON cos.video_history FOR SELECT TO cos_user
	USING (EXISTS (SELECT 1 FROM cos.videos v WHERE v.id = video_history.video_id));
CREATE POLICY tracked ON cos.channel_history FOR SELECT TO cos_user
	USING (EXISTS (SELECT 1 FROM cos.channels c WHERE c.id = channel_history.channel_id));

-- administrators (the role and the row) see every row
CREATE POLICY admin_all ON cos.users FOR SELECT TO cos_admin USING ((SELECT cos._is_admin()));
CREATE POLICY admin_all ON cos.user_channels FOR SELECT TO cos_admin USING ((SELECT cos._is_admin()));
CREATE POLICY admin_all ON cos.user_videos FOR SELECT TO cos_admin USING ((SELECT cos._is_admin()));
CREATE POLICY admin_all ON cos.channels FOR SELECT TO cos_admin USING ((SELECT cos._is_admin()));
CREATE POLICY admin_all ON cos.videos FOR SELECT TO cos_admin USING ((SELECT cos._is_admin()));
CREATE POLICY admin_all ON cos.video_history FOR SELECT TO cos_admin USING ((SELECT cos._is_admin()));
CREATE POLICY admin_all ON cos.channel_history FOR SELECT TO cos_admin USING ((SELECT cos._is_admin()));

-- The same rules, once per call, for the functions that read history: they
-- run as the owner (no per-row policy checks over the history), after this
-- check of the caller's right to the video or channel.
CREATE FUNCTION cos._sees_video(vid bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM cos.user_videos uv WHERE uv.user_id = cos._uid() AND uv.video_id = vid)
		OR EXISTS (SELECT 1 FROM cos.videos v JOIN cos.user_channels uc ON uc.channel_id = v.channel_id
					WHERE v.id = vid AND uc.user_id = cos._uid())
		OR (cos._is_admin() AND EXISTS (SELECT 1 FROM cos.videos v WHERE v.id = vid));
END
$$;
COMMENT ON FUNCTION cos._sees_video(bigint) IS
'Private: whether the signed-in user may see a video (the row-security rule of cos.videos: tracked on its own, through its channel, or an administrator).';

CREATE FUNCTION cos._sees_channel(cid bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM cos.user_channels uc WHERE uc.user_id = cos._uid() AND uc.channel_id = cid)
		OR (cos._is_admin() AND EXISTS (SELECT 1 FROM cos.channels c WHERE c.id = cid));
END
$$;
COMMENT ON FUNCTION cos._sees_channel(bigint) IS
'Private: whether the signed-in user may see a channel (the row-security rule of cos.channels: tracked, or an administrator).';

------------------------------------------------------------------------------
-- Schema cos_api (PostgREST's db-schemas = cos_api)
------------------------------------------------------------------------------

CREATE SCHEMA cos_api;
COMMENT ON SCHEMA cos_api IS
'The mini-app''s API, in PostgREST''s RPC style: functions only (tables stay in cos).  Reads are STABLE (GET or POST /rpc/<fn>), writes VOLATILE (POST).  Errors use PostgREST''s status table: PT401 -> 401 (not signed in, bad initData), 42501 -> 403 (401 for cos_anon), PT403 -> 403, PT404 -> 404 (not found or not yours), 23505 -> 409, 22023 -> 400, 55000 -> 500 (server not configured).';

-- The user object the API returns.
CREATE FUNCTION cos._user_json(u cos.users)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT jsonb_build_object('id', u.id, 'telegram_id', u.telegram_id, 'username', u.username,
							  'first_name', u.first_name, 'last_name', u.last_name,
							  'language_code', u.language_code, 'photo_url', u.photo_url,
							  'role', u.role, 'status', u.status,
							  'created_at', u.created_at, 'seen_at', u.seen_at)
$$;
COMMENT ON FUNCTION cos._user_json(cos.users) IS
'Private: a cos.users row as the API''s user object.';

CREATE FUNCTION cos_api.login(init_data text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	claims jsonb;
	u cos.users;
	msg text;
	hint text;
BEGIN
	-- login runs as cos_anon, for which PostgREST answers 28000 with 403 and
	-- 42501 with 401: re-raised as PT401 (bad initData) and PT403 (blocked)
	-- so that PostgREST and the gateway answer 401 and 403
	BEGIN
		claims := cos._auth_init_data(init_data);
	EXCEPTION
		WHEN invalid_authorization_specification THEN
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
			RAISE EXCEPTION USING ERRCODE = 'PT401', MESSAGE = msg, HINT = hint;
		WHEN insufficient_privilege THEN
			GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
			RAISE EXCEPTION USING ERRCODE = 'PT403', MESSAGE = msg;
	END;
	SELECT * INTO u FROM cos.users WHERE id = (claims ->> 'sub')::bigint;
	RETURN jsonb_build_object('token', cos._jwt_sign(claims), 'user', cos._user_json(u));
END
$$;
COMMENT ON FUNCTION cos_api.login(text) IS
'Signs in with Telegram Mini App initData (Telegram.WebApp.initData, unchanged): validates it with cos.bot_token (HMAC-SHA256, auth_date no older than cos.init_data_max_age), creates or updates the user, and returns {"token": JWT (HS256, cos.jwt_secret; claims role, sub, telegram_id, iat, exp), "user": {...}}.  Send the token as "Authorization: Bearer <token>"; PostgREST with the same jwt-secret accepts it.  Raises PT401 (HTTP 401) for invalid or stale initData, PT403 (HTTP 403) for a blocked user, 55000 when cos.bot_token or cos.jwt_secret is not set.';

CREATE FUNCTION cos_api.me()
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint := cos._me();
	u cos.users;
BEGIN
	SELECT * INTO u FROM cos.users WHERE id = uid;
	RETURN cos._user_json(u) || jsonb_build_object(
		'channels', (SELECT count(*) FROM cos.user_channels uc WHERE uc.user_id = uid),
		'videos', (SELECT count(*) FROM cos.user_videos uv WHERE uv.user_id = uid));
END
$$;
COMMENT ON FUNCTION cos_api.me() IS
'The signed-in user: id, telegram_id, names, role, status, and how many channels and single videos it tracks.  Raises PT401 when not signed in.';

CREATE FUNCTION cos_api.my_channels()
RETURNS TABLE (id bigint, platform text, url text, title text, handle text, avatar_url text,
			   followers bigint, videos_count bigint, status text, checked_at timestamptz,
			   added_at timestamptz, previous_at timestamptz, followers_change bigint)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	uid bigint := cos._me();
BEGIN
	-- the user's own links only; then the last two history rows of each
	RETURN QUERY
	WITH mine AS MATERIALIZED (
		SELECT c.*, uc.added_at AS linked_at,
			   row_number() OVER (ORDER BY uc.added_at DESC, c.id DESC) AS rn
		  FROM cos.user_channels uc JOIN cos.channels c ON c.id = uc.channel_id
		 WHERE uc.user_id = uid
	), h AS (
		SELECT * FROM cos._history_change('cos.channel_history',
				(SELECT array_agg(m.id ORDER BY m.rn) FROM mine m),
				(SELECT array_agg(coalesce(m.checked_at, now()) - interval '45 days' ORDER BY m.rn) FROM mine m),
				(SELECT array_agg(coalesce(m.checked_at, now()) ORDER BY m.rn) FROM mine m),
				'{followers}')
	)
	SELECT m.id, m.platform, m.url, m.title, m.handle, m.avatar_url, m.followers, m.videos_count,
		   m.status, m.checked_at, m.linked_at, h.previous_at, h.d1
	  FROM mine m LEFT JOIN h ON h.key = m.id
	 ORDER BY m.rn;
END
$$;
COMMENT ON FUNCTION cos_api.my_channels() IS
'The channels the signed-in user tracks, newest first: platform, URL, title, avatar, followers, video count, status, when last collected and when added, and the change of followers between the last two snapshots taken within 45 days of the latest collection (previous_at: when the earlier one was taken; NULL with fewer than two).';

CREATE FUNCTION cos_api.my_videos()
RETURNS TABLE (id bigint, platform text, url text, title text, thumbnail_url text,
			   thumbnail text, views bigint, likes bigint, comments bigint, status text, checked_at timestamptz,
			   added_at timestamptz, previous_at timestamptz,
			   views_change bigint, likes_change bigint, comments_change bigint)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	uid bigint := cos._me();
BEGIN
	RETURN QUERY
	WITH mine AS MATERIALIZED (
		SELECT v.*, uv.added_at AS linked_at,
			   row_number() OVER (ORDER BY uv.added_at DESC, v.id DESC) AS rn
		  FROM cos.user_videos uv JOIN cos.videos v ON v.id = uv.video_id
		 WHERE uv.user_id = uid
	), h AS (
		SELECT * FROM cos._history_change('cos.video_history',
				(SELECT array_agg(m.id ORDER BY m.rn) FROM mine m),
				(SELECT array_agg(coalesce(m.checked_at, now()) - interval '45 days' ORDER BY m.rn) FROM mine m),
				(SELECT array_agg(coalesce(m.checked_at, now()) ORDER BY m.rn) FROM mine m),
				'{views,likes,comments}')
	)
	SELECT m.id, m.platform, m.url, m.title, m.thumbnail_url, '/uploads/' || m.thumbnail_sha256,
		   m.views, m.likes, m.comments, m.status, m.checked_at, m.linked_at,
		   h.previous_at, h.d1, h.d2, h.d3
	  FROM mine m LEFT JOIN h ON h.key = m.id
	 ORDER BY m.rn;
END
$$;
COMMENT ON FUNCTION cos_api.my_videos() IS
'The single videos the signed-in user tracks (added by URL), newest first, with their latest counters and the change of views, likes and comments between the last two snapshots taken within 45 days of the latest collection (previous_at: when the earlier one was taken; NULL with fewer than two); thumbnail is the stored copy''s path /uploads/<sha256> (null until downloaded), thumbnail_url the platform''s.';

-- Enqueues the first collection of a target that was never collected.
CREATE FUNCTION cos._collect_soon(cid bigint, vid bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO cos.jobs (queue, platform, channel_id, video_id, run_at, max_attempts)
	SELECT 'parsing_' || t.platform, t.platform, cid, vid, now(), p.max_attempts
	  FROM (SELECT c.platform FROM cos.channels c
			 WHERE c.id = cid AND c.status = 'ok' AND c.checked_at IS NULL
			UNION ALL
			SELECT v.platform FROM cos.videos v
			 WHERE v.id = vid AND v.status = 'ok' AND v.checked_at IS NULL) t
	  JOIN cos.platforms p ON p.name = t.platform AND p.enabled
	ON CONFLICT (kind, coalesce(channel_id, 0), coalesce(video_id, 0))
		WHERE state IN ('queued', 'running') DO NOTHING;
	IF FOUND THEN
		-- this collection may come before tick() or run_now() ever ran (an
		-- API user adding a target right after CREATE EXTENSION): without
		-- this month's partitions its rows would land in the default
		-- partition, which then blocks that month's partition for good
		PERFORM cos._ensure_partitions(now(), 2);
		PERFORM cos._wake();
	END IF;
END
$$;
COMMENT ON FUNCTION cos._collect_soon(bigint, bigint) IS
'Private: queues a first collection, now, of a channel or video never collected yet (creating the history partitions of this month and the next two first, when missing).';

-- Checks one add (of a channel or a single video, kind) by user uid, whose
-- row it locks (so that one user's adds run one after another): at most
-- cos.user_adds_per_minute adds a minute (a token bucket in cos.users: a
-- burst of that many, then one every 60 / that seconds), and, when target
-- is not tracked by the user yet, at most cos.user_max_channels channels or
-- cos.user_max_videos single videos.  Administrators are exempt; 0 = no
-- limit.  Called after the target's upsert: an error rolls it back.
CREATE FUNCTION cos._check_add(uid bigint, kind text, target bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	per_minute integer := current_setting('cos.user_adds_per_minute')::integer;
	setting text := CASE kind WHEN 'channel' THEN 'cos.user_max_channels' ELSE 'cos.user_max_videos' END;
	most integer := current_setting(setting)::integer;
	u cos.users;
	tokens double precision;
	n bigint;
BEGIN
	SELECT * INTO u FROM cos.users WHERE id = uid FOR UPDATE;
	IF u.role = 'cos_admin' THEN
		RETURN;
	END IF;
	IF per_minute > 0 THEN
		tokens := least(per_minute, coalesce(u.add_tokens, per_minute)
					+ extract(epoch FROM now() - coalesce(u.add_tokens_at, now())) * per_minute / 60.0);
		IF tokens < 1 THEN
			RAISE EXCEPTION 'too many additions: at most % a minute (cos.user_adds_per_minute)', per_minute
				USING ERRCODE = 'PT429',
					  HINT = format('Try again in %s s.', ceil((1 - tokens) * 60.0 / per_minute));
		END IF;
		UPDATE cos.users SET add_tokens = tokens - 1, add_tokens_at = now() WHERE id = uid;
	END IF;
	IF most > 0 THEN
		IF kind = 'channel' THEN
			IF NOT EXISTS (SELECT 1 FROM cos.user_channels uc WHERE uc.user_id = uid AND uc.channel_id = target) THEN
				n := (SELECT count(*) FROM cos.user_channels uc WHERE uc.user_id = uid);
			END IF;
		ELSIF NOT EXISTS (SELECT 1 FROM cos.user_videos uv WHERE uv.user_id = uid AND uv.video_id = target) THEN
			n := (SELECT count(*) FROM cos.user_videos uv WHERE uv.user_id = uid);
		END IF;
		IF n >= most THEN
			RAISE EXCEPTION 'you already track % %s, the most one user may (%)', n, kind, setting
				USING ERRCODE = 'PT403',
					  DETAIL = format('%s = %s.', setting, most),
					  HINT = format('Remove a %s you no longer need first.', kind);
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION cos._check_add(bigint, text, bigint) IS
'Private: refuses an add by a mini-app user past cos.user_adds_per_minute (PT429, HTTP 429; a token bucket kept in cos.users) or, for a target the user does not track yet, past cos.user_max_channels / cos.user_max_videos (PT403, HTTP 403), saying which limit and the current count; administrators are exempt.  Locks the user''s row.';

CREATE FUNCTION cos_api.add_channel(url text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint := cos._me();
	cid bigint := cos._add_channel(url, NULL, false);
	c cos.channels;
BEGIN
	PERFORM cos._check_add(uid, 'channel', cid);
	INSERT INTO cos.user_channels (user_id, channel_id) VALUES (uid, cid)
	ON CONFLICT DO NOTHING;
	PERFORM cos._collect_soon(cid, NULL);
	SELECT * INTO c FROM cos.channels WHERE id = cid;
	RETURN jsonb_build_object('id', c.id, 'platform', c.platform, 'url', c.url, 'title', c.title,
							  'status', c.status, 'checked_at', c.checked_at);
END
$$;
COMMENT ON FUNCTION cos_api.add_channel(text) IS
'Starts tracking, for the signed-in user, the channel a public URL names (any URL form cos.parse_url accepts); adding one twice is harmless.  A channel never collected is queued for collection at once.  Returns {id, platform, url, title, status, checked_at}.  Raises 22023 for an unsupported URL or a video URL, PT429 (HTTP 429) past cos.user_adds_per_minute, PT403 (HTTP 403) past cos.user_max_channels.';

CREATE FUNCTION cos_api.remove_channel(channel_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint := cos._me();
BEGIN
	DELETE FROM cos.user_channels uc WHERE uc.user_id = uid AND uc.channel_id = remove_channel.channel_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'channel % is not tracked by you', channel_id
			USING ERRCODE = 'PT404';
	END IF;
	-- nobody tracks it any more, and no operator added it: stop collecting
	-- it (its history stays)
	UPDATE cos.channels c SET active = false
	 WHERE c.id = remove_channel.channel_id AND NOT c.operator_added
	   AND NOT EXISTS (SELECT 1 FROM cos.user_channels uc WHERE uc.channel_id = c.id);
	RETURN jsonb_build_object('removed', channel_id);
END
$$;
COMMENT ON FUNCTION cos_api.remove_channel(bigint) IS
'Stops tracking a channel for the signed-in user: only that user''s link goes.  When no user tracks it any more and no operator added it (cos.add_channel) it is no longer collected (its history is kept).  Raises PT404 (HTTP 404) when the user does not track it.';

CREATE FUNCTION cos_api.add_video(url text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint := cos._me();
	vid bigint := cos._add_video(url, NULL, false);
	v cos.videos;
BEGIN
	PERFORM cos._check_add(uid, 'video', vid);
	INSERT INTO cos.user_videos (user_id, video_id) VALUES (uid, vid)
	ON CONFLICT DO NOTHING;
	PERFORM cos._collect_soon(NULL, vid);
	SELECT * INTO v FROM cos.videos WHERE id = vid;
	RETURN jsonb_build_object('id', v.id, 'platform', v.platform, 'url', v.url, 'title', v.title,
							  'status', v.status, 'checked_at', v.checked_at);
END
$$;
COMMENT ON FUNCTION cos_api.add_video(text) IS
'Starts tracking, for the signed-in user, the single video a public URL names; adding one twice is harmless.  A video never collected is queued for collection at once.  Returns {id, platform, url, title, status, checked_at}.  Raises 22023 for an unsupported URL or a channel URL, PT429 (HTTP 429) past cos.user_adds_per_minute, PT403 (HTTP 403) past cos.user_max_videos.';

CREATE FUNCTION cos_api.remove_video(video_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint := cos._me();
BEGIN
	DELETE FROM cos.user_videos uv WHERE uv.user_id = uid AND uv.video_id = remove_video.video_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'video % is not tracked by you', video_id
			USING ERRCODE = 'PT404';
	END IF;
	UPDATE cos.videos v SET tracked = false
	 WHERE v.id = remove_video.video_id AND NOT v.operator_added
	   AND NOT EXISTS (SELECT 1 FROM cos.user_videos uv WHERE uv.video_id = v.id);
	RETURN jsonb_build_object('removed', video_id);
END
$$;
COMMENT ON FUNCTION cos_api.remove_video(bigint) IS
'Stops tracking a single video for the signed-in user: only that user''s link goes.  When no user tracks it on its own any more and no operator added it (cos.add_video) it is collected only with its channel, if that is tracked.  Raises PT404 (HTTP 404) when the user does not track it.';

------------------------------------------------------------------------------
-- Series: fixed buckets ending now
------------------------------------------------------------------------------

-- The interval of a series step and the default number of points
-- (seeds/004: 14 points by day, 50 by week).
CREATE FUNCTION cos._series_step(step text, points integer, OUT step_iv interval, OUT n integer)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	CASE step
		WHEN 'day' THEN step_iv := interval '1 day'; n := coalesce(points, 14);
		WHEN 'week' THEN step_iv := interval '7 days'; n := coalesce(points, 50);
		ELSE
			RAISE EXCEPTION 'unknown step "%"', cos._clip(step)
				USING ERRCODE = 'invalid_parameter_value', HINT = 'step is day or week.';
	END CASE;
	IF n < 1 OR n > 520 THEN
		RAISE EXCEPTION 'points must be between 1 and 520, not %', n
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
END
$$;
COMMENT ON FUNCTION cos._series_step(text, integer) IS
'Private: the bucket length of a series step (day, week) and the number of points (default 14 by day, 50 by week).';

-- A video's or channel's counters by time bucket, read from the primary-key
-- index of each partition of hist (extension/sql_history.c).
CREATE FUNCTION cos._history_series(hist regclass, key bigint, bounds timestamptz[], cols text[],
									OUT bucket_start timestamptz, OUT bucket_end timestamptz,
									OUT c1 bigint, OUT c2 bigint, OUT c3 bigint, OUT c4 bigint, OUT c5 bigint,
									OUT d1 bigint, OUT d2 bigint, OUT d3 bigint, OUT d4 bigint, OUT d5 bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cos_history_series'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION cos._history_series(regclass, bigint, timestamptz[], text[]) IS
'Private: for a table whose primary key starts (bigint key, captured_at) (cos.video_history, cos.channel_history; partitioned or not) and the strictly ascending bounds making buckets (bounds[j], bounds[j + 1]], one row per bucket but the first, in order: its bounds, the counters cols (1 to 5 bigint columns, by name, as c1..c5) of the last snapshot of key in it, NULL when it has none, and their change since the last snapshot of an earlier bucket (d1..d5; the first bucket is only the lookback for the second''s change).  Opens only the partitions whose range meets the buckets and reads each primary-key index backwards, one descent per bucket.  Raises 22023 for bad bounds or cols, 42501 without SELECT on hist, 0A000 when row security applies to the caller.';

-- The last two snapshots of each of many keys (extension/sql_history.c).
CREATE FUNCTION cos._history_change(hist regclass, keys bigint[], starts timestamptz[], ends timestamptz[],
									cols text[],
									OUT key bigint, OUT captured_at timestamptz, OUT previous_at timestamptz,
									OUT c1 bigint, OUT c2 bigint, OUT c3 bigint, OUT c4 bigint, OUT c5 bigint,
									OUT d1 bigint, OUT d2 bigint, OUT d3 bigint, OUT d4 bigint, OUT d5 bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cos_history_change'
LANGUAGE C STRICT STABLE ROWS 50;
COMMENT ON FUNCTION cos._history_change(regclass, bigint[], timestamptz[], timestamptz[], text[]) IS
'Private: for a table as cos._history_series takes and each keys[i] (one row per key with a snapshot in (starts[i], ends[i]], in order), the time of its last snapshot there (captured_at) and of the one before (previous_at, NULL when there is one only), the last one''s cols (c1..c5) and their change since the one before (d1..d5).  Reads partitions newest first, each key''s only while it can still gain a snapshot.  Raises 22023 for arrays of other lengths than keys, NULLs, a start not before its end or bad cols; otherwise as cos._history_series.';

-- The bounds of a series ending now: bounds[1] starts the period of the same
-- length before the series (the first bucket's change), bounds[2] starts the
-- series, bounds[k + 2] .. bounds[k + 3] is its k-th bucket (k from 0).
CREATE FUNCTION cos._series_bounds(step text, points integer)
RETURNS timestamptz[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s record := cos._series_step(step, points);
	first_start timestamptz := now() - s.n * s.step_iv;
BEGIN
	RETURN ARRAY[first_start - s.n * s.step_iv]
		|| ARRAY(SELECT first_start + k * s.step_iv FROM generate_series(0, s.n) k);
END
$$;
COMMENT ON FUNCTION cos._series_bounds(text, integer) IS
'Private: the bucket bounds of a series of step (day, week) and points ending now: the start of the period of the same length before the series, then the series'' n + 1 bucket bounds.  Raises 22023 as cos._series_step.';

CREATE FUNCTION cos_api.video_series(video_id bigint, step text DEFAULT 'day', points integer DEFAULT NULL)
RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz,
			   views bigint, likes bigint, comments bigint, shares bigint, saves bigint,
			   views_delta bigint, likes_delta bigint, comments_delta bigint,
			   shares_delta bigint, saves_delta bigint)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- one plan for the session: the query is the same at every call
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	bounds timestamptz[] := cos._series_bounds(step, points);
BEGIN
	PERFORM cos._me();
	IF NOT cos._sees_video(video_series.video_id) THEN
		RAISE EXCEPTION 'video % not found', video_id USING ERRCODE = 'PT404';
	END IF;
	-- bounds[1] .. bounds[2]: the lookback for the first bucket's change
	RETURN QUERY
	SELECT h.bucket_start, h.bucket_end, h.c1, h.c2, h.c3, h.c4, h.c5, h.d1, h.d2, h.d3, h.d4, h.d5
	  FROM cos._history_series('cos.video_history', video_series.video_id, bounds,
							   '{views,likes,comments,shares,saves}') h;
END
$$;
COMMENT ON FUNCTION cos_api.video_series(bigint, text, integer) IS
'A video''s counters as a fixed series of buckets ending now: step day (default 14 points) or week (default 50), each bucket (bucket_start, bucket_end] with the counters of the last snapshot in it and their change since the snapshot before it (in an earlier bucket, or in the period of the same length before the series); a bucket with no snapshot has NULLs, and is never skipped.  Raises 22023 for another step or points outside 1..520, PT404 (HTTP 404) when the video does not exist or is not visible to the user.';

CREATE FUNCTION cos_api.channel_series(channel_id bigint, step text DEFAULT 'day', points integer DEFAULT NULL)
RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz,
			   followers bigint, likes bigint, views bigint, videos bigint,
			   followers_delta bigint, likes_delta bigint, views_delta bigint, videos_delta bigint)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	bounds timestamptz[] := cos._series_bounds(step, points);
BEGIN
	PERFORM cos._me();
	IF NOT cos._sees_channel(channel_series.channel_id) THEN
		RAISE EXCEPTION 'channel % not found', channel_id USING ERRCODE = 'PT404';
	END IF;
	RETURN QUERY
	SELECT h.bucket_start, h.bucket_end, h.c1, h.c2, h.c3, h.c4, h.d1, h.d2, h.d3, h.d4
	  FROM cos._history_series('cos.channel_history', channel_series.channel_id, bounds,
							   '{followers,likes,views,videos}') h;
END
$$;
COMMENT ON FUNCTION cos_api.channel_series(bigint, text, integer) IS
'A channel''s followers, total likes, total views and video count as a fixed series of buckets ending now, as video_series: step day (14 points) or week (50), empty buckets as NULLs.  Raises 22023 for a bad step or points, PT404 (HTTP 404) when the channel does not exist or is not visible to the user.';

------------------------------------------------------------------------------
-- Cards and lists
------------------------------------------------------------------------------

CREATE FUNCTION cos_api.channel(channel_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c cos.channels;
	totals jsonb;
	series jsonb;
BEGIN
	PERFORM cos._me();
	SELECT * INTO c FROM cos.channels x WHERE x.id = channel.channel_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'channel % not found', channel_id USING ERRCODE = 'PT404';
	END IF;
	SELECT jsonb_build_object('videos', count(*), 'views', sum(v.views), 'likes', sum(v.likes),
							  'comments', sum(v.comments), 'shares', sum(v.shares))
	  INTO totals
	  FROM cos.videos v WHERE v.channel_id = c.id;
	SELECT coalesce(jsonb_agg(jsonb_build_object('at', s.bucket_end, 'followers', s.followers,
												 'delta', s.followers_delta) ORDER BY s.bucket_end), '[]')
	  INTO series
	  FROM cos_api.channel_series(c.id, 'day', 14) s;
	RETURN jsonb_build_object(
		'id', c.id, 'platform', c.platform, 'external_id', c.external_id, 'handle', c.handle,
		'url', c.url, 'title', c.title, 'avatar_url', c.avatar_url, 'status', c.status,
		'followers', c.followers, 'likes', c.likes, 'views', c.views, 'videos_count', c.videos_count,
		'checked_at', c.checked_at, 'added_at', c.added_at,
		'totals', totals, 'followers_history', series);
END
$$;
COMMENT ON FUNCTION cos_api.channel(bigint) IS
'A channel''s card: platform, title, URL, avatar, status, followers and the platform''s own totals, the totals over its known videos (views, likes, comments, shares), and followers_history, 14 daily buckets ending now ({at, followers, delta}, NULLs where nothing was captured).  Raises PT404 (HTTP 404) when the channel does not exist or is not visible to the user.';

CREATE FUNCTION cos_api.channel_videos(channel_id bigint, sort text DEFAULT 'views',
									   lim integer DEFAULT 50, off integer DEFAULT 0)
RETURNS TABLE (id bigint, platform text, url text, title text, thumbnail_url text,
			   thumbnail text, published_at timestamptz, duration_s integer, status text,
			   views bigint, likes bigint, comments bigint, shares bigint, saves bigint,
			   checked_at timestamptz, previous_at timestamptz,
			   views_change bigint, likes_change bigint, comments_change bigint,
			   shares_change bigint, saves_change bigint)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- one plan for the session: the query is the same at every call, and its
-- custom plan cost as much to make as the call itself
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
	PERFORM cos._me();
	IF sort IS NULL OR sort NOT IN ('views', 'likes', 'comments', 'published_at', 'added_at') THEN
		RAISE EXCEPTION 'unknown sort "%"', cos._clip(sort)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'sort is views, likes, comments, published_at or added_at (all descending).';
	END IF;
	IF lim IS NULL OR lim < 1 OR lim > 500 OR off IS NULL OR off < 0 THEN
		RAISE EXCEPTION 'lim must be 1..500 and off at least 0'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT cos._sees_channel(channel_videos.channel_id) THEN
		RAISE EXCEPTION 'channel % not found', channel_id USING ERRCODE = 'PT404';
	END IF;
	-- the page first, then the last two history rows of each of its videos
	RETURN QUERY
	WITH page AS MATERIALIZED (
		SELECT v.*,
			   row_number() OVER (ORDER BY
					CASE sort WHEN 'views' THEN v.views WHEN 'likes' THEN v.likes
							  WHEN 'comments' THEN v.comments END DESC NULLS LAST,
					CASE sort WHEN 'published_at' THEN v.published_at
							  WHEN 'added_at' THEN v.added_at END DESC NULLS LAST,
					v.id DESC) AS rn
		  FROM cos.videos v
		 WHERE v.channel_id = channel_videos.channel_id
		 ORDER BY rn
		 LIMIT lim OFFSET off
	), c AS (
		-- the last two snapshots within 45 days of each video's latest
		-- collection, from the newest monthly partition(s)
		SELECT * FROM cos._history_change('cos.video_history',
				(SELECT array_agg(p.id ORDER BY p.rn) FROM page p),
				(SELECT array_agg(coalesce(p.checked_at, now()) - interval '45 days' ORDER BY p.rn) FROM page p),
				(SELECT array_agg(coalesce(p.checked_at, now()) ORDER BY p.rn) FROM page p),
				'{views,likes,comments,shares,saves}')
	)
	SELECT p.id, p.platform, p.url, p.title, p.thumbnail_url, '/uploads/' || p.thumbnail_sha256,
		   p.published_at, p.duration_s,
		   p.status, p.views, p.likes, p.comments, p.shares, p.saves, p.checked_at,
		   c.previous_at, c.d1, c.d2, c.d3, c.d4, c.d5
	  FROM page p LEFT JOIN c ON c.key = p.id
	 ORDER BY p.rn;
END
$$;
COMMENT ON FUNCTION cos_api.channel_videos(bigint, text, integer, integer) IS
'A page of a channel''s videos (lim 1..500, default 50, from off; thumbnail: the stored copy''s path /uploads/<sha256>, null until downloaded), sorted descending by views (default), likes, comments, published_at or added_at: latest counters, and the change between the last two snapshots taken within 45 days of the latest collection (previous_at: when the earlier one was taken; NULL changes when there is only one).  Raises 22023 for a bad sort, lim or off, PT404 (HTTP 404) when the channel does not exist or is not visible to the user.';

CREATE FUNCTION cos_api.video(video_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v cos.videos;
	ch jsonb;
BEGIN
	PERFORM cos._me();
	SELECT * INTO v FROM cos.videos x WHERE x.id = video.video_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'video % not found', video_id USING ERRCODE = 'PT404';
	END IF;
	-- the channel only if the user may see it
	SELECT jsonb_build_object('id', c.id, 'title', c.title, 'url', c.url, 'avatar_url', c.avatar_url)
	  INTO ch FROM cos.channels c WHERE c.id = v.channel_id;
	RETURN jsonb_build_object(
		'id', v.id, 'platform', v.platform, 'external_id', v.external_id, 'url', v.url,
		'title', v.title, 'thumbnail_url', v.thumbnail_url,
		'thumbnail', '/uploads/' || v.thumbnail_sha256, 'published_at', v.published_at,
		'duration_s', v.duration_s, 'status', v.status,
		'views', v.views, 'likes', v.likes, 'comments', v.comments, 'shares', v.shares,
		'saves', v.saves, 'checked_at', v.checked_at, 'added_at', v.added_at,
		'channel', ch);
END
$$;
COMMENT ON FUNCTION cos_api.video(bigint) IS
'A video''s card: platform, URL, title, thumbnail URL (the platform''s), thumbnail (the copy Cos stored, as the path /uploads/<sha256> the HTTP gateway serves; null until downloaded), published_at, duration, status (ok, pending, unavailable, private), the latest counters (NULL where the platform publishes none) and when they were collected, and its channel when the user may see it.  Raises PT404 (HTTP 404) when the video does not exist or is not visible to the user.';

------------------------------------------------------------------------------
-- Administration (cos_admin only)
------------------------------------------------------------------------------

CREATE FUNCTION cos_api.admin_users()
RETURNS TABLE (id bigint, telegram_id bigint, username text, first_name text, last_name text,
			   role text, status text, channels bigint, videos bigint,
			   created_at timestamptz, seen_at timestamptz)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM cos._require_admin();
	RETURN QUERY
	SELECT u.id, u.telegram_id, u.username, u.first_name, u.last_name, u.role, u.status,
		   (SELECT count(*) FROM cos.user_channels uc WHERE uc.user_id = u.id),
		   (SELECT count(*) FROM cos.user_videos uv WHERE uv.user_id = u.id),
		   u.created_at, u.seen_at
	  FROM cos.users u ORDER BY u.id;
END
$$;
COMMENT ON FUNCTION cos_api.admin_users() IS
'Administrators only: every user with role, status, and how many channels and videos it tracks.  Raises 42501 for anyone else.';

CREATE FUNCTION cos_api.admin_set_role(user_id bigint, role text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	me bigint := cos._require_admin();
	u cos.users;
BEGIN
	IF role IS NULL OR role NOT IN ('cos_user', 'cos_admin') THEN
		RAISE EXCEPTION 'unknown role "%"', cos._clip(role)
			USING ERRCODE = 'invalid_parameter_value', HINT = 'role is cos_user or cos_admin.';
	END IF;
	IF user_id = me AND role <> 'cos_admin' THEN
		RAISE EXCEPTION 'an administrator cannot demote itself'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Another administrator can.';
	END IF;
	UPDATE cos.users x SET role = admin_set_role.role WHERE x.id = admin_set_role.user_id
	RETURNING * INTO u;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user % not found', user_id USING ERRCODE = 'PT404';
	END IF;
	RETURN cos._user_json(u);
END
$$;
COMMENT ON FUNCTION cos_api.admin_set_role(bigint, text) IS
'Administrators only: sets a user''s role (cos_user or cos_admin); it takes effect at once for admin checks and in the next token.  Raises 42501 for anyone else, 22023 for another role or a self-demotion, PT404 for an unknown user.';

-- A secret shown as its last characters only.
CREATE FUNCTION cos._mask(secret text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN secret IS NULL THEN NULL
				WHEN length(secret) >= 16 THEN '…' || right(secret, 4)
				ELSE '…' END
$$;
COMMENT ON FUNCTION cos._mask(text) IS
'Private: a secret masked for display, as cos.account_status shows it: its last 4 characters when at least 16 long, else an ellipsis.';

CREATE FUNCTION cos_api.admin_accounts()
RETURNS TABLE (id bigint, platform text, kind text, label text, secret_masked text, app_id text,
			   active boolean, cooldown_until timestamptz, last_used_at timestamptz,
			   daily_quota integer, quota_used integer, last_error text, created_at timestamptz)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM cos._require_admin();
	RETURN QUERY
	SELECT a.id, a.platform, a.kind, a.label, cos._mask(a.secret), a.app_id, a.active,
		   a.cooldown_until, a.last_used_at, a.daily_quota, a.quota_used, a.last_error, a.created_at
	  FROM cos.accounts a ORDER BY a.platform, a.id;
END
$$;
COMMENT ON FUNCTION cos_api.admin_accounts() IS
'Administrators only: the platform accounts the workers use, secrets masked (the last 4 characters of a secret of 16 or more), their quota use and last error.  Raises 42501 for anyone else.';

CREATE FUNCTION cos_api.admin_proxies()
RETURNS TABLE (id bigint, url text, label text, active boolean, cooldown_until timestamptz,
			   failures integer, last_error text, last_used_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM cos._require_admin();
	RETURN QUERY
	SELECT p.id, p.url, p.label, p.active, p.cooldown_until, p.failures, p.last_error,
		   p.last_used_at, p.created_at
	  FROM cos.proxy_status p ORDER BY p.id;
END
$$;
COMMENT ON FUNCTION cos_api.admin_proxies() IS
'Administrators only: the proxies the workers use, with the credentials in their URLs masked (cos.proxy_status), whether each is active or cooling down, its failures and last error.  Raises 42501 for anyone else.';

CREATE FUNCTION cos_api.admin_release_batch(batch_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	msg text;
BEGIN
	PERFORM cos._require_admin();
	RETURN jsonb_build_object('batch_id', batch_id, 'jobs_requeued', cos.release_batch(batch_id));
EXCEPTION WHEN no_data_found THEN
	-- PostgREST answers P0002 with 500; an unknown batch is a 404
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
	RAISE EXCEPTION USING ERRCODE = 'PT404', MESSAGE = msg;
END
$$;
COMMENT ON FUNCTION cos_api.admin_release_batch(bigint) IS
'Administrators only: frees a stuck Instagram batch (cos.release_batch): its running jobs go back to the queue.  Returns {batch_id, jobs_requeued}.  Raises 42501 for anyone else, PT404 for an unknown batch.';

CREATE FUNCTION cos_api.admin_runs(lim integer DEFAULT 20)
RETURNS TABLE (id bigint, slot timestamptz, kind text, platform text, status text,
			   started_at timestamptz, finished_at timestamptz, jobs_total integer,
			   jobs_done integer, jobs_failed integer, jobs_retried integer, note text)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM cos._require_admin();
	IF lim IS NULL OR lim < 1 OR lim > 1000 THEN
		RAISE EXCEPTION 'lim must be 1..1000' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN QUERY
	SELECT r.id, r.slot, r.kind, r.platform, r.status, r.started_at, r.finished_at, r.jobs_total,
		   r.jobs_done, r.jobs_failed, r.jobs_retried, r.note
	  FROM cos.runs r ORDER BY r.id DESC LIMIT lim;
END
$$;
COMMENT ON FUNCTION cos_api.admin_runs(integer) IS
'Administrators only: the latest collection runs (default 20), newest first, with their job counts.  Raises 42501 for anyone else.';

CREATE FUNCTION cos_api.admin_summary(last_runs integer DEFAULT 10)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	since timestamptz;
	rates jsonb;
BEGIN
	PERFORM cos._require_admin();
	IF last_runs IS NULL OR last_runs < 1 OR last_runs > 1000 THEN
		RAISE EXCEPTION 'last_runs must be 1..1000' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- requests since the start of the last last_runs runs
	SELECT min(r.started_at) INTO since
	  FROM (SELECT x.started_at FROM cos.runs x WHERE x.status <> 'skipped' ORDER BY x.id DESC LIMIT last_runs) r;
	SELECT coalesce(jsonb_object_agg(platform, jsonb_build_object(
				'requests', n, 'ok', ok, 'success_rate', round(ok::numeric / n, 3))), '{}')
	  INTO rates
	  FROM (SELECT l.platform, count(*) AS n, count(*) FILTER (WHERE l.outcome = 'ok') AS ok
			  FROM cos.fetch_log l WHERE since IS NOT NULL AND l.at >= since
			 GROUP BY l.platform) x;
	RETURN jsonb_build_object(
		'users', (SELECT count(*) FROM cos.users),
		'channels', (SELECT count(*) FROM cos.channels),
		'channels_active', (SELECT count(*) FROM cos.channels WHERE active),
		'videos', (SELECT count(*) FROM cos.videos),
		'videos_tracked', (SELECT count(*) FROM cos.videos WHERE tracked),
		-- exact while the history is small (under 100,000 rows, counted
		-- with a bounded scan; planner statistics are missing or stale on a
		-- new install), else an estimate: an exact count of a large history
		-- is a full scan
		'snapshots_estimate', (SELECT CASE WHEN small.n < 100000 THEN small.n ELSE greatest(small.n, est.n) END
								 FROM (SELECT count(*) AS n
										 FROM (SELECT 1 FROM cos.video_history LIMIT 100000) h) small,
									  (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint AS n
										 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
										WHERE i.inhparent = 'cos.video_history'::regclass) est),
		'runs_considered', last_runs,
		'since', since,
		'platforms', rates);
END
$$;
COMMENT ON FUNCTION cos_api.admin_summary(integer) IS
'Administrators only: counts of users, channels, videos and history snapshots (exact under 100,000, else an estimate from planner statistics), and per platform the requests, successes and success rate since the start of the last last_runs runs (default 10).  Raises 42501 for anyone else.';

------------------------------------------------------------------------------
-- Privileges
------------------------------------------------------------------------------

REVOKE ALL ON SCHEMA cos_api FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA cos_api FROM PUBLIC;
REVOKE ALL ON cos.users, cos.user_channels, cos.user_videos FROM PUBLIC;
REVOKE ALL ON FUNCTION cos._sees_video(bigint), cos._sees_channel(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION cos._verify_init_data(text), cos._jwt_sign(jsonb), cos._auth_jwt(text),
	cos._auth_init_data(text), cos._uid(), cos._me(), cos._is_admin(), cos._require_admin(),
	cos._user_json(cos.users), cos._collect_soon(bigint, bigint), cos._series_step(text, integer),
	cos._series_bounds(text, integer), cos._history_series(regclass, bigint, timestamptz[], text[]),
	cos._history_change(regclass, bigint[], timestamptz[], timestamptz[], text[]),
	cos._mask(text), cos._check_add(bigint, text, bigint)
	FROM PUBLIC;

GRANT USAGE ON SCHEMA cos_api TO cos_anon, cos_user, cos_admin;
-- the gateway signs requests in as cos_authenticator, before it switches role
GRANT EXECUTE ON FUNCTION cos._auth_jwt(text), cos._auth_init_data(text) TO cos_authenticator;
-- uploads (thumbnails) are public: the gateway reads them as cos_anon
GRANT SELECT ON cos.uploads TO cos_anon, cos_user, cos_admin;
GRANT EXECUTE ON FUNCTION cos_api.login(text) TO cos_anon, cos_user;
GRANT EXECUTE ON FUNCTION cos_api.me(), cos_api.my_channels(), cos_api.my_videos(),
	cos_api.add_channel(text), cos_api.remove_channel(bigint),
	cos_api.add_video(text), cos_api.remove_video(bigint),
	cos_api.channel(bigint), cos_api.channel_videos(bigint, text, integer, integer),
	cos_api.channel_series(bigint, text, integer),
	cos_api.video(bigint), cos_api.video_series(bigint, text, integer)
	TO cos_user;
GRANT EXECUTE ON FUNCTION cos_api.admin_users(), cos_api.admin_set_role(bigint, text),
	cos_api.admin_accounts(), cos_api.admin_proxies(), cos_api.admin_release_batch(bigint),
	cos_api.admin_runs(integer),
	cos_api.admin_summary(integer)
	TO cos_admin;

-- The read functions run as the caller (cos_user / cos_admin), so the
-- policies above decide which rows they see: reading, never writing, and
-- never cos.accounts (secrets) or the queue.
GRANT SELECT ON cos.users, cos.user_channels, cos.user_videos, cos.channels, cos.videos,
	cos.video_history, cos.channel_history
	TO cos_user;
GRANT EXECUTE ON FUNCTION cos._uid(), cos._me(), cos._is_admin(), cos._require_admin(),
	cos._user_json(cos.users), cos._series_step(text, integer), cos._clip(text)
	TO cos_user;
