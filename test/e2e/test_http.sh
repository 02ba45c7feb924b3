#!/usr/bin/env bash
# test/e2e/test_http.sh -- the HTTP gateway end to end, with curl.
#
# A throwaway cluster with cos.http_listen on a free loopback port and two
# gateway workers sharing the postmaster's listening socket.  The cos_api functions called here are test
# functions defined by this script (the API's roles come with the
# extension); every status, header and body asserted comes from a real
# request to the gateway.  The real sign-in (initData, JWTs, role switching)
# and the API's own functions are tested over HTTP by test_api_http.sh.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
own_dir=""
[ -n "${COS_E2E_DIR:-}" ] || own_dir=yes
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-e2e-http.XXXXXX)}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

on_exit() {
	local rc=$?
	server_log_if_failed "$rc"
	cluster_stop
	# kept for a look when something failed, removed otherwise
	if [ -n "$own_dir" ] && [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]; then rm -rf "$COS_E2E_DIR"; fi
}
trap on_exit EXIT


# http METHOD PATH [curl args...]: sets STATUS and BODY, headers in $HDRS
HDRS="$COS_E2E_DIR/headers"
http() {
	local method="$1" path="$2"
	shift 2
	local how=(-X "$method" -o "$COS_E2E_DIR/body")
	[ "$method" = HEAD ] && how=(--head -o /dev/null)
	rm -f "$COS_E2E_DIR/body" "$HDRS"
	# the status even when curl fails (a server that answers 413 and closes
	# the connection while the body is still being sent)
	STATUS="$(curl -s -D "$HDRS" -w '%{http_code}' "${how[@]}" "$@" "$BASE$path" || true)"
	[ -n "$STATUS" ] || STATUS="curl failed"
	BODY="$(cat "$COS_E2E_DIR/body" 2>/dev/null | tr -d '\0' || true)"
}

# header NAME: the value of a response header of the last request ("" if absent)
header() {
	{ grep -i "^$1:" "$HDRS" || true; } | head -n 1 | sed -e 's/^[^:]*: *//' -e 's/\r$//'
}

# j EXPR: a field of the last JSON body, e.g. j '["code"]' (python subscript)
j() {
	printf '%s' "$BODY" | python3 -c "import json,sys; v=json.load(sys.stdin)$1; print(v if isinstance(v,str) else json.dumps(v))" 2>/dev/null ||
		echo "(not JSON: $BODY)"
}

# norm: the last JSON body with sorted keys and no blanks, to compare values
norm() {
	printf '%s' "$BODY" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(',',':')))" 2>/dev/null ||
		echo "(not JSON: $BODY)"
}

# expect_error NAME STATUS CODE: status and PostgREST "code" of the last answer
expect_error() { check "$1" "$2 $3" "$STATUS $(j '["code"]')"; }

HTTP_PORT="$(free_port)"
BASE="http://127.0.0.1:$HTTP_PORT"
# the server starts with the soft open-files limit systemd gives a service
# (1,024), below the hard one: the gateway workers raise theirs (1b); the
# clients here need few files (hostile-client.py raises its own)
ulimit -Sn 1024 2>/dev/null || true
# cos.http_max_connections above the open-files limit: lowered at start (1b)
cluster_start "cos.http_listen = '127.0.0.1:$HTTP_PORT'
cos.http_workers = 2
cos.http_max_body = '64kB'
cos.http_connection_timeout = 5
cos.http_max_connections = 100000
cos.http_cors_origin = 'https://app.example'
log_timezone = 'UTC'"
cluster_psql -c "CREATE EXTENSION cos CASCADE"
pause_tick

# the workers connect to database cos, created just after the server started:
# the postmaster restarts them (bgw_restart_time 5 s) until it exists
for i in $(seq 1 150); do
	code="$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/" || true)"
	[ "$code" != "000" ] && break
	sleep 0.2
done

section "1. two gateway workers share the port"
check "two gateway workers are running" "2" \
	"$(cluster_psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
# listeners PORT: the inodes of the TCP sockets listening (state 0A) on PORT, from /proc/net/tcp
listeners() {
	python3 -c "import sys; print(' '.join(l.split()[9] for l in open('/proc/net/tcp').readlines()[1:]
		if l.split()[1].endswith(':%04X' % int(sys.argv[1])) and l.split()[3] == '0A'))" "$1"
}
listen_inodes="$(listeners "$HTTP_PORT")"
check "one socket listens on the port, shared by both workers" "1" "$(wc -w <<<"$listen_inodes")"
postmaster_pid="$(head -n 1 "$COS_E2E_DIR/pg/data/postmaster.pid")"
check "the postmaster holds it (it opened it; the workers inherited it)" "yes" \
	"$(ls -l "/proc/$postmaster_pid/fd" 2>/dev/null | grep -q "socket:\[$listen_inodes\]" && echo yes || echo no)"

check "they logged in as cos_authenticator (cos.http_role), not as a superuser" "cos_authenticator cos_authenticator" \
	"$(cluster_psql -At -c "SELECT string_agg(usename::text, ' ') FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
check "before CREATE EXTENSION made the role, they waited with a WARNING, not a crash loop" "yes 0" \
	"$(grep -q 'cannot log in as role "cos_authenticator" yet' "$COS_E2E_DIR/pg/server.log" && echo yes || echo no) $(grep -c 'cos http gateway FATAL' "$COS_E2E_DIR/pg/server.log" || true)"

section "1b. open files and connection limits"
gw_pid="$(cluster_psql -At -c "SELECT min(pid) FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
hard="$(ulimit -Hn)"
check "the postmaster runs with the soft open-files limit it was started with" "1024" \
	"$(awk '/^Max open files/ {print $4}' "/proc/$(head -n 1 "$COS_E2E_DIR/pg/data/postmaster.pid")/limits")"
check "a gateway worker raised its soft open-files limit to the hard one" "$hard $hard" \
	"$(awk '/^Max open files/ {print $4, $5}' "/proc/$gw_pid/limits")"
check "cos.http_max_connections (100000) was lowered below the open-files limit, and logged" "2" \
	"$(grep -c 'cos.http_max_connections lowered from 100000 to' "$COS_E2E_DIR/pg/server.log" || true)"

section "2. routes outside /rpc and /uploads"
http GET /nowhere
expect_error "an unknown path is 404 PGRST125" 404 PGRST125
check "errors are JSON with code, details, hint, message" '["code", "details", "hint", "message"]' \
	"$(printf '%s' "$BODY" | python3 -c 'import json,sys; print(json.dumps(sorted(json.load(sys.stdin))))')"
check "errors say Content-Type: application/json" "application/json; charset=utf-8" "$(header Content-Type)"

echo "# test functions"
cluster_psql >/dev/null <<'SQL'
CREATE SCHEMA cos_test;
CREATE TABLE cos_test.counter (k text PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE cos_test.notes (id int PRIMARY KEY, body text NOT NULL CHECK (length(body) < 10));
CREATE SEQUENCE cos_test.seq;
GRANT USAGE ON SCHEMA cos_test TO cos_anon, cos_user, cos_admin;
GRANT ALL ON ALL TABLES IN SCHEMA cos_test TO cos_anon, cos_user, cos_admin;
GRANT ALL ON SEQUENCE cos_test.seq TO cos_anon, cos_user, cos_admin;

CREATE FUNCTION cos_api.t_add(a int, b int DEFAULT 10) RETURNS int
	LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE FUNCTION cos_api.t_echo(msg text, n int, tags text[] DEFAULT NULL, obj jsonb DEFAULT NULL,
	d date DEFAULT '2020-01-01') RETURNS jsonb
	LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('msg', msg, 'n', n, 'tags', tags, 'obj', obj, 'd', d) $$;
CREATE FUNCTION cos_api.t_len(msg text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT length(msg) $$;
CREATE FUNCTION cos_api.t_text(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(s) $$;
CREATE FUNCTION cos_api.t_whoami() RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object('user', current_user, 'session_user', session_user,
		'claims', current_setting('request.jwt.claims', true)::json,
		'read_only', current_setting('transaction_read_only'),
		'pid', pg_backend_pid()) $$;
CREATE FUNCTION cos_api.t_rw() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT current_setting('transaction_read_only') $$;
CREATE FUNCTION cos_api.t_bump(k text) RETURNS bigint LANGUAGE sql VOLATILE AS $$
	INSERT INTO cos_test.counter VALUES (k, 1)
	ON CONFLICT (k) DO UPDATE SET n = counter.n + 1 RETURNING n $$;
-- declared STABLE, but takes a sequence value: refused in a READ ONLY transaction
CREATE FUNCTION cos_api.t_sneaky() RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT nextval('cos_test.seq') $$;
CREATE FUNCTION cos_api.t_rows(n int) RETURNS TABLE (i int, sq int) LANGUAGE sql STABLE AS $$
	SELECT g, g * g FROM generate_series(1, n) g $$;
CREATE FUNCTION cos_api.t_nothing() RETURNS void LANGUAGE sql VOLATILE AS $$
	INSERT INTO cos_test.counter VALUES ('nothing', 42) ON CONFLICT DO NOTHING $$;
CREATE FUNCTION cos_api.t_pick(a int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'one' $$;
CREATE FUNCTION cos_api.t_pick(a int, b int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'two' $$;
CREATE FUNCTION cos_api.t_amb(x int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'int' $$;
CREATE FUNCTION cos_api.t_amb(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'text' $$;
CREATE FUNCTION cos_api.t_whole(json) RETURNS json LANGUAGE sql IMMUTABLE AS $$
	SELECT json_build_object('got', $1) $$;
CREATE FUNCTION cos_api.t_slow(s float8) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT 'slept ' || s FROM pg_sleep(s) $$;
CREATE FUNCTION cos_api.t_loud(s text) RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RAISE EXCEPTION 'loud: %', repeat(s, 10) USING DETAIL = repeat(s, 10), HINT = repeat(s, 10);
END
$$;
CREATE FUNCTION cos_api.t_slow_pid(s float8) RETURNS int LANGUAGE sql STABLE AS $$
	SELECT pg_backend_pid() FROM pg_sleep(s) $$;
CREATE FUNCTION cos_api.t_limits() RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object('statement_timeout', current_setting('statement_timeout'),
		'lock_timeout', current_setting('lock_timeout')) $$;
CREATE FUNCTION cos_api.t_admin_only() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'secret' $$;
REVOKE EXECUTE ON FUNCTION cos_api.t_admin_only() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cos_api.t_admin_only() TO cos_admin;
CREATE FUNCTION cos_api.t_fail(kind text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	CASE kind
	WHEN 'raise' THEN
		RAISE EXCEPTION 'I refuse' USING DETAIL = 'Pretty simple.', HINT = 'Nothing to do.';
	WHEN 'unique' THEN
		INSERT INTO cos_test.notes VALUES (1, 'a');
		INSERT INTO cos_test.notes VALUES (1, 'b');
	WHEN 'check' THEN
		INSERT INTO cos_test.notes VALUES (2, 'much too long');
	WHEN 'notnull' THEN
		INSERT INTO cos_test.notes VALUES (3, NULL);
	WHEN 'no_data' THEN
		RAISE no_data_found USING MESSAGE = 'nothing here';
	WHEN 'privilege' THEN
		RAISE insufficient_privilege USING MESSAGE = 'not yours';
	WHEN 'auth' THEN
		RAISE invalid_authorization_specification USING MESSAGE = 'who are you';
	WHEN 'pt402' THEN
		RAISE SQLSTATE 'PT402' USING MESSAGE = 'Payment Required';
	WHEN 'div' THEN
		PERFORM 1 / 0;
	WHEN 'internal' THEN
		RAISE SQLSTATE 'XX000' USING MESSAGE = 'boom';
	END CASE;
END
$$;

-- explicit grants: the API's own script may revoke the default one from PUBLIC
DO $$
DECLARE f regprocedure;
BEGIN
	FOR f IN SELECT oid FROM pg_proc WHERE pronamespace = 'cos_api'::regnamespace
			AND proname LIKE 't\_%' AND proname <> 't_admin_only' LOOP
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO cos_anon, cos_user, cos_admin', f);
	END LOOP;
END
$$;

SQL
pids_before="$(cluster_psql -At -c "SELECT string_agg(pid::text, ' ' ORDER BY pid) FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"

section "3. POST /rpc: named arguments, result shapes"
J=(-H 'Content-Type: application/json')
http POST /rpc/t_add "${J[@]}" -d '{"a": 1, "b": 2}'
check "POST t_add(a 1, b 2): a scalar answers its JSON value" "200 3" "$STATUS $BODY"
check "the answer is application/json" "application/json; charset=utf-8" "$(header Content-Type)"
http POST /rpc/t_add "${J[@]}" -d '{"a": 5}'
check "an argument left out takes its default" "200 15" "$STATUS $BODY"
http POST /rpc/t_text "${J[@]}" -d '{"s": "héllo \"q\""}'
check "a text result is a JSON string" '200 "HÉLLO \"Q\""' "$STATUS $BODY"
http POST /rpc/t_echo "${J[@]}" -d '{"msg": "hi", "n": "7", "tags": ["a", "b,c"], "obj": {"x": [1, null]}, "d": "2024-02-29"}'
check "json values become the argument types (string to int, array to text[], object to jsonb, date)" \
	'200 {"d":"2024-02-29","msg":"hi","n":7,"obj":{"x":[1,null]},"tags":["a","b,c"]}' "$STATUS $(norm)"
http POST /rpc/t_echo "${J[@]}" -d '{"msg": null, "n": 1}'
check "JSON null is SQL NULL" '200 {"d":"2020-01-01","msg":null,"n":1,"obj":null,"tags":null}' "$STATUS $(norm)"
http POST /rpc/t_rows "${J[@]}" -d '{"n": 3}'
check "a set of rows is a JSON array of objects" '200 [{"i":1,"sq":1},{"i":2,"sq":4},{"i":3,"sq":9}]' "$STATUS $(norm)"
http POST /rpc/t_rows "${J[@]}" -d '{"n": 0}'
check "an empty set is []" '200 []' "$STATUS $BODY"
http POST /rpc/t_nothing "${J[@]}" -d ''
check "void: 204 without a body (an empty body means no arguments)" "204 " "$STATUS $BODY"
check "the void function ran" "42" "$(cluster_psql -At -c "SELECT n FROM cos_test.counter WHERE k = 'nothing'")"
http POST /rpc/t_pick "${J[@]}" -d '{"a": 1}'
check "overloads are told apart by argument names (a)" '200 "one"' "$STATUS $BODY"
http POST /rpc/t_pick "${J[@]}" -d '{"a": 1, "b": 2}'
check "overloads are told apart by argument names (a, b)" '200 "two"' "$STATUS $BODY"
http POST /rpc/t_amb "${J[@]}" -d '{"x": 1}'
expect_error "same names, different types: 300 PGRST203" 300 PGRST203
http POST /rpc/t_whole "${J[@]}" -d '[1, {"k": "v"}]'
check "a single unnamed json argument takes the whole body" '200 {"got":[1,{"k":"v"}]}' "$STATUS $(norm)"
big="$(python3 -c 'print("{\"msg\": \"" + "x" * 15000 + "\"}")')"
http POST /rpc/t_len "${J[@]}" --data-binary "$big"
check "an anonymous body under cos.http_max_anon_body (15 kB of 16 kB) is read whole" "200 15000" "$STATUS $BODY"

section "4. GET /rpc: query-string arguments, STABLE and IMMUTABLE only, READ ONLY"
http GET '/rpc/t_add?a=40&b=2'
check "GET t_add?a=40&b=2" "200 42" "$STATUS $BODY"
http GET '/rpc/t_echo?msg=hi%20there&n=5&tags=%7Bx,y%7D'
check "GET arguments are decoded and cast (array literal to text[])" \
	'200 {"d":"2020-01-01","msg":"hi there","n":5,"obj":null,"tags":["x","y"]}' "$STATUS $(norm)"
http HEAD '/rpc/t_add?a=1'
check "HEAD answers like GET: the status and the length of the body it would send" "200 2" \
	"$STATUS $(header Content-Length)"
http GET '/rpc/t_bump?k=get'
expect_error "GET of a VOLATILE function: 405" 405 PGRST101
check "the 405 says Allow: OPTIONS, POST" "OPTIONS, POST" "$(header Allow)"
check "the VOLATILE function did not run" "0" "$(cluster_psql -At -c "SELECT count(*) FROM cos_test.counter WHERE k = 'get'")"
http GET /rpc/t_whoami
check "a GET transaction is READ ONLY" "on" "$(j '["read_only"]')"
http POST /rpc/t_whoami "${J[@]}" -d '{}'
check "so is a POST of a STABLE function (PostgREST's access mode)" "on" "$(j '["read_only"]')"
http POST /rpc/t_rw "${J[@]}" -d '{}'
check "a POST of a VOLATILE function is READ WRITE" '200 "off"' "$STATUS $BODY"
http GET /rpc/t_sneaky
check "a STABLE function that writes fails under GET: 405 25006" \
	"405 25006 cannot execute nextval() in a read-only transaction" "$STATUS $(j '["code"]') $(j '["message"]')"
http POST /rpc/t_bump "${J[@]}" -d '{"k": "post"}'
http POST /rpc/t_bump "${J[@]}" -d '{"k": "post"}'
check "POST of a VOLATILE function writes and commits" "200 2 2" \
	"$STATUS $BODY $(cluster_psql -At -c "SELECT n FROM cos_test.counter WHERE k = 'post'")"

section "5. bad requests"
http POST /rpc/t_nope "${J[@]}" -d '{}'
expect_error "an unknown function: 404 PGRST202" 404 PGRST202
check "the message names the function and its arguments" \
	"Could not find the function cos_api.t_nope() in the schema cache" "$(j '["message"]')"
http POST /rpc/t_add "${J[@]}" -d '{"a": 1, "zzz": 2}'
expect_error "an unknown argument: 404 PGRST202 (as PostgREST)" 404 PGRST202
check "the hint shows the function's arguments" \
	"Perhaps you meant to call the function cos_api.t_add(a integer, b integer DEFAULT)" "$(j '["hint"]')"
http POST /rpc/t_add "${J[@]}" -d '{"b": 1}'
expect_error "a missing argument without default: 404 PGRST202" 404 PGRST202
http GET '/rpc/t_add?a=1&select=x'
expect_error "an unknown query-string argument: 404 PGRST202" 404 PGRST202
http GET '/rpc/t_text?s=%FF'
expect_error "a query-string value that is not UTF-8: 400 PGRST100" 400 PGRST100
http POST /rpc/t_text "${J[@]}" --data-binary $'{"s": "\xff"}'
expect_error "a JSON body that is not UTF-8: 400 PGRST102" 400 PGRST102
http POST /rpc/cos_api.t_add "${J[@]}" -d '{"a": 1}'
expect_error "no schema-qualified or other-schema names: 404" 404 PGRST202
http POST /rpc/t_add "${J[@]}" -d '{"a": 1,'
expect_error "malformed JSON: 400 PGRST102" 400 PGRST102
http POST /rpc/t_add "${J[@]}" -d '[1, 2]'
expect_error "a body that is not an object: 400 PGRST102" 400 PGRST102
http POST /rpc/t_add -H 'Content-Type: text/plain' -d 'a=1'
expect_error "a body that is not JSON: 415 PGRST107" 415 PGRST107
http POST /rpc/t_add "${J[@]}" -d '{"a": "x"}'
check "a value the type refuses: 400 22P02 with Postgres's message" \
	'400 22P02 invalid input syntax for type integer: "x"' "$STATUS $(j '["code"]') $(j '["message"]')"
python3 -c 'print("{\"msg\": \"" + "x" * 70000 + "\"}")' >"$COS_E2E_DIR/big.json"
python3 -c 'print("{\"msg\": \"" + "x" * 20000 + "\"}")' >"$COS_E2E_DIR/20k.json"
http POST /rpc/t_len "${J[@]}" -H 'Authorization: Bearer x' --data-binary @"$COS_E2E_DIR/big.json"
expect_error "a body over cos.http_max_body (Content-Length): 413" 413 54000
check "the 413 closes the connection" "close" "$(header Connection)"
http POST /rpc/t_len "${J[@]}" --data-binary @"$COS_E2E_DIR/20k.json"
check "an anonymous 20 kB body, over cos.http_max_anon_body (16 kB): 413" \
	"413 54000 The body is larger than cos.http_max_anon_body (16384 bytes), the limit for requests without an Authorization header." \
	"$STATUS $(j '["code"]') $(j '["details"]')"
http POST /rpc/t_len "${J[@]}" -H 'Authorization: Bearer x' --data-binary @"$COS_E2E_DIR/20k.json"
check "with an Authorization header the same body is read (cos.http_max_body) and goes to the sign-in (no cos.jwt_secret here: 500)" \
	"500 55000" "$STATUS $(j '["code"]')"
python3 -c 'print("{\"init_data\": \"" + "x" * 1048576 + "\"}")' >"$COS_E2E_DIR/1m.json"
t="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST "${J[@]}" \
	--data-binary @"$COS_E2E_DIR/1m.json" "$BASE/rpc/login" || true)"
check "an anonymous 1 MB sign-in (POST /rpc/login) is answered 413 within 1 s" "413 yes" \
	"${t%% *} $(awk -v t="${t#* }" 'BEGIN { print (t < 1) ? "yes" : "no" }')"
http POST /rpc/t_len "${J[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$COS_E2E_DIR/big.json"
check "a chunked body over the limit: the connection is closed at the limit, unanswered (libmicrohttpd cannot answer mid-body)" \
	"000" "$STATUS"
# a body that never ends: at most 5 s or 256 MB from the client
got="$(python3 "$HERE/hostile-client.py" chunked "$HTTP_PORT" /rpc/login - 5 256)"
check "an anonymous chunked body that never ends: closed before 16 MB are sent (socket buffers included)" "closed yes" \
	"${got%% *} $([ "${got#* }" -lt $((16 * 1024 * 1024)) ] && echo yes || echo no)"
got="$(python3 "$HERE/hostile-client.py" chunked "$HTTP_PORT" /rpc/t_len 'Bearer x' 5 256)"
check "the same with an Authorization header (cos.http_max_body)" "closed yes" \
	"${got%% *} $([ "${got#* }" -lt $((16 * 1024 * 1024)) ] && echo yes || echo no)"
long="$(python3 -c 'print("x" * 9000)')"
http GET '/rpc/t_add?a=1' -H "Authorization: tma $long"
check "an Authorization header over 8 kB: 401 before any sign-in work" \
	"401 PGRST301 Authorization header too long" "$STATUS $(j '["code"]') $(j '["message"]')"
http GET '/rpc/t_add?a=1' -H "Authorization: tma ${long:0:8000}"
check "one of 8,000 bytes goes on to the sign-in (here: no cos.bot_token, 500)" "500 55000" \
	"$STATUS $(j '["code"]')"
http PUT /rpc/t_add "${J[@]}" -d '{"a": 1}'
expect_error "PUT on /rpc: 405 PGRST101" 405 PGRST101
http DELETE /uploads/x
check "DELETE on /uploads: 405" "405" "$STATUS"

section "5a. request framing a proxy could read otherwise (request smuggling)"
raw() { python3 "$HERE/hostile-client.py" raw "$HTTP_PORT" "$1"; }
req='POST /rpc/t_add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
check "Content-Length and Transfer-Encoding together: 400 and the connection closed" "400 closed 08P01" \
	"$(raw "${req}"'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\n')"
check "two different Content-Lengths: 400 and closed" "400 closed 08P01" \
	"$(raw "${req}"'Content-Length: 7\r\nContent-Length: 9\r\n\r\n{"a":1}')"
check "two equal Content-Lengths are one (RFC 9112 6.3): 200, kept alive" "200 open -" \
	"$(raw "${req}"'Content-Length: 7\r\nContent-Length: 7\r\n\r\n{"a":1}')"
check "a Content-Length that is not a number: 400 (libmicrohttpd's own) and closed" "400 closed" \
	"$(raw "${req}"'Content-Length: 7x\r\n\r\n{"a":1}' | cut -d' ' -f1,2)"
check "a Transfer-Encoding other than chunked: 501 and closed" "501 closed 08P01" \
	"$(raw "${req}"'Transfer-Encoding: gzip, chunked\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\n')"
check "a plain chunked request is answered and kept alive" "200 open -" \
	"$(raw "${req}"'Transfer-Encoding: chunked\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\n')"

section "5b. errors quote at most 500 bytes of each text"
# short_error NAME: the last answer is under 2 kB, JSON, and each text of it
# at most 500 bytes of UTF-8 plus "…"
short_error() {
	check "$1" "short" "$(printf '%s' "$BODY" | python3 -c '
import json, sys
raw = sys.stdin.buffer.read()
e = json.loads(raw)
long = [k for k in ("message", "details", "hint") if e.get(k) and len(e[k].encode()) > 503]
print("short" if len(raw) < 2048 and not long else "%d bytes, too long: %s" % (len(raw), long))' 2>&1 | tail -n 1)"
}
# 5,000 "é" (10 kB): the message, details and hint are each 100 kB
arg="$(python3 -c 'print("{\"s\": \"" + "\u00e9" * 5000 + "\"}")')"
http POST /rpc/t_loud "${J[@]}" --data-binary "$arg"
short_error "an error quoting a 10 kB argument ten times: a short JSON body"
check "its texts are cut between characters, ending with …" "400 P0001 loud: éééé …" \
	"$STATUS $(j '["code"]') $(j '["message"][:10]') $(j '["message"][-1]')"
http POST /rpc/t_add "${J[@]}" --data-binary "{\"a\": \"$(python3 -c 'print("x" * 12000)')\"}"
short_error "a 12 kB value the type refuses (22P02): a short body"
check "it is still the type's error" "400 22P02" "$STATUS $(j '["code"]')"
http GET "/$(python3 -c 'print("p" * 20000)')"
short_error "a 20 kB path: 404 with a short body"
check "that is the 404 PGRST125" "404 PGRST125" "$STATUS $(j '["code"]')"
http GET "/$(python3 -c 'print("p" * 100000)')"
check "a 100 kB path: libmicrohttpd's 414, short" "414 yes" \
	"$STATUS $([ "$(wc -c <"$COS_E2E_DIR/body")" -lt 2048 ] && echo yes || echo no)"

section "5c. 2,500 slow connections from one address"
# More than the two workers' 2 x 1,000 connections before the limits: each
# opens, sends half a request and waits.  While they are open, a request
# from another address must be answered.
per="$(cluster_psql -At -c 'SHOW cos.http_max_connections_per_client' 2>/dev/null || echo 64)"
ready="$COS_E2E_DIR/slow.ready"
python3 "$HERE/hostile-client.py" slow "$HTTP_PORT" 2500 127.0.0.2 "$ready" 1 6 >"$COS_E2E_DIR/slow.out" &
slow_pid=$!
for i in $(seq 1 300); do
	[ -s "$ready" ] && break
	sleep 0.1
done
t="$(curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' "$BASE/rpc/t_add?a=1" || true)"
check "a request from 127.0.0.1 is answered within 1 s" "200 yes" \
	"${t%% *} $(awk -v t="${t#* }" 'BEGIN { print (t < 1) ? "yes" : "no" }')"
wait "$slow_pid"
read -r opened held after <<<"$(sed -e 's/[a-z]*=//g' "$COS_E2E_DIR/slow.out")"
check "127.0.0.2 opened its 2,500 connections" "2500" "$opened"
check "the workers held at most cos.http_max_connections_per_client ($per) each from it" "yes" \
	"$([ "$held" -gt 0 ] && [ "$held" -le $((2 * per)) ] && echo yes || echo "no: $held")"
check "cos.http_connection_timeout (5 s) closed the ones held" "0" "$after"
check "the refused connections did not flood the server log" "yes" \
	"$(n="$(grep -c 'reached connection limit' "$COS_E2E_DIR/pg/server.log" || true)"; [ "$n" -le 40 ] && echo yes || echo "no: $n lines")"

section "6. errors from functions, mapped as PostgREST's table says"
fail() { http POST /rpc/t_fail "${J[@]}" "$@" -d "{\"kind\": \"$KIND\"}"; }
KIND=raise fail
check "RAISE EXCEPTION (P0001): 400 with message, details, hint" \
	'400 {"code":"P0001","details":"Pretty simple.","hint":"Nothing to do.","message":"I refuse"}' "$STATUS $(norm)"
KIND=unique fail
expect_error "unique_violation 23505: 409" 409 23505
check "the failed request's first INSERT was rolled back" "0" "$(cluster_psql -At -c "SELECT count(*) FROM cos_test.notes")"
KIND=check fail
expect_error "check_violation 23514: 400" 400 23514
KIND=notnull fail
expect_error "not_null_violation 23502: 400" 400 23502
KIND=div fail
expect_error "division_by_zero 22012: 400" 400 22012
KIND=no_data fail
expect_error "no_data_found P0002: 500 (PostgREST: P0* is 500)" 500 P0002
KIND=privilege fail
expect_error "insufficient_privilege 42501, anonymous: 401" 401 42501
KIND=auth fail
expect_error "invalid_authorization_specification 28000 inside a function: 403" 403 28000
KIND=pt402 fail
check "RAISE SQLSTATE 'PT402': status 402" "402 PT402 Payment Required" "$STATUS $(j '["code"]') $(j '["message"]')"
KIND=internal fail
expect_error "XX000: 500" 500 XX000
KIND=other fail
expect_error "case_not_found 20000 (any other code): 400" 400 20000
http GET /rpc/t_admin_only
expect_error "a function the anonymous role may not execute: 401 42501" 401 42501

section "7. no Authorization header: the anonymous role"
http GET /rpc/t_whoami
check "no Authorization: role cos_anon, claims {\"role\": \"cos_anon\"}" 'cos_anon {"role": "cos_anon"}' \
	"$(j '["user"]') $(j '["claims"]')"
check "the session switched from is cos_authenticator" "cos_authenticator" "$(j '["session_user"]')"
# Bearer and tma sign-in, role switching and refused credentials:
# test_api_http.sh, with the extension's own cos._auth_jwt and cos._auth_init_data

section "8. CORS"
http OPTIONS /rpc/t_add -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: POST' \
	-H 'Access-Control-Request-Headers: authorization, content-type'
check "preflight from the allowed origin: 200 with Access-Control-Allow-Origin" "200 https://app.example" \
	"$STATUS $(header Access-Control-Allow-Origin)"
check "preflight allows the methods" "OPTIONS, GET, HEAD, POST" "$(header Access-Control-Allow-Methods)"
check "preflight allows Authorization and Content-Type" "Authorization, Content-Type, Accept, Prefer, Range" \
	"$(header Access-Control-Allow-Headers)"
check "preflight may be cached a day" "86400" "$(header Access-Control-Max-Age)"
http OPTIONS /rpc/t_add -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: POST'
check "preflight from another origin: no Access-Control-Allow-Origin" "200 " \
	"$STATUS $(header Access-Control-Allow-Origin)"
http POST /rpc/t_add "${J[@]}" -H 'Origin: https://app.example' -d '{"a": 1}'
check "an answer to the allowed origin carries Access-Control-Allow-Origin and Vary" \
	"https://app.example Origin" "$(header Access-Control-Allow-Origin) $(header Vary)"
http POST /rpc/t_fail "${J[@]}" -H 'Origin: https://app.example' -d '{"kind": "raise"}'
check "so does an error" "https://app.example" "$(header Access-Control-Allow-Origin)"
http GET '/rpc/t_add?a=1' -H 'Origin: https://evil.example'
check "an answer to another origin does not" "" "$(header Access-Control-Allow-Origin)"
cluster_psql -c "ALTER SYSTEM SET cos.http_cors_origin = 'https://app.example, https://other.example'" \
	-c "SELECT pg_reload_conf()" >/dev/null
ok_reload=""
for i in $(seq 1 50); do
	http GET '/rpc/t_add?a=1' -H 'Origin: https://other.example'
	ok_reload="$(header Access-Control-Allow-Origin)"
	[ -n "$ok_reload" ] && break
	sleep 0.1
done
check "cos.http_cors_origin is re-read on SIGHUP (a second origin)" "https://other.example" "$ok_reload"

section "9. /uploads/<sha256>"
cluster_psql >/dev/null <<'SQL'
INSERT INTO cos.uploads (sha256, content_type, body)
SELECT encode(sha256(b), 'hex'), 'image/png', b
  FROM (SELECT decode('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489'
                      '0000000d49444154789c6300010000050001'
                      '0d0a2db40000000049454e44ae426082', 'hex') AS b) s;
SQL
sha="$(cluster_psql -At -c "SELECT sha256 FROM cos.uploads LIMIT 1")"
http GET "/uploads/$sha"
check "an upload: 200 with its content type" "200 image/png" "$STATUS $(header Content-Type)"
check "the body is the stored bytes (sha256 of the download is the name)" "$sha" \
	"$(sha256sum "$COS_E2E_DIR/body" | cut -d' ' -f1)"
check "cached a year, immutable" "public, max-age=31536000, immutable" "$(header Cache-Control)"
check "ETag is the quoted name" "\"$sha\"" "$(header ETag)"
http GET "/uploads/$sha" -H "If-None-Match: \"$sha\""
check "If-None-Match with the ETag: 304 without a body" "304 " "$STATUS $BODY"
check "the 304 keeps the ETag" "\"$sha\"" "$(header ETag)"
http GET "/uploads/$sha" -H 'If-None-Match: "other"'
check "If-None-Match with another tag: 200" "200" "$STATUS"
http GET "/uploads/$(printf '%064d' 0)"
expect_error "an unknown upload: 404" 404 PGRST125
http GET "/uploads/../../etc/passwd"
check "a name that is not a SHA-256: 404" "404" "$STATUS"
check "a wrong name cannot be stored (CHECK sha256 = sha256(body))" "1" \
	"$({ cluster_psql -At -c "INSERT INTO cos.uploads VALUES (repeat('a', 64), 'image/png', 'x')" 2>&1 || true; } |
		grep -c 'violates check constraint "uploads_check"')"

section "9c. the mini-app's files at /app/"
# the build make install put in <sharedir>/cos_app (cos.http_app_dir unset)
http GET /app/
check "/app/: the installed page, 200 text/html, revalidated" "200 text/html; charset=utf-8 no-cache" \
	"$STATUS $(header Content-Type) $(header Cache-Control)"
check "it is the built index.html" "$(cat "$COS_ROOT/web/dist/index.html")" "$BODY"
entry="$(grep -o '/app/assets/index-[A-Za-z0-9_-]*\.js' "$COS_ROOT/web/dist/index.html" | head -n 1)"
http GET "$entry"
check "its entry script: 200, JavaScript, immutable for a year" \
	"200 text/javascript; charset=utf-8 public, max-age=31536000, immutable" \
	"$STATUS $(header Content-Type) $(header Cache-Control)"
check "byte for byte the built file" "$(sha256sum <"$COS_ROOT/web/dist${entry#/app}")" "$(sha256sum <"$COS_E2E_DIR/body")"
http GET "$entry" -H 'Accept-Encoding: gzip, deflate, br'
check "to a client that takes gzip: the precompressed copy" "200 gzip Accept-Encoding" \
	"$STATUS $(header Content-Encoding) $(header Vary)"
check "which is the built .gz" "$(sha256sum <"$COS_ROOT/web/dist${entry#/app}.gz")" "$(sha256sum <"$COS_E2E_DIR/body")"
http GET /app
check "/app: 308 to /app/" "308 /app/" "$STATUS $(header Location)"

# a directory of its own, with a symbolic link out of it
app="$COS_E2E_DIR/app"
mkdir -p "$app/assets" "$app/sub"
printf '<p>test page</p>\n' >"$app/index.html"
printf 'console.log("a");\n' >"$app/assets/a-1.js"
gzip -9 -k "$app/assets/a-1.js"
printf 'outside the app\n' >"$COS_E2E_DIR/outside.txt"
ln -s ../../outside.txt "$app/assets/out.js"
ln -s index.html "$app/copy.html"
[ "$(id -u)" = 0 ] && chown -R postgres "$app" "$COS_E2E_DIR/outside.txt"
cluster_psql -c "ALTER SYSTEM SET cos.http_app_dir = '$app'" -c "SELECT pg_reload_conf()" >/dev/null
for i in $(seq 1 50); do
	http GET /app/
	[ "$BODY" = "<p>test page</p>" ] && break
	sleep 0.1
done
check "cos.http_app_dir is re-read on SIGHUP" "200 <p>test page</p>" "$STATUS $BODY"
etag="$(header ETag)"
http GET /app/ -H "If-None-Match: $etag"
check "If-None-Match with its ETag: 304" "304" "$STATUS"
for route in /app/video/42 /app/channel/7/ /app/sub /app/sub/ /app/assets/ /app/assets/missing.js; do
	http GET "$route"
	check "$route names no file: the page (its own routing), never a listing" "200 <p>test page</p>" "$STATUS $BODY"
done
http GET /app/copy.html
check "a symbolic link inside the directory is served" "200 <p>test page</p>" "$STATUS $BODY"
http HEAD /app/assets/a-1.js
check "HEAD: the headers, no body" "200 18" "$STATUS $(header Content-Length)"
http GET /app/assets/a-1.js -H 'Accept-Encoding: gzip;q=0, br'
check "gzip refused (q=0): the plain file" "200  console.log(\"a\");" "$STATUS $(header Content-Encoding) $BODY"
for path in '/app/../outside.txt' '/app/assets/../../outside.txt' '/app/%2e%2e/outside.txt' \
	'/app/assets/%2E%2E/%2e%2e/outside.txt' '/app/..%2foutside.txt' '/app/assets/out.js' \
	'/app/.%2e/.%2e/outside.txt' '/app/assets%5c..%5c..%5coutside.txt'; do
	http GET "$path" --path-as-is
	check "$path leaves the directory: 404, nothing of the file" "404 no" \
		"$STATUS $(grep -q 'outside the app' "$COS_E2E_DIR/body" 2>/dev/null && echo yes || echo no)"
done
http POST /app/ -d x
check "POST /app/: 405" "405 OPTIONS, GET, HEAD" "$STATUS $(header Allow)"
cluster_psql -c "ALTER SYSTEM SET cos.http_app_dir = '$COS_E2E_DIR/no-such-dir'" -c "SELECT pg_reload_conf()" >/dev/null
for i in $(seq 1 50); do
	http GET /app/
	[ "$STATUS" = 404 ] && break
	sleep 0.1
done
check "a directory that is not there: 404 saying so" "404 PGRST125 The mini-app is not installed in $COS_E2E_DIR/no-such-dir." \
	"$STATUS $(j '["code"]') $(j '["details"]')"
cluster_psql -c "ALTER SYSTEM RESET cos.http_app_dir" -c "SELECT pg_reload_conf()" >/dev/null

section "9b. prepared calls follow DDL (each step asked 6 times: both workers)"
# answers NAME WANT PATH [code]: every one of 6 GETs answers WANT, as
# "STATUS BODY" (or "STATUS CODE" of an error with "code")
answers() {
	local got="" this i
	for i in 1 2 3 4 5 6; do
		http GET "$3"
		if [ "${4:-}" = code ]; then this="$STATUS $(j '["code"]')"; else this="$STATUS $BODY"; fi
		[ "$this" = "$2" ] || { got="$this"; break; }
	done
	check "$1" "$2" "${got:-$2}"
}
answers "t_text before any change" '200 "AB"' '/rpc/t_text?s=ab'
cluster_psql -c "CREATE OR REPLACE FUNCTION cos_api.t_text(s text) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$ SELECT lower(s) || '!' \$\$" >/dev/null
answers "CREATE OR REPLACE: the new body answers at once" '200 "ab!"' '/rpc/t_text?s=AB'
cluster_psql -c "REVOKE EXECUTE ON FUNCTION cos_api.t_text(text) FROM cos_anon, PUBLIC" >/dev/null
answers "REVOKE EXECUTE: refused at once (privileges are checked at each call)" '401 42501' \
	'/rpc/t_text?s=AB' code
cluster_psql -c "DROP FUNCTION cos_api.t_text(text)" \
	-c "CREATE FUNCTION cos_api.t_text(s text, n int DEFAULT 2) RETURNS text LANGUAGE sql IMMUTABLE AS \$\$ SELECT repeat(s, n) \$\$" \
	-c "GRANT EXECUTE ON FUNCTION cos_api.t_text(text, int) TO cos_anon" >/dev/null
answers "DROP and CREATE with another signature: the new function" '200 "abab"' '/rpc/t_text?s=ab'
answers "with the new argument" '200 "ababab"' '/rpc/t_text?s=ab&n=3'
cluster_psql -c "DROP FUNCTION cos_api.t_text(text, int)" >/dev/null
http GET '/rpc/t_text?s=ab'
expect_error "dropped: 404 PGRST202" 404 PGRST202

section "10. time limits; a request waiting for a lock holds up no new connection"
check "defaults: cos.http_statement_timeout 5s, cos.http_lock_timeout 2s" "5s 2s" \
	"$(cluster_psql -At -c "SELECT current_setting('cos.http_statement_timeout') || ' ' || current_setting('cos.http_lock_timeout')")"
http GET /rpc/t_limits
check "a request runs with them as its statement_timeout and lock_timeout" '200 {"lock_timeout":"2s","statement_timeout":"5s"}' \
	"$STATUS $(norm)"
# an ACCESS EXCLUSIVE lock on cos_test.counter, held 4 s by a session in the background
cluster_psql >/dev/null <<'SQL' &
BEGIN;
LOCK TABLE cos_test.counter IN ACCESS EXCLUSIVE MODE;
SELECT pg_sleep(4);
COMMIT;
SQL
locker=$!
for i in $(seq 1 50); do
	[ "$(cluster_psql -At -c "SELECT count(*) FROM pg_locks WHERE relation = 'cos_test.counter'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
	sleep 0.1
done
# t_bump inserts into cos_test.counter: it waits for the lock in one worker
curl -s -m 10 -o "$COS_E2E_DIR/stuck.body" -w '%{http_code} %{time_total}' -X POST "$BASE/rpc/t_bump" \
	-H 'Content-Type: application/json' -d '{"k": "stuck"}' >"$COS_E2E_DIR/stuck.out" &
stuck=$!
waiting=0
for i in $(seq 1 50); do
	waiting="$(cluster_psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos http gateway' AND wait_event_type = 'Lock'")"
	[ "$waiting" = 1 ] && break
	sleep 0.05
done
check "a POST that needs the table waits for the lock in one gateway worker" "1" "$waiting"
# meanwhile, calls on new connections (one curl each): each answered within 1 s
answers=""
for i in 1 2 3 4 5 6; do
	answers="$answers $(curl -s -m 3 -o /dev/null -w '%{http_code}:%{time_total}' "$BASE/rpc/t_add?a=$i" || true)"
	sleep 0.1
done
still_waiting="$(kill -0 "$stuck" 2>/dev/null && echo yes || echo no)"
echo "# status:seconds of each:$answers"
check "6 calls on new connections meanwhile: each answered within 1 s (by the free worker)" "6" \
	"$(tr ' ' '\n' <<<"$answers" | awk -F: '$1 == 200 && $2 < 1' | wc -l)"
check "all of them while the POST still waited" "yes" "$still_waiting"
wait "$stuck" || true
read -r stuck_status stuck_time <"$COS_E2E_DIR/stuck.out" || true
BODY="$(cat "$COS_E2E_DIR/stuck.body")"
check "the waiting POST answers after cos.http_lock_timeout: 500 55P03 (PostgREST's status for class 55)" \
	"500 55P03 canceling statement due to lock timeout" "$stuck_status $(j '["code"]') $(j '["message"]')"
check "after about 2 s (between 1.5 and 4)" "yes" \
	"$(python3 -c "import sys; print('yes' if 1.5 <= float(sys.argv[1]) < 4 else sys.argv[1])" "$stuck_time")"
wait "$locker" || true
check "its transaction was rolled back" "0" "$(cluster_psql -At -c "SELECT count(*) FROM cos_test.counter WHERE k = 'stuck'")"
cluster_psql -c "ALTER SYSTEM SET cos.http_statement_timeout = '1s'" -c "ALTER SYSTEM SET statement_timeout = '300ms'" \
	-c "SELECT pg_reload_conf()" >/dev/null
sleep 1.5	# both workers re-read the configuration on SIGHUP
start=$SECONDS
http GET '/rpc/t_slow?s=20'
check "a request past cos.http_statement_timeout (1 s) is cancelled: 500 57014" \
	"500 57014 canceling statement due to statement timeout" "$STATUS $(j '["code"]') $(j '["message"]')"
check "within seconds, not after the 20 s sleep" "yes" "$([ $((SECONDS - start)) -lt 5 ] && echo yes || echo no)"
http GET '/rpc/t_slow?s=0.5'
check "the server's statement_timeout (300 ms) does not apply to requests" '200 "slept 0.5"' "$STATUS $BODY"
cluster_psql -c "ALTER SYSTEM RESET cos.http_statement_timeout" -c "ALTER SYSTEM RESET statement_timeout" \
	-c "SELECT pg_reload_conf()" >/dev/null

section "11. the workers stay up"
pids_after="$(cluster_psql -At -c "SELECT string_agg(pid::text, ' ' ORDER BY pid) FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
check "the same two gateway workers answered every request above" "$pids_before" "$pids_after"
curl -s -m 10 -o "$COS_E2E_DIR/busy.body" "$BASE/rpc/t_slow_pid?s=1" &
busy=$!
for i in $(seq 1 50); do
	[ "$(cluster_psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos http gateway' AND query = 'GET /rpc/t_slow_pid'")" = 1 ] && break
	sleep 0.05
done
http GET /rpc/t_whoami
other="$(j '["pid"]')"
wait "$busy" || true
check "while one worker is busy, a new connection goes to the other" "yes" \
	"$([ -n "$other" ] && [ "$other" != "$(cat "$COS_E2E_DIR/busy.body")" ] && echo yes || echo "no: $other")"
one="${pids_before%% *}"
cluster_psql -At -c "SELECT pg_terminate_backend($one)" >/dev/null
back=""
for i in $(seq 1 100); do
	back="$(cluster_psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos http gateway' AND pid <> $one")"
	[ "$back" = 2 ] && break
	sleep 0.1
done
check "a worker stopped with SIGTERM exits and the postmaster starts it again" "2" "$back"
check "no server process crashed" "0" "$(grep -c 'terminated by signal' "$COS_E2E_DIR/pg/server.log" || true)"

section "11b. a login role that lost LOGIN: the worker waits with a WARNING, then comes back"
cluster_psql -c "ALTER ROLE cos_authenticator NOLOGIN" >/dev/null
one="$(cluster_psql -At -c "SELECT min(pid) FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
cluster_psql -At -c "SELECT pg_terminate_backend($one)" >/dev/null
for i in $(seq 1 150); do
	grep -q 'Role "cos_authenticator" has NOLOGIN' "$COS_E2E_DIR/pg/server.log" && break
	sleep 0.1
done
check "the restarted worker logs why it cannot log in" "1" \
	"$(grep -c 'Role "cos_authenticator" has NOLOGIN' "$COS_E2E_DIR/pg/server.log" || true)"
check "it did not try (no FATAL \"not permitted to log in\")" "0" \
	"$(grep -c 'not permitted to log in' "$COS_E2E_DIR/pg/server.log" || true)"
http GET '/rpc/t_add?a=1'
check "the other worker still answers" '200 11' "$STATUS $BODY"
cluster_psql -c "ALTER ROLE cos_authenticator LOGIN" >/dev/null
back=""
for i in $(seq 1 100); do
	back="$(cluster_psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
	[ "$back" = 2 ] && break
	sleep 0.1
done
check "LOGIN given back: both workers serve again within seconds" "2" "$back"

section "11c. kill -9 of a gateway worker: served again as soon as crash recovery ends (3 rounds)"
LOG="$COS_E2E_DIR/pg/server.log"
# log_time LINE: the seconds since the epoch of a server log line (log_timezone UTC)
log_time() { date -u -d "$(cut -c1-23 <<<"$1")" +%s.%N; }
crash_from="$(($(wc -l <"$LOG") + 1))"
delays=""
listening=""
for round in 1 2 3; do
	from="$(($(wc -l <"$LOG") + 1))"
	victim="$(cluster_psql -At -c "SELECT min(pid) FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
	kill -9 "$victim"
	for i in $(seq 1 100); do
		tail -n "+$from" "$LOG" | grep -q 'all server processes terminated; reinitializing' && break
		sleep 0.1
	done
	# only the gateway is asked until it answers: a psql session would
	# write the relcache init file whose absence the role check must survive
	answered=""
	for i in $(seq 1 100); do
		if [ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/rpc/t_add?a=1" || true)" = 200 ]; then
			answered="$(date -u +%s.%N)"
			break
		fi
		sleep 0.1
	done
	ready="$(tail -n "+$from" "$LOG" | grep 'database system is ready to accept connections' | tail -n 1)"
	ready_at="$(log_time "$ready")"
	delays="$delays $(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) - float(sys.argv[2])))" "${answered:-0}" "$ready_at")"
	# how many gateway workers listened again within 1.5 s of it
	n=0
	while IFS= read -r line; do
		python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) - float(sys.argv[2]) < 1.5 else 1)" \
			"$(log_time "$line")" "$ready_at" && n=$((n + 1))
	done < <(tail -n "+$from" "$LOG" | grep 'cos http gateway [0-9]* listening on' || true)
	listening="$listening $n"
done
echo "# seconds from 'ready to accept connections' to the first answer, per round:$delays"
check "each round, a request answered within 3 s of the server accepting connections again" "yes yes yes" \
	"$(for d in $delays; do python3 -c "import sys; print('yes' if 0 <= float(sys.argv[1]) < 3 else sys.argv[1])" "$d"; done | xargs)"
check "each round, both gateway workers listening again within 1.5 s of it" " 2 2 2" "$listening"
check "no role check died reading pg_class without a database" "0" \
	"$(tail -n "+$crash_from" "$LOG" | grep -c 'cannot read pg_class without having selected a database' || true)"
check "no gateway waited for its role (no WARNING)" "0" \
	"$(tail -n "+$crash_from" "$LOG" | grep -c 'cannot log in as role' || true)"
wait_for_server

section "12. a malformed cos.http_listen stops the server at start"
bad_log="$(
	export COS_E2E_DIR="$COS_E2E_DIR/bad"
	mkdir -p "$COS_E2E_DIR"
	source "$HERE/lib.sh"
	trap cluster_stop EXIT
	cluster_start "cos.http_listen = '127.0.0.1'" >/dev/null 2>&1 || true
	cat "$COS_E2E_DIR/pg/server.log" 2>/dev/null || true
)"
check "the server refuses cos.http_listen = '127.0.0.1' (no port)" "1" \
	"$(grep -c 'invalid value for parameter "cos.http_listen"' <<<"$bad_log" || true)"

section "12b. the port taken at start: the server starts all the same; cos.http_workers = -1"
# a program holds the port (no SO_REUSEPORT) until killed, at most 60 s
busy_port="$(free_port)"
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$busy_port" &
holder=$!
for i in $(seq 1 50); do [ -n "$(listeners "$busy_port")" ] && break; sleep 0.1; done
taken="$(
	export COS_E2E_DIR="$COS_E2E_DIR/taken"
	mkdir -p "$COS_E2E_DIR"
	source "$HERE/lib.sh"
	trap cluster_stop EXIT
	cluster_start "cos.http_listen = '127.0.0.1:$busy_port'" >/dev/null 2>&1 || { echo "started=no"; exit 0; }
	echo "started=yes"
	echo "warning=$(grep -c 'WARNING:  could not listen on cos.http_listen' "$COS_E2E_DIR/pg/server.log" || true)"
	echo "workers=$(cluster_psql -At -c "SELECT setting || ' ' || boot_val FROM pg_settings WHERE name = 'cos.http_workers'")"
	cluster_psql -c "CREATE EXTENSION cos CASCADE" >/dev/null 2>&1
	kill "$holder"
	code=000
	for i in $(seq 1 60); do
		code="$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$busy_port/" || true)"
		[ "$code" = 404 ] && break
		sleep 0.25
	done
	echo "code=$code"
)"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
check "the server starts, with a WARNING from the postmaster" "started=yes warning=1" \
	"$(grep -E '^(started|warning)=' <<<"$taken" | xargs)"
# -1: one per CPU core online, at most 4 and at most max_worker_processes (16) - 6
auto="$(getconf _NPROCESSORS_ONLN)"
[ "$auto" -gt 4 ] && auto=4
check "cos.http_workers = -1 (the default) runs one worker per CPU core online, at most 4" "workers=$auto -1" \
	"$(grep '^workers=' <<<"$taken")"
check "once the port is free, the workers listen on it themselves" "code=404" "$(grep '^code=' <<<"$taken")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
