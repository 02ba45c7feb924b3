-- The collection engine's SQL side: accounts and proxies dealt out to jobs,
-- jobs waiting for an account, Instagram batches and their release, usage
-- (quotas, blocks, proxy failures), secrets hidden from other roles, and
-- short links resolved into existing rows.

-- this file claims jobs itself: stop the instance's fetch workers first
ALTER SYSTEM SET cos.fetch_workers = 0;
SELECT pg_reload_conf();
SELECT public.wait_no_fetch_workers();
SELECT count(*) AS fetch_workers FROM pg_stat_activity WHERE backend_type = 'cos fetch worker';
DELETE FROM cos.jobs;

-- Instagram needs an account: with none, its jobs wait, and the run says why
SELECT cos.add_video('https://www.instagram.com/p/B7eUksNFA-K/') AS ig1 \gset
SELECT cos.add_video('https://www.instagram.com/reel/CAG3E8-A3wf/') AS ig2 \gset
SELECT cos.add_video('https://www.instagram.com/tv/CWUuLp_DXjc/') AS ig3 \gset
SELECT cos.run_now('instagram') AS run1 \gset
SELECT count(*) AS batches, count(account_id) AS with_account FROM cos.batches WHERE run_id = :run1;
SELECT count(*) AS claimed FROM cos._claim(10, 60, 1);
SELECT cos.tick() >= 0 AS ticked;
SELECT waiting FROM cos.runs WHERE id = :run1;
SELECT waiting FROM cos.run_progress WHERE id = :run1;
-- waiting for an account is not pending work
SELECT cos.wait_idle('0.2 s') AS idle;

-- two sessions: worker 1 takes the whole batch, accounts dealt out in turn
INSERT INTO cos.accounts (platform, kind, secret, app_id, label)
VALUES ('instagram', 'cookie', 'sessionid=AAAA1111; csrftoken=x', '936619743392459', 'first'),
	   ('instagram', 'cookie', 'sessionid=BBBB2222; csrftoken=y', '936619743392459', 'second');
SELECT a.label, count(*) AS jobs, bool_and(c.secret LIKE 'sessionid=%') AS cookie_given
  FROM cos._claim(10, 60, 1) c JOIN cos.accounts a ON a.id = c.account_id
 GROUP BY a.label ORDER BY a.label;
SELECT state, claimed_by FROM cos.batches WHERE run_id = :run1;
SELECT count(*) AS worker2_claimed FROM cos._claim(10, 60, 2);
SELECT label, last_used_at IS NOT NULL AS used FROM cos.accounts ORDER BY id;
SELECT cos.tick() >= 0 AS ticked;
SELECT waiting FROM cos.runs WHERE id = :run1;

-- a stuck batch is released: its running jobs go back, once, and another
-- worker may take it; the jobs' attempts stay counted
SELECT id AS batch1 FROM cos.batches WHERE run_id = :run1 \gset
SELECT cos.release_batch(:batch1) AS released;
SELECT cos.release_batch(:batch1) AS released_again;
SELECT state, count(*) FROM cos.jobs WHERE batch_id = :batch1 GROUP BY state;
SELECT count(*) AS worker2_claimed, min(attempt) AS attempt FROM cos._claim(10, 60, 2);
SELECT state, claimed_by, releases FROM cos.batches WHERE id = :batch1;
\set VERBOSITY default
SELECT cos.release_batch(-1);
\set VERBOSITY terse

-- tick releases a batch whose worker took no job from it for cos.batch_timeout
UPDATE cos.batches SET claimed_at = now() - interval '2 hours' WHERE id = :batch1;
SELECT cos.tick() >= 0 AS ticked;
SELECT state, claimed_by, releases FROM cos.batches WHERE id = :batch1;
SELECT state, count(*) FROM cos.jobs WHERE batch_id = :batch1 GROUP BY state;

-- a block rests the account it went through (no proxy): the next claim
-- uses the other one
SELECT id AS acc1 FROM cos.accounts WHERE label = 'first' \gset
SELECT cos._record_usage(format('[{"account": %s, "proxy": null, "requests": 1, "blocked": true, "network_error": false, "error": "blocked: a login page", "platform": "instagram"}]', :acc1)::jsonb);
SELECT label, cooldown_until > now() AS cooling, last_error FROM cos.accounts ORDER BY id;
SELECT a.label, count(*) AS jobs FROM cos._claim(10, 60, 1) c JOIN cos.accounts a ON a.id = c.account_id
 GROUP BY a.label;

-- a new run of a batched platform: one batch per active account, jobs dealt
-- out between them
DELETE FROM cos.jobs;
SELECT cos.run_now('instagram') AS run2 \gset
SELECT a.label, count(j.id) AS jobs FROM cos.batches b
  JOIN cos.accounts a ON a.id = b.account_id JOIN cos.jobs j ON j.batch_id = b.id
 WHERE b.run_id = :run2 GROUP BY a.label ORDER BY a.label;
DELETE FROM cos.jobs;

-- daily quota: a YouTube key that used up its units is not dealt out; the
-- channel's job waits, single videos go on through the watch page
INSERT INTO cos.accounts (platform, kind, secret, daily_quota, label)
VALUES ('youtube', 'api_key', 'AIzaSyTESTKEY0000', 2, 'yt key');
SELECT id AS ytacc FROM cos.accounts WHERE label = 'yt key' \gset
SELECT cos._record_usage(format('[{"account": %s, "proxy": null, "requests": 2, "blocked": false, "network_error": false, "error": null, "platform": "youtube"}]', :ytacc)::jsonb);
SELECT quota_used, quota_day = (now() AT TIME ZONE 'America/Los_Angeles')::date AS today FROM cos.accounts WHERE id = :ytacc;
SELECT cos.run_now('youtube') AS run3 \gset
SELECT is_video, account_id IS NOT NULL AS keyed FROM cos._claim(10, 60, 1) ORDER BY is_video;
SELECT cos.tick() >= 0 AS ticked;
SELECT waiting FROM cos.runs WHERE id = :run3;
-- the next day (in Los Angeles) the quota is back
UPDATE cos.accounts SET quota_day = quota_day - 1 WHERE id = :ytacc;
SELECT is_video, account_id = :ytacc AS keyed FROM cos._claim(10, 60, 1);
DELETE FROM cos.jobs;

-- proxies: dealt out in turn; three network failures in a row rest one
INSERT INTO cos.proxies (url, label) VALUES
	('http://user:s3cret@127.0.0.1:3128', 'p1'), ('socks5://127.0.0.1:1080', 'p2');
INSERT INTO cos.proxies (url) VALUES ('ftp://127.0.0.1:21');
SELECT cos.run_now('tiktok') AS run4 \gset
SELECT proxy_url FROM cos._claim(10, 60, 1) ORDER BY job_id;
SELECT id AS p1 FROM cos.proxies WHERE label = 'p1' \gset
SELECT cos._record_usage(format('[{"account": null, "proxy": %s, "requests": 0, "blocked": false, "network_error": true, "error": "could not connect", "platform": "tiktok"}]', :p1)::jsonb)
  FROM generate_series(1, 2);
SELECT label, failures, cooldown_until IS NOT NULL AS cooling FROM cos.proxies ORDER BY id;
SELECT cos._record_usage(format('[{"account": null, "proxy": %s, "requests": 0, "blocked": false, "network_error": true, "error": "could not connect", "platform": "tiktok"}]', :p1)::jsonb);
SELECT label, failures, cooldown_until > now() AS cooling, last_error FROM cos.proxies ORDER BY id;
-- a request that got through clears the count
SELECT cos._record_usage(format('[{"account": null, "proxy": %s, "requests": 0, "blocked": false, "network_error": false, "error": null, "platform": "tiktok"}]', :p1)::jsonb);
SELECT label, failures FROM cos.proxies ORDER BY id;
DELETE FROM cos.jobs;

-- secrets: a role that may read the status views cannot read the tables
CREATE ROLE cos_test_reader;
GRANT USAGE ON SCHEMA cos TO cos_test_reader;
GRANT SELECT ON cos.account_status, cos.proxy_status TO cos_test_reader;
SET ROLE cos_test_reader;
SELECT label, secret_hint FROM cos.account_status ORDER BY id;
SELECT label, url FROM cos.proxy_status ORDER BY id;
SELECT secret FROM cos.accounts;
SELECT url FROM cos.proxies;
RESET ROLE;
DROP OWNED BY cos_test_reader;
DROP ROLE cos_test_reader;

-- short links: one resolved to a video Cos does not know takes its id;
-- one resolved to a video it already tracks is merged into that row
SELECT cos.add_video('https://vt.tiktok.com/ZSnew001/') AS s1 \gset
SELECT cos._resolve_video(:s1, '7000000000000000001', 'someone', 'https://www.tiktok.com/@someone/video/7000000000000000001') = :s1 AS same_row;
SELECT external_id, handle, url, status FROM cos.videos WHERE id = :s1;
SELECT id AS known FROM cos.videos WHERE external_id = '7526770564367748360' \gset
SELECT cos.add_video('https://vm.tiktok.com/ZMdup002/', 7) AS s2 \gset
-- a mini-app user tracks the short link: after the merge, the video
INSERT INTO cos.users (telegram_id, first_name) VALUES (5550001, 'Short') RETURNING id AS shortuser \gset
INSERT INTO cos.user_videos (user_id, video_id) VALUES (:shortuser, :s2);
SELECT cos.run_now('tiktok') AS run5 \gset
SELECT cos._resolve_video(:s2, '7526770564367748360', 'dangthuhaf', 'https://www.tiktok.com/@dangthuhaf/video/7526770564367748360') = :known AS merged;
SELECT count(*) AS pending_row_left FROM cos.videos WHERE id = :s2;
SELECT tracked, owner FROM cos.videos WHERE id = :known;
SELECT video_id = :known AS follows_the_video FROM cos.user_videos WHERE user_id = :shortuser;
-- one open job per target still, and the run counts the closed one as done
SELECT video_id = :known AS on_known, state, last_error IS NOT NULL AS says_why
  FROM cos.jobs WHERE run_id = :run5 AND video_id = :known ORDER BY state;
SELECT jobs_total, jobs_done FROM cos.runs WHERE id = :run5;
DELETE FROM cos.jobs;
DELETE FROM cos.users WHERE id = :shortuser;

ALTER SYSTEM RESET cos.fetch_workers;
SELECT pg_reload_conf();
