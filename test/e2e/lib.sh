# test/e2e/lib.sh -- throwaway PostgreSQL cluster helpers for the end-to-end
# test and the demo.  Source it; set COS_E2E_DIR first (a directory under the
# build tree that may be wiped).
#
#   cluster_start            initdb + start on a free loopback port, with
#                            shared_preload_libraries = 'pg_cron,cos'
#   cluster_psql ARGS...     psql -X -v ON_ERROR_STOP=1 on database cos
#   cluster_stop             stop the cluster (immediate if it hangs)
#   fixtures_start           start the loopback fixture server (nginx)
#   fixtures_stop
#   point_platforms          set every platform's base URLs (and cdn_base, where
#                            thumbnails are downloaded) to the fixture server
#   start_cos_with_fixtures [CONF]
#                            fixtures_start, cluster_start CONF, CREATE EXTENSION
#                            cos, pause_tick, point_platforms
#   server_log_if_failed RC  the server log's tail if the test failed
#   stop_cos_with_fixtures RC
#                            at exit: server_log_if_failed RC, cluster_stop,
#                            fixtures_stop
#   ok, not_ok, check NAME EXPECTED GOT, section TITLE
#                            TAP-style assertions (counts in passed/failed)
#   expect NAME SQL EXPECTED one assertion on what SQL returns
#   expect_run NAME RUN_IDS EXPECTED [COLUMN...]
#                            expect on cos.runs: "status jobs_total jobs_done
#                            jobs_failed [COLUMN...]" of each run, joined by ','
#   wait_for_server          wait until the cluster accepts connections again
#   write_secret NAME VALUE  writes VALUE to $COS_E2E_DIR/secrets/NAME, readable
#                            by the server's OS user only (as cos.jwt_secret_file
#                            and cos.bot_token_file need), and prints its path

set -euo pipefail

COS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PGBIN="$(pg_config --bindir)"
: "${COS_E2E_DIR:?set COS_E2E_DIR}"

# Runs a command as the postgres OS user when we are root (initdb refuses root).
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

cluster_start() {
	local extra_conf="${1:-}"
	rm -rf "$COS_E2E_DIR/pg"
	mkdir -p "$COS_E2E_DIR/pg"
	if [ "$(id -u)" = 0 ]; then chown -R postgres "$COS_E2E_DIR"; chmod 755 "$COS_E2E_DIR"; fi
	PGPORT="$(free_port)"
	export PGPORT PGHOST="$COS_E2E_DIR/pg" PGDATABASE=cos
	as_pg "$PGBIN/initdb" -D "$COS_E2E_DIR/pg/data" -U postgres -A trust --no-sync >"$COS_E2E_DIR/pg/initdb.log" 2>&1
	cat >>"$COS_E2E_DIR/pg/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$COS_E2E_DIR/pg'
shared_preload_libraries = 'pg_cron,cos'
cron.database_name = 'cos'
cos.database = 'cos'
cos.fetch_workers = 2
cos.poll_interval = 1000
max_worker_processes = 16
fsync = off
log_line_prefix = '%m [%p] %b '
# a test that sets a bot token starts the bot worker: it must reach no
# Telegram (test_bot.sh points it at its fake Bot API)
cos.bot_api_url = 'http://127.0.0.1:1'
$extra_conf
CONF
	# 9>&-: the server must not inherit the install lock the demo holds on fd 9
	as_pg "$PGBIN/pg_ctl" -D "$COS_E2E_DIR/pg/data" -l "$COS_E2E_DIR/pg/server.log" -w start >/dev/null 9>&-
	as_pg "$PGBIN/createdb" -U postgres -h "$PGHOST" -p "$PGPORT" cos
}

cluster_psql() {
	"$PGBIN/psql" -X -q -U postgres -h "$PGHOST" -p "$PGPORT" -d cos -v ON_ERROR_STOP=1 "$@"
}

cluster_stop() {
	[ -d "$COS_E2E_DIR/pg/data" ] || return 0
	as_pg "$PGBIN/pg_ctl" -D "$COS_E2E_DIR/pg/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
		as_pg "$PGBIN/pg_ctl" -D "$COS_E2E_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
}

fixtures_start() {
	FIXTURE_PORT="$("$COS_ROOT/test/e2e/fixture-server.sh" start "$COS_E2E_DIR/nginx")"
	FIXTURE_URL="http://127.0.0.1:$FIXTURE_PORT"
	export FIXTURE_PORT FIXTURE_URL
}

fixtures_stop() {
	"$COS_ROOT/test/e2e/fixture-server.sh" stop "$COS_E2E_DIR/nginx" >/dev/null 2>&1 || true
}

# pg_cron runs cos.tick() every minute in real time: a run crossing 12:00 or
# 21:00 Moscow time would open a scheduled run whose queued jobs make
# run_now() skip those targets (one open job per target).  Tests and the demo
# start their runs themselves, so they pause that job.
pause_tick() {
	cluster_psql -c "UPDATE cron.job SET active = false WHERE jobname = 'cos-tick'" >/dev/null
}

point_platforms() {
	cluster_psql <<SQL
UPDATE cos.platforms SET web_base = '$FIXTURE_URL/' || name,
       api_base = CASE name WHEN 'youtube' THEN '$FIXTURE_URL/youtube-api'
                            WHEN 'instagram' THEN '$FIXTURE_URL/instagram-api'
                            WHEN 'likee' THEN '$FIXTURE_URL/likee-api' END,
       timeout_ms = 10000, requests_per_second = 1000,
       cdn_base = '$FIXTURE_URL/cdn';
SQL
}

# start_cos_with_fixtures [CONF]: the fixture server, then a cluster (CONF as
# cluster_start's) with cos created, its tick paused and every platform
# pointed at the fixture server
start_cos_with_fixtures() {
	fixtures_start
	cluster_start "${1:-}"
	cluster_psql -c "CREATE EXTENSION cos CASCADE"
	pause_tick
	point_platforms
}

passed=0
failed=0

# server_log_if_failed RC: the last lines of the server log when the test
# failed (exit status RC, or an assertion not ok)
server_log_if_failed() {
	if [ "$failed" -gt 0 ] || [ "$1" -ne 0 ]; then
		echo "--- server log (tail) ---"
		tail -n 40 "$COS_E2E_DIR/pg/server.log" 2>/dev/null || true
	fi
}

# stop_cos_with_fixtures RC: at a test's exit (RC its exit status): the
# server log if it failed, then the cluster and the fixture server stopped
stop_cos_with_fixtures() {
	server_log_if_failed "$1"
	cluster_stop
	fixtures_stop
}

# ok NAME / not_ok NAME EXPECTED GOT: one assertion's outcome, TAP style
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	echo "#   expected: $2"
	echo "#   got:      $3"
}
# check NAME EXPECTED GOT: one assertion on a value the test computed
check() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "$2" "$3"; fi; }
# section TITLE: a comment line with the seconds since the test started
section() { echo "# $1 (at ${SECONDS} s)"; }

# expect NAME SQL EXPECTED: one assertion on what SQL returns
expect() {
	local got
	got="$(cluster_psql -At -c "$2" 2>&1)" || true
	check "$1" "$3" "$got"
}

# expect_run NAME RUN_IDS EXPECTED [COLUMN...]: expect on the runs RUN_IDS (a
# comma-separated list of cos.runs ids), each as "status jobs_total jobs_done
# jobs_failed" and the further COLUMNs (SQL expressions), in id order joined
# by ','
expect_run() {
	local name="$1" ids="$2" want="$3" cols="status, jobs_total, jobs_done, jobs_failed" col
	shift 3
	for col in "$@"; do cols="$cols, $col"; done
	expect "$name" "SELECT string_agg(concat_ws(' ', $cols), ',' ORDER BY id) FROM cos.runs WHERE id IN ($ids)" "$want"
}

# waits until the server accepts connections again (after a crash restart)
wait_for_server() {
	local i
	for i in $(seq 1 120); do
		if cluster_psql -At -c "SELECT 1" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	echo "server did not come back" >&2
	return 1
}

# write_secret NAME VALUE: VALUE in $COS_E2E_DIR/secrets/NAME (mode 600, owned
# by the server's OS user, replaced in one rename); prints the file's path
write_secret() {
	local dir="$COS_E2E_DIR/secrets"
	mkdir -p -m 700 "$dir"
	printf '%s\n' "$2" >"$dir/.$1.new"
	chmod 600 "$dir/.$1.new"
	if [ "$(id -u)" = 0 ]; then chown postgres "$dir" "$dir/.$1.new"; fi
	mv -f "$dir/.$1.new" "$dir/$1"
	echo "$dir/$1"
}
