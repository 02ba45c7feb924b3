#!/usr/bin/env bash
# fuzz/run.sh -- run libFuzzer targets for a fixed time, JOBS at a time, and
# print per target: executions, executions per second, crashes.
#
#   fuzz/run.sh OUT SECONDS JOBS TARGET...      (make fuzz calls it)
#
# OUT is the build directory holding the target binaries (build/fuzz).  Each
# target runs for SECONDS of wall time on
#   OUT/corpus/TARGET   its growing corpus (kept from run to run)
#   OUT/seed/TARGET     seeds made from test/fixtures (fuzz/seeds.sh)
# with the dictionary OUT/dict/TARGET.dict, after one pass over the whole
# fixtures (OUT/fixtures/TARGET).  libFuzzer stops at the first
# crash; the target is then started again for the time left (at most
# MAX_RESTARTS times), so one shallow bug does not hide the rest of the run.
# Crashing inputs land in OUT/artifacts/TARGET/ (crash-*, leak-*, timeout-*,
# oom-*); minimise one (TARGET -minimize_crash=1 -runs=10000 FILE) and keep
# it as fuzz/regressions/TARGET/NAME, which make fuzz-regress replays.
# Logs: OUT/log/TARGET.N.log.  Exits non-zero when a target crashed or
# could not run.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 4 ] || { echo "usage: $0 OUT SECONDS JOBS TARGET..." >&2; exit 2; }
OUT=$1
SECS=$2
JOBS=$3
shift 3
[[ $SECS =~ ^[0-9]+$ && $SECS -gt 0 && $JOBS =~ ^[0-9]+$ && $JOBS -gt 0 ]] ||
    { echo "$0: SECONDS and JOBS must be positive integers" >&2; exit 2; }

MAX_RESTARTS=100
TIMEOUT=${FUZZ_TIMEOUT:-10}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Longest input of a target: whole pages for HTML, API answers, URLs
max_len() {
    case $1 in
        tiktok_page | youtube_watch | telegram_html | telegram_post) echo 1048576 ;;
        youtube_api | instagram_* | likee_api) echo 262144 ;;
        url_parse | auth_tokens | thumbnail_url) echo 4096 ;;
        *) echo 65536 ;;
    esac
}

# Crash artifacts of a target so far
artifacts() {
    find "$OUT/artifacts/$1" -type f \( -name 'crash-*' -o -name 'leak-*' \
        -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l
}

# Executions of one libFuzzer log: its final stats, else its last "#N" line
execs_of() {
    local n
    n=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$1" | tail -1)
    [ -n "$n" ] || n=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$1" | tail -1)
    echo "${n:-0}"
}

# Replay the whole fixtures, then fuzz one target for SECS seconds (from
# OUT/seed/TARGET, the fixtures cut small); writes OUT/result/TARGET
run_one() {
    local t=$1 bin=$OUT/$1 start now left rc before runs=0 execs=0 crashes=0
    local log reason status=ok
    mkdir -p "$OUT/corpus/$t" "$OUT/artifacts/$t" "$OUT/log"
    rm -f "$OUT/log/$t".*.log
    before=$(artifacts "$t")
    start=$(date +%s)
    # the whole fixtures first, once each, through the same checks
    if compgen -G "$OUT/fixtures/$t/*" >/dev/null &&
        ! "$bin" -artifact_prefix="$OUT/artifacts/$t/" "$OUT/fixtures/$t"/* \
            >"$OUT/log/$t.fixtures.log" 2>&1; then
        status="a fixture fails (see $OUT/log/$t.fixtures.log)"
        echo "fuzz: $t: $status" >&2
    fi
    while :; do
        now=$(date +%s)
        left=$((SECS - (now - start)))
        [ "$left" -ge 1 ] || break
        runs=$((runs + 1))
        log=$OUT/log/$t.$runs.log
        rc=0
        "$bin" -max_total_time="$left" -max_len="$(max_len "$t")" \
            -timeout="$TIMEOUT" -rss_limit_mb=2048 -print_final_stats=1 \
            -dict="$OUT/dict/$t.dict" -artifact_prefix="$OUT/artifacts/$t/" \
            "$OUT/corpus/$t" "$OUT/seed/$t" >"$log" 2>&1 || rc=$?
        execs=$((execs + $(execs_of "$log")))
        [ "$rc" -ne 0 ] || break
        if ! grep -q 'Test unit written to' "$log"; then
            status="failed (exit $rc, no crash input written; see $log)"
            break
        fi
        crashes=$((crashes + 1))
        reason=$(grep -m1 -E 'fuzz check failed|ERROR: |SUMMARY: ' "$log" || echo "exit $rc")
        echo "$reason" >>"$OUT/result/$t.reasons"
        echo "fuzz: $t crashed ($reason); restarting" >&2
        [ "$runs" -le "$MAX_RESTARTS" ] || break
    done
    now=$(date +%s)
    echo "$t $execs $((now - start)) $crashes $(($(artifacts "$t") - before))" \
        "$(find "$OUT/corpus/$t" -type f | wc -l) $status" >"$OUT/result/$t"
    echo "fuzz: $t done" >&2
}

mkdir -p "$OUT/result"
for t in "$@"; do
    [ -x "$OUT/$t" ] || { echo "$0: $OUT/$t is not built (make fuzz-build)" >&2; exit 2; }
    rm -f "$OUT/result/$t" "$OUT/result/$t.reasons"
done
"$ROOT/fuzz/seeds.sh" "$OUT" "$@"

echo "fuzz: $# targets, ${SECS}s each, $JOBS at a time, timeout ${TIMEOUT}s per input"
running=0
for t in "$@"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    echo "fuzz: $t started ($(date +%T))" >&2
    run_one "$t" &
    running=$((running + 1))
done
wait || true

fail=0
echo
printf '%-16s %12s %8s %8s %8s %8s %8s  %s\n' target execs seconds execs/s \
    crashes inputs corpus status
for t in "$@"; do
    if [ ! -s "$OUT/result/$t" ]; then
        printf '%-16s %s\n' "$t" "no result"
        fail=1
        continue
    fi
    read -r name execs secs crashes inputs corpus status <"$OUT/result/$t"
    [ "$secs" -gt 0 ] || secs=1
    printf '%-16s %12s %8s %8s %8s %8s %8s  %s\n' "$name" "$execs" "$secs" \
        "$((execs / secs))" "$crashes" "$inputs" "$corpus" "$status"
    [ "$crashes" -eq 0 ] && [ "$status" = ok ] || fail=1
done
echo
echo "execs: inputs run, seeds included; crashes: runs that ended in a crash;"
echo "inputs: new crash inputs in $OUT/artifacts/TARGET/; corpus: files in $OUT/corpus/TARGET"
for t in "$@"; do
    [ -s "$OUT/result/$t.reasons" ] || continue
    echo
    echo "$t crashed on:"
    sort "$OUT/result/$t.reasons" | uniq -c | sort -rn
done
exit $fail
