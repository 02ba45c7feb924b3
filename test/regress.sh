#!/usr/bin/env bash
# test/regress.sh -- the pg_regress suite on a temp instance with the workers
# loaded (test/cos.conf), against the installed extension, as pg_cron's own
# suite runs.  As root (CI), the suite runs as the postgres OS user from a
# copy of test/ under /tmp, since initdb refuses root; results and
# regression.diffs are copied back into test/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PGXS_DIR="$(dirname "$(pg_config --pgxs)")/.."
PG_REGRESS="$PGXS_DIR/test/regress/pg_regress"
PG_ISOLATION_REGRESS="$PGXS_DIR/test/isolation/pg_isolation_regress"
tests=$(cd "$ROOT/test/sql" && ls *.sql | sed 's/\.sql$//' | sort)
specs=$(cd "$ROOT/test/specs" && ls *.spec | sed 's/\.spec$//' | sort)

if [ "$(id -u)" = 0 ]; then
	work="$(mktemp -d /tmp/cos-regress.XXXXXX)"
	cp -r "$ROOT/test/sql" "$ROOT/test/specs" "$ROOT/test/expected" "$ROOT/test/fixtures" \
		"$ROOT/test/secrets" "$ROOT/test/cos.conf" "$ROOT/test/isolation.conf" "$work/"
	chown -R postgres "$work"
	run() { runuser -u postgres -- "$@"; }
else
	work="$ROOT/test"
	run() { "$@"; }
fi

# the secrets test/cos.conf names (relative to tmp_check/data): readable by
# the server's OS user only, and one the server must refuse
rm -rf "$work/tmp_secrets"
mkdir -m 700 "$work/tmp_secrets"
cp "$work/secrets/"* "$work/tmp_secrets/"
chmod 600 "$work/tmp_secrets/"*
cp "$work/secrets/jwt_secret" "$work/tmp_secrets/jwt_secret_world_readable"
chmod 644 "$work/tmp_secrets/jwt_secret_world_readable"
[ "$work" = "$ROOT/test" ] || chown -R postgres "$work/tmp_secrets"

rc=0
(cd "$work" && run "$PG_REGRESS" --inputdir="$work" --outputdir="$work" \
	--bindir="$(pg_config --bindir)" \
	--temp-instance="$work/tmp_check" --temp-config="$work/cos.conf" \
	--load-extension=pg_cron --load-extension=cos \
	$tests) || rc=$?
# isolation specs: concurrent claims (no workers running in that instance)
(cd "$work" && run "$PG_ISOLATION_REGRESS" --inputdir="$work" --outputdir="$work/output_iso" \
	--bindir="$(pg_config --bindir)" \
	--temp-instance="$work/tmp_check_iso" --temp-config="$work/isolation.conf" \
	--load-extension=pg_cron --load-extension=cos \
	$specs) || rc=$?

if [ "$work" != "$ROOT/test" ]; then
	rm -rf "$ROOT/test/results"
	cp -r "$work/results" "$ROOT/test/" 2>/dev/null || true
	cp "$work/regression.diffs" "$work/regression.out" "$ROOT/test/" 2>/dev/null || true
	rm -rf "$ROOT/test/output_iso"
	cp -r "$work/output_iso" "$ROOT/test/" 2>/dev/null || true
	rm -rf "$work"
fi
if [ "$rc" -ne 0 ]; then
	cat "$ROOT/test/regression.diffs" "$ROOT/test/output_iso/regression.diffs" 2>/dev/null || true
fi
exit "$rc"
