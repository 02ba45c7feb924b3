#!/usr/bin/env bash
# Throughput of the loopback fixture server (test/e2e/fixture-server.sh), measured
# with wrk: 2 threads, 64 connections, SECONDS (default 5) per run, against a
# TikTok video page (304,890 B) and a YouTube videos.list answer (3,587 B), each
# once byte for byte (identity) and once as the precompressed gzip that a client
# sending "Accept-Encoding: gzip" receives.
#
# Usage: bench/fixture-server.sh [SECONDS]
#
# Per run: wrk's figures, then the CPU time nginx's workers spent per request
# (from /proc), which says what the server costs apart from the client.
# Prints figures only; never part of pass/fail. Exits non-zero only when the bench
# itself is invalid (server not starting, non-2xx answers, socket errors).
# wrk runs on the same machine as nginx and competes with it for the CPUs.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER=$ROOT/test/e2e/fixture-server.sh
FIXTURES=$ROOT/test/fixtures
SECS=${1:-5}
THREADS=2
CONNS=64
[[ $SECS =~ ^[0-9]+$ && $SECS -gt 0 ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }

if ! command -v wrk >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || { echo "wrk is missing; as root: apt-get install -y wrk" >&2; exit 1; }
    (export DEBIAN_FRONTEND=noninteractive
     apt-get update >&2 && apt-get install -y --no-install-recommends wrk >&2)
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/cos-bench-fixtures.XXXXXX")
cleanup() { "$SERVER" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
PORT=$("$SERVER" start "$DIR")
BASE=http://127.0.0.1:$PORT

NGINX_VERSION=$( (PATH=$PATH:/usr/sbin nginx -v 2>&1 || true) | sed 's/^nginx version: //')
echo "fixture server: $NGINX_VERSION on 127.0.0.1:$PORT; $(nproc) CPUs; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "load: wrk -t$THREADS -c$CONNS -d${SECS}s (client and server share the machine)"
echo

SUMMARY=()
invalid=0
MASTER=$(cat "$DIR/nginx.pid")
CLK_TCK=$(getconf CLK_TCK)

# CPU ticks (user + system) used so far by the nginx workers of this instance.
server_ticks() {
    local f fields total=0
    for f in /proc/[0-9]*/stat; do
        read -r -a fields <"$f" 2>/dev/null || continue
        # fields: pid (comm) state ppid ... utime(14) stime(15); comm is "(nginx)"
        [ "${fields[3]:-}" = "$MASTER" ] || continue
        total=$((total + fields[13] + fields[14]))
    done
    echo "$total"
}

# run LABEL FIXTURE ENCODING PATH
run() {
    local label=$1 fixture=$2 enc=$3 path=$4 out bytes rps tps lat p99 errs hdr=()
    local t0 t1 nreq cpu_us per_core
    if [ "$enc" = gzip ]; then
        hdr=(-H "Accept-Encoding: gzip")
        if [ -f "$DIR/www/$fixture.gz" ]; then bytes=$(stat -c %s "$DIR/www/$fixture.gz"); else bytes='?'; fi
    else
        bytes=$(stat -c %s "$FIXTURES/$fixture")
    fi
    echo "== $label, $enc ($bytes B body): GET $path"
    t0=$(server_ticks)
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "${hdr[@]}" "$BASE$path")
    t1=$(server_ticks)
    printf '%s\n' "$out"
    nreq=$(awk '/ requests in / { print $1 }' <<<"$out")
    # nginx's own CPU cost per request, and what one core of it would sustain
    # with the client elsewhere (wrk here takes most of the 2 CPUs).
    cpu_us=$(( (t1 - t0) * 1000000 / CLK_TCK / (nreq > 0 ? nreq : 1) ))
    per_core=$(( cpu_us > 0 ? 1000000 / cpu_us : 0 ))
    printf 'nginx workers: %d ms CPU for %d requests = %d us/request (~%d req/s per core)\n\n' \
        $(( (t1 - t0) * 1000 / CLK_TCK )) "$nreq" "$cpu_us" "$per_core"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    tps=$(awk '/^Transfer\/sec:/ { print $2 }' <<<"$out")
    lat=$(awk '$1 == "Latency" { print $2; exit }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errs=$( (grep -E 'Non-2xx|Socket errors' <<<"$out" || true) | tr -s ' ' | paste -sd ';' -)
    [ -z "$errs" ] || invalid=1
    SUMMARY+=("$(printf '%-20s %-8s %7s %11s %10s %8s %8s %9s  %s' \
        "$label" "$enc" "$bytes" "$rps" "$tps" "$lat" "$p99" "$cpu_us" "${errs:-ok}")")
}

TT=/tiktok/@dangthuhaf/video/7526770564367748360
YT='/youtube-api/videos?part=snippet,contentDetails,statistics&id=D-lhorsDlUQ&key=bench'
run "tiktok video page"   tiktok/video_desktop_7526770564367748360.html identity "$TT"
run "tiktok video page"   tiktok/video_desktop_7526770564367748360.html gzip     "$TT"
run "youtube videos.list" youtube/api_videos_list_D-lhorsDlUQ.json      identity "$YT"
run "youtube videos.list" youtube/api_videos_list_D-lhorsDlUQ.json      gzip     "$YT"

echo "== summary (wrk -t$THREADS -c$CONNS -d${SECS}s)"
printf '%-20s %-8s %7s %11s %10s %8s %8s %9s  %s\n' \
    route encoding body_B requests/s transfer/s lat_avg lat_p99 nginx_us errors
printf '%s\n' "${SUMMARY[@]}"
echo "access.log lines: $(wc -l <"$DIR/access.log")"

if [ "$invalid" = 1 ]; then
    echo "bench INVALID: the server gave errors (see above)" >&2
    exit 1
fi
