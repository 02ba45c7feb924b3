#!/usr/bin/env bash
# test/e2e/test_bot.sh -- the bot worker end to end, against a fake Telegram
# Bot API on loopback (fake-botapi.py, which answers in the shapes of the
# real captures in test/fixtures/telegram-bot and records every call;
# bot-calls.py checks that record).
#
#   1. start: setMyCommands, setChatMenuButton, getUpdates long polls
#   2. /start (the real getUpdates capture) and /start <param>: one
#      sendMessage each, a web_app button carrying the parameter
#   3. /stats lists the demo's collected videos with the captured counts
#   4. an update is handled once when the worker is killed (SIGKILL) after
#      receiving it and before answering
#   5. 403 "bot was blocked by the user", my_chat_member kicked
#   6. alerts (a channel's title changes) and digests (a scheduled run ends)
#   7. a refused token: a WARNING and slow retries, no crash loop; SIGTERM
#      during a long poll ends the worker at once
#   8. a broadcast of BOT_BROADCAST_ROWS rows (10,000) to BOT_BROADCAST_CHATS
#      chats (2,000): every row ends sent or failed, none twice, at most 30
#      calls in any second and 1 per chat, none during a 429's retry_after
#
# Needs: what make installs, python3, curl.  Takes about 7 minutes, most of
# it the broadcast at Telegram's 30 messages a second.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
export COS_E2E_DIR="${COS_E2E_DIR:-$HERE/out/bot}"
rm -rf "$COS_E2E_DIR"
mkdir -p "$COS_E2E_DIR"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

ROWS="${BOT_BROADCAST_ROWS:-10000}"
CHATS="${BOT_BROADCAST_CHATS:-2000}"
TOKEN="7000000001:AAE-cos-test-token-0123456789abcdefgh"
FAKE_PID=""

cleanup() {
	local rc=$?
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || true
	stop_cos_with_fixtures "$rc"
}
trap cleanup EXIT

"$HERE/fake-botapi.py" --token "$TOKEN" --portfile "$COS_E2E_DIR/fake.port" \
	--log "$COS_E2E_DIR/fake-calls.jsonl" >"$COS_E2E_DIR/fake.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 50); do [ -s "$COS_E2E_DIR/fake.port" ] && break; sleep 0.1; done
FAKE="http://127.0.0.1:$(cat "$COS_E2E_DIR/fake.port")"

# fake METHOD PATH [JSON]: a control call to the fake Bot API
fake() {
	if [ $# -ge 3 ]; then
		curl -sf -m 10 -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$FAKE$2"
	else
		curl -sf -m 10 -X "$1" "$FAKE$2"
	fi
}
# calls [--since SEQ] METHOD: the recorded calls of METHOD as JSON lines
calls() {
	local since=0
	if [ "$1" = --since ]; then since="$2"; shift 2; fi
	fake GET "/_fake/calls?since=$since&method=$1" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["calls"]:
    print(json.dumps(c, ensure_ascii=False, sort_keys=True))'
}
# last_seq: the sequence number of the last recorded call (0 when none)
last_seq() {
	fake GET "/_fake/calls" | python3 -c '
import json, sys
c = json.load(sys.stdin)["calls"]
print(c[-1]["seq"] if c else 0)'
}
# jq_calls SINCE METHOD PYEXPR: PYEXPR (over c, one call) for each call, one per line
jq_calls() {
	fake GET "/_fake/calls?since=$1&method=$2" | python3 -c '
import json, sys
try:
    for c in json.load(sys.stdin)["calls"]:
        p = c["params"]
        print('"$3"')
except BrokenPipeError:
    pass' 2>/dev/null
}
# wait_for SECONDS NAME COMMAND...: runs COMMAND (a function such as
# sql_is or at_least, quiet) until it succeeds; a failed assertion when it
# never does
wait_for() {
	local secs="$1" name="$2" i
	shift 2
	for i in $(seq 1 $((secs * 5))); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.2
	done
	not_ok "$name within $secs s" "done" "not done"
}
# sql_is SQL VALUE: whether SQL returns VALUE
sql_is() { [ "$(sql "$1")" = "$2" ]; }
has_bot() { [ -n "$(bot_pid)" ]; }
# n_calls METHOD [SINCE]: how many calls of METHOD arrived
n_calls() { calls --since "${2:-0}" "$1" | wc -l; }
at_least() { [ "$(n_calls "$1" "${3:-0}")" -ge "$2" ]; }
sql() { cluster_psql -At -c "$1"; }
bot_pid() { sql "SELECT pid FROM pg_stat_activity WHERE backend_type = 'cos bot'"; }

BOT_TOKEN_FILE="$(write_secret bot_token "$TOKEN")"
start_cos_with_fixtures "cos.bot_token_file = '$BOT_TOKEN_FILE'
cos.bot_api_url = '$FAKE'
cos.webapp_url = 'https://cos.test/app/'
cos.channel_max_videos = 10" >/dev/null

section "1. the worker starts: commands, menu button, long polls"
wait_for 20 "setChatMenuButton" at_least setChatMenuButton 1
check "setMyCommands twice: for everyone, and in Russian" "- ru" \
	"$(jq_calls 0 setMyCommands 'p.get("language_code", "-")' | sort | tr '\n' ' ' | sed 's/ $//')"
check "the commands" "start stats digest help" \
	"$(jq_calls 0 setMyCommands '" ".join(x["command"] for x in p["commands"])' | head -1)"
check "the menu button opens cos.webapp_url" '{"text": "Open Cos", "type": "web_app", "web_app": {"url": "https://cos.test/app/"}}' \
	"$(jq_calls 0 setChatMenuButton 'json.dumps(p["menu_button"], sort_keys=True)')"
wait_for 10 "getUpdates" at_least getUpdates 1
check "getUpdates: timeout 25 s, the three kinds of update" '25 ["message", "callback_query", "my_chat_member"]' \
	"$(jq_calls 0 getUpdates 'p["timeout"], json.dumps(p["allowed_updates"])' | head -1)"
check "one bot worker" 1 "$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos bot'")"

section "2. /start: the real getUpdates capture, then a deep link"
s0="$(last_seq)"
t0="$(python3 -c 'import time; print(time.time())')"
fake POST /_fake/updates "$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["result"][0]))' \
	"$COS_ROOT/test/fixtures/telegram-bot/getUpdates_start.json")" >/dev/null
wait_for 10 "the answer to /start" at_least sendMessage 1 "$s0"
check "answered within 1 s of the update (the long poll returns it, the commit wakes the sender)" yes \
	"$(jq_calls "$s0" sendMessage '"yes" if c["t"] - '"$t0"' < 1.0 else c["t"] - '"$t0"'')"
sleep 1
check "one sendMessage, to the user's chat" 782816475 "$(jq_calls "$s0" sendMessage 'p["chat_id"]')"
check "the welcome text, by first name" "Hi, Waldir Borba Junior! Cos keeps the statistics" \
	"$(jq_calls "$s0" sendMessage 'p["text"][:49]')"
check "a web_app button to the mini-app" '{"inline_keyboard": [[{"text": "Open Cos", "web_app": {"url": "https://cos.test/app/"}}]]}' \
	"$(jq_calls "$s0" sendMessage 'json.dumps(p["reply_markup"], sort_keys=True)')"
expect "the user's row, made by /start (the row the mini-app's sign-in uses)" \
	"SELECT username, first_name, language_code, bot_started_at IS NOT NULL FROM cos.users WHERE telegram_id = 782816475" \
	"wborbajr|Waldir Borba Junior|en|t"
expect "the offset is stored past the update" "SELECT update_offset FROM cos.bot_state" 151184258
wait_for 5 "the row sent" sql_is "SELECT state FROM cos.outbox WHERE chat_id = 782816475" sent
expect "the outbox row: sent, with Telegram's message_id" \
	"SELECT kind, state, attempts, message_id FROM cos.outbox WHERE chat_id = 782816475" "reply|sent|1|1"

section "3. /stats: the demo's videos, collected from the captures"
cluster_psql -f "$HERE/demo-targets.sql" >"$COS_E2E_DIR/demo-targets.log" 2>&1 ||
	{ cat "$COS_E2E_DIR/demo-targets.log"; exit 1; }
ok "demo-targets.sql: both runs ended"
sql "INSERT INTO cos.user_videos (user_id, video_id, added_at)
     SELECT u.id, v.id, now() - interval '1 minute' * row_number() OVER (ORDER BY v.external_id)
       FROM cos.users u, cos.videos v
      WHERE u.telegram_id = 782816475
        AND v.external_id IN ('7526770564367748360', 'D-lhorsDlUQ', 'durov/37', 'CAG3E8-A3wf');
     INSERT INTO cos.user_channels (user_id, channel_id)
     SELECT u.id, c.id FROM cos.users u, cos.channels c
      WHERE u.telegram_id = 782816475 AND c.external_id = 'durov'" >/dev/null
s0="$(last_seq)"
fake POST /_fake/message '{"chat_id": 782816475, "text": "/stats", "first_name": "Waldir Borba Junior", "username": "wborbajr", "language_code": "en"}' >/dev/null
wait_for 10 "the answer to /stats" at_least sendMessage 1 "$s0"
jq_calls "$s0" sendMessage 'p["text"]' >"$COS_E2E_DIR/stats.txt"
cat "$COS_E2E_DIR/stats.txt" | sed 's/^/#   /'
check "the four videos with the views SOURCES.md gives" \
	"CAG3E8-A3wf 4,048,603|D-lhorsDlUQ 7,920|durov/37 1,050,000|7526770564367748360 18,500,000" \
	"$(for v in CAG3E8-A3wf D-lhorsDlUQ durov/37 7526770564367748360; do
		url="$(sql "SELECT url FROM cos.videos WHERE external_id = '$v'")"
		title="$(sql "SELECT coalesce(nullif(title, ''), url) FROM cos.videos WHERE external_id = '$v'")"
		n="$(grep -F -- "• ${title:0:60}" "$COS_E2E_DIR/stats.txt" | grep -o -- '— [0-9,]* views' | grep -o '[0-9,]*[0-9]')"
		printf '%s %s|' "$v" "$n"
	done | sed 's/|$//')"
check "the channel with its subscribers" "$(sql "SELECT to_char(followers, 'FM999,999,999') FROM cos.channels WHERE external_id = 'durov'") followers" \
	"$(grep -o -- '(telegram) — [0-9,]* followers' "$COS_E2E_DIR/stats.txt" | sed 's/(telegram) — //')"
check "one page: the mini-app button" "Open Cos" "$(jq_calls "$s0" sendMessage 'p["reply_markup"]["inline_keyboard"][0][0]["text"]')"
VIDEO_ID="$(sql "SELECT id FROM cos.videos WHERE external_id = '7526770564367748360'")"
s0="$(last_seq)"
fake POST /_fake/message "{\"chat_id\": 782816475, \"text\": \"/start video_$VIDEO_ID\", \"first_name\": \"Waldir Borba Junior\"}" >/dev/null
wait_for 10 "the answer to /start video_$VIDEO_ID" at_least sendMessage 1 "$s0"
check "/start video_<id>: the button opens the mini-app at that video (its start_param)" \
	"https://cos.test/app/?startapp=video_$VIDEO_ID" \
	"$(jq_calls "$s0" sendMessage 'p["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"]')"

section "4. exactly once across SIGKILL"
# (a) killed after receiving an update, before its transaction commits: a
# session holds cos.bot_state, so the update's handling waits on its lock
cluster_psql -c "BEGIN; LOCK TABLE cos.bot_state IN EXCLUSIVE MODE; SELECT pg_sleep(60)" >/dev/null 2>&1 &
locker=$!
wait_for 10 "the lock" sql_is "SELECT count(*) FROM pg_locks WHERE relation = 'cos.bot_state'::regclass AND mode = 'ExclusiveLock' AND granted" 1
s0="$(last_seq)"
uid_a="$(fake POST /_fake/message '{"chat_id": 782816475, "text": "/help", "first_name": "Waldir Borba Junior"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["update_id"])')"
wait_for 10 "the worker waiting on the lock" sql_is "SELECT wait_event_type FROM pg_stat_activity WHERE backend_type = 'cos bot'" Lock
pid="$(bot_pid)"
kill -9 "$pid"
ok "the bot worker (pid $pid) killed while handling update $uid_a"
wait "$locker" 2>/dev/null || true
wait_for_server
wait_for 30 "the answer after the restart" at_least sendMessage 1 "$s0"
sleep 2
check "update $uid_a answered once, after the restart" 1 \
	"$(jq_calls "$s0" sendMessage 'p["text"][:10]' | grep -c '^I open the')"
expect "one reply row for it; the offset past it" \
	"SELECT (SELECT count(*) FROM cos.outbox WHERE chat_id = 782816475 AND text LIKE 'I open the%'), (SELECT update_offset FROM cos.bot_state)" \
	"1|$((uid_a + 1))"
# (b) killed while its answer is out: the row ends unknown, never sent twice
wait_for 20 "a worker again" has_bot
fake POST /_fake/inject '{"method": "sendMessage", "hang": true, "count": 1}' >/dev/null
s0="$(last_seq)"
uid_b="$(fake POST /_fake/message '{"chat_id": 782816475, "text": "/digest", "first_name": "Waldir Borba Junior"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["update_id"])')"
wait_for 20 "the answer, hanging" at_least sendMessage 1 "$s0"
pid="$(bot_pid)"
kill -9 "$pid"
ok "the bot worker (pid $pid) killed while sending the answer to update $uid_b"
fake POST /_fake/release '{}' >/dev/null
wait_for_server
wait_for 30 "a worker again" has_bot
wait_for 10 "the row marked unknown" sql_is "SELECT state FROM cos.outbox WHERE text LIKE 'The digest is%'" unknown
sleep 3
check "the answer was called for once, not again after the restart" 1 \
	"$(jq_calls "$s0" sendMessage 'p["text"][:13]' | grep -c '^The digest is')"
expect "update $uid_b handled once (one row, unknown, the reason given)" \
	"SELECT count(*), min(state), min(last_error) LIKE 'the bot worker stopped while this call was out%' FROM cos.outbox WHERE text LIKE 'The digest is%'" \
	"1|unknown|t"
expect "the offset past it" "SELECT update_offset FROM cos.bot_state" "$((uid_b + 1))"
grep -q "outbox rows were being sent when the bot worker stopped" "$COS_E2E_DIR/pg/server.log" &&
	ok "the server log reports the row left sending" || not_ok "the server log reports the row left sending" "a WARNING" "none"

section "5. blocked: 403 from sendMessage, my_chat_member kicked"
sql "INSERT INTO cos.users (telegram_id, first_name, bot_started_at) VALUES (555001, 'Blocker', now())" >/dev/null
fake POST /_fake/block '{"chat_ids": [555001]}' >/dev/null
s0="$(last_seq)"
id1="$(sql "SELECT cos.send_message(555001, 'first to a user who blocked the bot')")"
wait_for 10 "the 403" sql_is "SELECT state FROM cos.outbox WHERE id = $id1" failed
check "Telegram answered 403 (the captured answer)" 403 "$(jq_calls "$s0" sendMessage 'c["status"]')"
expect "the row failed with Telegram's reason; the user marked" \
	"SELECT o.last_error, u.bot_blocked_at IS NOT NULL FROM cos.outbox o JOIN cos.users u ON u.telegram_id = o.chat_id WHERE o.id = $id1" \
	"Forbidden: bot was blocked by the user|t"
id2="$(sql "SELECT cos.send_message(555001, 'second to a user who blocked the bot')")"
wait_for 10 "the second row failed" sql_is "SELECT state FROM cos.outbox WHERE id = $id2" failed
check "the second one is not even called" 1 "$(n_calls sendMessage "$s0")"
fake POST /_fake/message '{"chat_id": 555002, "text": "/start", "first_name": "Kicker"}' >/dev/null
wait_for 10 "the user 555002" sql_is "SELECT count(*) FROM cos.users WHERE telegram_id = 555002 AND bot_started_at IS NOT NULL" 1
fake POST /_fake/kicked '{"chat_id": 555002}' >/dev/null
wait_for 10 "the kick" sql_is "SELECT bot_blocked_at IS NOT NULL FROM cos.users WHERE telegram_id = 555002" t
ok "my_chat_member kicked: the user marked as having blocked the bot"

section "6. alerts and digests"
s0="$(last_seq)"
old_title="$(sql "SELECT title FROM cos.channels WHERE external_id = 'durov'")"
sql "UPDATE cos.channels SET title = 'Durov''s Channel (renamed)' WHERE external_id = 'durov'" >/dev/null
wait_for 15 "the alert" at_least sendMessage 1 "$s0"
check "the follower is alerted to the new title" "$old_title changed its title: «$old_title» → «Durov's Channel (renamed)»" \
	"$(jq_calls "$s0" sendMessage 'p["text"]')"
check "with a button opening the channel in the mini-app" \
	"https://cos.test/app/?startapp=channel_$(sql "SELECT id FROM cos.channels WHERE external_id = 'durov'")" \
	"$(jq_calls "$s0" sendMessage 'p["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"]')"
sql "UPDATE cos.channels SET title = '$old_title' WHERE external_id = 'durov'" >/dev/null
fake POST /_fake/message '{"chat_id": 782816475, "text": "/digest on", "first_name": "Waldir Borba Junior"}' >/dev/null
wait_for 10 "digest on" sql_is "SELECT digest FROM cos.users WHERE telegram_id = 782816475" t
wait_for 15 "the alert of the title put back, and /digest on's answer" \
	sql_is "SELECT count(*) FROM cos.outbox WHERE chat_id = 782816475 AND state = 'queued'" 0
# the captures hold one state of each page: the snapshot of the TikTok
# video from run 1 becomes an older one with fewer views, as an earlier run
# would have written it
sql "UPDATE cos.video_history SET views = 18000000, captured_at = captured_at - interval '12 hours'
      WHERE video_id = $VIDEO_ID" >/dev/null
s0="$(last_seq)"
run="$(sql "INSERT INTO cos.runs (kind, slot) VALUES ('scheduled', date_trunc('minute', now())) RETURNING id")"
sql "SELECT cos._enqueue_run($run, 'tiktok', now(), '0')" >/dev/null
wait_for 60 "the scheduled run" sql_is "SELECT status FROM cos.runs WHERE id = $run" done
wait_for 15 "the digest" sql_is "SELECT count(*) FROM cos.outbox WHERE kind = 'digest' AND state = 'sent'" 1
check "the digest: the biggest gain of the run" "+500,000 views" \
	"$(jq_calls "$s0" sendMessage 'p["text"]' | grep -o -- '+[0-9,]* views')"
expect "one digest, to the user who asked" "SELECT string_agg(chat_id::text, ',') FROM cos.outbox WHERE kind = 'digest'" 782816475

section "7. a refused token; SIGTERM during a long poll"
pid="$(bot_pid)"
s0="$(last_seq)"
write_secret bot_token "7000000001:AAE-a-revoked-token" >/dev/null
wait_for 20 "the 401" at_least getUpdates 1 "$s0"
sleep 6
check "one getUpdates with the refused token in 6 s (no crash loop, no hammering)" "1 401" \
	"$(n_calls getUpdates "$s0") $(jq_calls "$s0" getUpdates 'c["status"]' | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "the same worker" "$pid" "$(bot_pid)"
grep -q "Telegram refused the bot token (401 Unauthorized)" "$COS_E2E_DIR/pg/server.log" &&
	ok "a WARNING names the refused token" || not_ok "a WARNING names the refused token" "a WARNING" "none"
if grep -q "$TOKEN\|AAE-a-revoked-token" "$COS_E2E_DIR/pg/server.log"; then
	not_ok "no token in the server log" "none" "found"
else
	ok "no token in the server log"
fi
s0="$(last_seq)"
write_secret bot_token "$TOKEN" >/dev/null
wait_for 15 "polling again" at_least getUpdates 1 "$s0"
check "the good token back: polling again, nothing refused" "" \
	"$(jq_calls "$s0" getUpdates 'c["status"]' | grep 401 || true)"
sleep 1
pid="$(bot_pid)"
t0="$(date +%s%N)"
sql "SELECT pg_terminate_backend($pid)" >/dev/null
wait_for 5 "the worker gone" sql_is "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid" 0
ms=$((($(date +%s%N) - t0) / 1000000))
check "SIGTERM during a long poll: gone within 1 s" yes "$([ "$ms" -lt 1000 ] && echo yes || echo "$ms ms")"
wait_for 10 "restarted by the launcher" has_bot
ok "restarted by the launcher"

section "8. a broadcast: $ROWS rows to $CHATS chats"
per_chat=$((ROWS / CHATS))
sql "INSERT INTO cos.users (telegram_id, first_name, bot_started_at)
     SELECT 900000000 + i, 'Chat ' || i, now() FROM generate_series(1, $CHATS) i" >/dev/null
sql "UPDATE cos.users SET digest = false, bot_started_at = NULL WHERE telegram_id < 900000000" >/dev/null
fake POST /_fake/block "{\"chat_ids\": [$(seq -s, 900000001 100 $((900000000 + CHATS)))]}" >/dev/null
blocked="$(seq 900000001 100 $((900000000 + CHATS)) | wc -l)"
s0="$(last_seq)"
t0="$SECONDS"
# one transaction: a blocked chat's 403 must not keep it out of a later broadcast
sql "$(for k in $(seq 1 "$per_chat"); do
	echo "SELECT cos.broadcast('Broadcast $k of $per_chat: the numbers of the week are in the app.');"
done)" >/dev/null
expect "$ROWS rows queued" "SELECT count(*) FROM cos.outbox WHERE kind = 'broadcast' AND text LIKE 'Broadcast %'" "$ROWS"
sleep 5
fake POST /_fake/inject '{"method": "sendMessage", "status": 429, "retry_after": 2, "count": 1}' >/dev/null
sleep 5
fake POST /_fake/inject '{"method": "sendMessage", "status": 500, "count": 3}' >/dev/null
fake POST /_fake/inject '{"method": "sendMessage", "delay_ms": 3000, "count": 2}' >/dev/null
fake POST /_fake/inject '{"method": "sendMessage", "status": 502, "count": 2}' >/dev/null
limit=$((ROWS / 25 + 120))
wait_for "$limit" "the outbox drained" \
	sql_is "SELECT count(*) FROM cos.outbox WHERE kind = 'broadcast' AND text LIKE 'Broadcast %' AND state IN ('queued', 'sending')" 0
took=$((SECONDS - t0))
echo "# drained in $took s: $(python3 -c "print(round($ROWS / $took, 1))") rows/s at cos.bot_messages_per_second = 30"
expect "every row sent or failed: failed only those to the $blocked blocked chats, with Telegram's reason" \
	"SELECT string_agg(state || ' ' || n || coalesce(' ' || e, ''), ', ' ORDER BY state) FROM (SELECT state, count(*) AS n, min(last_error) FILTER (WHERE state = 'failed') AS e FROM cos.outbox WHERE kind = 'broadcast' AND text LIKE 'Broadcast %' GROUP BY state) x" \
	"failed $((blocked * per_chat)) Forbidden: bot was blocked by the user, sent $((ROWS - blocked * per_chat))"
check "sendMessage answered 200 once per sent row" "$((ROWS - blocked * per_chat))" "$("$HERE/bot-calls.py" "$FAKE" count sendMessage --status 200 --since "$s0" | grep -o '[0-9]*$')"
out="$("$HERE/bot-calls.py" "$FAKE" dupes sendMessage --since "$s0" 2>&1)" && ok "none twice: $out" || not_ok "none twice" "no duplicates" "$out"
out="$("$HERE/bot-calls.py" "$FAKE" rate sendMessage 30 1 --since "$s0" 2>&1)" && ok "Telegram's limits: $out" || not_ok "at most 30 a second and 1 a chat" "within" "$out"
out="$("$HERE/bot-calls.py" "$FAKE" quiet sendMessage --since "$s0" 2>&1)" && ok "the 429's retry_after honoured: $out" || not_ok "no call during retry_after" "none" "$out"
check "the blocked chats were called once each" "$blocked" "$("$HERE/bot-calls.py" "$FAKE" count sendMessage --status 403 --since "$s0" | grep -o '[0-9]*$')"

echo "# $passed passed, $failed failed (${SECONDS} s)"
[ "$failed" -eq 0 ]
