#!/usr/bin/env bash
# test/e2e/test_collect.sh -- end to end through the background workers.
#
# A throwaway cluster (pg_cron + cos preloaded), the loopback fixture server
# serving the real captures in test/fixtures, targets added by their public
# URLs, collection runs executed by the fetch workers; the values asserted in
# cos.video_history / cos.channel_history are the ones SOURCES.md lists for
# each capture.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# under /tmp: the cluster runs as the postgres OS user, who may not be able
# to traverse the checkout's parent directories
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-e2e.XXXXXX)}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

trap 'stop_cos_with_fixtures "$?"' EXIT

start_cos_with_fixtures "cos.channel_max_videos = 10"

echo "# 1. no YouTube key: the watch page for single videos, TikTok video and profile pages"
cluster_psql >/dev/null <<'SQL'
SELECT cos.add_video('https://www.youtube.com/watch?v=GJLlxj_dtq8');
SELECT cos.add_video('https://www.tiktok.com/@dangthuhaf/video/7526770564367748360?is_from_webapp=1');
SELECT cos.add_video('https://www.tiktok.com/@emlyreview/video/7585124257601162516');
SELECT cos.add_video('https://www.tiktok.com/@dudeperfect/video/7276437262283859205');
SELECT cos.add_channel('https://www.tiktok.com/@novix.ht');
SQL
run1="$(cluster_psql -At -c "SELECT cos.run_now()")"
expect "run 1 finishes" "SELECT cos.wait_idle('60 s')" "t"

expect "YouTube GJLlxj_dtq8 (watch page): views, likes" \
	"SELECT h.views || ' ' || h.likes FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id = 'GJLlxj_dtq8' AND h.run_id = $run1" \
	"1856109 43864"
expect "YouTube GJLlxj_dtq8: comments from ytInitialData's \"2.7K\", title, duration" \
	"SELECT comments || ' ' || title || ' ' || duration_s FROM cos.videos WHERE external_id = 'GJLlxj_dtq8'" \
	"2700 Surface Go Review - It’s Awesome 316"
expect "TikTok 7526770564367748360: views likes comments shares saves (collectCount is a string)" \
	"SELECT concat_ws(' ', h.views, h.likes, h.comments, h.shares, h.saves)
	   FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id = '7526770564367748360' AND h.run_id = $run1" \
	"18500000 844400 2182 25600 16630"
expect "TikTok 7585124257601162516 (mobile reflow page)" \
	"SELECT concat_ws(' ', h.views, h.likes, h.comments, h.shares, h.saves)
	   FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id = '7585124257601162516'" \
	"918100 33400 97 2913 684"
expect "TikTok 7276437262283859205 (statusCode 10204): marked unavailable" \
	"SELECT status FROM cos.videos WHERE external_id = '7276437262283859205'" \
	"unavailable"
expect "TikTok 7276437262283859205: no history row" \
	"SELECT count(*) FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id = '7276437262283859205'" \
	"0"
expect "TikTok 7276437262283859205: the job is done after one attempt, not retried" \
	"SELECT j.state || ' ' || j.attempts FROM cos.jobs j JOIN cos.videos v ON v.id = j.video_id
	  WHERE v.external_id = '7276437262283859205'" \
	"done 1"
expect "TikTok channel @novix.ht: followers, likes, videos in channel_history" \
	"SELECT concat_ws(' ', h.followers, h.likes, h.videos) FROM cos.channel_history h
	   JOIN cos.channels c ON c.id = h.channel_id WHERE c.external_id = '@novix.ht'" \
	"1053 5204 27"
expect "TikTok channel @novix.ht: platform id and title" \
	"SELECT platform_id || ' ' || title FROM cos.channels WHERE external_id = '@novix.ht'" \
	"7588012144228533249 Novix"
expect_run "run 1 is done with every job counted" "$run1" "done 5 5 0"
expect "run 1: one fetch_log row per request" \
	"SELECT string_agg(outcome || ':' || http_status, ',' ORDER BY outcome, http_status)
	   FROM cos.fetch_log WHERE run_id = $run1" \
	"ok:200,ok:200,ok:200,ok:200,unavailable:200"

echo "# 2. with a YouTube Data API key: videos.list, channels.list -> playlistItems -> videos.list"
cluster_psql >/dev/null <<'SQL'
INSERT INTO cos.accounts (platform, kind, label, secret) VALUES ('youtube', 'api_key', 'test key', 'test-secret-key');
-- the bundled captures hold no videos.list response for GJLlxj_dtq8 (its
-- capture is a watch page): stop tracking it, or this run would ask for it
UPDATE cos.videos SET tracked = false WHERE external_id = 'GJLlxj_dtq8';
SELECT cos.add_video('https://youtu.be/D-lhorsDlUQ');
SELECT cos.add_channel('https://www.youtube.com/channel/UCK8sQmJBp8GCxrOtXWBpyEA');
SQL
run2="$(cluster_psql -At -c "SELECT cos.run_now('youtube')")"
expect "run 2 finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "YouTube D-lhorsDlUQ (videos.list): views likes comments" \
	"SELECT concat_ws(' ', h.views, h.likes, h.comments) FROM cos.video_history h
	   JOIN cos.videos v ON v.id = h.video_id WHERE v.external_id = 'D-lhorsDlUQ' AND h.run_id = $run2" \
	"7920 190 32"
expect "YouTube D-lhorsDlUQ: shares and saves are NULL (not published), never 0" \
	"SELECT num_nulls(h.shares, h.saves) FROM cos.video_history h
	   JOIN cos.videos v ON v.id = h.video_id WHERE v.external_id = 'D-lhorsDlUQ'" \
	"2"
expect "YouTube channel UCK8sQmJBp8GCxrOtXWBpyEA: followers in channel_history" \
	"SELECT h.followers FROM cos.channel_history h JOIN cos.channels c ON c.id = h.channel_id
	  WHERE c.external_id = 'UCK8sQmJBp8GCxrOtXWBpyEA' AND h.run_id = $run2" \
	"10700000"
expect "YouTube channel: views and video count" \
	"SELECT views || ' ' || videos_count || ' ' || title FROM cos.channels WHERE external_id = 'UCK8sQmJBp8GCxrOtXWBpyEA'" \
	"3331930783 2678 Google"
expect "YouTube channel: channels.list, then the uploads playlist" \
	"SELECT string_agg(split_part(split_part(url, '/youtube-api/', 2), '?', 1), ',' ORDER BY id)
	   FROM cos.fetch_log WHERE run_id = $run2 AND job_id = (SELECT j.id FROM cos.jobs j JOIN cos.channels c
	        ON c.id = j.channel_id WHERE c.external_id = 'UCK8sQmJBp8GCxrOtXWBpyEA' AND j.run_id = $run2)" \
	"channels,playlistItems,videos"
expect "the API key never reaches fetch_log" \
	"SELECT count(*) FROM cos.fetch_log WHERE url LIKE '%test-secret-key%' OR error LIKE '%test-secret-key%'" \
	"0"
expect "API URLs are logged with the key redacted" \
	"SELECT count(*) > 0 FROM cos.fetch_log WHERE url LIKE '%key=***%'" \
	"t"
expect "run 2 is done" \
	"SELECT status || ' ' || jobs_total FROM cos.runs WHERE id = $run2" \
	"done 2"

echo "# 2b. Telegram: channel pages (exact subscribers, then the preview's posts) and a single post"
cluster_psql >/dev/null <<'SQL'
SELECT cos.add_channel('https://t.me/durov');
SELECT cos.add_channel('https://t.me/s/WalterBloomberg');
SELECT cos.add_video('https://t.me/durov/37');
SQL
run_tg="$(cluster_psql -At -c "SELECT cos.run_now('telegram')")"
expect "Telegram run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "Telegram @durov: exact subscribers from the plain channel page" \
	"SELECT h.followers FROM cos.channel_history h JOIN cos.channels c ON c.id = h.channel_id
	  WHERE c.external_id = 'durov' AND h.run_id = $run_tg" \
	"10114749"
expect "Telegram @walterbloomberg: subscribers from the preview page (\"15.4K\")" \
	"SELECT h.followers FROM cos.channel_history h JOIN cos.channels c ON c.id = h.channel_id
	  WHERE c.external_id = 'walterbloomberg' AND h.run_id = $run_tg" \
	"15400"
expect "Telegram @walterbloomberg: its 20 posts stored with their views" \
	"SELECT count(*) FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id LIKE 'walterbloomberg/%' AND h.run_id = $run_tg AND h.views > 0" \
	"20"
expect "Telegram walterbloomberg/22878: views \"1.98K\" -> 1980, other counters NULL" \
	"SELECT h.views || ' ' || num_nulls(h.likes, h.comments, h.shares, h.saves) FROM cos.video_history h
	   JOIN cos.videos v ON v.id = h.video_id WHERE v.external_id = 'walterbloomberg/22878'" \
	"1980 4"
expect "Telegram durov/37 (tracked post): views \"1.05M\"" \
	"SELECT h.views FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id = 'durov/37' AND h.run_id = $run_tg" \
	"1050000"
expect_run "Telegram run is done" "$run_tg" "done 3 3 0"

echo "# 2c. Instagram (account cookie + X-IG-App-ID) and Likee (POST API with its Referer)"
cluster_psql >/dev/null <<'SQL'
INSERT INTO cos.accounts (platform, kind, label, secret, app_id)
VALUES ('instagram', 'cookie', 'test session', 'sessionid=test-session-cookie', '936619743392459');
SELECT cos.add_channel('https://www.instagram.com/robertdowneyjr/');
SELECT cos.add_video('https://www.instagram.com/reel/CAG3E8-A3wf/?igsh=abc');
SELECT cos.add_video('https://likee.video/@TioDjShow/video/6928156767853015171');
SELECT cos.add_channel('https://likee.video/@sarah.stefano');
-- a Likee channel is listed by its numeric uid (its posterUid), which its URL does not carry
UPDATE cos.channels SET platform_id = '1326964767' WHERE external_id = '@sarah.stefano';
SQL
run_ig="$(cluster_psql -At -c "SELECT cos.run_now('instagram')")"
expect "Instagram run finishes" "SELECT cos.wait_idle('60 s')" "t"
run_lk="$(cluster_psql -At -c "SELECT cos.run_now('likee')")"
expect "Likee run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "Instagram robertdowneyjr (web_profile_info): followers, post count" \
	"SELECT h.followers || ' ' || h.videos FROM cos.channel_history h JOIN cos.channels c ON c.id = h.channel_id
	  WHERE c.external_id = 'robertdowneyjr' AND h.run_id = $run_ig" \
	"52979346 419"
expect "Instagram CAG3E8-A3wf (media/<pk>/info, pk from the shortcode): views likes comments" \
	"SELECT concat_ws(' ', h.views, h.likes, h.comments) FROM cos.video_history h
	   JOIN cos.videos v ON v.id = h.video_id WHERE v.external_id = 'CAG3E8-A3wf' AND h.run_id = $run_ig" \
	"4048603 600190 6741"
expect "the Instagram session cookie never reaches fetch_log" \
	"SELECT count(*) FROM cos.fetch_log WHERE url LIKE '%test-session-cookie%' OR error LIKE '%test-session-cookie%'" \
	"0"
expect "Likee 6928156767853015171 (getVideoInfo): views likes comments shares" \
	"SELECT concat_ws(' ', h.views, h.likes, h.comments, h.shares) FROM cos.video_history h
	   JOIN cos.videos v ON v.id = h.video_id WHERE v.external_id = '6928156767853015171' AND h.run_id = $run_lk" \
	"8257 602 27 13"
expect "Likee @sarah.stefano (getUserVideo): its 30 posts stored" \
	"SELECT count(*) FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.channel_id = (SELECT id FROM cos.channels WHERE external_id = '@sarah.stefano') AND h.run_id = $run_lk" \
	"30"
expect "Likee 6941112750224957471: views likes comments shares" \
	"SELECT concat_ws(' ', h.views, h.likes, h.comments, h.shares) FROM cos.video_history h
	   JOIN cos.videos v ON v.id = h.video_id WHERE v.external_id = '6941112750224957471'" \
	"18895 3460 384 134"
expect_run "Instagram and Likee runs are done" "$run_ig, $run_lk" "done 2 2 0,done 2 2 0"

echo "# 2d. thumbnails: downloaded once per video from the CDN hosts, stored by SHA-256"
# every run above enqueued the thumbnails of the videos it stored; wait_idle
# waited for those downloads too (platforms.cdn_base sends them to the
# fixture server's /cdn/<host>/<path>, which serves the test images)
PNG_SHA="$(sha256sum "$COS_ROOT/test/fixtures/images/thumb_2x2.png" | cut -d' ' -f1)"
JPG_SHA="$(sha256sum "$COS_ROOT/test/fixtures/images/thumb_8x8.jpg" | cut -d' ' -f1)"
expect "thumbnail downloads are done" "SELECT cos.wait_idle('60 s')" "t"
expect "every video whose thumbnail URL is on its platform's CDN hosts has its thumbnail stored" \
	"SELECT count(*) FILTER (WHERE v.thumbnail_sha256 IS NULL) || ' ' || count(*) FILTER (WHERE v.thumbnail_sha256 IS NOT NULL)
	   FROM cos.videos v JOIN cos.platforms p ON p.name = v.platform
	  WHERE cos._thumbnail_url_allowed(v.thumbnail_url, p.cdn_hosts)" \
	"0 $(cluster_psql -At -c "SELECT count(*) FROM cos.videos WHERE thumbnail_url IS NOT NULL")"
expect "thumbnails on every platform: TikTok, YouTube (ytimg.com: the JPEG), Instagram, Likee, Telegram" \
	"SELECT string_agg(DISTINCT platform || ':' || thumbnail_sha256, ' ' ORDER BY platform || ':' || thumbnail_sha256)
	   FROM cos.videos WHERE thumbnail_sha256 IS NOT NULL" \
	"instagram:$PNG_SHA likee:$PNG_SHA telegram:$PNG_SHA tiktok:$PNG_SHA youtube:$JPG_SHA"
expect "cos.uploads holds each image once, under the sha256sum of the served file, with its type and bytes" \
	"SELECT string_agg(sha256 || ' ' || content_type || ' ' || length(body), ',' ORDER BY content_type) FROM cos.uploads" \
	"$JPG_SHA image/jpeg 325,$PNG_SHA image/png 75"
expect "one download per video: as many ok thumbnail requests as videos with a thumbnail, none retried" \
	"SELECT (SELECT count(*) FROM cos.fetch_log l JOIN cos.jobs j ON j.id = l.job_id
	          WHERE j.kind = 'thumbnail' AND l.outcome = 'ok')
	      = (SELECT count(*) FROM cos.videos WHERE thumbnail_sha256 IS NOT NULL)
	    AND (SELECT count(*) FROM cos.jobs WHERE kind = 'thumbnail' AND attempts > 1) = 0" \
	"t"
expect "thumbnail jobs belong to no run and were requested at cdn_base + host + path" \
	"SELECT count(*) FILTER (WHERE j.run_id IS NOT NULL) || ' ' ||
	        count(*) FILTER (WHERE l.url NOT LIKE '$FIXTURE_URL/cdn/%')
	   FROM cos.jobs j JOIN cos.fetch_log l ON l.job_id = j.id WHERE j.kind = 'thumbnail'" \
	"0 0"
expect "the TikTok thumbnail was requested with its path and query" \
	"SELECT count(*) FROM cos.fetch_log l JOIN cos.jobs j ON j.id = l.job_id JOIN cos.videos v ON v.id = j.video_id
	  WHERE v.external_id = '7526770564367748360' AND j.kind = 'thumbnail'
	    AND l.url = '$FIXTURE_URL/cdn/' || substr(v.thumbnail_url, 9)" \
	"1"
thumb_reqs="$(grep -c '^/cdn/' "$COS_E2E_DIR/nginx/access.log" || true)"
uploads_before="$(cluster_psql -At -c "SELECT count(*) FROM cos.uploads")"
run_th="$(cluster_psql -At -c "SELECT cos.run_now()")"
expect "a second collection of everything finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "the second collection enqueues no thumbnail download (cos.jobs)" \
	"SELECT count(*) FROM cos.jobs WHERE kind = 'thumbnail' AND created_at > (SELECT started_at FROM cos.runs WHERE id = $run_th)" \
	"0"
expect "the second collection downloads no thumbnail again (fixture server's access log)" \
	"SELECT $(grep -c '^/cdn/' "$COS_E2E_DIR/nginx/access.log" || true) - $thumb_reqs || ' ' || count(*) - $uploads_before FROM cos.uploads" \
	"0 0"

# refusals: thumbnail URLs set by hand on eight Likee videos (whose
# thumbnails were downloaded above: those jobs are done, ids up to last_job)
last_job="$(cluster_psql -At -c "SELECT max(id) FROM cos.jobs")"
cluster_psql >/dev/null <<'SQL'
CREATE TEMP TABLE picks AS
SELECT v.id, row_number() OVER (ORDER BY v.id) AS k FROM cos.videos v
 WHERE v.platform = 'likee' AND v.status = 'ok' ORDER BY v.id LIMIT 8;
UPDATE cos.videos v SET thumbnail_sha256 = NULL, thumbnail_tried_at = NULL,
       thumbnail_url = CASE p.k WHEN 1 THEN 'https://videosnap.like.video/cos-e2e/not-an-image.jpg'
                                WHEN 2 THEN 'https://videosnap.like.video/cos-e2e/too-large.jpg'
                                WHEN 3 THEN 'https://videosnap.like.video/cos-e2e/gone.jpg'
                                WHEN 4 THEN 'https://videosnap.like.video/cos-e2e/redirect-ok.jpg'
                                WHEN 5 THEN 'https://videosnap.like.video/cos-e2e/redirect-away.jpg'
                                WHEN 6 THEN 'https://evil.example/x.jpg'
                                WHEN 7 THEN 'https://127.0.0.2/x.jpg'
                                WHEN 8 THEN 'https://videosnap.like.video@evil.example/x.jpg' END
  FROM picks p WHERE v.id = p.id;
SQL
expect "five of the eight hand-set URLs are enqueued, three refused at once" \
	"SELECT cos._enqueue_thumbnails()" "5"
expect "the refusals are downloaded and counted" "SELECT cos.wait_idle('60 s')" "t"
expect "fetch_log: a non-image body, an over-size body, a 404, a redirect off the CDN hosts refused, one followed" \
	"SELECT string_agg(split_part(l.url, '/cos-e2e/', 2) || ' ' || l.outcome || ' ' || coalesce(l.http_status::text, '-'), ', ' ORDER BY l.job_id)
	   FROM cos.fetch_log l WHERE l.url LIKE '%/cos-e2e/%'" \
	"not-an-image.jpg not_image 200, too-large.jpg too_large 200, gone.jpg http_error 404, redirect-ok.jpg redirect 302, redirect-away.jpg redirect 302"
expect "the errors say why" \
	"SELECT string_agg(l.error, ' | ' ORDER BY l.job_id) FROM cos.fetch_log l
	  WHERE l.url LIKE '%/cos-e2e/%' AND l.outcome IN ('not_image', 'too_large')" \
	'not an image: Content-Type image/jpeg, body starting "<!DOCTYPE html><" | thumbnail larger than cos.thumbnail_max_bytes (1048576 bytes)'
expect "refused and failed downloads: failed after one attempt, not retried, nothing stored" \
	"SELECT string_agg(DISTINCT j.state || ' ' || j.attempts, ',') || ' ' || count(v.thumbnail_sha256)
	   FROM cos.jobs j JOIN cos.videos v ON v.id = j.video_id
	  WHERE j.kind = 'thumbnail' AND j.id > $last_job
	    AND v.thumbnail_url ~ '/cos-e2e/(not-an-image|too-large|gone|redirect-away)'" \
	"failed 1 0"
expect "the same-host redirect was followed and its image stored" \
	"SELECT v.thumbnail_sha256 FROM cos.videos v WHERE v.thumbnail_url LIKE '%/redirect-ok.jpg'" \
	"$PNG_SHA"
expect "the three URLs off the CDN hosts are logged as refused, with no job" \
	"SELECT count(*) || ' ' || (SELECT count(*) FROM cos.jobs j JOIN cos.videos v ON v.id = j.video_id
	                             WHERE j.kind = 'thumbnail' AND j.id > $last_job
	                               AND v.thumbnail_url ~ 'evil|127\.0\.0\.2')
	   FROM cos.fetch_log WHERE outcome = 'refused' AND url ~ 'evil|127\.0\.0\.2'" \
	"3 0"
expect "no request for evil.example or 127.0.0.2 ever reached the fixture server" \
	"SELECT $(grep -c -e 'evil' -e '127\.0\.0\.2' "$COS_E2E_DIR/nginx/access.log" || true)" \
	"0"
expect "(the access log does record the thumbnail requests)" \
	"SELECT $(grep -c '^/cdn/videosnap.like.video/cos-e2e/too-large.jpg 200$' "$COS_E2E_DIR/nginx/access.log" || true)" \
	"1"
expect "the workers are still running after the refusals" \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos fetch worker'" \
	"2"

echo "# 3. a server answering 500, then garbage: logged with the reason, no crash"
cluster_psql -c "UPDATE cos.platforms SET web_base = '$FIXTURE_URL/fail500/tiktok', max_attempts = 2 WHERE name = 'tiktok'"
run3="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
expect "run 3 finishes (retries included)" "SELECT cos.wait_idle('60 s')" "t"
expect "HTTP 500: every request is in fetch_log as http_error 500" \
	"SELECT DISTINCT outcome || ' ' || http_status || ' ' || error FROM cos.fetch_log WHERE run_id = $run3" \
	"http_error 500 HTTP 500"
expect "HTTP 500: each of the 3 jobs was tried twice, then dead with its last error" \
	"SELECT string_agg(state || ' ' || attempts || ' ' || last_error, ',') FROM (SELECT DISTINCT state, attempts, last_error FROM cos.jobs WHERE run_id = $run3) s" \
	"dead 2 HTTP 500"
expect_run "HTTP 500: the run counts 3 failed, 3 retried" "$run3" "done 3 0 3 3" jobs_retried
cluster_psql -c "UPDATE cos.platforms SET web_base = '$FIXTURE_URL/garbage/tiktok' WHERE name = 'tiktok'"
run4="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
expect "run 4 finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "garbage: an extraction failure with a reason, not retried" \
	"SELECT DISTINCT outcome || ' ' || (error IS NOT NULL) FROM cos.fetch_log WHERE run_id = $run4" \
	"error true"
expect "garbage: jobs failed after one attempt" \
	"SELECT DISTINCT state || ' ' || attempts FROM cos.jobs WHERE run_id = $run4" \
	"failed 1"
expect "garbage: no zero was written as a count" \
	"SELECT count(*) FROM cos.video_history WHERE run_id = $run4" \
	"0"
expect "the workers are still running" \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos fetch worker'" \
	"2"

echo "# 3b. redirects: followed on the platform's hosts (at most 3), refused elsewhere"
cluster_psql -c "UPDATE cos.platforms SET web_base = '$FIXTURE_URL/redirect/tiktok', max_attempts = 1 WHERE name = 'tiktok'" >/dev/null
run_rd="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
expect "redirect run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "a redirect to the same host is followed, and the video collected" \
	"SELECT h.views FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id = '7526770564367748360' AND h.run_id = $run_rd" \
	"18500000"
expect "each followed redirect is a fetch_log row of its own" \
	"SELECT count(*) FILTER (WHERE outcome = 'redirect') || ' ' || count(*) FILTER (WHERE outcome = 'ok')
	   FROM cos.fetch_log WHERE run_id = $run_rd" \
	"3 3"
cluster_psql -c "UPDATE cos.platforms SET web_base = '$FIXTURE_URL/redirect-away/tiktok' WHERE name = 'tiktok'" >/dev/null
run_away="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
expect "off-platform redirect run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "a redirect to 169.254.169.254 is refused, with the reason" \
	"SELECT DISTINCT outcome || ': ' || error FROM cos.fetch_log WHERE run_id = $run_away" \
	'redirect: refused a redirect to "169.254.169.254", outside tiktok'
expect "no request ever went to the redirect's target" \
	"SELECT count(*) FROM cos.fetch_log WHERE url LIKE '%169.254%'" \
	"0"
expect "the jobs failed without retries" \
	"SELECT DISTINCT state || ' ' || attempts FROM cos.jobs WHERE run_id = $run_away" \
	"failed 1"

cluster_psql -c "UPDATE cos.platforms SET web_base = '$FIXTURE_URL/redirect-loop' WHERE name = 'tiktok'" >/dev/null
run_loop="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
expect "redirect-loop run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "a redirect loop stops after 3 redirects (4 requests per job)" \
	"SELECT count(*) || ' ' || string_agg(DISTINCT error, ',') FROM cos.fetch_log WHERE run_id = $run_loop AND error IS NOT NULL" \
	"3 more than 3 redirects"
expect "a redirect loop: 4 requests for each of the 3 jobs" \
	"SELECT count(*) FROM cos.fetch_log WHERE run_id = $run_loop" \
	"12"

echo "# 4. a fetch worker killed with SIGKILL mid-run: every job completes exactly once"
cluster_psql -c "UPDATE cos.platforms SET web_base = '$FIXTURE_URL/slow/tiktok', max_attempts = 3 WHERE name = 'tiktok'"
run5="$(cluster_psql -At -c "SELECT cos.run_now()")"
# wait until the slow TikTok transfers are in flight, then kill a worker
for i in $(seq 1 50); do
	running="$(cluster_psql -At -c "SELECT count(*) FROM cos.jobs WHERE run_id = $run5 AND state = 'running' AND platform = 'tiktok'")"
	[ "$running" -gt 0 ] && break
	sleep 0.1
done
victim="$(cluster_psql -At -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'cos fetch worker' ORDER BY pid LIMIT 1")"
echo "# killing fetch worker $victim with $running TikTok jobs running"
kill -9 "$victim"
sleep 1
wait_for_server
expect "after the crash restart, run 5 finishes" "SELECT cos.wait_idle('90 s')" "t"
expect "run 5: every job done" \
	"SELECT string_agg(DISTINCT state, ',') FROM cos.jobs WHERE run_id = $run5" \
	"done"
expect "run 5: exactly one history row per video for the run" \
	"SELECT count(*) || ' ' || count(DISTINCT video_id) FROM cos.video_history WHERE run_id = $run5" \
	"56 56"
expect "run 5: exactly one channel_history row per channel" \
	"SELECT count(*) || ' ' || count(DISTINCT channel_id) FROM cos.channel_history WHERE run_id = $run5" \
	"5 5"
expect_run "run 5: the run is done with all jobs counted once" "$run5" "done 12 12 0"
expect "the launcher brought the workers back" \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos fetch worker'" \
	"2"

echo "# 5. pg_dump keeps the history: restored into a second cluster, every row is there"
counts_sql="SELECT concat_ws(' ', (SELECT count(*) FROM cos.video_history), (SELECT count(*) FROM cos.channel_history),
	(SELECT count(*) FROM cos.videos), (SELECT count(*) FROM cos.channels), (SELECT count(*) FROM cos.runs),
	(SELECT sum(views) FROM cos.video_history), (SELECT max(id) FROM cos.videos))"
before="$(cluster_psql -At -c "$counts_sql")"
"$PGBIN/pg_dump" -U postgres -h "$PGHOST" -p "$PGPORT" -d cos -f "$COS_E2E_DIR/dump.sql"
if [ "$(id -u)" = 0 ]; then chown postgres "$COS_E2E_DIR/dump.sql"; fi
after="$(
	export COS_E2E_DIR="$COS_E2E_DIR/restore"
	mkdir -p "$COS_E2E_DIR"
	source "$HERE/lib.sh"
	trap cluster_stop EXIT
	cluster_start >/dev/null
	# expected errors: the restore's CREATE EXTENSION cos schedules cos-tick
	# again, so pg_cron's dumped cron.job row collides with it; and each
	# monthly partition's primary key, which ATTACH already created from the
	# parent's, is added once more.  Any other error is printed.
	"$PGBIN/psql" -X -q -U postgres -h "$PGHOST" -p "$PGPORT" -d cos -f "$(dirname "$COS_E2E_DIR")/dump.sql" \
		>"$COS_E2E_DIR/restore.log" 2>&1
	grep ERROR "$COS_E2E_DIR/restore.log" |
		grep -v -e 'constraint "job_pkey"' -e 'multiple primary keys for table "\(video\|channel\)_history_y' >&2 || true
	cluster_psql -At -c "$counts_sql"
	cluster_psql -At -c "SELECT cos.add_video('https://www.tiktok.com/@restored/video/7000000000000000001') > (SELECT max(id) FROM cos.videos WHERE external_id <> '7000000000000000001')"
)"
expect "video_history, channel_history, videos, channels, runs and ids survive pg_dump + restore" \
	"SELECT '$before' || E'\\nt'" \
	"$after"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
