#!/usr/bin/env bash
# bench/bot.sh -- the bot's outbox drained against the fake Bot API on
# loopback (test/e2e/fake-botapi.py): how close the drain comes to the limit,
# the most calls in any 1-second window (measured by the fake, from arrival
# times), and the bot worker's CPU per message (its process's user + system
# time, which includes the SQL it runs: claims and outcomes).
#
#   bench/bot.sh [ROWS] [CHATS]       default 3000 rows to 1000 chats
#
# Two runs on one throwaway cluster:
#   1. Telegram's limits: cos.bot_messages_per_second = 30, one message a
#      chat a second (ROWS / 30 s, about 100 s by default);
#   2. the worker's own ceiling: 1000 a second, no per-chat interval.
# Prints figures; never part of make check.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/.."
ROWS="${1:-3000}"
CHATS="${2:-1000}"
export COS_E2E_DIR="${COS_E2E_DIR:-/tmp/cos-bench-bot}"
rm -rf "$COS_E2E_DIR"
mkdir -p "$COS_E2E_DIR"
# shellcheck source=../test/e2e/lib.sh
source "$ROOT/test/e2e/lib.sh"

TOKEN="7000000001:AAE-cos-bench-token-0123456789abcdef"
FAKE_PID=""
cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || true
	cluster_stop
}
trap cleanup EXIT

"$ROOT/test/e2e/fake-botapi.py" --token "$TOKEN" --portfile "$COS_E2E_DIR/fake.port" >"$COS_E2E_DIR/fake.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 50); do [ -s "$COS_E2E_DIR/fake.port" ] && break; sleep 0.1; done
FAKE="http://127.0.0.1:$(cat "$COS_E2E_DIR/fake.port")"

cluster_start "cos.bot_token_file = '$(write_secret bot_token "$TOKEN")'
cos.bot_api_url = '$FAKE'
cos.fetch_workers = 0"
cluster_psql -c "CREATE EXTENSION cos CASCADE" >/dev/null
pause_tick
sql() { cluster_psql -At -c "$1"; }
cluster_psql -c "INSERT INTO cos.users (telegram_id, first_name, bot_started_at)
                 SELECT 900000000 + i, 'Chat ' || i, now() FROM generate_series(1, $CHATS) i" >/dev/null
for _ in $(seq 1 100); do
	[ -n "$(sql "SELECT pid FROM pg_stat_activity WHERE backend_type = 'cos bot'")" ] && break
	sleep 0.1
done

# cpu_ticks PID: user + system clock ticks of a process
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run LABEL PER_SECOND CHAT_INTERVAL_MS
run() {
	local label="$1" rate="$2" interval="$3" pid seq0 c0 t0 t1 c1 rounds took
	sql "ALTER SYSTEM SET cos.bot_messages_per_second = $rate" >/dev/null
	sql "ALTER SYSTEM SET cos.bot_chat_interval = $interval" >/dev/null
	sql "SELECT pg_reload_conf()" >/dev/null
	sleep 1
	pid="$(sql "SELECT pid FROM pg_stat_activity WHERE backend_type = 'cos bot'")"
	seq0="$(curl -s "$FAKE/_fake/calls" | python3 -c 'import json,sys; c=json.load(sys.stdin)["calls"]; print(c[-1]["seq"] if c else 0)')"
	rounds=$(( (ROWS + CHATS - 1) / CHATS ))
	c0="$(cpu_ticks "$pid")"
	t0="$(date +%s.%N)"
	sql "$(for k in $(seq 1 "$rounds"); do echo "SELECT cos.broadcast('$label, round $k');"; done)" >/dev/null
	while [ "$(sql "SELECT count(*) FROM cos.outbox WHERE state IN ('queued', 'sending')")" != 0 ]; do
		sleep 0.2
	done
	t1="$(date +%s.%N)"
	c1="$(cpu_ticks "$pid")"
	local n
	n="$(sql "SELECT count(*) FROM cos.outbox WHERE state = 'sent' AND text LIKE '$label,%'")"
	took="$(python3 -c "print(f'{$t1 - $t0:.1f}')")"
	echo "== $label: $n messages to $CHATS chats, limit $rate/s, ${interval} ms a chat"
	echo "   drained in $took s: $(python3 -c "print(f'{$n / ($t1 - $t0):.1f}')") messages/s ($(python3 -c "print(f'{100 * $n / ($t1 - $t0) / $rate:.0f}')") % of the limit)"
	echo "   $("$ROOT/test/e2e/bot-calls.py" "$FAKE" rate sendMessage "$rate" 1000000 --since "$seq0" | sed 's/ -- .*//')"
	echo "   bot worker CPU: $(python3 -c "
ticks = $c1 - $c0
hz = $(getconf CLK_TCK)
print(f'{ticks / hz:.2f} s, {1e6 * ticks / hz / $n:.0f} µs a message')")"
}

run "Telegram's limits" 30 1000
run "no limits" 1000 0
