#!/usr/bin/env bash
# test/e2e/test_webapp.sh -- the mini-app in a real browser against the real
# gateway: Debian's Chromium (chromium-headless-shell, or chromium), driven by
# playwright-core (web/node_modules, no browser download) from node's test
# runner (web/test-browser/app.test.mjs), on a throwaway cluster with the
# gateway serving the installed build at /app/.
#
# The data is the demo's: the channels and videos of test/e2e/demo-targets.sql
# collected by the fetch workers from the real captures the fixture server
# serves.  Three users sign in with initData signed here with the test's bot
# token (test/e2e/init-data.py): A tracks some of the demo's videos and
# channels, B another video and channel, C is made an administrator.  The
# values the browser test asserts are the ones test/fixtures/SOURCES.md gives
# for those captures, as the app formats them.  Screenshots of every screen go
# to test/e2e/out/webapp/ (COS_WEBAPP_OUT to change).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
own_dir=""
[ -n "${COS_E2E_DIR:-}" ] || own_dir=yes
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-e2e-webapp.XXXXXX)}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

BOT_TOKEN='7000000003:AAE_cosWebAppBrowserTestToken_abcde'
JWT_SECRET='cos-webapp-browser-e2e-jwt-secret-0123456789abcdef'
OUT="${COS_WEBAPP_OUT:-$COS_ROOT/test/e2e/out/webapp}"

on_exit() {
	local rc=$?
	stop_cos_with_fixtures "$rc"
	if [ -n "$own_dir" ] && [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]; then rm -rf "$COS_E2E_DIR"; fi
}
trap on_exit EXIT

# the browser: Debian's, never one playwright would download (CI installs it
# with .ci/install-deps.sh; a machine without it fails here, nothing skipped)
CHROMIUM="${COS_CHROMIUM:-}"
for c in /usr/bin/chromium-headless-shell /usr/bin/chromium; do
	[ -n "$CHROMIUM" ] || { [ -x "$c" ] && CHROMIUM="$c"; } || true
done
[ -n "$CHROMIUM" ] || { echo "not ok - no Chromium: apt-get install chromium-headless-shell (.ci/install-deps.sh)"; exit 1; }
[ -d "$COS_ROOT/web/node_modules/playwright-core" ] ||
	{ echo "not ok - web/node_modules/playwright-core missing: make (npm ci in web/)"; exit 1; }

# init_data TELEGRAM_ID FIRST_NAME [LANGUAGE_CODE [START_PARAM]]
init_data() { python3 "$HERE/init-data.py" "$BOT_TOKEN" "$@"; }

# api INIT_DATA FN JSON: POST /rpc/FN as that user (Authorization: tma); the
# status and the body's field FIELD (default id) on one line
api() {
	curl -s -m 10 -o "$COS_E2E_DIR/body" -w '%{http_code}' -X POST "$BASE/rpc/$2" \
		-H "Authorization: tma $1" -H 'Content-Type: application/json' --data-binary "$3" || echo "curl failed"
	printf ' %s\n' "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' \
		"$COS_E2E_DIR/body" "${4:-id}" 2>/dev/null || cat "$COS_E2E_DIR/body")"
}
sql() { cluster_psql -At -c "$1"; }

HTTP_PORT="$(free_port)"
BASE="http://127.0.0.1:$HTTP_PORT"
BOT_TOKEN_FILE="$(write_secret bot_token "$BOT_TOKEN")"
JWT_SECRET_FILE="$(write_secret jwt_secret "$JWT_SECRET")"
start_cos_with_fixtures "cos.channel_max_videos = 10
cos.http_listen = '127.0.0.1:$HTTP_PORT'
cos.bot_token_file = '$BOT_TOKEN_FILE'
cos.jwt_secret_file = '$JWT_SECRET_FILE'" >/dev/null
for _ in $(seq 1 150); do
	code="$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/app/" || true)"
	[ "$code" = 200 ] && break
	sleep 0.2
done
check "the gateway serves the installed mini-app at /app/" 200 "$code"

section "1. the demo's channels and videos, collected from the captures"
cluster_psql -f "$HERE/demo-targets.sql" >"$COS_E2E_DIR/demo-targets.log" 2>&1 ||
	{ cat "$COS_E2E_DIR/demo-targets.log"; exit 1; }
ok "demo-targets.sql: both runs ended"
expect "the stored views are the captured ones (SOURCES.md)" \
	"SELECT string_agg(v.external_id || '=' || h.views, ' ' ORDER BY v.external_id) FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	  WHERE v.external_id IN ('7526770564367748360', '7585124257601162516', 'D-lhorsDlUQ', 'durov/37', 'CAG3E8-A3wf', '6928156767853015171')" \
	"6928156767853015171=8257 7526770564367748360=18500000 7585124257601162516=918100 CAG3E8-A3wf=4048603 D-lhorsDlUQ=7920 durov/37=1050000"

section "2. users: A tracks some, B others, C is an administrator"
A_INIT="$(init_data 5101 Alice en)"
B_INIT="$(init_data 5102 Bob en)"
C_INIT="$(init_data 5103 Carol en)"
while read -r fn url; do
	r="$(api "$A_INIT" "$fn" "{\"url\": \"$url\"}" </dev/null)"
	check "A: $fn $url: 200" 200 "${r%% *}"
done <<'LIST'
add_video https://www.tiktok.com/@dangthuhaf/video/7526770564367748360
add_video https://youtu.be/D-lhorsDlUQ
add_video https://www.instagram.com/reel/CAG3E8-A3wf/
add_video https://t.me/durov/37
add_channel https://t.me/durov
add_channel https://www.youtube.com/channel/UCK8sQmJBp8GCxrOtXWBpyEA
LIST
r="$(api "$B_INIT" add_video '{"url": "https://www.tiktok.com/@emlyreview/video/7585124257601162516"}')"
check "B: add_video of the other TikTok video: 200" 200 "${r%% *}"
B_VIDEO_ID="${r#* }"
r="$(api "$B_INIT" add_channel '{"url": "https://www.instagram.com/robertdowneyjr/"}')"
check "B: add_channel of the Instagram profile: 200" 200 "${r%% *}"
r="$(api "$C_INIT" me '{}' role)"
check "C signs in as a user" "200 cos_user" "$r"
sql "UPDATE cos.users SET role = 'cos_admin' WHERE telegram_id = 5103" >/dev/null
expect "A tracks 4 videos and 2 channels, B 1 and 1" \
	"SELECT string_agg(u.telegram_id || ':' || (SELECT count(*) FROM cos.user_videos x WHERE x.user_id = u.id)
	                   || ':' || (SELECT count(*) FROM cos.user_channels x WHERE x.user_id = u.id), ' ' ORDER BY u.telegram_id) FROM cos.users u" \
	"5101:4:2 5102:1:1 5103:0:0"
# the captures hold one state of each page, so every series has one point:
# an earlier snapshot of the TikTok video, 10 days ago (as a run would write
# it), gives its charts a line and a change to draw, by day and by week
sql "INSERT INTO cos.video_history (video_id, captured_at, views, likes, comments, shares, saves)
     SELECT id, now() - interval '10 days', 18000000, 800000, 2000, 25000, 16000
       FROM cos.videos WHERE external_id = '7526770564367748360'" >/dev/null
ok "an earlier snapshot of the TikTok video, 10 days ago"

section "3. the browser (node --test web/test-browser/, Chromium: $CHROMIUM)"
rm -rf "$OUT"
mkdir -p "$OUT"
forged="${A_INIT/\%22id\%22\%3A5101/%22id%22%3A5102}"
[ "$forged" != "$A_INIT" ] || { echo "not ok - could not forge initData"; exit 1; }
set +e
COS_APP_BASE="$BASE" COS_CHROMIUM="$CHROMIUM" COS_WEBAPP_OUT="$OUT" \
	COS_INIT_A="$A_INIT" COS_INIT_B="$B_INIT" COS_INIT_C="$C_INIT" COS_INIT_FORGED="$forged" \
	COS_INIT_A_DEEP_B="$(init_data 5101 Alice en "video_$B_VIDEO_ID")" COS_B_VIDEO_ID="$B_VIDEO_ID" \
	COS_INIT_A_RU="$(init_data 5101 Alice ru)" \
	COS_ADMIN_SUMMARY="$(sql "SELECT concat_ws(' ', (SELECT count(*) FROM cos.users), (SELECT count(*) FROM cos.channels), (SELECT count(*) FROM cos.videos), (SELECT count(*) FROM cos.video_history))")" \
	node --test --test-reporter=tap "$COS_ROOT/web/test-browser/" >"$COS_E2E_DIR/node.tap" 2>&1
node_rc=$?
set -e
cat "$COS_E2E_DIR/node.tap"
node_pass="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$COS_E2E_DIR/node.tap" | tail -n 1)"
node_fail="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$COS_E2E_DIR/node.tap" | tail -n 1)"
passed=$((passed + ${node_pass:-0}))
failed=$((failed + ${node_fail:-0}))
check "node's test runner: exit status 0, at least one browser test passed" "0 yes" \
	"$node_rc $([ "${node_pass:-0}" -gt 0 ] && echo yes || echo no)"
check "a screenshot of every screen in $OUT" "yes" \
	"$(n="$(find "$OUT" -name '*.png' -size +1k | wc -l)"; [ "$n" -ge 8 ] && echo yes || echo "$n files")"
check "no gateway worker crashed" "0" "$(grep -c 'terminated by signal' "$COS_E2E_DIR/pg/server.log" || true)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
