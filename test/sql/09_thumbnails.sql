-- Thumbnails: the CDN host allowlist, thumbnail jobs (single flight per
-- kind, enqueued once, no run, no account), and storing by content.
\getenv abs_srcdir PG_ABS_SRCDIR
\set png :abs_srcdir '/fixtures/images/thumb_2x2.png'
\set jpg :abs_srcdir '/fixtures/images/thumb_8x8.jpg'

-- this file claims jobs itself: stop the instance's fetch workers first
ALTER SYSTEM SET cos.fetch_workers = 0;
SELECT pg_reload_conf();
SELECT public.wait_no_fetch_workers();
DELETE FROM cos.jobs;
DELETE FROM cos.fetch_log;

SHOW cos.thumbnail_max_bytes;
-- the CDN hosts shipped per platform (those of the captures' thumbnail URLs)
SELECT name, cdn_hosts FROM cos.platforms ORDER BY name;

-- the allowlist: whole labels, no IP addresses, no user info, no odd port
SELECT u AS url, cos._thumbnail_url_allowed(u, (SELECT cdn_hosts FROM cos.platforms WHERE name = 'tiktok')) AS allowed
  FROM unnest(ARRAY[
	'https://p16-sign-sg.tiktokcdn.com/tos-alisg-p-0037/o8fIweORmASjGYGgJLUIApCo1D6LQfmiQ1uRjH~tplv-tiktokx-origin.image?x-expires=1',
	'https://tiktokcdn.com/x.jpg',
	'http://p16.TIKTOKCDN.com./x.jpg',
	'https://p16.tiktokcdn.com:443/x.jpg',
	'https://eviltiktokcdn.com/x.jpg',
	'https://tiktokcdn.com.evil.example/x.jpg',
	'https://p16.tiktokcdn.com@evil.example/x.jpg',
	'https://evil.example/?u=https://p16.tiktokcdn.com/x.jpg',
	'https://p16.tiktokcdn.com:8443/x.jpg',
	'https://127.0.0.2/x.jpg',
	'https://[::1]/x.jpg',
	'ftp://p16.tiktokcdn.com/x.jpg',
	'javascript:alert(1)',
	'not a url',
	'https://i.ytimg.com/vi/x/0.jpg']) AS u;
SELECT cos._thumbnail_url_allowed('https://scontent-arn2-1.cdninstagram.com/v/x.jpg', cdn_hosts) AS instagram
  FROM cos.platforms WHERE name = 'instagram';
SELECT cos._thumbnail_url_allowed('https://videosnap.like.video/na_live/x.jpg', cdn_hosts) AS likee
  FROM cos.platforms WHERE name = 'likee';
SELECT cos._thumbnail_url_allowed('https://cdn4.telesco.pe/file/x.jpg', cdn_hosts) AS telegram
  FROM cos.platforms WHERE name = 'telegram';
SELECT cos._thumbnail_url_allowed('https://i.ytimg.com/vi/x/0.jpg', '{}') AS no_hosts;

-- videos as the store leaves them: thumbnail URLs from the pages
INSERT INTO cos.videos (platform, external_id, url, thumbnail_url) VALUES
	('youtube', 'thumbYT0001', 'https://www.youtube.com/watch?v=thumbYT0001', 'https://i.ytimg.com/vi/thumbYT0001/maxresdefault.jpg'),
	('tiktok', '7000000000000000101', 'https://www.tiktok.com/@a/video/7000000000000000101', 'https://p16-sign-sg.tiktokcdn.com/tos/x~tplv.image?a=1'),
	('tiktok', '7000000000000000102', 'https://www.tiktok.com/@a/video/7000000000000000102', 'https://eviltiktokcdn.com/x.jpg'),
	('instagram', 'ThumbIG0001', 'https://www.instagram.com/p/ThumbIG0001/', 'https://scontent-arn2-1.cdninstagram.com/v/x.jpg'),
	('likee', '7000000000000000103', 'https://likee.video/v/7000000000000000103', NULL);
SELECT id AS yt FROM cos.videos WHERE external_id = 'thumbYT0001' \gset
SELECT id AS tt FROM cos.videos WHERE external_id = '7000000000000000101' \gset
SELECT id AS evil FROM cos.videos WHERE external_id = '7000000000000000102' \gset
SELECT id AS ig FROM cos.videos WHERE external_id = 'ThumbIG0001' \gset

-- a collection job of the YouTube video is open: a thumbnail job may be too
INSERT INTO cos.jobs (queue, platform, video_id) VALUES ('parsing_youtube', 'youtube', :yt);

-- enqueued once: three allowed URLs get a job, the other host none
SELECT cos._enqueue_thumbnails() AS enqueued;
SELECT cos._enqueue_thumbnails() AS enqueued_again;
SELECT v.external_id, j.kind, j.queue, j.run_id IS NULL AS no_run, j.batch_id IS NULL AS no_batch, j.state
  FROM cos.jobs j JOIN cos.videos v ON v.id = j.video_id ORDER BY v.external_id, j.kind;
SELECT external_id, thumbnail_tried_at IS NOT NULL AS tried FROM cos.videos
 WHERE thumbnail_url IS NOT NULL AND external_id IN ('thumbYT0001', '7000000000000000101', '7000000000000000102', 'ThumbIG0001')
 ORDER BY external_id;
-- the refused URL is logged, not requested
SELECT platform, url, outcome, regexp_replace(error, 'video \d+', 'video N') AS error
  FROM cos.fetch_log ORDER BY id;

-- single flight per kind: a second open thumbnail job for a video is refused
\set VERBOSITY terse
INSERT INTO cos.jobs (kind, queue, platform, video_id) VALUES ('thumbnail', 'parsing_youtube', 'youtube', :yt);
-- a thumbnail job belongs to no run
INSERT INTO cos.jobs (kind, queue, platform, video_id, run_id, state)
VALUES ('thumbnail', 'parsing_youtube', 'youtube', :yt, (SELECT max(id) FROM cos.runs), 'done');
\set VERBOSITY default

-- claimed without an account, even on Instagram with none usable, and
-- without a proxy while one is usable (the collection job gets it); with
-- the URL and the platform's CDN hosts for the worker
INSERT INTO cos.proxies (url, label) VALUES ('http://127.0.0.1:59999', 'thumbnail test') RETURNING id AS proxy \gset
CREATE TEMP TABLE ig_active AS SELECT id FROM cos.accounts WHERE platform = 'instagram' AND active;
UPDATE cos.accounts SET active = false WHERE platform = 'instagram';
SELECT c.platform, c.kind, c.account_id IS NOT NULL AS with_account, c.proxy_id IS NOT NULL AS with_proxy, c.thumbnail_url, c.cdn_hosts, c.cdn_base
  FROM cos._claim(10, 60, 1) c ORDER BY c.platform, c.kind;

-- stored once by content: two videos with the same image share one row
SELECT cos._store_thumbnail(:yt, 'image/jpeg', pg_read_binary_file(:'jpg')) AS yt_sha;
SELECT cos._store_thumbnail(:tt, 'image/png', pg_read_binary_file(:'png')) AS tt_sha;
SELECT cos._store_thumbnail(:ig, 'image/png', pg_read_binary_file(:'png')) AS ig_sha;
SELECT sha256, content_type, length(body) AS bytes FROM cos.uploads ORDER BY content_type;
SELECT external_id, thumbnail_sha256 FROM cos.videos WHERE thumbnail_sha256 IS NOT NULL ORDER BY external_id;
-- a stored thumbnail is never enqueued again, even after 7 days
UPDATE cos.jobs SET state = 'done' WHERE kind = 'thumbnail';
UPDATE cos.videos SET thumbnail_tried_at = now() - interval '8 days' WHERE thumbnail_url IS NOT NULL;
SELECT cos._enqueue_thumbnails() AS enqueued_after_8_days;
SELECT v.external_id FROM cos.jobs j JOIN cos.videos v ON v.id = j.video_id
 WHERE j.kind = 'thumbnail' AND j.state = 'queued';
-- a refused host is looked at again after 7 days, and logged again
SELECT count(*) AS refused_rows FROM cos.fetch_log WHERE outcome = 'refused';
-- a failed download is not retried before 7 days
UPDATE cos.videos SET thumbnail_sha256 = NULL, thumbnail_tried_at = now() - interval '6 days' WHERE id = :ig;
SELECT cos._enqueue_thumbnails() AS enqueued_after_6_days;

-- thumbnail downloads off: nothing is enqueued
ALTER SYSTEM SET cos.thumbnail_max_bytes = 0;
SELECT pg_reload_conf();
SELECT pg_sleep(0.2);
SHOW cos.thumbnail_max_bytes;
UPDATE cos.videos SET thumbnail_tried_at = NULL WHERE id = :ig;
SELECT cos._enqueue_thumbnails() AS enqueued_when_off;
ALTER SYSTEM RESET cos.thumbnail_max_bytes;
SELECT pg_reload_conf();
SELECT pg_sleep(0.2);
SELECT cos._enqueue_thumbnails() AS enqueued_when_on_again;

DELETE FROM cos.jobs;
DELETE FROM cos.fetch_log;
UPDATE cos.videos SET thumbnail_sha256 = NULL WHERE thumbnail_sha256 IS NOT NULL;
DELETE FROM cos.uploads;
DELETE FROM cos.videos WHERE id IN (:yt, :tt, :evil, :ig) OR external_id = '7000000000000000103';
UPDATE cos.accounts SET active = true WHERE id IN (SELECT id FROM ig_active);
DELETE FROM cos.proxies WHERE id = :proxy;
ALTER SYSTEM RESET cos.fetch_workers;
SELECT pg_reload_conf();
