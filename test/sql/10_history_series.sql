-- cos._history_series and cos._history_change (extension/sql_history.c),
-- which read the series behind cos_api.video_series / channel_series and
-- the changes channel_videos shows straight from the history partitions'
-- primary-key indexes: compared with their plain SQL definitions
-- (the last snapshot in each bucket, its change since the last snapshot of
-- an earlier bucket) on history spread over monthly partitions and the
-- default partition, with counters that are NULL, snapshots exactly on
-- bucket bounds, and rows this transaction has deleted or updated.
SET timezone = 'UTC';
-- the definition, in SQL: one probe per bucket
CREATE FUNCTION pg_temp.reference(vid bigint, bounds timestamptz[])
RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, c1 bigint, c2 bigint, c3 bigint,
			   d1 bigint, d2 bigint, d3 bigint)
LANGUAGE sql AS $$
	WITH b AS (
		SELECT j, bounds[j] AS bs, bounds[j + 1] AS be FROM generate_series(1, array_length(bounds, 1) - 1) j
	), last AS (
		SELECT b.j, b.bs, b.be, h.found, h.views, h.likes, h.comments
		  FROM b LEFT JOIN LATERAL (
				SELECT true AS found, x.views, x.likes, x.comments FROM cos.video_history x
				 WHERE x.video_id = vid AND x.captured_at > b.bs AND x.captured_at <= b.be
				 ORDER BY x.captured_at DESC LIMIT 1) h ON true
	), prev AS (
		SELECT j, lag(views) OVER w AS pv, lag(likes) OVER w AS pl, lag(comments) OVER w AS pc
		  FROM last WHERE found WINDOW w AS (ORDER BY j)
	)
	SELECT l.bs, l.be, l.views, l.likes, l.comments, l.views - p.pv, l.likes - p.pl, l.comments - p.pc
	  FROM last l LEFT JOIN prev p USING (j) WHERE l.j > 1 ORDER BY l.j
$$;
CREATE FUNCTION pg_temp.fast(vid bigint, bounds timestamptz[])
RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, c1 bigint, c2 bigint, c3 bigint,
			   d1 bigint, d2 bigint, d3 bigint)
LANGUAGE sql AS $$
	SELECT bucket_start, bucket_end, c1, c2, c3, d1, d2, d3
	  FROM cos._history_series('cos.video_history', vid, bounds, '{views,likes,comments}')
$$;

BEGIN;
-- monthly partitions for January to June 2025; December 2024 and July 2025
-- land in the default partition
SELECT cos._ensure_partitions('2025-01-01', 5) > 0 AS partitions_made;
SELECT setseed(0.42);
-- 40 videos, about 150 snapshots each between mid-December and mid-July, at
-- whole hours (so that bucket bounds on whole hours meet some of them),
-- counters growing, NULL now and then
INSERT INTO cos.video_history (video_id, captured_at, views, likes, comments)
SELECT v, at, CASE WHEN random() < 0.1 THEN NULL ELSE (v * 1000 + extract(epoch FROM at) / 3600)::bigint END,
	   CASE WHEN random() < 0.3 THEN NULL ELSE (v * 10 + extract(epoch FROM at) / 36000)::bigint END,
	   (random() * 100)::bigint
  FROM generate_series(900001, 900040) v,
	   LATERAL (SELECT DISTINCT timestamptz '2024-12-15' + (random() * 212 * 24)::int * interval '1 hour' AS at
				  FROM generate_series(1, 150 + v * 0)) t
ON CONFLICT DO NOTHING;
SELECT count(*) > 5000 AS rows, count(DISTINCT tableoid) AS partitions,
	   count(*) FILTER (WHERE tableoid = 'cos.video_history_default'::regclass) > 0 AS some_in_default
  FROM cos.video_history WHERE video_id BETWEEN 900001 AND 900040;
-- rows this transaction deleted or changed: their index entries stay, the
-- old versions must not be read
DELETE FROM cos.video_history WHERE video_id BETWEEN 900001 AND 900040 AND comments < 10;
UPDATE cos.video_history SET views = views + 1 WHERE video_id BETWEEN 900001 AND 900040 AND comments > 90;

-- 300 series: daily and weekly buckets ending at random times (on the hour
-- half the time), random lengths, and random sets of bounds
CREATE TEMP TABLE cases AS
SELECT c, 900001 + (random() * 40)::int AS vid,
	   CASE c % 3
		WHEN 0 THEN ARRAY(SELECT e - k * interval '1 day' FROM generate_series(n, 0, -1) k)
		WHEN 1 THEN ARRAY(SELECT e - k * interval '7 days' FROM generate_series(n, 0, -1) k)
		ELSE ARRAY(SELECT DISTINCT timestamptz '2024-12-01' + (random() * 240 * 24)::int * interval '1 hour'
					 FROM generate_series(0, n) ORDER BY 1)
	   END AS bounds
  FROM generate_series(1, 300) c,
	   LATERAL (SELECT 1 + (random() * 60)::int + c * 0 AS n,
					   timestamptz '2024-12-20' + random() * interval '220 days'
					   + CASE WHEN random() < 0.5 THEN interval '0' ELSE interval '17 minutes' END AS e) r;
SELECT count(*) FILTER (WHERE array_length(bounds, 1) > 1) AS series,
	   count(*) FILTER (WHERE array_length(bounds, 1) > 1
						 AND (SELECT array_agg(f ORDER BY f.bucket_start) FROM pg_temp.fast(vid, bounds) f)
							 IS NOT DISTINCT FROM
							 (SELECT array_agg(r ORDER BY r.bucket_start) FROM pg_temp.reference(vid, bounds) r)) AS same,
	   sum((SELECT count(c1) FROM pg_temp.fast(vid, bounds))) > 1000 AS many_filled,
	   sum((SELECT count(d1) FROM pg_temp.fast(vid, bounds))) > 500 AS many_changes
  FROM cases WHERE array_length(bounds, 1) > 1;

-- bounds exactly on snapshots: a snapshot at a bucket's end is in it
SELECT min(captured_at) AS t FROM cos.video_history WHERE video_id = 900007 AND views IS NOT NULL \gset
SELECT c1 = (SELECT views FROM cos.video_history WHERE video_id = 900007 AND captured_at = :'t') AS at_end_is_in,
	   bucket_end = :'t'::timestamptz AS ends_on_it
  FROM cos._history_series('cos.video_history', 900007,
						   ARRAY[:'t'::timestamptz - interval '2 hours', :'t'::timestamptz - interval '1 hour', :'t'::timestamptz], '{views}');
-- a bucket starting on it leaves it out
SELECT c1 IS NULL AS start_is_out
  FROM cos._history_series('cos.video_history', 900007,
						   ARRAY[:'t'::timestamptz - interval '2 hours', :'t'::timestamptz, :'t'::timestamptz + interval '1 microsecond'], '{views}');
-- the channel history, four counters, and a key with no history
SELECT count(*) AS buckets, count(c1) AS filled
  FROM cos._history_series('cos.channel_history', -1, ARRAY[now() - interval '2 days', now() - interval '1 day', now()],
						   '{followers,likes,views,videos}');

-- cos._history_change (channel_videos): the last two snapshots of many
-- videos in ranges of their own, against the SQL definition; the ranges
-- end at random times, are 2 hours to 60 days long (so that the last two
-- are sometimes in one partition, sometimes in two, sometimes missing)
CREATE TEMP TABLE ranges AS
SELECT (900001 + (random() * 41)::int)::bigint AS vid, e - random() * interval '60 days' - interval '2 hours' AS s, e
  FROM (SELECT timestamptz '2024-12-10' + random() * interval '230 days' AS e FROM generate_series(1, 400)) r;
WITH fast AS (
	SELECT * FROM cos._history_change('cos.video_history', (SELECT array_agg(vid ORDER BY ctid) FROM ranges),
									  (SELECT array_agg(s ORDER BY ctid) FROM ranges),
									  (SELECT array_agg(e ORDER BY ctid) FROM ranges), '{views,likes,comments}')
), reference AS (
	SELECT r.vid AS key, max(y.captured_at) FILTER (WHERE y.rn = 1) AS captured_at,
		   max(y.captured_at) FILTER (WHERE y.rn = 2) AS previous_at,
		   max(y.views) FILTER (WHERE y.rn = 1) AS c1, max(y.likes) FILTER (WHERE y.rn = 1) AS c2,
		   max(y.comments) FILTER (WHERE y.rn = 1) AS c3,
		   max(y.views) FILTER (WHERE y.rn = 1) - max(y.views) FILTER (WHERE y.rn = 2) AS d1,
		   max(y.likes) FILTER (WHERE y.rn = 1) - max(y.likes) FILTER (WHERE y.rn = 2) AS d2,
		   max(y.comments) FILTER (WHERE y.rn = 1) - max(y.comments) FILTER (WHERE y.rn = 2) AS d3, r.ctid
	  FROM ranges r
	  JOIN LATERAL (SELECT x.*, row_number() OVER (ORDER BY x.captured_at DESC) AS rn
					  FROM (SELECT * FROM cos.video_history x
							 WHERE x.video_id = r.vid AND x.captured_at > r.s AND x.captured_at <= r.e
							 ORDER BY x.captured_at DESC LIMIT 2) x) y ON true
	 GROUP BY r.ctid, r.vid
)
SELECT (SELECT count(*) FROM reference) AS with_snapshots,
	   (SELECT count(*) FROM reference WHERE previous_at IS NOT NULL) AS with_two,
	   (SELECT count(*) FROM ranges) - (SELECT count(*) FROM reference) AS without,
	   (SELECT array_agg((key, captured_at, previous_at, c1, c2, c3, d1, d2, d3)) FROM fast)
	   = (SELECT array_agg((key, captured_at, previous_at, c1, c2, c3, d1, d2, d3) ORDER BY ctid) FROM reference) AS same;

-- refused input
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-02,2025-01-01}', '{views}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01}', '{views}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,NULL}', '{views}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,2025-01-02}', '{}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,2025-01-02}', '{a,b,c,d,e,f}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,2025-01-02}', '{nope}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,2025-01-02}', '{ctid}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,2025-01-02}', '{captured_at}')$$);
SELECT public.fails($$SELECT * FROM cos._history_series('cos.videos', 1, '{2025-01-01,2025-01-02}', '{views}')$$);
SELECT public.fails($$SELECT * FROM cos._history_change('cos.video_history', '{1,2}', '{2025-01-01}', '{2025-01-02,2025-01-03}', '{views}')$$);
SELECT public.fails($$SELECT * FROM cos._history_change('cos.video_history', '{1}', '{2025-01-02}', '{2025-01-01}', '{views}')$$);
SELECT public.fails($$SELECT * FROM cos._history_change('cos.video_history', '{NULL}', '{2025-01-01}', '{2025-01-02}', '{views}')$$);
SELECT count(*) AS no_keys FROM cos._history_change('cos.video_history', '{}', '{}', '{}', '{views}');
CREATE TEMP TABLE no_pk (k bigint, captured_at timestamptz, n bigint);
SELECT public.fails($$SELECT * FROM cos._history_series('no_pk', 1, '{2025-01-01,2025-01-02}', '{n}')$$);
-- not callable by the API's roles; and where row security applies it refuses
SET ROLE cos_user;
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,2025-01-02}', '{views}')$$);
RESET ROLE;
CREATE ROLE cos_test_reader;
GRANT USAGE ON SCHEMA cos TO cos_test_reader;
GRANT SELECT ON cos.video_history TO cos_test_reader;
GRANT EXECUTE ON FUNCTION cos._history_series(regclass, bigint, timestamptz[], text[]) TO cos_test_reader;
SET ROLE cos_test_reader;
SELECT public.fails($$SELECT * FROM cos._history_series('cos.video_history', 1, '{2025-01-01,2025-01-02}', '{views}')$$);
RESET ROLE;
ROLLBACK;
