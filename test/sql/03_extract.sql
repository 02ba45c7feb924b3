-- cos.extract on the real captures in test/fixtures (values from SOURCES.md).
\getenv abs_srcdir PG_ABS_SRCDIR
\set tt_video :abs_srcdir '/fixtures/tiktok/video_desktop_7526770564367748360.html'
\set tt_gone :abs_srcdir '/fixtures/tiktok/video_unavailable_statuscode_10204.html'
\set tt_user :abs_srcdir '/fixtures/tiktok/user_novix.ht.html'
\set yt_watch :abs_srcdir '/fixtures/youtube/watch_GJLlxj_dtq8.html'
\set yt_videos :abs_srcdir '/fixtures/youtube/api_videos_list_D-lhorsDlUQ.json'
\set yt_channels :abs_srcdir '/fixtures/youtube/api_channels_list_google_googledevelopers.json'
\set yt_captcha :abs_srcdir '/fixtures/youtube/error_too_many_requests_captcha.html'

SELECT r->>'status' AS status, v->>'id' AS id, v->>'views' AS views, v->>'likes' AS likes,
       v->>'comments' AS comments, v->>'shares' AS shares, v->>'saves' AS saves,
       v->>'published_at' AS published_at, v->>'duration_s' AS duration_s
  FROM cos.extract('https://www.tiktok.com/@dangthuhaf/video/7526770564367748360',
                   pg_read_binary_file(:'tt_video')) r,
       jsonb_array_elements(r->'videos') v;

SELECT r->>'status' AS status, r->>'error' IS NOT NULL AS has_reason, jsonb_array_length(r->'videos') AS videos
  FROM cos.extract('https://www.tiktok.com/@dudeperfect/video/7276437262283859205',
                   pg_read_binary_file(:'tt_gone')) r;

SELECT c->>'id' AS id, c->>'handle' AS handle, c->>'followers' AS followers,
       c->>'likes' AS likes, c->>'videos' AS videos
  FROM cos.extract('https://www.tiktok.com/@novix.ht', pg_read_binary_file(:'tt_user')) r,
       jsonb_array_elements(r->'channels') c;

SELECT r->>'status' AS status, v->>'id' AS id, v->>'views' AS views, v->>'likes' AS likes,
       v->>'comments' AS comments, v->>'channel_id' AS channel_id, v->>'published_at' AS published_at
  FROM cos.extract('https://www.youtube.com/watch?v=GJLlxj_dtq8', pg_read_binary_file(:'yt_watch')) r,
       jsonb_array_elements(r->'videos') v;

SELECT v->>'id' AS id, v->>'views' AS views, v->>'likes' AS likes, v->>'comments' AS comments,
       v->>'duration_s' AS duration_s, v->'shares' AS shares
  FROM cos.extract('https://www.googleapis.com/youtube/v3/videos?id=D-lhorsDlUQ',
                   pg_read_binary_file(:'yt_videos')) r,
       jsonb_array_elements(r->'videos') v;

SELECT c->>'id' AS id, c->>'followers' AS followers, c->>'videos' AS videos
  FROM cos.extract('https://www.googleapis.com/youtube/v3/channels?id=UCK8sQmJBp8GCxrOtXWBpyEA',
                   pg_read_binary_file(:'yt_channels')) r,
       jsonb_array_elements(r->'channels') c;

SELECT r->>'status' AS status
  FROM cos.extract('https://www.youtube.com/watch?v=GJLlxj_dtq8', pg_read_binary_file(:'yt_captcha')) r;

-- garbage and empty bodies: an "error" result with a reason, never a crash
SELECT r->>'status' AS status, r->>'error' IS NOT NULL AS has_reason
  FROM cos.extract('https://www.tiktok.com/@x/video/1', '\x00ff3c3c3c'::bytea) r;
SELECT r->>'status' AS status, r->>'error' IS NOT NULL AS has_reason
  FROM cos.extract('https://www.youtube.com/watch?v=GJLlxj_dtq8', ''::bytea) r;
