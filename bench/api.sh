#!/usr/bin/env bash
# bench/api.sh -- the mini-app's read API over HTTP, through the gateway
# workers: cos_api.video_series and cos_api.channel_videos driven by wrk
# (POST /rpc/<fn> with a Bearer token, as the Mini App calls them).
#
# A throwaway cluster (lib.sh) with 200 channels of 100 videos each (20,000
# videos) and a year of twice-daily history for every video (731 snapshots,
# 14.6 million rows of cos.video_history, written in time order as runs
# write them, in one INSERT ... SELECT generate_series whose time is
# printed), 200 users each tracking one channel, and a token per user from
# cos._jwt_sign.  Each request picks a user at random, and one of that
# user's videos or its channel.
#
# Usage: bench/api.sh [SECONDS [CONNECTIONS...]]   (default 20 s; 10 and 200)
#
# Each call is measured closed-loop (every connection sends its next request
# as soon as the answer comes: the server's capacity, where the latency is
# mostly queueing, about connections / throughput) and, with 200 connections,
# paced to each rate of COS_BENCH_RATE, requests/s in all (default "400
# 1000"; each connection waits an exponentially distributed time, mean
# 200/rate s, between its requests, with wrk's delay()): the latency 200 open
# connections see at a load the machine sustains.
# make bench-api runs it; it is never part of make check.  Prints figures
# only; exits non-zero when the bench itself is invalid (non-2xx answers,
# socket errors).  Installs the extension under /tmp/cos-check.lock (make
# bench-api does); wrk, the gateway and Postgres share the machine's CPUs.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-bench-api.XXXXXX)}"
# shellcheck source=../test/e2e/lib.sh
source "$HERE/../test/e2e/lib.sh"

SECS="${1:-20}"
shift || true
CONNS=("$@")
[ ${#CONNS[@]} -gt 0 ] || CONNS=(10 200)
RATE="${COS_BENCH_RATE:-400 1000}"
THREADS=2
HTTP_WORKERS="${COS_BENCH_HTTP_WORKERS:-2}"
JWT_SECRET='cos-bench-api-jwt-secret-0123456789abcdef'

if ! command -v wrk >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || { echo "wrk is missing; as root: apt-get install -y wrk" >&2; exit 1; }
	(export DEBIAN_FRONTEND=noninteractive
	 apt-get update >&2 && apt-get install -y --no-install-recommends wrk >&2)
fi

cleanup() { cluster_stop; rm -rf "$COS_E2E_DIR"; }
trap cleanup EXIT

HTTP_PORT="$(free_port)"
BASE="http://127.0.0.1:$HTTP_PORT"
# all of wrk's connections come from 127.0.0.1: no per-address limit
cluster_start "cos.http_listen = '127.0.0.1:$HTTP_PORT'
cos.http_workers = $HTTP_WORKERS
cos.http_max_connections_per_client = 0
cos.fetch_workers = 0
cos.jwt_secret_file = '$(write_secret jwt_secret "$JWT_SECRET")'
shared_buffers = '2GB'
max_wal_size = '8GB'
checkpoint_timeout = '30min'
synchronous_commit = off"
cluster_psql -c "CREATE EXTENSION cos CASCADE" >/dev/null
pause_tick

echo "# loading: 200 channels, 20,000 videos, 200 users; a year of twice-daily history"
cluster_psql <<'SQL'
SELECT cos._ensure_partitions(now() - interval '366 days', 13) AS monthly_partitions;
INSERT INTO cos.channels (platform, external_id, url, title, followers, checked_at)
SELECT 'tiktok', '@bench' || c, 'https://www.tiktok.com/@bench' || c, 'Bench ' || c, 1000 * c, now()
  FROM generate_series(1, 200) c;
INSERT INTO cos.videos (platform, external_id, channel_id, url, title, published_at, checked_at, tracked)
SELECT 'tiktok', (7000000000000000000 + ch.id * 1000 + k)::text, ch.id,
	   ch.url || '/video/' || (7000000000000000000 + ch.id * 1000 + k), 'video ' || k,
	   now() - k * interval '3 days', now(), true
  FROM cos.channels ch, generate_series(1, 100) k ORDER BY ch.id, k;
INSERT INTO cos.users (telegram_id, first_name)
SELECT 900000 + c, 'Bench ' || c FROM generate_series(1, 200) c;
INSERT INTO cos.user_channels (user_id, channel_id)
SELECT u.id, ch.id FROM cos.users u JOIN cos.channels ch ON ch.external_id = '@bench' || (u.telegram_id - 900000);
SQL
load_start=$(date +%s.%N)
cluster_psql <<'SQL'
\timing on
-- a year of snapshots twice a day; counters grow with time, at a
-- per-video rate
INSERT INTO cos.video_history (video_id, captured_at, views, likes, comments, shares, saves)
SELECT v.id, t.at, (v.id % 97 + 1) * 1000 * (t.i + 1), (v.id % 89 + 1) * 40 * (t.i + 1),
	   (v.id % 83 + 1) * (t.i + 1), (v.id % 79 + 1) * 3 * (t.i + 1), (v.id % 73 + 1) * 2 * (t.i + 1)
  FROM (SELECT i, date_trunc('hour', now()) - interval '365 days' + i * interval '12 hours' AS at
		  FROM generate_series(0, 730) i) t
 CROSS JOIN cos.videos v;
SQL
load_end=$(date +%s.%N)
cluster_psql <<'SQL' >/dev/null
-- the latest counters (snapshot 730 of the formula above)
UPDATE cos.videos v SET views = (v.id % 97 + 1) * 1000 * 731, likes = (v.id % 89 + 1) * 40 * 731,
	   comments = (v.id % 83 + 1) * 731, shares = (v.id % 79 + 1) * 3 * 731, saves = (v.id % 73 + 1) * 2 * 731;
VACUUM ANALYZE;
SQL
rows="$(cluster_psql -At -c "SELECT count(*) FROM cos.video_history")"
size="$(cluster_psql -At -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'cos.video_history'::regclass")"
printf '# cos.video_history: %s rows (%s with indexes), loaded in %.0f s by one INSERT ... SELECT\n' \
	"$rows" "$size" "$(awk "BEGIN {print $load_end - $load_start}")"

# the Lua script: one table of users, each {token, channel id, video ids}
LUA="$COS_E2E_DIR/api.lua"
{
	echo "local users = {"
	cluster_psql -At <<'SQL'
SELECT format('{%s, %s, {%s}},', to_json(cos._jwt_sign(jsonb_build_object('role', 'cos_user', 'sub', u.id::text, 'exp', extract(epoch FROM now() + interval '1 day')::bigint))),
			  uc.channel_id, string_agg(v.id::text, ',' ORDER BY v.id))
  FROM cos.users u JOIN cos.user_channels uc ON uc.user_id = u.id JOIN cos.videos v ON v.channel_id = uc.channel_id
 GROUP BY u.id, uc.channel_id ORDER BY u.id;
SQL
	cat <<'LUA'
}
local mode
local pace = 0
function init(args)
	mode = args[1]
	pace = tonumber(args[2] or "0")
	-- each wrk thread has its own Lua state: seed from the time and the
	-- address of a fresh table
	math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end
-- milliseconds before a connection's next request (0: closed loop)
function delay()
	if pace > 0 then
		return math.floor(-math.log(1 - math.random()) * pace)
	end
	return 0
end
function request()
	local u = users[math.random(#users)]
	local body
	if mode == "video_series_day" then
		body = string.format('{"video_id": %d, "step": "day"}', u[3][math.random(#u[3])])
	elseif mode == "video_series_week" then
		body = string.format('{"video_id": %d, "step": "week"}', u[3][math.random(#u[3])])
	else
		body = string.format('{"channel_id": %d, "sort": "views", "lim": 50}', u[2])
	end
	local fn = mode:gsub("_day$", ""):gsub("_week$", "")
	return wrk.format("POST", "/rpc/" .. fn,
		{["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. u[1]}, body)
end
LUA
} >"$LUA"

# one request of each kind, checked, before measuring
tok="$(cluster_psql -At -c "SELECT cos._jwt_sign(jsonb_build_object('role', 'cos_user', 'sub', min(id)::text)) FROM cos.users")"
vid="$(cluster_psql -At -c "SELECT min(v.id) FROM cos.videos v JOIN cos.user_channels uc ON uc.channel_id = v.channel_id WHERE uc.user_id = (SELECT min(id) FROM cos.users)")"
for _ in $(seq 1 100); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/" || true)" != 000 ] && break
	sleep 0.2
done
n="$(curl -s -X POST "$BASE/rpc/video_series" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	-d "{\"video_id\": $vid, \"step\": \"day\"}" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(v), sum(1 for b in v if b["views"] is not None))')"
echo "# check: video_series by day answers 14 buckets, with snapshots in: $n"
[ "${n%% *}" = 14 ] || { echo "bench invalid: video_series did not answer 14 buckets" >&2; exit 1; }

echo "# machine: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg); $HTTP_WORKERS gateway workers; wrk -t$THREADS, ${SECS} s per run"
# wrk's "1.23ms", "456.78us", "1.02s" as milliseconds
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.1f", v}'; }
invalid=0
# run FN CONNS PACE_MS LABEL: one wrk run, one line of the table
run() {
	local out rps p50 p99 non2xx sock errs
	out="$(wrk -t$THREADS -c"$2" -d"${SECS}s" --timeout 10s --latency -s "$LUA" "$BASE" -- "$1" "$3")"
	rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
	p50="$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)"
	p99="$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"
	non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
	sock="$(awk '/Socket errors/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i} END {print s + 0}' <<<"$out")"
	errs=$(( ${non2xx:-0} + ${sock:-0} ))
	[ "$errs" -eq 0 ] || invalid=1
	printf '%-20s %-16s %10s %9s %9s %7s\n' "$1" "$4" "$rps" "$p50" "$p99" "$errs"
}
printf '%-20s %-16s %10s %9s %9s %7s\n' "call" "connections" "req/s" "p50 ms" "p99 ms" "errors"
for fn in video_series_day video_series_week channel_videos; do
	# a warm-up of this call (its pages into the caches)
	wrk -t$THREADS -c10 -d5s -s "$LUA" "$BASE" -- "$fn" 0 >/dev/null 2>&1 || true
	for c in "${CONNS[@]}"; do
		run "$fn" "$c" 0 "$c"
	done
	for rate in $RATE; do
		run "$fn" 200 "$((200 * 1000 / rate))" "200 at ${rate}/s"
	done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$invalid" -eq 0 ] || { echo "bench invalid: errors above" >&2; exit 1; }
