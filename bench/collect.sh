#!/usr/bin/env bash
# bench/collect.sh -- collection throughput end to end (claim -> fetch ->
# parse -> write) through the fetch workers, on a throwaway cluster and the
# loopback fixture server (test/e2e/lib.sh, test/e2e/fixture-server.sh).
#
# Usage: bench/collect.sh [VIDEOS]        (default 100000)
#   needs the extension installed (make install); `make bench-collect` does
#   both under /tmp/cos-check.lock.
#
# VIDEOS tracked videos, one fifth per platform, are inserted straight into
# cos.videos with the very columns cos.add_video() writes (the row comes from
# cos.parse_url() of a public URL, as in add_video), then collected by
# cos.run_now() once per cos.fetch_workers setting.  Every video has its own
# canonical id; the fixture server's /any/ routes answer any id with one real
# capture per platform whose own id is replaced by the requested one, so each
# job stores a real parsed snapshot (see test/e2e/nginx.conf.in):
#   tiktok     /@dangthuhaf/video/75267705643NNNNNNNN  video_desktop_7526770564367748360.html
#   youtube    videos.list id=D-lhorNNNNN (API key set) api_videos_list_D-lhorsDlUQ.json
#   instagram  media/<pk>/info/ of shortcode CAG3E8xxxxx  media_info_CAG3E8-A3wf.json
#   likee      getVideoInfo {"postIds":"69281567678NNNNNNNN"}  getVideoInfo_single_item.json
#   telegram   t.me/durov/N, N >= 1000 not ending in 9  tme_s_durov_before38.html
# Thumbnail downloads are off (cos.thumbnail_max_bytes = 0): the figures are
# of collection alone, and no thumbnail job is enqueued (the captures'
# thumbnail URLs name the real CDNs, which no test or bench may contact).
#
# Prints, per cos.fetch_workers setting (COS_BENCH_WORKERS, default "1 2"):
# snapshots stored per second per platform and overall, then the wire limit
# of the same request mix measured by wrk against the same nginx, peak and
# start/end memory of the fetch workers, WAL and table bytes per snapshot,
# and the load average next to each figure.  Figures only, never pass/fail;
# exits non-zero when the bench itself is invalid (a run that does not end,
# or snapshots missing).
#
# Environment:
#   COS_BENCH_WORKERS            cos.fetch_workers settings to run ("1 2")
#   COS_BENCH_CONCURRENCY        cos.fetch_concurrency (default 64, as shipped)
#   COS_BENCH_PLATFORM_CONCURRENCY  cos.platforms.max_concurrency for every
#                                platform (default 64; the shipped limits are
#                                meant for the real sites)
#   COS_BENCH_WRK_SECONDS        wrk duration (default 10)
#   COS_BENCH_WRK_CONNECTIONS    wrk connections (default 64)
#   COS_BENCH_IG_ACCOUNTS        Instagram accounts (default 2): a run's
#                                Instagram jobs form one batch per account,
#                                each collected by one worker, so with one
#                                account Instagram is one worker's work
#   COS_BENCH_FSYNC              fsync of the bench cluster (default on)
#   COS_BENCH_PROFILE=1          also load pg_stat_statements and print the
#                                statements the workers spent most time in
#   COS_BENCH_KEEP=1             keep the cluster directory (printed)
#   COS_BENCH_CONF               extra postgresql.conf lines for the cluster
#                                (e.g. auto_explain settings)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VIDEOS=${1:-100000}
WORKERS=${COS_BENCH_WORKERS:-"1 2"}
CONC=${COS_BENCH_CONCURRENCY:-64}
PCONC=${COS_BENCH_PLATFORM_CONCURRENCY:-64}
WRK_SECS=${COS_BENCH_WRK_SECONDS:-10}
WRK_CONNS=${COS_BENCH_WRK_CONNECTIONS:-64}
IG_ACCOUNTS=${COS_BENCH_IG_ACCOUNTS:-2}
FSYNC=${COS_BENCH_FSYNC:-on}
RUN_TIMEOUT_S=900
[[ $VIDEOS =~ ^[0-9]+$ && $VIDEOS -ge 5 && $VIDEOS -le 4000000 ]] ||
	{ echo "usage: $0 [VIDEOS]   (5 .. 4000000)" >&2; exit 2; }

if ! command -v wrk >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || { echo "wrk is missing; as root: apt-get install -y wrk" >&2; exit 1; }
	(export DEBIAN_FRONTEND=noninteractive
	 apt-get update >&2 && apt-get install -y --no-install-recommends wrk >&2)
fi

export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-bench-collect.XXXXXX)}"
# shellcheck source=../test/e2e/lib.sh
source "$ROOT/test/e2e/lib.sh"

SAMPLER_PID=
on_exit() {
	[ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true
	cluster_stop
	fixtures_stop
	if [ "${COS_BENCH_KEEP:-0}" = 1 ]; then
		echo "kept: $COS_E2E_DIR" >&2
	else
		rm -rf "$COS_E2E_DIR"
	fi
}
trap on_exit EXIT

load() { cut -d' ' -f1 /proc/loadavg; }
q() { cluster_psql -At -c "$1"; }
fatal() { echo "bench INVALID: $*" >&2; tail -n 30 "$COS_E2E_DIR/pg/server.log" >&2 || true; exit 1; }

preload='pg_cron,cos'
[ "${COS_BENCH_PROFILE:-0}" = 1 ] && preload='pg_cron,cos,pg_stat_statements'
cluster_start "shared_preload_libraries = '$preload'
fsync = $FSYNC
cos.fetch_workers = 0
cos.fetch_concurrency = $CONC
cos.thumbnail_max_bytes = 0
pg_stat_statements.track = all
max_wal_size = 4GB
${COS_BENCH_CONF:-}"
cluster_psql -c "CREATE EXTENSION cos CASCADE" >/dev/null
[ "${COS_BENCH_PROFILE:-0}" = 1 ] && cluster_psql -c "CREATE EXTENSION pg_stat_statements" >/dev/null
pause_tick

B64='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
# awk arithmetic: calc EXPR [DECIMALS]
calc() { awk "BEGIN { x = $1; printf \"%.${2:-3}f\", x }"; }

# ---- targets: exactly the rows cos.add_video() writes ----------------------
# k-th video of each platform; ids as described in the header.
per=$(( (VIDEOS + 4) / 5 ))
[ "$per" -le 99999 ] || { echo "at most 499995 videos (YouTube ids hold 5 digits)" >&2; exit 2; }
t0=$(date +%s.%N)
cluster_psql -v n="$VIDEOS" >/dev/null <<'SQL'
CREATE FUNCTION pg_temp.b64(k bigint, len integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT string_agg(substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
	                         ((k >> (6 * (len - j))) & 63)::integer + 1, 1), '' ORDER BY j)
	  FROM generate_series(1, len) j
$$;
INSERT INTO cos.videos (platform, external_id, handle, url, owner, tracked, status)
SELECT p.platform, p.id, nullif(p.handle, ''), p.canonical_url, NULL, true,
       CASE WHEN p.pending THEN 'pending' ELSE 'ok' END
  FROM generate_series(0, :n - 1) i,
       LATERAL (SELECT i / 5 AS k) k,
       LATERAL (SELECT CASE i % 5
           WHEN 0 THEN format('https://www.tiktok.com/@dangthuhaf/video/%s', 7526770564300000000 + k.k)
           WHEN 1 THEN format('https://www.youtube.com/watch?v=D-lhor%s', lpad(k.k::text, 5, '0'))
           WHEN 2 THEN format('https://www.instagram.com/reel/CAG3E8%s/', pg_temp.b64(k.k, 5))
           WHEN 3 THEN format('https://likee.video/@TioDjShow/video/%s', 6928156767800000000 + k.k)
           ELSE format('https://t.me/durov/%s', 1000 + (k.k / 9) * 10 + k.k % 9) END AS url) u,
       cos.parse_url(u.url) p;
ANALYZE cos.videos;
SQL
t1=$(date +%s.%N)
nvideos=$(q "SELECT count(*) FROM cos.videos WHERE tracked AND status = 'ok'")
[ "$nvideos" = "$VIDEOS" ] || fatal "$nvideos tracked videos inserted, wanted $VIDEOS"

# Instagram: the fixture server maps each media pk to its shortcode (the pk in
# base 64), which it cannot compute itself.
mkdir -p "$COS_E2E_DIR/nginx/any"
q "SELECT (sum((strpos('$B64', substr(external_id, j, 1)) - 1)::numeric * (64::numeric ^ (11 - j))))::numeric(24, 0)
          || ' ' || external_id || ';'
     FROM cos.videos, generate_series(1, 11) j WHERE platform = 'instagram' GROUP BY external_id" \
	>"$COS_E2E_DIR/nginx/any/instagram_shortcodes.map"
fixtures_start

cluster_psql >/dev/null <<SQL
UPDATE cos.platforms SET web_base = '$FIXTURE_URL/any/' || name,
       api_base = CASE name WHEN 'youtube' THEN '$FIXTURE_URL/any/youtube-api'
                            WHEN 'instagram' THEN '$FIXTURE_URL/any/instagram-api'
                            WHEN 'likee' THEN '$FIXTURE_URL/any/likee-api' END,
       max_concurrency = $PCONC, requests_per_second = 1000000;
INSERT INTO cos.accounts (platform, kind, label, secret) VALUES ('youtube', 'api_key', 'bench', 'bench-key');
INSERT INTO cos.accounts (platform, kind, label, secret, app_id)
SELECT 'instagram', 'cookie', 'bench ' || i, 'sessionid=bench' || i, '936619743392459'
  FROM generate_series(1, $IG_ACCOUNTS) i;
SQL

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "Cos collection benchmark -- $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs ($cpu), $(free -g | awk '/^Mem:/ { print $2 }') GB; shared with other jobs (load = 1-min load average)"
echo "$(q "SELECT version()" | cut -d' ' -f1-2), fsync = $FSYNC; $( (PATH=$PATH:/usr/sbin nginx -v 2>&1 || true) | sed 's/^nginx version: //'); $(curl --version | head -1 | cut -d' ' -f1-2)"
printf '%s tracked videos (%s per platform) inserted in %.1f s\n' "$VIDEOS" "$per" "$(calc "$t1 - $t0" 1)"
echo "cos.fetch_concurrency = $CONC; Instagram accounts (one batch each): $IG_ACCOUNTS; cos.platforms as used:"
cluster_psql -c "SELECT name, max_concurrency, requests_per_second, timeout_ms,
                        coalesce(api_base, web_base) AS requests_to FROM cos.platforms ORDER BY name"

# ---- one run per fetch_workers setting --------------------------------------
restart_with_workers() {
	local w=$1 i n
	cluster_psql -c "ALTER SYSTEM SET cos.fetch_workers = $w" >/dev/null
	as_pg "$PGBIN/pg_ctl" -D "$COS_E2E_DIR/pg/data" -l "$COS_E2E_DIR/pg/server.log" -m fast -w restart >/dev/null
	for ((i = 0; i < 100; i++)); do
		n=$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos fetch worker'" 2>/dev/null || echo 0)
		[ "$n" = "$w" ] && return 0
		sleep 0.1
	done
	fatal "$n fetch workers running, wanted $w"
}

# one line per worker: pid VmHWM VmRSS RssAnon (kB)
mem_of() {
	local pid
	for pid in "$@"; do
		awk -v pid="$pid" '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
			END { print pid, h, r, a }' "/proc/$pid/status" 2>/dev/null || echo "$pid 0 0 0"
	done
}

# CPU ticks (user + system) of a list of processes
ticks_of() {
	local pid t=0 f
	for pid in "$@"; do
		read -r -a f <"/proc/$pid/stat" 2>/dev/null || continue
		t=$((t + f[13] + f[14]))
	done
	echo "$t"
}
children_of() { awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null | tr '\n' ' '; }
# "workers nginx postgres_other machine_busy machine_total" in ticks: the
# fetch workers, nginx's workers, every other child of the postmaster, and
# all CPUs of the machine (/proc/stat: busy = all but idle and iowait)
cpu_now() {
	local pm ng others="" c m
	pm=$(head -1 "$COS_E2E_DIR/pg/data/postmaster.pid")
	ng=$(cat "$COS_E2E_DIR/nginx/nginx.pid")
	for c in $(children_of "$pm"); do
		case " $pids " in *" $c "*) ;; *) others="$others $c" ;; esac
	done
	# shellcheck disable=SC2086
	m=$(awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat)
	# shellcheck disable=SC2086
	echo "$(ticks_of $pids) $(ticks_of $(children_of "$ng")) $(ticks_of $others) $m"
}
PERF_PID=

declare -A RES
for w in $WORKERS; do
	restart_with_workers "$w"
	[ "${COS_BENCH_PROFILE:-0}" = 1 ] && q "SELECT pg_stat_statements_reset()" >/dev/null
	pids=$(q "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE backend_type = 'cos fetch worker'")
	# shellcheck disable=SC2086
	mem0=$(mem_of $pids)
	( while :; do
		# shellcheck disable=SC2086
		mem_of $pids
		sleep 0.25
	  done >"$COS_E2E_DIR/mem_$w.log" ) &
	SAMPLER_PID=$!
	lsn0=$(q "SELECT pg_current_wal_lsn()")
	hist0=$(q "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('cos.video_history')")
	all0=$(q "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	           WHERE n.nspname = 'cos' AND c.relkind IN ('r', 'm')")
	load0=$(load)
	if [ "${COS_BENCH_PERF:-0}" = 1 ]; then
		perf record -q -F 999 -o "$COS_E2E_DIR/perf_$w.data" -p "${pids// /,}" >/dev/null 2>&1 &
		PERF_PID=$!
		sleep 0.5
	fi
	cpu0=$(cpu_now)
	# run_now() enqueues every job and commits; the clock after it is when
	# the workers can start
	IFS='|' read -r rid t_enq_s t_go < <(q "SELECT r, extract(epoch FROM clock_timestamp() - now()), extract(epoch FROM clock_timestamp())
	                                         FROM cos.run_now() r")
	lsn1=$(q "SELECT pg_current_wal_lsn()")
	# poll with a short psql each time: a waiting statement (a DO loop) would
	# hold a snapshot for the whole run, so no claimed job's old row version
	# would ever be dead to all and every claim would step over all of them
	for ((i = 0; i < RUN_TIMEOUT_S * 4; i++)); do
		[ "$(q "SELECT status FROM cos.runs WHERE id = $rid")" = done ] && break
		sleep 0.25
	done
	cpu1=$(cpu_now)
	if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=; fi
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=
	[ "$(q "SELECT status FROM cos.runs WHERE id = $rid")" = done ] ||
		fatal "run $rid (fetch_workers = $w) did not finish in $RUN_TIMEOUT_S s: $(q "SELECT jobs_total || ' jobs, ' || jobs_done || ' done' FROM cos.runs WHERE id = $rid")"
	load1=$(load)
	# shellcheck disable=SC2086
	mem1=$(mem_of $pids)
	lsn2=$(q "SELECT pg_current_wal_lsn()")
	hist1=$(q "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('cos.video_history')")
	all1=$(q "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	           WHERE n.nspname = 'cos' AND c.relkind IN ('r', 'm')")

	RES[$w,platforms]=$(q "SELECT string_agg(format('%s:%s:%s', v.platform, count, round(extract(epoch FROM last - to_timestamp($t_go))::numeric, 2)), ' ' ORDER BY v.platform)
	    FROM (SELECT v.platform, count(*), max(h.captured_at) AS last
	            FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
	           WHERE h.run_id = $rid GROUP BY v.platform) v")
	RES[$w,total]=$(q "SELECT count(*) FROM cos.video_history WHERE run_id = $rid")
	RES[$w,secs]=$(q "SELECT round(extract(epoch FROM finished_at - to_timestamp($t_go))::numeric, 2) FROM cos.runs WHERE id = $rid")
	RES[$w,enqueue]=$t_enq_s
	RES[$w,jobs]=$(q "SELECT concat_ws(' ', jobs_total, jobs_done, jobs_failed, jobs_retried) FROM cos.runs WHERE id = $rid")
	RES[$w,wal_enq]=$(q "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')")
	RES[$w,wal_run]=$(q "SELECT pg_wal_lsn_diff('$lsn2', '$lsn1')")
	RES[$w,hist]=$((hist1 - hist0))
	RES[$w,all]=$((all1 - all0))
	RES[$w,load]="$load0 -> $load1"
	RES[$w,mem0]=$mem0
	RES[$w,mem1]=$mem1
	RES[$w,memlog]="$COS_E2E_DIR/mem_$w.log"
	RES[$w,cpu]="$cpu0 $cpu1"
	RES[$w,outcomes]=$(q "SELECT string_agg(outcome || ' ' || n, ', ' ORDER BY n DESC)
	    FROM (SELECT outcome, count(*) AS n FROM cos.fetch_log WHERE run_id = $rid GROUP BY outcome) o")
	if [ "${RES[$w,total]}" != "$VIDEOS" ]; then
		q "SELECT platform, left(error, 120), count(*) FROM cos.fetch_log WHERE run_id = $rid AND outcome <> 'ok'
		   GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10" >&2
		fatal "run $rid stored ${RES[$w,total]} snapshots of $VIDEOS (jobs total/done/failed/retried: ${RES[$w,jobs]})"
	fi
	if [ "${COS_BENCH_PROFILE:-0}" = 1 ]; then
		echo "== fetch_workers = $w: statements by total time (pg_stat_statements, track = all)"
		cluster_psql -c "SELECT calls, round(total_exec_time::numeric) AS exec_ms, round(total_plan_time::numeric) AS plan_ms,
		                        round(((total_exec_time + total_plan_time) / greatest(calls, 1))::numeric, 3) AS ms_per_call, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query
		                   FROM pg_stat_statements WHERE calls > 0 ORDER BY total_exec_time + total_plan_time DESC LIMIT 20"
	fi
done

# the values stored are the captures' own (test/fixtures/SOURCES.md)
check=$(q "SELECT string_agg(format('%s=%s', platform, v), ' ' ORDER BY platform) FROM (
	SELECT v.platform, string_agg(DISTINCT concat_ws('/', h.views, h.likes, h.comments), ',') AS v
	  FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id GROUP BY v.platform) s")

# ---- wire limit: wrk, the same request mix, the same nginx ------------------
# The requests the workers sent (same paths, headers and Likee POST bodies),
# over the first 2,000 videos of each platform, round robin.
LUA="$COS_E2E_DIR/mix.lua"
{
	echo 'local list = {'
	q "SELECT format('{\"%s\", \"%s\", \"%s\"},', v.platform, CASE v.platform
	        WHEN 'tiktok' THEN '/any/tiktok/@dangthuhaf/video/' || v.external_id
	        WHEN 'youtube' THEN '/any/youtube-api/videos?part=snippet,contentDetails,statistics&id='
	                            || v.external_id || '&key=bench-key'
	        WHEN 'instagram' THEN format('/any/instagram-api/api/v1/media/%s/info/', (
	            SELECT (sum((strpos('$B64', substr(v.external_id, j, 1)) - 1)::numeric
	                        * (64::numeric ^ (11 - j))))::numeric(24, 0) FROM generate_series(1, 11) j))
	        WHEN 'likee' THEN '/any/likee-api/likee-activity-flow-micro/videoApi/getVideoInfo'
	        ELSE '/any/telegram/s/durov?before=' || (split_part(v.external_id, '/', 2)::bigint + 1) END,
	      v.external_id)
	     FROM (SELECT v.*, row_number() OVER (PARTITION BY platform ORDER BY id) AS k FROM cos.videos v) v
	    WHERE v.k <= 2000 ORDER BY v.k, v.platform"
	echo '}'
	echo "local ua = \"$(q "SELECT user_agent FROM cos.platforms WHERE name = 'tiktok'")\""
	cat <<'LUA'
-- the headers libcurl sends for the workers (CURLOPT_ACCEPT_ENCODING "")
local function headers(extra)
	local h = { ["User-Agent"] = ua, ["Accept"] = "*/*", ["Accept-Encoding"] = "deflate, gzip, br, zstd" }
	for k, v in pairs(extra or {}) do h[k] = v end
	return h
end
local built = {}
local idx = 0
init = function(args)
	for i, r in ipairs(list) do
		if r[1] == "instagram" then
			built[i] = wrk.format("GET", r[2], headers({ ["Cookie"] = "sessionid=bench",
				["X-IG-App-ID"] = "936619743392459", ["Referer"] = "https://www.instagram.com/" }))
		elseif r[1] == "likee" then
			built[i] = wrk.format("POST", r[2], headers({ ["Content-Type"] = "application/json",
				["Referer"] = "https://likee.video/", ["Origin"] = "https://likee.video" }),
				'{"postIds":"' .. r[3] .. '"}')
		else
			built[i] = wrk.format("GET", r[2], headers())
		end
	end
	idx = math.random(#built) - 1
end
request = function()
	idx = idx % #built + 1
	return built[idx]
end
LUA
} >"$LUA"
wload0=$(load)
wrk_out=$(wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECS}s" -s "$LUA" "$FIXTURE_URL")
wload1=$(load)
wire=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$wrk_out")
wrk_errs=$( (grep -E 'Non-2xx|Socket errors' <<<"$wrk_out" || true) | tr -s ' ' | paste -sd ';' -)

# ---- the table --------------------------------------------------------------
echo
echo "== snapshots stored per second, end to end (claim -> fetch -> parse -> write), $VIDEOS videos"
printf '%-10s %9s' platform body_B
for w in $WORKERS; do printf ' | %-27s' "fetch_workers = $w"; done
echo
printf '%-10s %9s' '' ''
for w in $WORKERS; do printf ' | %9s %7s %9s' snapshots done_s per_s; done
echo
for p in instagram likee telegram tiktok youtube; do
	case $p in
		tiktok) f=tiktok/video_desktop_7526770564367748360.html ;;
		youtube) f=youtube/api_videos_list_D-lhorsDlUQ.json ;;
		instagram) f=instagram/media_info_CAG3E8-A3wf.json ;;
		likee) f=likee/getVideoInfo_single_item.json ;;
		telegram) f=telegram/tme_s_durov_before38.html ;;
	esac
	printf '%-10s %9s' "$p" "$(stat -c %s "$ROOT/test/fixtures/$f")"
	for w in $WORKERS; do
		entry=$(tr ' ' '\n' <<<"${RES[$w,platforms]}" | grep "^$p:" || echo "$p:0:0")
		IFS=: read -r _ n s <<<"$entry"
		printf ' | %9s %7s %9.0f' "$n" "$s" "$(calc "($s > 0) ? $n / $s : 0")"
	done
	echo
done
printf '%-10s %9s' overall ''
for w in $WORKERS; do
	printf ' | %9s %7s %9.0f' "${RES[$w,total]}" "${RES[$w,secs]}" "$(calc "${RES[$w,total]} / ${RES[$w,secs]}")"
done
echo
printf '%-20s' "load (1 min)"
for w in $WORKERS; do printf ' | %-27s' "${RES[$w,load]}"; done
echo
echo "(done_s: seconds from run_now()'s commit to the platform's last stored snapshot;"
echo " per_s = snapshots / done_s; overall: to the run's end.  run_now() itself, enqueueing"
printf ' the jobs, took'
for w in $WORKERS; do printf ' %.2f s (workers = %s)' "${RES[$w,enqueue]}" "$w"; done
echo ")"
echo
echo "== wire limit: wrk -t2 -c$WRK_CONNS -d${WRK_SECS}s, the same request mix, the same nginx (load $wload0 -> $wload1)"
echo "requests/s: $wire${wrk_errs:+   ($wrk_errs)}"
for w in $WORKERS; do
	printf 'Cos with fetch_workers = %s: %.0f snapshots/s = %.1f%% of the wire limit\n' "$w" \
		"$(calc "${RES[$w,total]} / ${RES[$w,secs]}")" \
		"$(calc "100 * ${RES[$w,total]} / ${RES[$w,secs]} / $wire")"
done
echo
echo "== fetch workers' memory (kB; VmHWM = peak RSS; RssAnon = private memory, without shared buffers)"
for w in $WORKERS; do
	peak=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "${RES[$w,memlog]}")
	printf 'fetch_workers = %s: peak VmHWM %s; per worker RssAnon start -> end:' "$w" "$peak"
	while read -r pid _ _ a0; do
		a1=$(awk -v pid="$pid" '$1 == pid { print $4 }' <<<"${RES[$w,mem1]}")
		amax=$(awk -v pid="$pid" '$1 == pid && $4 > m { m = $4 } END { print m + 0 }' "${RES[$w,memlog]}")
		printf ' %s -> %s (max %s)' "$a0" "$a1" "$amax"
	done <<<"${RES[$w,mem0]}"
	echo
	# flat or growing: each worker's RssAnon through the run (samples every 0.25 s)
	while read -r pid _ _ _; do
		printf '  worker %s RssAnon at 10/25/50/75/100%% of the run:' "$pid"
		awk -v pid="$pid" '$1 == pid { a[n++] = $4 }
			END { if (n == 0) exit; printf " %d %d %d %d %d\n", a[int(n * 0.1)], a[int(n * 0.25)], a[int(n * 0.5)], a[int(n * 0.75)], a[n - 1] }' \
			"${RES[$w,memlog]}"
	done <<<"${RES[$w,mem0]}"
done
echo
echo "== bytes per stored snapshot"
for w in $WORKERS; do
	t=${RES[$w,total]}
	printf 'fetch_workers = %s: WAL %.0f B (enqueue %.0f + collect %.0f); video_history %.0f B; all cos tables %.0f B\n' "$w" \
		"$(calc "(${RES[$w,wal_enq]} + ${RES[$w,wal_run]}) / $t")" \
		"$(calc "${RES[$w,wal_enq]} / $t")" "$(calc "${RES[$w,wal_run]} / $t")" \
		"$(calc "${RES[$w,hist]} / $t")" "$(calc "${RES[$w,all]} / $t")"
done
echo
echo "== CPU seconds during each run (from run_now() to the run's end; $(nproc) CPUs)"
tck=$(getconf CLK_TCK)
for w in $WORKERS; do
	read -r a0 b0 c0 d0 e0 a1 b1 c1 d1 e1 <<<"${RES[$w,cpu]}"
	printf 'fetch_workers = %s: fetch workers %.1f, nginx %.1f, other postgres processes %.1f, rest of the machine %.1f, idle %.1f (of %.1f CPU-s)\n' "$w" \
		"$(calc "($a1 - $a0) / $tck")" "$(calc "($b1 - $b0) / $tck")" "$(calc "($c1 - $c0) / $tck")" \
		"$(calc "(($d1 - $d0) - ($a1 - $a0) - ($b1 - $b0) - ($c1 - $c0)) / $tck")" \
		"$(calc "(($e1 - $e0) - ($d1 - $d0)) / $tck")" "$(calc "($e1 - $e0) / $tck")"
done
echo
for w in $WORKERS; do
	echo "fetch_workers = $w: jobs total/done/failed/retried ${RES[$w,jobs]}; fetch_log outcomes: ${RES[$w,outcomes]}"
done
echo "values stored (views/likes/comments, every run): $check"
if [ "${COS_BENCH_PERF:-0}" = 1 ]; then
	for w in $WORKERS; do
		echo
		echo "== perf: where the fetch workers spent their CPU (fetch_workers = $w; self time by shared object, symbol)"
		perf report -q -i "$COS_E2E_DIR/perf_$w.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
			grep -E '^ +[0-9]' | head -40
	done
fi
[ -z "$wrk_errs" ] || { echo "bench INVALID: wrk got errors: $wrk_errs" >&2; exit 1; }
