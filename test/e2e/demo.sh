#!/usr/bin/env bash
# test/e2e/demo.sh -- the main job end to end (make demo).
#
# Installs what is missing, builds and installs Cos, starts a throwaway
# PostgreSQL 15 cluster under /tmp with pg_cron and cos preloaded and the HTTP
# gateway on a free loopback port, serves the bundled real captures
# (test/fixtures) on loopback, adds channels and videos by their public URLs
# (test/e2e/demo-targets.sql), lets the background workers collect them, and
# prints what they stored.  A demo user tracks them through the mini-app's
# API, and asks the bot for /stats through a fake Telegram Bot API on
# loopback (test/e2e/fake-botapi.py); the demo ends with the mini-app's URL
# on the demo cluster, signed in as that user, and the command that opens it.  Run from a terminal, the cluster
# stays up until Enter is pressed; otherwise (stdin not a terminal) it stops
# at once.  Stops everything on exit; non-zero if anything failed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

"$ROOT/.ci/install-deps.sh"
make -C "$ROOT" -s >/dev/null
# another checkout's make check / demo on this machine installs into the same
# PostgreSQL: wait for it (make check holds the same lock)
exec 9>/tmp/cos-check.lock
flock 9
make -C "$ROOT" -s install >/dev/null

# under /tmp: the cluster runs as the postgres OS user when we are root
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-demo.XXXXXX)}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
FAKE_PID=""
trap 'cluster_stop; fixtures_stop; [ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null || true' EXIT

# the mini-app's secrets: a bot token that is clearly not a real bot's (the
# demo signs its user's initData with it) and a JWT secret for this run
DEMO_BOT_TOKEN='1234567890:DEMO_not_a_real_bot_token_make_demo'
BOT_TOKEN_FILE="$(write_secret bot_token "$DEMO_BOT_TOKEN")"
JWT_SECRET_FILE="$(write_secret jwt_secret "demo-jwt-secret-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')")"
HTTP_PORT="$(free_port)"
BASE="http://127.0.0.1:$HTTP_PORT"
# the bot talks to a fake Bot API on loopback, never to Telegram
"$HERE/fake-botapi.py" --token "$DEMO_BOT_TOKEN" --portfile "$COS_E2E_DIR/fake-bot.port" \
	>"$COS_E2E_DIR/fake-bot.log" 2>&1 9>&- &
FAKE_PID=$!
for _ in $(seq 1 50); do [ -s "$COS_E2E_DIR/fake-bot.port" ] && break; sleep 0.1; done
FAKE_BOT="http://127.0.0.1:$(cat "$COS_E2E_DIR/fake-bot.port")"
# 9>&-: nginx must not hold the install lock past it either
fixtures_start 9>&-
cluster_start "cos.channel_max_videos = 10
cos.http_listen = '127.0.0.1:$HTTP_PORT'
cos.bot_token_file = '$BOT_TOKEN_FILE'
cos.jwt_secret_file = '$JWT_SECRET_FILE'
cos.bot_api_url = '$FAKE_BOT'
cos.webapp_url = '$BASE/app/'"
echo "== PostgreSQL on 127.0.0.1:$PGPORT, fixture server on $FIXTURE_URL, HTTP gateway on $BASE, fake Bot API on $FAKE_BOT"
cluster_psql -c "CREATE EXTENSION cos CASCADE"
pause_tick
point_platforms

cluster_psql -f "$HERE/demo-targets.sql"

echo
echo "== videos: the latest snapshot the workers stored (cos.videos / cos.video_history)"
cluster_psql -P pager=off <<'SQL'
SELECT v.platform, v.external_id AS id, left(v.title, 40) AS title,
       h.views, h.likes, h.comments, h.shares, h.saves,
       to_char(h.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS captured_at
  FROM cos.videos v
  JOIN LATERAL (SELECT * FROM cos.video_history h WHERE h.video_id = v.id
                 ORDER BY captured_at DESC LIMIT 1) h ON true
 ORDER BY v.platform, v.external_id;
SQL
echo "== videos found unavailable or private (no history written)"
cluster_psql -P pager=off -c "SELECT platform, external_id AS id, status FROM cos.videos WHERE status <> 'ok' ORDER BY 1, 2"
echo "== channels (cos.channel_history)"
cluster_psql -P pager=off <<'SQL'
SELECT c.platform, c.external_id AS id, c.title, h.followers, h.likes, h.views, h.videos,
       to_char(h.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS captured_at
  FROM cos.channels c JOIN cos.channel_history h ON h.channel_id = c.id
 ORDER BY 1, 2;
SQL
echo "== runs"
cluster_psql -P pager=off -c "SELECT id, kind, status, jobs_total, jobs_done, jobs_failed, finished_at - started_at AS took FROM cos.runs ORDER BY id"

# the demo fails unless the workers stored the values the captures hold
ok="$(cluster_psql -At <<'SQL'
SELECT count(*) = 8 FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
 WHERE (v.external_id, h.views) IN (('GJLlxj_dtq8', 1856109), ('7526770564367748360', 18500000),
                                    ('7585124257601162516', 918100), ('D-lhorsDlUQ', 7920),
                                    ('durov/37', 1050000), ('walterbloomberg/22878', 1980),
                                    ('CAG3E8-A3wf', 4048603), ('6928156767853015171', 8257));
SQL
)"
[ "$ok" = t ] || { echo "FAILED: the stored values are not the captured ones"; exit 1; }

echo "== the mini-app: a demo user tracks the demo's videos and channels (POST /rpc/add_*, Authorization: tma)"
DEMO_INIT="$(python3 "$HERE/init-data.py" "$DEMO_BOT_TOKEN" 1000001 Demo en)"
for _ in $(seq 1 50); do
	[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/app/" || true)" = 200 ] && break
	sleep 0.2
done
while read -r fn url; do
	code="$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST "$BASE/rpc/$fn" -H "Authorization: tma $DEMO_INIT" \
		-H 'Content-Type: application/json' --data-binary "{\"url\": \"$url\"}" </dev/null || true)"
	[ "$code" = 200 ] || { echo "FAILED: $fn $url as the demo user: HTTP $code"; exit 1; }
done <<'LIST'
add_video https://www.tiktok.com/@dangthuhaf/video/7526770564367748360
add_video https://www.tiktok.com/@emlyreview/video/7585124257601162516
add_video https://www.tiktok.com/@dudeperfect/video/7276437262283859205
add_video https://youtu.be/D-lhorsDlUQ
add_video https://www.instagram.com/reel/CAG3E8-A3wf/
add_video https://likee.video/@TioDjShow/video/6928156767853015171
add_video https://t.me/durov/37
add_channel https://t.me/durov
add_channel https://t.me/s/walterbloomberg
add_channel https://www.instagram.com/robertdowneyjr/
add_channel https://likee.video/@sarah.stefano
add_channel https://www.tiktok.com/@novix.ht
add_channel https://www.youtube.com/channel/UCK8sQmJBp8GCxrOtXWBpyEA
LIST
cluster_psql -P pager=off -c "SELECT u.telegram_id, u.first_name, (SELECT count(*) FROM cos.user_videos x WHERE x.user_id = u.id) AS videos,
       (SELECT count(*) FROM cos.user_channels x WHERE x.user_id = u.id) AS channels FROM cos.users u"

echo "== the bot: the demo user sends /stats (through the fake Bot API); the bot answers"
curl -sf -m 5 -X POST -H 'Content-Type: application/json' "$FAKE_BOT/_fake/message" \
	--data-binary '{"chat_id": 1000001, "text": "/stats", "first_name": "Demo", "language_code": "en"}' >/dev/null
answer=""
for _ in $(seq 1 50); do
	answer="$(curl -sf -m 5 "$FAKE_BOT/_fake/calls?method=sendMessage" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["calls"]:
    print(c["params"]["text"])' || true)"
	[ -n "$answer" ] && break
	sleep 0.2
done
[ -n "$answer" ] || { echo "FAILED: the bot did not answer /stats"; exit 1; }
echo "$answer"
echo "demo ok"

# the launch parameters a Telegram client puts in the URL's hash: the signed
# initData (valid for cos.init_data_max_age, a day), version, platform, theme
APP_URL="$BASE/app/#$(python3 -c '
import sys, urllib.parse
print(urllib.parse.urlencode({"tgWebAppData": sys.argv[1], "tgWebAppVersion": "8.0", "tgWebAppPlatform": "tdesktop",
    "tgWebAppThemeParams": "{\"bg_color\":\"#ffffff\",\"secondary_bg_color\":\"#efeff3\",\"text_color\":\"#000000\",\"hint_color\":\"#999999\",\"link_color\":\"#2481cc\",\"button_color\":\"#2481cc\",\"button_text_color\":\"#ffffff\"}"},
    quote_via=urllib.parse.quote))' "$DEMO_INIT")"
echo
echo "== the mini-app on the demo cluster, signed in as the demo user (Telegram id 1000001):"
echo "$APP_URL"
echo "== open it with:"
echo "chromium --app='$APP_URL'"
if [ -t 0 ]; then
	# the demo's cluster keeps running; other checkouts' make check may go on
	# (they install into the same PostgreSQL, which this running cluster
	# has already loaded)
	exec 9>&-
	read -r -p "== the demo cluster keeps running: press Enter to stop it " _
fi
