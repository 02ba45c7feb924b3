#!/usr/bin/env bash
# Speed of the extractors on every captured fixture (test/fixtures): builds
# bench/extract.c with gcc -O2 against the pure sources (the Makefile's
# PURE_SRCS, from make print-pure-srcs: every extension/*.c
# but the backend glue: cos.c, jansson_static.c, sql_*.c), with the warnings
# the Makefile builds them with, then runs it.
#
# Usage: bench/extract.sh [SECONDS]      (per fixture, default 1)
#        bench/extract.sh --build-only   build build/bench/extract, run nothing
#                                        (make bench-extract-build, part of
#                                        make check, so a broken bench shows)
#
# Prints one row per fixture: bytes, docs/s, MB/s and the result's status.
# Figures only, never part of pass/fail; exits non-zero only when the bench
# cannot be built or a fixture cannot be read.  The fuzz and bench builds
# are separate; both live under build/.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_ONLY=
if [ "${1:-}" = --build-only ]; then BUILD_ONLY=yes; shift; fi
SECS=${1:-1}
[[ $SECS =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "usage: $0 [--build-only] [SECONDS]" >&2; exit 2; }
CC=${CC:-gcc}
OUT=$ROOT/build/bench
mkdir -p "$OUT"

# the pure sources, as the Makefile lists them (PURE_SRCS)
SRCS=()
while read -r f; do SRCS+=("$ROOT/$f"); done < <(make -s -C "$ROOT" --no-print-directory print-pure-srcs 2>/dev/null)
[ ${#SRCS[@]} -gt 0 ] || { echo "bench/extract.sh: make print-pure-srcs listed nothing" >&2; exit 1; }

# shellcheck disable=SC2046 # pkg-config output is meant to split
"$CC" -std=gnu11 -O2 -Wall -Wextra -Werror -Wmissing-prototypes \
    -Wdeclaration-after-statement -Wmissing-format-attribute -Wimplicit-fallthrough=3 \
    -Wno-unused-parameter \
    -I"$ROOT/extension" -o "$OUT/extract" "$ROOT/bench/extract.c" "${SRCS[@]}" \
    $(pkg-config --cflags --libs jansson libxml-2.0 libcrypto libcurl) -lm
[ -z "$BUILD_ONLY" ] || exit 0

echo "$("$CC" --version | head -1), -O2; $(nproc) CPUs; $(uname -m)"
exec "$OUT/extract" "$ROOT/test/fixtures" "$SECS"
