#!/usr/bin/env bash
# test/e2e/test_engine.sh -- the collection engine end to end, through the
# fetch workers: short links resolved (HEAD, re-key, merge), proxies dealt
# out and rested, a block putting its proxy into cooldown, every failure
# outcome (truncated body, no answer, 429 + Retry-After, slow) counted in
# cos.fetch_log and cos.runs, pg_ctl restart -m immediate mid-run, and a
# row refused by the database failing its job alone.
#
# Servers: the loopback fixture server (nginx, also used as the HTTP proxy)
# and test/e2e/bad-server.py (truncated bodies, silence).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-engine.XXXXXX)}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

bad_pid=""
on_exit() {
	local rc=$?
	stop_cos_with_fixtures "$rc"
	[ -z "$bad_pid" ] || kill "$bad_pid" 2>/dev/null || true
}
trap on_exit EXIT

start_cos_with_fixtures >/dev/null
python3 "$HERE/bad-server.py" "$COS_E2E_DIR/bad.port" &
bad_pid=$!
for i in $(seq 1 50); do [ -s "$COS_E2E_DIR/bad.port" ] && break; sleep 0.1; done
BAD_URL="http://127.0.0.1:$(cat "$COS_E2E_DIR/bad.port")"

cluster_psql -c "UPDATE cos.platforms SET short_link_base = '$FIXTURE_URL/tiktok-short' WHERE name = 'tiktok'" >/dev/null

echo "# 1. short links: resolved by a HEAD, the row re-keyed or merged; the Location is never requested"
cluster_psql >/dev/null <<'SQL'
SELECT cos.add_video('https://vm.tiktok.com/ZMe2eOne1/');
SELECT cos.add_video('https://vt.tiktok.com/ZMe2eHop3/');
SELECT cos.add_video('https://vm.tiktok.com/ZMgone404/');
SQL
run1="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
expect "run 1 finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "two short links to one video leave one row, with its canonical id and URL" \
	"SELECT count(*) || ' ' || min(url) || ' ' || bool_and(tracked) FROM cos.videos WHERE external_id = '7526770564367748360'" \
	"1 https://www.tiktok.com/@dangthuhaf/video/7526770564367748360 true"
expect "no short link is left pending; the one answering 404 is unavailable" \
	"SELECT string_agg(external_id || ' ' || status, ',' ORDER BY id) FROM cos.videos WHERE status <> 'ok'" \
	"ZMgone404 unavailable"
expect "the video was collected once in the run, with the capture's views" \
	"SELECT count(*) || ' ' || max(h.views) FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id = '7526770564367748360' AND h.run_id = $run1" \
	"1 18500000"
expect "fetch_log: two links resolved, one short link led to another" \
	"SELECT count(*) FILTER (WHERE outcome = 'resolved') || ' ' || count(*) FILTER (WHERE outcome = 'redirect')
	   FROM cos.fetch_log WHERE run_id = $run1" \
	"2 1"
expect "every request went to the fixture server (none to tiktok.com)" \
	"SELECT count(*) FROM cos.fetch_log WHERE url NOT LIKE '$FIXTURE_URL/%'" \
	"0"
heads="$(grep -c '"HEAD /tiktok-short/' "$COS_E2E_DIR/nginx/access_detail.log" || true)"
expect "the short links were asked with HEAD (3 links + 1 hop)" "SELECT $heads" "4"
expect_run "run 1 counts every job done" "$run1" "done 3 3 0"

echo "# 1b. hostile URLs are refused when added, so no request is ever built from them"
for u in 'https://www.tiktok.com@127.0.0.2/' 'http://169.254.169.254/latest/meta-data/' \
	'http://[::1]/watch?v=GJLlxj_dtq8' 'https://[2001:db8::1]/@user' 'file:///etc/passwd' \
	'https://www.tiktok.com.evil.example/@user/video/7526770564367748360' \
	'gopher://www.youtube.com/watch?v=GJLlxj_dtq8'; do
	expect "refused with 22023: $u" \
		"DO \$\$ BEGIN PERFORM cos.add_video('$u'); RAISE EXCEPTION 'accepted'; EXCEPTION WHEN invalid_parameter_value THEN NULL; END \$\$; SELECT 'refused'" \
		"refused"
done
expect "nothing was stored for them" \
	"SELECT count(*) FROM cos.videos WHERE url ~ '127\\.0\\.0\\.2|169\\.254|::1|2001:db8|passwd|evil|gopher'" "0"

echo "# 2. proxies: dealt out in turn; a dead one fails, rests, and the jobs go through the other"
cluster_psql >/dev/null <<SQL
SELECT cos.add_video('https://www.tiktok.com/@e2e.user/video/7585124257601162516');
SELECT cos.add_video('https://youtu.be/GJLlxj_dtq8');
UPDATE cos.platforms SET max_attempts = 5;
INSERT INTO cos.proxies (url, label) VALUES ('http://127.0.0.1:1', 'dead'),
	('http://127.0.0.1:$FIXTURE_PORT', 'fixture');
SQL
run2="$(cluster_psql -At -c "SELECT cos.run_now()")"
expect "run 2 finishes" "SELECT cos.wait_idle('90 s')" "t"
expect "every job of run 2 is done" \
	"SELECT string_agg(DISTINCT state, ',') || ' ' || count(*) FROM cos.jobs WHERE run_id = $run2" \
	"done 3"
expect "the dead proxy's first request failed and was logged" \
	"SELECT count(*) > 0 FROM cos.fetch_log WHERE run_id = $run2 AND outcome = 'network_error'" \
	"t"
expect "the dead proxy carries its failures and the reason" \
	"SELECT (failures > 0 OR cooldown_until IS NOT NULL) || ' ' || (last_error IS NOT NULL) FROM cos.proxies WHERE label = 'dead'" \
	"true true"
proxied="$(grep -c "\"GET http://127.0.0.1:$FIXTURE_PORT/" "$COS_E2E_DIR/nginx/access_detail.log" || true)"
expect "the collected pages came through the proxy (absolute-form requests)" "SELECT $proxied >= 3" "t"
expect "three videos collected in run 2" \
	"SELECT count(*) FROM cos.video_history WHERE run_id = $run2" "3"

echo "# 3. a block (YouTube's 429 captcha page) rests the proxy it came through"
cluster_psql >/dev/null <<SQL
DELETE FROM cos.proxies WHERE label = 'dead';
UPDATE cos.platforms SET web_base = '$FIXTURE_URL/ratelimit/youtube', max_attempts = 2 WHERE name = 'youtube';
SQL
run3="$(cluster_psql -At -c "SELECT cos.run_now('youtube')")"
expect "run 3 finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "both attempts logged as blocked, with the extractor's reason" \
	"SELECT count(*) || ' ' || bool_and(error LIKE 'HTTP 429: %') FROM cos.fetch_log WHERE run_id = $run3 AND outcome = 'blocked'" \
	"2 true"
expect "Retry-After (2 s) was waited out before the retry" \
	"SELECT max(at) - min(at) >= interval '1.9 s' FROM cos.fetch_log WHERE run_id = $run3" "t"
expect "the job is dead after max_attempts, the reason kept" \
	"SELECT state || ' ' || attempts || ' ' || (last_error LIKE 'blocked: %') FROM cos.jobs WHERE run_id = $run3" \
	"dead 2 true"
expect "the proxy the block came through is cooling down, and says why" \
	"SELECT (cooldown_until > now()) || ' ' || (last_error LIKE 'blocked: %') FROM cos.proxies WHERE label = 'fixture'" \
	"true true"
expect_run "run 3: 1 job, failed, retried once" "$run3" "done 1 0 1 1" jobs_retried
cluster_psql >/dev/null <<SQL
DELETE FROM cos.proxies;
UPDATE cos.platforms SET web_base = '$FIXTURE_URL/youtube', max_attempts = 2;
SQL

echo "# 4. truncated bodies, no answer, 429 and slow answers: each counted in fetch_log and runs"
# outcome_run ROUTE_BASE TIMEOUT_MS: runs the two TikTok videos against a base
outcome_run() {
	cluster_psql -c "UPDATE cos.platforms SET web_base = '$1', timeout_ms = $2 WHERE name = 'tiktok'" >/dev/null
	cluster_psql -At -c "SELECT cos.run_now('tiktok')"
}
run_tr="$(outcome_run "$BAD_URL/truncated/tiktok" 10000)"
expect "truncated run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "truncated: network_error with curl's reason, 4 requests" \
	"SELECT outcome || ' ' || count(*) || ' ' || bool_and(error LIKE '%transfer closed%' OR error LIKE '%partial%')
	   FROM cos.fetch_log WHERE run_id = $run_tr GROUP BY outcome" \
	"network_error 4 true"
expect_run "truncated: the run counts 2 failed, 2 retried, nothing stored" "$run_tr" "done 2 0 2 2 0" \
	jobs_retried "(SELECT count(*) FROM cos.video_history WHERE run_id = $run_tr)"
run_si="$(outcome_run "$BAD_URL/silent/tiktok" 1500)"
expect "silent run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "no answer: timeout, 4 requests" \
	"SELECT string_agg(DISTINCT outcome, ',') || ' ' || count(*) FROM cos.fetch_log WHERE run_id = $run_si" \
	"timeout 4"
expect_run "no answer: the run counts 2 failed, 2 retried" "$run_si" "done 2 0 2 2" jobs_retried
run_rl="$(outcome_run "$FIXTURE_URL/ratelimit/tiktok" 10000)"
expect "429 run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "429: http_error 429, 4 requests, retries after Retry-After" \
	"SELECT string_agg(DISTINCT outcome || ' ' || http_status, ',') || ' ' || count(*) || ' ' ||
	        (max(at) - min(at) >= interval '1.9 s') FROM cos.fetch_log WHERE run_id = $run_rl" \
	"http_error 429 4 true"
expect_run "429: the run counts 2 failed, 2 retried" "$run_rl" "done 2 0 2 2" jobs_retried
run_sl="$(outcome_run "$FIXTURE_URL/slow/tiktok" 10000)"
expect "slow run finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "slow (3 s) answers within the timeout: both collected, each request took ≥ 3 s" \
	"SELECT count(*) || ' ' || bool_and(duration_ms >= 2900) FROM cos.fetch_log WHERE run_id = $run_sl AND outcome = 'ok'" \
	"2 true"
expect_run "slow: the run counts 2 done" "$run_sl" "done 2 2 0 0" jobs_retried

echo "# 5. pg_ctl restart -m immediate mid-run: the run completes, one history row per video"
cluster_psql -c "UPDATE cos.platforms SET max_attempts = 3" >/dev/null
run5="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
for i in $(seq 1 50); do
	n="$(cluster_psql -At -c "SELECT count(*) FROM cos.jobs WHERE run_id = $run5 AND state = 'running'")"
	[ "$n" -gt 0 ] && break
	sleep 0.1
done
echo "# restarting with $n job(s) running"
as_pg "$PGBIN/pg_ctl" -D "$COS_E2E_DIR/pg/data" -l "$COS_E2E_DIR/pg/server.log" -m immediate -w restart >/dev/null
wait_for_server
expect "after the restart, run 5 finishes" "SELECT cos.wait_idle('90 s')" "t"
expect "run 5: every job done" \
	"SELECT string_agg(DISTINCT state, ',') || ' ' || count(*) FROM cos.jobs WHERE run_id = $run5" \
	"done 2"
expect "run 5: exactly one history row per video" \
	"SELECT count(*) || ' ' || count(DISTINCT video_id) FROM cos.video_history WHERE run_id = $run5" \
	"2 2"
expect_run "run 5 is done with every job counted once" "$run5" "done 2 2 0"
expect "the fetch workers are back" \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos fetch worker'" "2"

echo "# 6. a video whose row is refused fails alone: the batch's statement falls back to one per task"
refused="$(cluster_psql -At -c "SELECT min(id) FROM cos.videos WHERE platform = 'tiktok' AND status = 'ok'")"
cluster_psql >/dev/null <<SQL
CREATE FUNCTION public.e2e_refuse() RETURNS trigger LANGUAGE plpgsql AS
\$\$ BEGIN RAISE EXCEPTION 'e2e: video % refused', NEW.id; END \$\$;
CREATE TRIGGER e2e_refuse BEFORE UPDATE ON cos.videos FOR EACH ROW
	WHEN (NEW.id = $refused AND NEW.status = 'ok') EXECUTE FUNCTION public.e2e_refuse();
SQL
run6="$(cluster_psql -At -c "SELECT cos.run_now('tiktok')")"
expect "run 6 finishes" "SELECT cos.wait_idle('60 s')" "t"
expect "run 6: the refused video's job failed with the reason, the other is done" \
	"SELECT string_agg(state || ':' || coalesce(last_error, ''), ' | ' ORDER BY video_id = $refused)
	   FROM cos.jobs WHERE run_id = $run6" \
	"done: | failed:storing the result failed: e2e: video $refused refused"
expect "run 6: the other video has its history row, the refused one none" \
	"SELECT string_agg((video_id = $refused)::text, ',') FROM cos.video_history WHERE run_id = $run6" \
	"false"
expect_run "run 6 is done, 1 done 1 failed" "$run6" "done 2 1 1"
expect "the batch statement was tried first, then one statement per task" \
	"SELECT $(grep -c 'storing them one by one' "$COS_E2E_DIR/pg/server.log" || true) > 0" "t"
cluster_psql -c "DROP TRIGGER e2e_refuse ON cos.videos" >/dev/null

expect "across every run, no request went anywhere but the two loopback servers" \
	"SELECT count(*) FROM cos.fetch_log WHERE url NOT LIKE '$FIXTURE_URL/%' AND url NOT LIKE '$BAD_URL/%'" "0"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
