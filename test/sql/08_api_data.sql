-- The mini-app's API, part 2: tracking, cards, series, row security between
-- users, administration.  Users and tokens come from 07_api_auth.
SET timezone = 'UTC';
SET cos.init_data_max_age = 2147483647;
\set carol 'query_id=AAH1003&user=%7B%22id%22%3A1003%2C%22first_name%22%3A%22Carol%20Admin%22%2C%22username%22%3A%22carol%22%2C%22language_code%22%3A%22ru%22%7D&auth_date=1700000000&hash=f8244aeec1d1eb1cd9ba4d1180a3c150ae73bccc9d668c4821a84700a06858f4'

-- What the gateway (or PostgREST) does per request: log in as the
-- authenticator, verify the token, put the claims in request.jwt.claims,
-- switch to its role.  (Claims count only in a session that logged in as
-- the authenticator or a superuser; RESET SESSION AUTHORIZATION ends it.)
CREATE FUNCTION pg_temp.sign_in(who text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c jsonb;
	t text;
BEGIN
	RESET SESSION AUTHORIZATION;
	t := (SELECT token FROM public.api_tokens WHERE name = who);
	SET SESSION AUTHORIZATION cos_authenticator;
	c := cos._auth_jwt(t);
	PERFORM set_config('request.jwt.claims', c::text, false);
	EXECUTE format('SET ROLE %I', c ->> 'role');
	RETURN format('%s: %s', who, c ->> 'role');
END
$$;
SELECT id AS alice_id FROM cos.users WHERE telegram_id = 1001 \gset
SELECT id AS bob_id FROM cos.users WHERE telegram_id = 1002 \gset
SELECT id AS carol_id FROM cos.users WHERE telegram_id = 1003 \gset

-- without claims a cos_user is nobody: PT401 (HTTP 401)
SET ROLE cos_user;
SELECT public.fails('SELECT cos_api.me()');
RESET SESSION AUTHORIZATION;

------------------------------------------------------------------------------
-- Tracking
------------------------------------------------------------------------------
SELECT pg_temp.sign_in('alice');
SELECT current_user;
SELECT cos_api.add_channel('https://www.tiktok.com/@alice.tt') AS r \gset
SELECT :'r'::jsonb - 'id' AS added;
SELECT (:'r'::jsonb ->> 'id')::bigint AS alice_ch \gset
-- twice: the same channel, one link
SELECT (cos_api.add_channel('https://tiktok.com/@alice.tt?lang=en') ->> 'id')::bigint = :alice_ch AS same_channel;
SELECT cos_api.add_video('https://www.youtube.com/watch?v=AAAAAAAAAA1') AS r \gset
SELECT :'r'::jsonb - 'id' AS added;
SELECT (:'r'::jsonb ->> 'id')::bigint AS alice_vid \gset
-- bad URLs: 22023, nothing stored
SELECT public.fails('SELECT cos_api.add_channel(''https://www.youtube.com/watch?v=AAAAAAAAAA1'')');
SELECT public.fails('SELECT cos_api.add_video(''https://example.com/x'')');
SELECT cos_api.me() - 'created_at' - 'seen_at' - 'id' AS me;
SELECT platform, url, title, status, checked_at FROM cos_api.my_channels();
SELECT platform, url, status FROM cos_api.my_videos();

SELECT pg_temp.sign_in('bob');
SELECT (cos_api.add_channel('https://www.youtube.com/@bobtube') ->> 'id')::bigint AS bob_ch \gset
SELECT (cos_api.add_video('https://www.youtube.com/watch?v=BBBBBBBBBB2') ->> 'id')::bigint AS bob_vid \gset
SELECT platform, url FROM cos_api.my_channels();
RESET SESSION AUTHORIZATION;

-- a target never collected is queued for collection at once
-- (counted by target: a job that already failed against the closed port
-- leaves its target never collected, so adding it again queues another)
SELECT count(DISTINCT coalesce(channel_id, -video_id)) AS targets_queued FROM cos.jobs
 WHERE channel_id IN (:alice_ch, :bob_ch) OR video_id IN (:alice_vid, :bob_vid);
SELECT user_id = :alice_id AS alice, channel_id = :alice_ch AS alice_ch FROM cos.user_channels ORDER BY user_id;

-- Alice's channel has three videos and a history (as the workers would
-- write it); one transaction, so that now() is one instant for the rows and
-- the series below
BEGIN;
INSERT INTO cos.videos (platform, external_id, channel_id, url, title, views, likes, comments, checked_at)
VALUES ('tiktok', '7000000000000000011', :alice_ch, 'https://www.tiktok.com/@alice.tt/video/7000000000000000011', 'first', 500, 30, 5, now()),
       ('tiktok', '7000000000000000012', :alice_ch, 'https://www.tiktok.com/@alice.tt/video/7000000000000000012', 'second', 900, 10, 1, now()),
       ('tiktok', '7000000000000000013', :alice_ch, 'https://www.tiktok.com/@alice.tt/video/7000000000000000013', 'third', NULL, NULL, NULL, NULL);
SELECT id AS v1 FROM cos.videos WHERE external_id = '7000000000000000011' \gset
SELECT id AS v2 FROM cos.videos WHERE external_id = '7000000000000000012' \gset
SELECT id AS v3 FROM cos.videos WHERE external_id = '7000000000000000013' \gset
-- v1: before the 14 days (100), twice in the first day (150, then 160),
-- once on day 5 (200, likes not published), exactly at the end of day 7
-- (300; a bucket's end is in it), and an hour ago (500)
INSERT INTO cos.video_history (video_id, captured_at, views, likes, comments) VALUES
	(:v1, now() - interval '20 days', 100, 10, 1),
	(:v1, now() - interval '13 days 12 hours', 150, 12, 1),
	(:v1, now() - interval '13 days 2 hours', 160, 13, 2),
	(:v1, now() - interval '9 days 1 hour', 200, NULL, 3),
	(:v1, now() - interval '7 days', 300, 20, 4),
	(:v1, now() - interval '1 hour', 500, 30, 5),
	(:v2, now() - interval '2 days', 800, 8, 1),
	(:v2, now() - interval '1 hour', 900, 10, 1);
INSERT INTO cos.channel_history (channel_id, captured_at, followers, videos) VALUES
	(:alice_ch, now() - interval '3 days', 1000, 2),
	(:alice_ch, now() - interval '1 hour', 1100, 3);
UPDATE cos.channels SET followers = 1100, videos_count = 3, title = 'Alice TT' WHERE id = :alice_ch;

------------------------------------------------------------------------------
-- Cards, lists and series (Alice)
------------------------------------------------------------------------------
SELECT pg_temp.sign_in('alice');
-- 14 daily buckets ending now: the counter at each bucket's end and the
-- change since the snapshot before; empty buckets are NULL, not skipped
SELECT row_number() OVER (ORDER BY bucket_end) AS k, now() - bucket_end AS ends_ago,
       bucket_end - bucket_start AS len, views, likes, comments, views_delta, likes_delta, comments_delta
  FROM cos_api.video_series(:v1);
-- 50 weekly buckets by default; only three hold a snapshot
SELECT count(*) AS buckets, count(views) AS filled FROM cos_api.video_series(:v1, 'week');
SELECT now() - bucket_end AS ends_ago, views, views_delta, likes, likes_delta
  FROM cos_api.video_series(:v1, 'week') WHERE views IS NOT NULL;
SELECT count(*) AS buckets FROM cos_api.video_series(:v1, 'day', 3);
-- the channel card: totals over its videos, followers by day
SELECT cos_api.channel(:alice_ch) - 'id' - 'added_at' - 'checked_at' - 'followers_history' AS card;
SELECT x.followers, x.delta, now() - (x.at)::timestamptz AS ends_ago
  FROM jsonb_to_recordset(cos_api.channel(:alice_ch) -> 'followers_history') AS x(at text, followers bigint, delta bigint)
 WHERE x.followers IS NOT NULL;
SELECT jsonb_array_length(cos_api.channel(:alice_ch) -> 'followers_history') AS points;
-- its videos, by views (NULLs last), with the change between the last two snapshots
SELECT title, views, likes, views_change, likes_change, comments_change, now() - previous_at AS previous_ago
  FROM cos_api.channel_videos(:alice_ch);
SELECT title FROM cos_api.channel_videos(:alice_ch, 'likes', 2, 0);
SELECT title FROM cos_api.channel_videos(:alice_ch, 'views', 2, 2);
-- a video of her channel, and her single video
SELECT cos_api.video(:v1) - 'added_at' - 'checked_at' - 'id' #- '{channel,id}' AS video;
SELECT (cos_api.video(:alice_vid) ->> 'url') AS single_video;
SELECT cos_api.video(:v3) ->> 'views' IS NULL AS never_collected;
COMMIT;
-- bad arguments: 22023
SELECT public.fails(format('SELECT * FROM cos_api.video_series(%s, ''month'')', :v1));
SELECT public.fails(format('SELECT * FROM cos_api.video_series(%s, ''day'', 0)', :v1));
SELECT public.fails(format('SELECT * FROM cos_api.channel_videos(%s, ''title'')', :alice_ch));
SELECT public.fails(format('SELECT * FROM cos_api.channel_videos(%s, ''views'', 501)', :alice_ch));

------------------------------------------------------------------------------
-- Bob cannot read or change Alice's rows through any function
------------------------------------------------------------------------------
SELECT pg_temp.sign_in('bob');
SELECT public.fails(format('SELECT cos_api.channel(%s)', :alice_ch));
SELECT public.fails(format('SELECT * FROM cos_api.channel_videos(%s)', :alice_ch));
SELECT public.fails(format('SELECT * FROM cos_api.channel_series(%s)', :alice_ch));
SELECT public.fails(format('SELECT cos_api.video(%s)', :v1));
SELECT public.fails(format('SELECT cos_api.video(%s)', :alice_vid));
SELECT public.fails(format('SELECT * FROM cos_api.video_series(%s)', :v1));
SELECT public.fails(format('SELECT * FROM cos_api.video_series(%s, ''week'')', :alice_vid));
SELECT public.fails(format('SELECT cos_api.remove_channel(%s)', :alice_ch));
SELECT public.fails(format('SELECT cos_api.remove_video(%s)', :alice_vid));
SELECT public.fails(format('SELECT cos_api.remove_video(%s)', :v1));
-- a channel that does not exist reads the same as someone else's
SELECT public.fails('SELECT cos_api.channel(999999)');
-- his own lists hold only his rows
SELECT platform, url FROM cos_api.my_channels();
SELECT platform, url FROM cos_api.my_videos();
SELECT cos_api.me() ->> 'username' AS me, cos_api.me() ->> 'channels' AS channels;
-- direct reads of the tables: row security leaves only his rows
SELECT count(*) AS channels FROM cos.channels;
SELECT count(*) AS videos FROM cos.videos;
SELECT count(*) AS history FROM cos.video_history;
SELECT count(*) AS channel_history FROM cos.channel_history;
SELECT username FROM cos.users;
SELECT count(*) AS links FROM cos.user_channels;
-- and no writes at all, nor reads of secrets or the queue
SELECT public.fails(format('UPDATE cos.users SET role = ''cos_admin'' WHERE id = %s', :bob_id));
SELECT public.fails(format('INSERT INTO cos.user_channels (user_id, channel_id) VALUES (%s, %s)', :bob_id, :alice_ch));
SELECT public.fails('DELETE FROM cos.user_channels');
SELECT public.fails(format('UPDATE cos.channels SET title = ''mine'' WHERE id = %s', :alice_ch));
SELECT public.fails('SELECT * FROM cos.accounts');
SELECT public.fails('SELECT secret FROM cos.accounts');
SELECT public.fails('SELECT count(*) FROM cos.jobs');
SELECT public.fails('SELECT count(*) FROM cos.video_history_default');
-- nor administration
SELECT public.fails('SELECT * FROM cos_api.admin_users()');
SELECT public.fails('SELECT * FROM cos_api.admin_accounts()');
SELECT public.fails(format('SELECT cos_api.admin_set_role(%s, ''cos_admin'')', :bob_id));
SELECT public.fails('SELECT cos_api.admin_release_batch(1)');
SELECT public.fails('SELECT * FROM cos_api.admin_proxies()');
SELECT public.fails('SELECT * FROM cos.proxies');
-- a cos_admin role without the admin row (a forged or stale role claim)
-- gets no admin rows and no admin calls
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION cos_authenticator;
SELECT set_config('request.jwt.claims', json_build_object('role', 'cos_admin', 'sub', :'bob_id')::text, false) IS NOT NULL;
SET ROLE cos_admin;
SELECT public.fails('SELECT * FROM cos_api.admin_users()');
SELECT count(*) AS channels FROM cos.channels;
SELECT public.fails(format('SELECT cos_api.channel(%s)', :alice_ch));
SELECT public.fails(format('SELECT * FROM cos_api.channel_videos(%s)', :alice_ch));
SELECT public.fails(format('SELECT * FROM cos_api.video_series(%s)', :v1));
RESET SESSION AUTHORIZATION;
-- Alice's rows are untouched
SELECT count(*) AS alice_links FROM cos.user_channels WHERE user_id = :alice_id;
SELECT count(*) AS alice_videos FROM cos.user_videos WHERE user_id = :alice_id;
SELECT title, active FROM cos.channels WHERE id = :alice_ch;

------------------------------------------------------------------------------
-- Shared channels: Bob tracks Alice's channel too
------------------------------------------------------------------------------
SELECT pg_temp.sign_in('bob');
SELECT (cos_api.add_channel('https://www.tiktok.com/@alice.tt') ->> 'id')::bigint = :alice_ch AS same_channel;
SELECT count(*) AS videos_now_visible FROM cos_api.channel_videos(:alice_ch);
SELECT cos_api.video(:v1) ->> 'views' AS v1_views;
SELECT pg_temp.sign_in('alice');
SELECT (cos_api.remove_channel(:alice_ch) ->> 'removed')::bigint = :alice_ch AS removed;
SELECT public.fails(format('SELECT cos_api.channel(%s)', :alice_ch));
SELECT public.fails(format('SELECT cos_api.video(%s)', :v1));
SELECT cos_api.video(:alice_vid) ->> 'platform' AS single_still_visible;
RESET SESSION AUTHORIZATION;
SELECT active AS still_collected FROM cos.channels WHERE id = :alice_ch;
SELECT pg_temp.sign_in('bob');
SELECT (cos_api.remove_channel(:alice_ch) ->> 'removed')::bigint = :alice_ch AS removed;
RESET SESSION AUTHORIZATION;
SELECT active AS still_collected FROM cos.channels WHERE id = :alice_ch;

-- a blocked user's token no longer works
UPDATE cos.users SET status = 'blocked' WHERE id = :bob_id;
SELECT pg_temp.sign_in('bob');
SELECT public.fails('SELECT cos_api.me()');
RESET SESSION AUTHORIZATION;
UPDATE cos.users SET status = 'active' WHERE id = :bob_id;

------------------------------------------------------------------------------
-- Administration: a DBA makes Carol an administrator; she signs in again
------------------------------------------------------------------------------
INSERT INTO cos.accounts (platform, kind, label, secret, app_id) VALUES
	('youtube', 'api_key', 'api test key', 'AIzaSyD-0123456789abcdefghijklmnopq', NULL),
	('instagram', 'cookie', 'api test cookie', 'short', '936619743392459');
INSERT INTO cos.proxies (url, label, active) VALUES ('http://user:hunter2@127.0.0.1:9', 'api test proxy', false);
INSERT INTO cos.fetch_log (platform, url, outcome)
SELECT 'likee', 'http://127.0.0.1:9/x', o FROM unnest(ARRAY['ok', 'ok', 'ok', 'blocked']) o;
UPDATE cos.users SET role = 'cos_admin' WHERE id = :carol_id;
SET ROLE cos_anon;
SELECT cos_api.login(:'carol') ->> 'token' AS carol_token \gset
RESET SESSION AUTHORIZATION;
UPDATE public.api_tokens SET token = :'carol_token' WHERE name = 'carol';
SELECT pg_temp.sign_in('carol');
SELECT current_user;
SELECT username, role, status, channels, videos FROM cos_api.admin_users();
SELECT platform, kind, label, secret_masked, app_id FROM cos_api.admin_accounts()
 WHERE label LIKE 'api test %';
SELECT url, label, active FROM cos_api.admin_proxies() WHERE label = 'api test proxy';
SELECT public.fails('SELECT cos_api.admin_release_batch(999999)');
SELECT cos_api.admin_summary() AS summary \gset
SELECT public.fails('SELECT cos_api.admin_summary(0)');
SELECT count(*) > 0 AS has_runs FROM cos_api.admin_runs(5);
-- she sees every channel and every video
SELECT cos_api.channel(:bob_ch) ->> 'url' AS bob_channel;
SELECT count(*) AS all_alice_videos FROM cos_api.channel_videos(:alice_ch);
-- roles: Bob made admin and back; bad calls
SELECT cos_api.admin_set_role(:bob_id, 'cos_admin') ->> 'role' AS bob_role;
SELECT cos_api.admin_set_role(:bob_id, 'cos_user') ->> 'role' AS bob_role;
SELECT public.fails(format('SELECT cos_api.admin_set_role(%s, ''superuser'')', :bob_id));
SELECT public.fails(format('SELECT cos_api.admin_set_role(%s, ''cos_user'')', :carol_id));
SELECT public.fails('SELECT cos_api.admin_set_role(999999, ''cos_user'')');
SELECT public.fails('SELECT * FROM cos_api.admin_runs(0)');
-- the admin can still not read the secrets themselves
SELECT public.fails('SELECT secret FROM cos.accounts');
SELECT public.fails('SELECT url FROM cos.proxies');
RESET SESSION AUTHORIZATION;
-- the summary she got agrees with the tables (read here as superuser)
SELECT (:'summary'::jsonb ->> 'users')::bigint = (SELECT count(*) FROM cos.users) AS users,
       (:'summary'::jsonb ->> 'channels')::bigint = (SELECT count(*) FROM cos.channels) AS channels,
       (:'summary'::jsonb ->> 'videos')::bigint = (SELECT count(*) FROM cos.videos) AS videos,
       (:'summary'::jsonb ->> 'snapshots_estimate')::bigint = (SELECT count(*) FROM cos.video_history) AS snapshots,
       :'summary'::jsonb -> 'platforms' -> 'likee' = (
           SELECT jsonb_build_object('requests', count(*), 'ok', count(*) FILTER (WHERE outcome = 'ok'),
                                     'success_rate', round(count(*) FILTER (WHERE outcome = 'ok')::numeric / count(*), 3))
             FROM cos.fetch_log WHERE platform = 'likee' AND at >= (:'summary'::jsonb ->> 'since')::timestamptz) AS likee_rate,
       (:'summary'::jsonb -> 'platforms' -> 'likee' ->> 'requests')::int >= 4 AS counts_ours;

-- the history lookups are index scans on the primary key (video_id,
-- captured_at), newest first, with no sort (partition names vary by date,
-- so the plan is summarised)
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$$;
SET enable_seqscan = off;
SELECT p ~ 'Index (Only )?Scan Backward using video_history_[a-z0-9_]+_pkey' AS pkey_backward,
       p !~ 'Seq Scan' AS no_seq_scan, p !~ '->\s+(Incremental )?Sort\s' AS no_sort
  FROM pg_temp.plan('SELECT x.views FROM cos.video_history x WHERE x.video_id = 1
					  AND x.captured_at > now() - interval ''2 days'' AND x.captured_at <= now() - interval ''1 day''
					  ORDER BY x.captured_at DESC LIMIT 1') p;
RESET enable_seqscan;

-- The history-reading functions check visibility once (cos._sees_video,
-- cos._sees_channel) instead of per row: for every user, they allow exactly
-- the rows row security shows that user
CREATE FUNCTION pg_temp.visibility()
RETURNS TABLE (username text, videos_rls bigint[], videos_checked bigint[], channels_rls bigint[], channels_checked bigint[])
LANGUAGE plpgsql AS $$
DECLARE
	u record;
BEGIN
	FOR u IN SELECT * FROM cos.users ORDER BY id LOOP
		SET SESSION AUTHORIZATION cos_authenticator;
		PERFORM set_config('request.jwt.claims', json_build_object('role', u.role, 'sub', u.id::text)::text, false);
		EXECUTE format('SET ROLE %I', u.role);
		username := u.username;
		videos_rls := ARRAY(SELECT v.id FROM cos.videos v ORDER BY v.id);
		channels_rls := ARRAY(SELECT c.id FROM cos.channels c ORDER BY c.id);
		RESET SESSION AUTHORIZATION;
		videos_checked := ARRAY(SELECT v.id FROM cos.videos v WHERE cos._sees_video(v.id) ORDER BY v.id);
		channels_checked := ARRAY(SELECT c.id FROM cos.channels c WHERE cos._sees_channel(c.id) ORDER BY c.id);
		RETURN NEXT;
	END LOOP;
END
$$;
SELECT username,
       CASE WHEN cardinality(videos_rls) = (SELECT count(*) FROM cos.videos) THEN 'all'
            ELSE cardinality(videos_rls)::text END AS videos,
       videos_rls = videos_checked AS videos_agree,
       CASE WHEN cardinality(channels_rls) = (SELECT count(*) FROM cos.channels) THEN 'all'
            ELSE cardinality(channels_rls)::text END AS channels,
       channels_rls = channels_checked AS channels_agree
  FROM pg_temp.visibility();
-- and with Bob tracking Alice's channel again
SELECT pg_temp.sign_in('bob');
SELECT cos_api.add_channel('https://www.tiktok.com/@alice.tt') ->> 'url' AS again;
RESET SESSION AUTHORIZATION;
SELECT username,
       CASE WHEN cardinality(videos_rls) = (SELECT count(*) FROM cos.videos) THEN 'all'
            ELSE cardinality(videos_rls)::text END AS videos,
       videos_rls = videos_checked AS videos_agree,
       CASE WHEN cardinality(channels_rls) = (SELECT count(*) FROM cos.channels) THEN 'all'
            ELSE cardinality(channels_rls)::text END AS channels,
       channels_rls = channels_checked AS channels_agree
  FROM pg_temp.visibility();
SELECT set_config('request.jwt.claims', '', false) = '' AS signed_out;

-- my_videos and my_channels: the change between the last two snapshots
BEGIN;
INSERT INTO cos.video_history (video_id, captured_at, views, likes, comments) VALUES
	(:alice_vid, now() - interval '2 days', 1000, 50, NULL),
	(:alice_vid, now() - interval '1 hour', 1250, 45, 7);
UPDATE cos.videos SET views = 1250, likes = 45, comments = 7, checked_at = now() - interval '1 hour'
 WHERE id = :alice_vid;
INSERT INTO cos.channel_history (channel_id, captured_at, followers) VALUES
	(:bob_ch, now() - interval '1 day', 300), (:bob_ch, now() - interval '1 hour', 280);
UPDATE cos.channels SET followers = 280, checked_at = now() - interval '1 hour' WHERE id = :bob_ch;
COMMIT;
SELECT pg_temp.sign_in('alice');
SELECT url, views, views_change, likes_change, comments_change, checked_at - previous_at AS between
  FROM cos_api.my_videos() WHERE id = :alice_vid;
SELECT count(*) AS alice_sees_bobs FROM cos_api.my_channels() WHERE id = :bob_ch;
SELECT pg_temp.sign_in('bob');
SELECT url, followers, followers_change FROM cos_api.my_channels() WHERE id = :bob_ch;
SELECT count(*) AS bob_sees_alices FROM cos_api.my_videos() WHERE id = :alice_vid;
RESET SESSION AUTHORIZATION;

------------------------------------------------------------------------------
-- A user's removal removes that user's link only (an attack that stopped
-- collection for everyone by adding, then removing, a target others track)
------------------------------------------------------------------------------
-- an operator tracks a channel and a video with SQL (operator_added)
SELECT cos.add_channel('https://t.me/operator_channel') AS op_ch \gset
SELECT cos.add_video('https://www.youtube.com/watch?v=OPERATOR001') AS op_vid \gset
SELECT pg_temp.sign_in('alice');
SELECT (cos_api.add_channel('https://t.me/operator_channel') ->> 'id')::bigint = :op_ch AS same_channel,
       (cos_api.add_video('https://youtu.be/OPERATOR001') ->> 'id')::bigint = :op_vid AS same_video;
SELECT (cos_api.remove_channel(:op_ch) ->> 'removed')::bigint = :op_ch AS removed_channel,
       (cos_api.remove_video(:op_vid) ->> 'removed')::bigint = :op_vid AS removed_video;
RESET SESSION AUTHORIZATION;
SELECT c.active AS operator_channel_collected, v.tracked AS operator_video_tracked,
       c.operator_added AND v.operator_added AS operator_added
  FROM cos.channels c, cos.videos v WHERE c.id = :op_ch AND v.id = :op_vid;
-- a video two users track: collected until the last of them removes it
SELECT pg_temp.sign_in('alice');
SELECT (cos_api.add_video('https://www.youtube.com/watch?v=SHARED00001') ->> 'id')::bigint AS shared_vid \gset
SELECT pg_temp.sign_in('bob');
SELECT (cos_api.add_video('https://www.youtube.com/watch?v=SHARED00001') ->> 'id')::bigint = :shared_vid AS same_video;
SELECT (cos_api.remove_video(:shared_vid) ->> 'removed')::bigint = :shared_vid AS bob_removed;
RESET SESSION AUTHORIZATION;
SELECT tracked AS tracked_for_alice, operator_added FROM cos.videos WHERE id = :shared_vid;
SELECT pg_temp.sign_in('alice');
SELECT (cos_api.remove_video(:shared_vid) ->> 'removed')::bigint = :shared_vid AS alice_removed;
RESET SESSION AUTHORIZATION;
SELECT tracked AS tracked_by_nobody FROM cos.videos WHERE id = :shared_vid;
-- an operator's add of a target users added marks it too
SELECT cos.add_video('https://www.youtube.com/watch?v=SHARED00001') = :shared_vid AS same_video;
SELECT tracked, operator_added FROM cos.videos WHERE id = :shared_vid;

------------------------------------------------------------------------------
-- Claims count only in the authenticator's (or a superuser's) session: a
-- database login granted cos_user cannot pose as a user by setting them
------------------------------------------------------------------------------
CREATE ROLE cos_test_analyst LOGIN;
GRANT cos_user TO cos_test_analyst;
SET SESSION AUTHORIZATION cos_test_analyst;
SELECT set_config('request.jwt.claims', json_build_object('role', 'cos_user', 'sub', :'alice_id')::text, false) IS NOT NULL;
SELECT public.fails('SELECT cos_api.me()') AS me,
       public.fails('SELECT * FROM cos_api.my_channels()') AS my_channels,
       public.fails(format('SELECT cos_api.remove_video(%s)', :alice_vid)) AS remove_video;
SELECT count(*) AS channels_seen FROM cos.channels;
SELECT count(*) AS history_seen FROM cos.video_history;
SET ROLE cos_user;
SELECT public.fails('SELECT cos_api.me()') AS me_as_cos_user;
-- an administrator's sub (Carol) opens no series and no admin call either
SELECT set_config('request.jwt.claims', json_build_object('role', 'cos_admin', 'sub', :'carol_id')::text, false) IS NOT NULL;
SELECT public.fails(format('SELECT * FROM cos_api.video_series(%s)', :v1)) AS admin_series,
       public.fails('SELECT * FROM cos_api.admin_users()') AS admin_users;
RESET SESSION AUTHORIZATION;
SELECT count(*) AS alice_still_tracks FROM cos.user_videos WHERE user_id = :alice_id AND video_id = :alice_vid;
-- a role listed in cos.authenticator_roles (PostgREST's own authenticator)
-- passes claims
SET cos.authenticator_roles = 'cos_authenticator, cos_test_analyst';
SET SESSION AUTHORIZATION cos_test_analyst;
SELECT set_config('request.jwt.claims', json_build_object('role', 'cos_user', 'sub', :'alice_id')::text, false) IS NOT NULL;
SET ROLE cos_user;
SELECT cos_api.me() ->> 'username' AS listed_authenticator_passes;
RESET SESSION AUTHORIZATION;
RESET cos.authenticator_roles;
SET SESSION AUTHORIZATION cos_test_analyst;
SELECT public.fails('SELECT cos_api.me()') AS unlisted_again;
RESET SESSION AUTHORIZATION;
SELECT set_config('request.jwt.claims', '', false) = '' AS signed_out;
DROP ROLE cos_test_analyst;

------------------------------------------------------------------------------
-- Per-user limits: tracked channels and videos, adds a minute (admins exempt)
------------------------------------------------------------------------------
SET cos.user_max_channels = 3;
SET cos.user_max_videos = 2;
SET cos.user_adds_per_minute = 4;
SELECT pg_temp.sign_in('bob');
SELECT count(*) AS bob_channels FROM cos_api.my_channels();
SELECT count(*) AS bob_videos FROM cos_api.my_videos();
SELECT cos_api.add_channel('https://t.me/bob_second') ->> 'url' AS third_channel;
SELECT public.fails('SELECT cos_api.add_channel(''https://t.me/bob_fourth'')') AS fourth_channel;
-- adding one already tracked is no new link: allowed at the limit
SELECT cos_api.add_channel('https://t.me/bob_second') ->> 'url' AS again;
SELECT cos_api.add_video('https://www.youtube.com/watch?v=BOBSECOND01') ->> 'url' AS second_video;
SELECT public.fails('SELECT cos_api.add_video(''https://www.youtube.com/watch?v=BOBTHIRD001'')') AS third_video;
SELECT cos_api.add_video('https://youtu.be/BOBSECOND01') ->> 'url' AS again;
-- four adds went through in this minute (a refused one counts for nothing):
-- the fifth is refused, whatever it adds
SELECT public.fails('SELECT cos_api.add_video(''https://www.youtube.com/watch?v=BOBSECOND01'')') AS fifth_add;
RESET SESSION AUTHORIZATION;
SELECT count(*) FILTER (WHERE c.handle = 'bob_fourth') AS fourth_stored, count(*) AS bob_links
  FROM cos.user_channels uc JOIN cos.channels c ON c.id = uc.channel_id WHERE uc.user_id = :bob_id;
SELECT add_tokens < 1 AS bucket_empty FROM cos.users WHERE id = :bob_id;
-- a minute later the bucket has refilled
UPDATE cos.users SET add_tokens_at = add_tokens_at - interval '1 minute' WHERE id = :bob_id;
SELECT pg_temp.sign_in('bob');
SELECT cos_api.add_video('https://youtu.be/BOBSECOND01') ->> 'url' AS after_a_minute;
RESET SESSION AUTHORIZATION;
SELECT round(add_tokens) AS tokens_left FROM cos.users WHERE id = :bob_id;
-- the administrator is exempt
SELECT pg_temp.sign_in('carol');
SELECT count(*) AS carol_adds FROM generate_series(1, 6) i,
       LATERAL cos_api.add_channel('https://t.me/carol_' || i) r;
RESET SESSION AUTHORIZATION;
RESET cos.user_max_channels;
RESET cos.user_max_videos;
RESET cos.user_adds_per_minute;
SELECT name, setting FROM pg_settings WHERE name LIKE 'cos.user\_%' ORDER BY 1;

-- an error quotes at most 200 characters of what it was given
SELECT pg_temp.sign_in('alice');
SELECT length(public.fails(format('SELECT cos_api.add_video(%L)', 'https://example.com/' || repeat('a', 1000000)))) < 400 AS short_unsupported,
       length(public.fails(format('SELECT cos_api.add_channel(%L)', 'https://www.youtube.com/watch?v=AAAAAAAAAA1&b=' || repeat('b', 1900)))) < 400 AS short_not_a_channel,
       length(public.fails(format('SELECT * FROM cos_api.video_series(%s, %L)', :alice_vid, repeat('c', 100000)))) < 400 AS short_step;
SELECT public.fails(format('SELECT * FROM cos_api.video_series(%s, %L)', :alice_vid, repeat('c', 300))) AS clipped;
RESET SESSION AUTHORIZATION;

DROP TABLE public.api_tokens;
