#!/usr/bin/env bash
# test/e2e/test_api_http.sh -- the mini-app's API end to end over HTTP: the
# real sign-in (cos_api.login, Authorization: tma / Bearer), the cos_api
# functions, row security and the admin functions, through the gateway
# worker of a throwaway cluster, with a collection run by the fetch workers
# on the loopback fixture server.
#
# The initData strings are made here, signed with the test's bot token as
# Telegram specifies (secret key = HMAC-SHA256(key "WebAppData", bot token);
# hash = hex HMAC-SHA256(secret key, the sorted "key=value" lines joined by
# "\n")), with Python's hmac module; tokens other than login's (tampered,
# expired, odd roles) are signed here with the test's JWT secret.  The
# counters asserted are the ones test/fixtures/SOURCES.md lists for the
# captures the fixture server serves.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
own_dir=""
[ -n "${COS_E2E_DIR:-}" ] || own_dir=yes
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-e2e-api.XXXXXX)}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

export BOT_TOKEN='7000000001:AAE_cosHttpEndToEndToken_abcdefghi'
export JWT_SECRET='cos-api-http-e2e-jwt-secret-0123456789abcdef'

on_exit() {
	local rc=$?
	stop_cos_with_fixtures "$rc"
	# kept for a look when something failed, removed otherwise
	if [ -n "$own_dir" ] && [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]; then rm -rf "$COS_E2E_DIR"; fi
}
trap on_exit EXIT

# http METHOD PATH [curl args...]: sets STATUS and BODY, headers in $HDRS
HDRS="$COS_E2E_DIR/headers"
http() {
	local method="$1" path="$2"
	shift 2
	rm -f "$COS_E2E_DIR/body" "$HDRS"
	STATUS="$(curl -s -D "$HDRS" -w '%{http_code}' -X "$method" -o "$COS_E2E_DIR/body" "$@" "$BASE$path" || true)"
	[ -n "$STATUS" ] || STATUS="curl failed"
	BODY="$(cat "$COS_E2E_DIR/body" 2>/dev/null || true)"
}
# post PATH JSON [curl args...]
post() {
	local path="$1" body="$2"
	shift 2
	http POST "$path" -H 'Content-Type: application/json' --data-binary "$body" "$@"
}
header() {
	{ grep -i "^$1:" "$HDRS" || true; } | head -n 1 | sed -e 's/^[^:]*: *//' -e 's/\r$//'
}
# py EXPR: a Python expression over v, the last JSON body; prints str() of
# strings and JSON for the rest
py() {
	printf '%s' "$BODY" | python3 -c "
import json, sys
v = json.load(sys.stdin)
r = $1
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))" 2>/dev/null || echo "(not JSON or no such field: $BODY)"
}
# expect_error NAME STATUS CODE: status and PostgREST "code" of the last answer
expect_error() { check "$1" "$2 $3" "$STATUS $(py 'v["code"]')"; }
bearer() { printf 'Authorization: Bearer %s' "$1"; }
sql() { cluster_psql -At -c "$1"; }

# init_data TELEGRAM_ID FIRST_NAME USERNAME [AUTH_DATE [BOT_TOKEN]]: initData
# as Telegram hands it to a Mini App, percent-encoded like the WebApp's
# (encodeURIComponent: a space is %20), signed with the bot token
init_data() {
	python3 - "$@" <<'PY'
import hashlib, hmac, json, os, sys, time, urllib.parse
tid, first, username = sys.argv[1:4]
auth_date = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else str(int(time.time()))
token = sys.argv[5] if len(sys.argv) > 5 else os.environ["BOT_TOKEN"]
user = json.dumps({"id": int(tid), "first_name": first, "username": username,
                   "language_code": "ru", "allows_write_to_pm": True},
                  ensure_ascii=False, separators=(",", ":"))
fields = {"query_id": "AAH" + tid, "user": user, "auth_date": auth_date,
          "start_param": "e2e_" + username}
check = "\n".join(k + "=" + fields[k] for k in sorted(fields))
secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
print(urllib.parse.urlencode(fields, quote_via=urllib.parse.quote))
PY
}

# jwt CLAIMS_JSON [SECRET]: an HS256 JWT (RFC 7519) signed here; "exp": "+N"
# or "-N" is now plus or minus N seconds
jwt() {
	python3 - "$@" <<'PY'
import base64, hashlib, hmac, json, os, sys, time
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
claims = json.loads(sys.argv[1])
if isinstance(claims.get("exp"), str):
    claims["exp"] = int(time.time()) + int(claims["exp"])
secret = (sys.argv[2] if len(sys.argv) > 2 else os.environ["JWT_SECRET"]).encode()
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
body = b64(json.dumps(claims, separators=(",", ":")).encode())
sig = b64(hmac.new(secret, (head + "." + body).encode(), hashlib.sha256).digest())
print(head + "." + body + "." + sig)
PY
}

# jwt_claims TOKEN: the JSON payload of a JWT, decoded
jwt_claims() {
	python3 -c "
import base64, json, sys
p = sys.argv[1].split('.')[1]
print(json.dumps(json.loads(base64.urlsafe_b64decode(p + '=' * (-len(p) % 4))), sort_keys=True))" "$1"
}

# wait_until NAME EXPECTED CMD...: retries CMD (which prints a value) until it
# prints EXPECTED, for up to 10 s (the workers re-read their settings on SIGHUP)
wait_until() {
	local name="$1" want="$2" got=""
	shift 2
	for _ in $(seq 1 50); do
		got="$("$@")"
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	check "$name" "$want" "$got"
}

HTTP_PORT="$(free_port)"
BASE="http://127.0.0.1:$HTTP_PORT"
BOT_TOKEN_FILE="$(write_secret bot_token "$BOT_TOKEN")"
JWT_SECRET_FILE="$(write_secret jwt_secret "$JWT_SECRET")"
start_cos_with_fixtures "cos.http_listen = '127.0.0.1:$HTTP_PORT'
cos.bot_token_file = '$BOT_TOKEN_FILE'
cos.jwt_secret_file = '$JWT_SECRET_FILE'" >/dev/null
# the gateway connects to database cos, created after the server started
for _ in $(seq 1 150); do
	code="$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/" || true)"
	[ "$code" != "000" ] && break
	sleep 0.2
done

A_INIT="$(init_data 5001 'Анна Smith' anna)"
B_INIT="$(init_data 5002 Boris boris)"
C_INIT="$(init_data 5003 Carol carol)"

section "1. sign-in: POST /rpc/login with initData"
post /rpc/login "{\"init_data\": \"$A_INIT\"}"
check "login: 200" "200" "$STATUS"
check "login returns the user as Telegram named it (percent-decoded UTF-8)" \
	'5001 Анна Smith anna ru cos_user active' \
	"$(py '" ".join(str(v["user"][k]) for k in ("telegram_id", "first_name", "username", "language_code", "role", "status"))')"
A_TOKEN="$(py 'v["token"]')"
A_ID="$(py 'v["user"]["id"]')"
check "the user row was created, with the deep-link parameter of the first sign-in" \
	"$A_ID 5001 Анна Smith e2e_anna" \
	"$(sql "SELECT concat_ws(' ', id, telegram_id, first_name, start_param) FROM cos.users WHERE telegram_id = 5001")"
check "the token's claims: role, sub (the users id), telegram_id; exp - iat = cos.jwt_expiry (1 day)" \
	"cos_user $A_ID 5001 86400" \
	"$(jwt_claims "$A_TOKEN" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["role"], c["sub"], c["telegram_id"], c["exp"] - c["iat"])')"
check "the token verifies with the JWT secret (HMAC-SHA256 over header.payload, computed here)" "yes" \
	"$(python3 -c '
import base64, hashlib, hmac, os, sys
h, p, s = sys.argv[1].split(".")
mac = base64.urlsafe_b64encode(hmac.new(os.environ["JWT_SECRET"].encode(), (h + "." + p).encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
print("yes" if hmac.compare_digest(mac, s) else "no")' "$A_TOKEN")"
post /rpc/login "{\"init_data\": \"$A_INIT\"}"
check "signing in again keeps the same user" "200 $A_ID 1" \
	"$STATUS $(py 'v["user"]["id"]') $(sql "SELECT count(*) FROM cos.users WHERE telegram_id = 5001")"
http GET "/rpc/login?init_data=x"
expect_error "GET /rpc/login: 405 (login writes, POST only)" 405 PGRST101

section "2. Authorization: Bearer and tma"
http GET /rpc/me -H "$(bearer "$A_TOKEN")"
check "GET /rpc/me with the token" "200 $A_ID 5001 cos_user 0 0" \
	"$STATUS $(py '" ".join(str(v[k]) for k in ("id", "telegram_id", "role", "channels", "videos"))')"
http GET /rpc/me -H "authorization: bearer  $A_TOKEN"
check "the scheme is case-insensitive" "200 $A_ID" "$STATUS $(py 'v["id"]')"
http POST /rpc/me -H "$(bearer "$A_TOKEN")"
check "POST /rpc/me (a STABLE function answers POST too)" "200 $A_ID" "$STATUS $(py 'v["id"]')"
check "user B does not exist before its first request" "0" "$(sql "SELECT count(*) FROM cos.users WHERE telegram_id = 5002")"
# cos._auth_init_data writes the user: the gateway runs it before the GET's
# transaction is made READ ONLY, and commits it
http GET /rpc/me -H "Authorization: tma $B_INIT"
check "GET /rpc/me with Authorization: tma and a new user's initData: 200, the user created" \
	"200 5002 Boris" "$STATUS $(py 'v["telegram_id"]') $(py 'v["first_name"]')"
B_ID="$(py 'v["id"]')"
check "the user created by a GET request is committed" "$B_ID Boris e2e_boris" \
	"$(sql "SELECT concat_ws(' ', id, first_name, start_param) FROM cos.users WHERE telegram_id = 5002")"
B2_INIT="$(init_data 5002 'Boris Renamed' boris)"
http GET /rpc/me -H "Authorization: tma $B2_INIT"
check "a changed name in initData updates the user, also under GET" "200 Boris Renamed" \
	"$STATUS $(sql "SELECT first_name FROM cos.users WHERE telegram_id = 5002")"
post /rpc/login "{\"init_data\": \"$B_INIT\"}"
B_TOKEN="$(py 'v["token"]')"
check "B signs in: its own id" "200 $B_ID" "$STATUS $(py 'v["user"]["id"]')"

section "3. refused credentials: 401 with PostgREST's error body"
http GET /rpc/me
expect_error "no credentials: the anonymous role may not call me(): 401 42501" 401 42501
check "the 401 says WWW-Authenticate: Bearer" "Bearer" "$(header WWW-Authenticate)"
check "the error body is exactly PostgREST's: code, details, hint, message" \
	'["code", "details", "hint", "message"]' "$(py 'sorted(v)')"
check "as application/json" "application/json; charset=utf-8" "$(header Content-Type)"
tampered="$(python3 -c '
import base64, json, sys
h, p, s = sys.argv[1].split(".")
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
c["role"] = "cos_admin"
print(h + "." + base64.urlsafe_b64encode(json.dumps(c).encode()).rstrip(b"=").decode() + "." + s)' "$A_TOKEN")"
http GET /rpc/me -H "$(bearer "$tampered")"
check "a token whose claims were changed (role cos_admin): 401 28000" \
	"401 28000 invalid JWT: the JWT signature does not match" "$STATUS $(py 'v["code"]') $(py 'v["message"]')"
check "with WWW-Authenticate: Bearer error=\"invalid_token\"" 'Bearer error="invalid_token"' "$(header WWW-Authenticate)"
http GET /rpc/me -H "$(bearer "$(jwt "{\"role\": \"cos_user\", \"sub\": \"$A_ID\", \"exp\": \"+3600\"}" 'another-secret-that-is-long-enough-0123456789')")"
expect_error "a token signed with another secret: 401" 401 28000
http GET /rpc/me -H "$(bearer "$(jwt "{\"role\": \"cos_user\", \"sub\": \"$A_ID\", \"exp\": \"-60\"}")")"
check "an expired token: 401" "401 invalid JWT: the JWT has expired" "$STATUS $(py 'v["message"]')"
http GET /rpc/me -H "$(bearer "$(jwt "{\"sub\": \"$A_ID\", \"exp\": \"+3600\"}")")"
expect_error "a token without a role claim: 401" 401 28000
http GET /rpc/me -H "$(bearer "$(jwt "{\"role\": \"postgres\", \"sub\": \"$A_ID\", \"exp\": \"+3600\"}")")"
check "a token for a superuser role: 401, never SET ROLE postgres" '401 role "postgres" is not allowed' \
	"$STATUS $(py 'v["message"]')"
http GET /rpc/me -H "$(bearer "$(jwt "{\"role\": \"cos_nobody\", \"sub\": \"$A_ID\", \"exp\": \"+3600\"}")")"
check "a token for a role that does not exist: 401" '401 role "cos_nobody" is not allowed' \
	"$STATUS $(py 'v["message"]')"
http GET /rpc/me -H "$(bearer "$(jwt '{"role": "cos_user", "sub": "999999", "exp": "+3600"}')")"
check "a valid token for a user that does not exist: 401 PT401" "401 PT401 unknown user 999999" \
	"$STATUS $(py 'v["code"]') $(py 'v["message"]')"
stale="$(init_data 5001 'Анна Smith' anna "$(($(date +%s) - 2 * 86400))")"
http GET /rpc/me -H "Authorization: tma $stale"
check "stale initData (auth_date 2 days old) in Authorization: tma: 401 28000" "401 28000" \
	"$STATUS $(py 'v["code"]')"
check "the message says how old" "yes" \
	"$(py '"yes" if "auth_date is 1728" in v["message"] and "more than the 86400 allowed" in v["message"] else v["message"]')"
post /rpc/login "{\"init_data\": \"$stale\"}"
check "stale initData to login: 401 PT401, with a hint" "401 PT401 Reopen the Mini App to get fresh initData." \
	"$STATUS $(py 'v["code"]') $(py 'v["hint"]')"
forged="${A_INIT/\%22id\%22\%3A5001/%22id%22%3A5003}"
post /rpc/login "{\"init_data\": \"$forged\"}"
check "initData with the user id changed: 401 PT401" \
	"401 PT401 invalid Telegram initData: hash does not match: the data was changed or signed with another bot token" \
	"$STATUS $(py 'v["code"]') $(py 'v["message"]')"
http GET /rpc/me -H "Authorization: tma $(init_data 5001 'Анна Smith' anna '' '7000000002:AAE_someOtherBotsToken_abcdefghij')"
expect_error "initData signed with another bot's token, in Authorization: tma: 401" 401 28000
check "no user was created by refused sign-ins" "2" "$(sql "SELECT count(*) FROM cos.users")"
http GET /rpc/me -H 'Authorization: Basic dTpw'
expect_error "another Authorization scheme: 401 PGRST301" 401 PGRST301

section "4. A tracks a channel and a video by their public URLs"
post /rpc/add_channel '{"url": "https://t.me/s/WalterBloomberg"}' -H "$(bearer "$A_TOKEN")"
check "add_channel (Telegram): 200, canonical URL, not yet collected" \
	"200 telegram https://t.me/walterbloomberg None" \
	"$STATUS $(py 'v["platform"]') $(py 'v["url"]') $(py 'str(v["checked_at"])')"
TG_ID="$(py 'v["id"]')"
post /rpc/add_channel '{"url": "https://www.tiktok.com/@novix.ht"}' -H "$(bearer "$A_TOKEN")"
check "add_channel (TikTok profile): 200" "200 tiktok" "$STATUS $(py 'v["platform"]')"
TT_CH_ID="$(py 'v["id"]')"
post /rpc/add_video '{"url": "https://www.tiktok.com/@dangthuhaf/video/7526770564367748360?is_from_webapp=1"}' \
	-H "$(bearer "$A_TOKEN")"
check "add_video (TikTok, tracking parameters dropped): 200" \
	"200 tiktok https://www.tiktok.com/@dangthuhaf/video/7526770564367748360" \
	"$STATUS $(py 'v["platform"]') $(py 'v["url"]')"
TT_ID="$(py 'v["id"]')"
post /rpc/add_video '{"url": "https://www.tiktok.com/@dangthuhaf/video/7526770564367748360"}' -H "$(bearer "$A_TOKEN")"
check "adding it twice is harmless: the same video" "200 $TT_ID" "$STATUS $(py 'v["id"]')"
http GET "/rpc/add_video?url=https://www.tiktok.com/@x/video/1" -H "$(bearer "$A_TOKEN")"
expect_error "GET of add_video (VOLATILE): 405" 405 PGRST101
post /rpc/add_video '{"url": "https://example.com/watch?v=1"}' -H "$(bearer "$A_TOKEN")"
expect_error "an unsupported URL: 400 22023" 400 22023
post /rpc/add_channel '{"url": "https://t.me/s/WalterBloomberg", "extra": 1}' -H "$(bearer "$A_TOKEN")"
expect_error "an unknown argument: 404 PGRST202" 404 PGRST202

section "5. a collection on the fixture server"
# the first collection was queued by add_*; then one scheduled-style run
check "the first collection, queued by add_channel/add_video, ends" "t" "$(sql "SELECT cos.wait_idle('60 s')")"
run="$(sql "SELECT cos.run_now()")"
check "a run started with cos.run_now() ends" "t" "$(sql "SELECT cos.wait_idle('60 s')")"
expect_run "the run collected the 3 targets" "$run" "done 3 3 0"
check "the history went to this month's partitions, not the default ones (first collection before any tick)" \
	"t 0 0" "$(sql "SELECT concat_ws(' ', to_regclass('cos.video_history_y' || to_char(now() AT TIME ZONE 'UTC', 'YYYY\"m\"MM')) IS NOT NULL,
	    (SELECT count(*) FROM cos.video_history_default), (SELECT count(*) FROM cos.channel_history_default))")"
# the captures hold one state of each page; an earlier snapshot, 3 days ago,
# gives the series a change to show (written as the superuser, as a run would)
sql "INSERT INTO cos.video_history (video_id, captured_at, views, likes, comments, shares, saves)
     VALUES ($TT_ID, now() - interval '3 days', 18000000, 800000, 2000, 25000, 16000)" >/dev/null

section "6. A reads what it tracks"
http GET /rpc/my_channels -H "$(bearer "$A_TOKEN")"
check "my_channels: both channels, newest first, with followers from the captures" \
	"200 tiktok:Novix:1053 telegram:walterbloomberg:15400" \
	"$STATUS $(py '" ".join("%s:%s:%s" % (c["platform"], c["title"] if c["platform"] == "tiktok" else c["url"].rsplit("/", 1)[1], c["followers"]) for c in v)')"
http GET "/rpc/channel?channel_id=$TT_CH_ID" -H "$(bearer "$A_TOKEN")"
check "channel (TikTok @novix.ht): followers, likes, video count, title (SOURCES.md)" \
	"200 1053 5204 27 Novix https://www.tiktok.com/@novix.ht" \
	"$STATUS $(py '" ".join(str(v[k]) for k in ("followers", "likes", "videos_count", "title", "url"))')"
check "its followers_history: 14 daily buckets, 13 empty, the last 1053 (delta null: one day of history)" \
	"14 13 1053 None" \
	"$(py '"%d %d %s %s" % (len(v["followers_history"]), sum(1 for b in v["followers_history"] if b["followers"] is None), v["followers_history"][-1]["followers"], v["followers_history"][-1]["delta"])')"
http GET "/rpc/channel?channel_id=$TG_ID" -H "$(bearer "$A_TOKEN")"
check "channel (Telegram @walterbloomberg): 15.4K subscribers, its 20 posts in the totals" \
	"200 15400 20" "$STATUS $(py 'v["followers"]') $(py 'v["totals"]["videos"]')"
http GET "/rpc/channel_videos?channel_id=$TG_ID&lim=500" -H "$(bearer "$A_TOKEN")"
check "channel_videos: the 20 posts, sorted by views, descending" "200 20 yes" \
	"$STATUS $(py 'len(v)') $(py '"yes" if [x["views"] for x in v] == sorted([x["views"] for x in v], reverse=True) else [x["views"] for x in v]')"
check "post walterbloomberg/22878: views \"1.98K\" -> 1980, collected twice, change 0" \
	"1980 0 True" \
	"$(py '" ".join(str(x) for x in [[p["views"], p["views_change"], p["previous_at"] is not None] for p in v if p["url"].endswith("/22878")][0])')"
# the gateway writes rows itself (http_json.c): the same JSON as json_agg
# of the same call, as A (leaving out the fields named in $2, comma-separated)
same_as_json_agg() {
	local agg
	agg="$(cluster_psql -At -c "SET request.jwt.claims = '{\"role\": \"cos_user\", \"sub\": \"$A_ID\"}'; SET ROLE cos_user; SELECT coalesce(json_agg(r), '[]') FROM $1 r")"
	printf '%s\n%s' "$BODY" "$agg" | python3 -c '
import json, sys
skip = set(sys.argv[1].split(",")) if len(sys.argv) > 1 else set()
body, agg = sys.stdin.read().split("\n", 1)
strip = lambda rows: [{k: x for k, x in r.items() if k not in skip} for r in rows]
print("same" if strip(json.loads(body)) == strip(json.loads(agg)) else "differs: %s / %s" % (body[:300], agg[:300]))' ${2:-}
}
check "channel_videos over HTTP: the JSON json_agg writes for the same rows" "same" \
	"$(same_as_json_agg "cos_api.channel_videos($TG_ID, 'views', 500)")"
post /rpc/channel_videos "{\"channel_id\": $TG_ID, \"sort\": \"views\", \"lim\": 3, \"off\": 1}" -H "$(bearer "$A_TOKEN")"
check "POST channel_videos with lim 3, off 1: the 2nd to 4th" "200 3" "$STATUS $(py 'len(v)')"
post /rpc/channel_videos "{\"channel_id\": $TG_ID, \"sort\": \"shares\"}" -H "$(bearer "$A_TOKEN")"
expect_error "an unknown sort: 400 22023" 400 22023
http GET "/rpc/video?video_id=$TT_ID" -H "$(bearer "$A_TOKEN")"
check "video (TikTok 7526770564367748360): views likes comments shares saves, duration, status (SOURCES.md)" \
	"200 18500000 844400 2182 25600 16630 34 ok" \
	"$STATUS $(py '" ".join(str(v[k]) for k in ("views", "likes", "comments", "shares", "saves", "duration_s", "status"))')"
# the collection also downloaded the video's thumbnail from its CDN host
# (cdn_base: the fixture server's /cdn/, which serves the test image)
PNG_SHA="$(sha256sum "$COS_ROOT/test/fixtures/images/thumb_2x2.png" | cut -d' ' -f1)"
check "video: thumbnail is the stored copy's /uploads path, thumbnail_url the platform's (SOURCES.md)" \
	"/uploads/$PNG_SHA https://p16-sign-sg.tiktokcdn.com/tos-alisg-p-0037/o8fIweORmASjGYGgJLUIApCo1D6LQfmiQ1uRjH~tplv-tiktokx-origin.image" \
	"$(py 'v["thumbnail"]') $(py 'v["thumbnail_url"].split("?")[0]')"
THUMB="$(py 'v["thumbnail"]')"
http GET "$THUMB"
check "GET of that path over the gateway: 200, image/png, the sha256 of the served test image" \
	"200 image/png $PNG_SHA" \
	"$STATUS $(sed -n 's/^content-type: *//Ip' "$HDRS" | tr -d '\r') $(sha256sum "$COS_E2E_DIR/body" | cut -d' ' -f1)"
check "the body is the test image byte for byte" "same" \
	"$(cmp -s "$COS_E2E_DIR/body" "$COS_ROOT/test/fixtures/images/thumb_2x2.png" && echo same || echo differs)"
http GET "/rpc/channel_videos?channel_id=$TG_ID&lim=500" -H "$(bearer "$A_TOKEN")"
check "channel_videos: every post with a thumbnail_url has its thumbnail path, the others null" \
	"200 yes" \
	"$STATUS $(py '"yes" if all((p["thumbnail"] == "/uploads/'"$PNG_SHA"'") == (p["thumbnail_url"] is not None) for p in v) and any(p["thumbnail"] for p in v) else [(p["thumbnail"], p["thumbnail_url"]) for p in v]')"
http GET /rpc/my_videos -H "$(bearer "$A_TOKEN")"
check "my_videos: the TikTok video's thumbnail path" "200 /uploads/$PNG_SHA" \
	"$STATUS $(py '[x["thumbnail"] for x in v if x["id"] == '"$TT_ID"'][0]')"
http GET "/rpc/video_series?video_id=$TT_ID&step=day&points=14" -H "$(bearer "$A_TOKEN")"
check "video_series by day: 14 buckets" "200 14" "$STATUS $(py 'len(v)')"
check "the empty buckets are present as nulls: all but the one 3 days ago and the last" \
	"0,1,2,3,4,5,6,7,8,9,11,12" "$(py '",".join(str(i) for i, b in enumerate(v) if b["views"] is None and b["views_delta"] is None)')"
check "the bucket 3 days ago: the earlier snapshot" "18000000" "$(py 'v[10]["views"]')"
check "the last bucket: the collected counters and their change since then" \
	"18500000 844400 500000 44400 182 600 630" \
	"$(py '" ".join(str(v[-1][k]) for k in ("views", "likes", "views_delta", "likes_delta", "comments_delta", "shares_delta", "saves_delta"))')"
check "the buckets are a day long, consecutive, the last ending now" "yes" \
	"$(py '"yes" if all(v[i]["bucket_end"] == v[i + 1]["bucket_start"] for i in range(13)) else v')"
http GET "/rpc/video_series?video_id=$TT_ID&step=day&points=14" -H "$(bearer "$A_TOKEN")"
check "video_series over HTTP: the JSON json_agg writes (buckets a moment apart: their bounds left out)" "same" \
	"$(same_as_json_agg "cos_api.video_series($TT_ID, 'day', 14)" bucket_start,bucket_end)"
# every kind of column: numbers (NaN and infinities as strings), booleans,
# dates and times, json/jsonb, text with quotes, control characters and
# Cyrillic, a domain; and an array column, which json_agg still writes
sql "CREATE DOMAIN cos_api.e2e_count AS bigint;
CREATE FUNCTION cos_api.e2e_kinds() RETURNS TABLE (i smallint, n numeric, nan numeric, f float8, inf float8,
	b boolean, d date, ts timestamp, tz timestamptz, j json, jb jsonb, t text, c cos_api.e2e_count, nothing text)
LANGUAGE sql STABLE AS \$\$
	VALUES (-3::smallint, 12.50::numeric, 'NaN'::numeric, 1.5e-7::float8, '-Infinity'::float8, true, date '2026-02-28',
			timestamp '2026-02-28 23:59:59.5', timestamptz '2026-02-28 12:00:00+03', '{\"a\": [1, 2]}'::json,
			'{\"b\": null}'::jsonb, E'q\"uote\\\\ \\t tab \\u0001 Привет', 42::cos_api.e2e_count, NULL::text),
		   (0::smallint, NULL, NULL, 0, 'Infinity', false, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL)
\$\$;
CREATE FUNCTION cos_api.e2e_array() RETURNS TABLE (a integer[], t text) LANGUAGE sql STABLE AS \$\$ VALUES (ARRAY[1, 2], 'x') \$\$;
GRANT EXECUTE ON FUNCTION cos_api.e2e_kinds(), cos_api.e2e_array() TO cos_user;" >/dev/null
http GET /rpc/e2e_kinds -H "$(bearer "$A_TOKEN")"
check "every kind of column over HTTP: the JSON json_agg writes" "200 same" "$STATUS $(same_as_json_agg "cos_api.e2e_kinds()")"
http GET /rpc/e2e_array -H "$(bearer "$A_TOKEN")"
check "an array column (json_agg's own JSON)" "200 same [1, 2]" \
	"$STATUS $(same_as_json_agg "cos_api.e2e_array()") $(py 'v[0]["a"]')"
sql "DROP FUNCTION cos_api.e2e_kinds(), cos_api.e2e_array(); DROP DOMAIN cos_api.e2e_count" >/dev/null
post /rpc/video_series "{\"video_id\": $TT_ID, \"step\": \"week\"}" -H "$(bearer "$A_TOKEN")"
check "video_series by week (POST): 50 buckets by default, the last 18500000" "200 50 18500000" \
	"$STATUS $(py 'len(v)') $(py 'v[-1]["views"]')"
http GET "/rpc/video_series?video_id=$TT_ID&step=month" -H "$(bearer "$A_TOKEN")"
check "step=month: 400 22023 with a hint" "400 22023 step is day or week." \
	"$STATUS $(py 'v["code"]') $(py 'v["hint"]')"
http GET /rpc/me -H "$(bearer "$A_TOKEN")"
check "me counts 2 channels, 1 video" "2 1" "$(py 'v["channels"]') $(py 'v["videos"]')"

section "7. user isolation: B sees nothing of A's"
http GET /rpc/my_channels -H "$(bearer "$B_TOKEN")"
check "B's my_channels is empty" "200 []" "$STATUS $BODY"
http GET /rpc/my_videos -H "$(bearer "$B_TOKEN")"
check "B's my_videos is empty" "200 []" "$STATUS $BODY"
http GET "/rpc/channel?channel_id=$TG_ID" -H "$(bearer "$B_TOKEN")"
check "B reads A's channel: 404, exactly PostgREST's body" \
	"404 {\"code\":\"PT404\",\"details\":null,\"hint\":null,\"message\":\"channel $TG_ID not found\"}" \
	"$STATUS $(py 'json.dumps(v, sort_keys=True, separators=(",", ":"))' | tr -d '\n')"
http GET "/rpc/channel_videos?channel_id=$TG_ID" -H "$(bearer "$B_TOKEN")"
expect_error "B lists A's channel's videos: 404" 404 PT404
http GET "/rpc/video?video_id=$TT_ID" -H "$(bearer "$B_TOKEN")"
expect_error "B reads A's video: 404" 404 PT404
http GET "/rpc/video_series?video_id=$TT_ID" -H "$(bearer "$B_TOKEN")"
expect_error "B reads A's video's series: 404" 404 PT404
post_id="$(sql "SELECT id FROM cos.videos WHERE external_id = 'walterbloomberg/22878'")"
http GET "/rpc/video?video_id=$post_id" -H "$(bearer "$B_TOKEN")"
expect_error "B reads a post of A's channel: 404" 404 PT404
http GET "/rpc/video?video_id=$post_id" -H "$(bearer "$A_TOKEN")"
check "A reads it through its channel" "200 1980" "$STATUS $(py 'v["views"]')"
post /rpc/remove_channel "{\"channel_id\": $TG_ID}" -H "$(bearer "$B_TOKEN")"
expect_error "B removes A's channel: 404, nothing removed" 404 PT404
check "A still tracks it" "1" "$(sql "SELECT count(*) FROM cos.user_channels WHERE user_id = $A_ID AND channel_id = $TG_ID")"
http GET "/rpc/channel?channel_id=$TG_ID" -H "$(bearer "$(jwt "{\"role\": \"cos_user\", \"sub\": \"$B_ID\", \"telegram_id\": 5001, \"exp\": \"+3600\"}")")"
expect_error "B's sub with A's telegram_id in the claims: still B (404)" 404 PT404
http GET "/rpc/channel?channel_id=999999" -H "$(bearer "$A_TOKEN")"
expect_error "a channel that does not exist: the same 404" 404 PT404

section "7b. the gateway's own role: cos_authenticator, not a superuser"
check "the gateway's sessions log in as cos_authenticator" "cos_authenticator" \
	"$(sql "SELECT string_agg(DISTINCT usename::text, ' ') FROM pg_stat_activity WHERE backend_type = 'cos http gateway'")"
# functions a bug or an injection could reach: leave the request's role
# (RESET ROLE goes back to the session's role) and read the secrets
sql "CREATE FUNCTION cos_api.e2e_whoami() RETURNS json LANGUAGE sql STABLE AS
	\$\$ SELECT json_build_object('session_user', session_user, 'current_user', current_user) \$\$;
CREATE FUNCTION cos_api.e2e_escape() RETURNS json LANGUAGE plpgsql VOLATILE AS \$\$
DECLARE n bigint;
BEGIN
	RESET ROLE;
	SELECT count(*) INTO n FROM cos.accounts;
	RETURN json_build_object('accounts', n);
END \$\$;
GRANT EXECUTE ON FUNCTION cos_api.e2e_whoami(), cos_api.e2e_escape() TO cos_user;" >/dev/null
http GET /rpc/e2e_whoami -H "$(bearer "$B_TOKEN")"
check "a request of B: session_user cos_authenticator, current_user cos_user" "200 cos_authenticator cos_user" \
	"$STATUS $(py 'v["session_user"]') $(py 'v["current_user"]')"
post /rpc/e2e_escape '{}' -H "$(bearer "$B_TOKEN")"
check "RESET ROLE inside a request falls back to cos_authenticator, which cannot read cos.accounts: 403" \
	"403 42501 permission denied for table accounts" "$STATUS $(py 'v["code"]') $(py 'v["message"]')"
sql "DROP FUNCTION cos_api.e2e_whoami(), cos_api.e2e_escape()" >/dev/null

section "8. administrators"
for f in admin_users admin_summary admin_accounts admin_proxies admin_runs; do
	http GET "/rpc/$f" -H "$(bearer "$A_TOKEN")"
	expect_error "A (cos_user) calls $f: 403 42501" 403 42501
done
post /rpc/admin_set_role "{\"user_id\": $A_ID, \"role\": \"cos_admin\"}" -H "$(bearer "$A_TOKEN")"
expect_error "A makes itself an administrator: 403" 403 42501
http GET /rpc/admin_users -H "$(bearer "$(jwt "{\"role\": \"cos_admin\", \"sub\": \"$A_ID\", \"exp\": \"+3600\"}")")"
expect_error "a validly signed token saying cos_admin for a user whose row says cos_user: 403" 403 42501
post /rpc/login "{\"init_data\": \"$C_INIT\"}"
C_ID="$(py 'v["user"]["id"]')"
sql "UPDATE cos.users SET role = 'cos_admin' WHERE telegram_id = 5003" >/dev/null
post /rpc/login "{\"init_data\": \"$C_INIT\"}"
C_TOKEN="$(py 'v["token"]')"
check "after UPDATE cos.users SET role = 'cos_admin', login gives C an admin token" "cos_admin cos_admin" \
	"$(py 'v["user"]["role"]') $(jwt_claims "$C_TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])')"
http GET /rpc/admin_users -H "$(bearer "$C_TOKEN")"
check "admin_users: every user with what it tracks" "200 5001:2:1 5002:0:0 5003:0:0" \
	"$STATUS $(py '" ".join("%s:%s:%s" % (u["telegram_id"], u["channels"], u["videos"]) for u in v)')"
http GET /rpc/admin_users -H "Authorization: tma $C_INIT"
check "admin_users with Authorization: tma (the role from cos.users)" "200 3" "$STATUS $(py 'len(v)')"
http GET /rpc/admin_summary -H "$(bearer "$C_TOKEN")"
check "admin_summary: 3 users, 2 channels, 21 videos (1 TikTok video + 20 posts)" "200 3 2 21" \
	"$STATUS $(py 'v["users"]') $(py 'v["channels"]') $(py 'v["videos"]')"
check "admin_summary: per-platform requests and successes since the run, as fetch_log counts them" \
	"$(sql "SELECT string_agg(platform || ':' || count || ':' || ok, ' ' ORDER BY platform)
	          FROM (SELECT platform, count(*), count(*) FILTER (WHERE outcome = 'ok') AS ok
	                  FROM cos.fetch_log WHERE at >= (SELECT started_at FROM cos.runs WHERE id = $run)
	                 GROUP BY platform) s")" \
	"$(py '" ".join("%s:%s:%s" % (p, x["requests"], x["ok"]) for p, x in sorted(v["platforms"].items()))')"
check "admin_summary: every TikTok request of the run succeeded" "2 2 1.0" \
	"$(py '"%s %s %s" % (v["platforms"]["tiktok"]["requests"], v["platforms"]["tiktok"]["ok"], v["platforms"]["tiktok"]["success_rate"])')"
http GET "/rpc/admin_runs?lim=1" -H "$(bearer "$C_TOKEN")"
check "admin_runs?lim=1: the run started above" "200 $run done 3" \
	"$STATUS $(py 'v[0]["id"]') $(py 'v[0]["status"]') $(py 'v[0]["jobs_done"]')"
sql "INSERT INTO cos.accounts (platform, kind, label, secret) VALUES ('youtube', 'api_key', 'e2e key', 'AIzaE2eSecretKeyValue_wxyz')" >/dev/null
http GET /rpc/admin_accounts -H "$(bearer "$C_TOKEN")"
check "admin_accounts: the secret masked to its last 4 characters" "200 …wxyz" "$STATUS $(py 'v[0]["secret_masked"]')"
check "the secret itself is nowhere in the answer" "0" "$(grep -c 'AIzaE2eSecretKeyValue' "$COS_E2E_DIR/body" || true)"
http GET "/rpc/channel?channel_id=$TG_ID" -H "$(bearer "$C_TOKEN")"
check "an administrator reads any channel" "200 15400" "$STATUS $(py 'v["followers"]')"
http GET "/rpc/admin_set_role?user_id=$B_ID&role=cos_admin" -H "$(bearer "$C_TOKEN")"
expect_error "admin_set_role by GET (VOLATILE): 405" 405 PGRST101
post /rpc/admin_set_role "{\"user_id\": 999999, \"role\": \"cos_user\"}" -H "$(bearer "$C_TOKEN")"
expect_error "admin_set_role for an unknown user: 404" 404 PT404
post /rpc/admin_release_batch '{"batch_id": 999999}' -H "$(bearer "$C_TOKEN")"
expect_error "admin_release_batch for an unknown batch: 404" 404 PT404

section "9. a blocked user"
sql "UPDATE cos.users SET status = 'blocked' WHERE telegram_id = 5002" >/dev/null
http GET /rpc/me -H "Authorization: tma $B_INIT"
check "Authorization: tma for a blocked user: 403 42501 (not 401)" "403 42501 user $B_ID is blocked" \
	"$STATUS $(py 'v["code"]') $(py 'v["message"]')"
check "no WWW-Authenticate on a 403" "" "$(header WWW-Authenticate)"
post /rpc/login "{\"init_data\": \"$B_INIT\"}"
expect_error "login for a blocked user: 403 PT403" 403 PT403
http GET /rpc/me -H "$(bearer "$B_TOKEN")"
expect_error "the token B got before it was blocked: 403" 403 42501
sql "UPDATE cos.users SET status = 'active' WHERE telegram_id = 5002" >/dev/null
http GET /rpc/me -H "$(bearer "$B_TOKEN")"
check "unblocked: the same token works again" "200 $B_ID" "$STATUS $(py 'v["id"]')"

section "10. the secrets' files: a server without them 500, not 401; rotation"
# status_of METHOD PATH ARGS...: "STATUS CODE" of a request (CODE null on success)
status_of() { http "$@"; echo "$STATUS $(py 'v.get("code")')"; }
# reload SQL...: each statement, then pg_reload_conf()
reload() {
	local args=() q
	for q in "$@"; do args+=(-c "$q"); done
	cluster_psql "${args[@]}" -c "SELECT pg_reload_conf()" >/dev/null
}
SHORT_FILE="$(write_secret short_secret too-short)"
reload "ALTER SYSTEM SET cos.jwt_secret_file = '$SHORT_FILE'"
wait_until "a Bearer token while the JWT secret is too short: 500 55000" "500 55000" \
	status_of GET /rpc/me -H "$(bearer "$A_TOKEN")"
http GET /rpc/me -H "$(bearer "$A_TOKEN")"
check "the message names the setting" "the secret in cos.jwt_secret_file is too short" "$(py 'v["message"]')"
post /rpc/login "{\"init_data\": \"$A_INIT\"}"
expect_error "login while the JWT secret is too short: 500 55000" 500 55000
check "the gateway logged the server fault" "yes" \
	"$(grep -q 'cos http gateway: .*the secret in cos.jwt_secret_file is too short (SQLSTATE 55000)' "$COS_E2E_DIR/pg/server.log" && echo yes || echo no)"
reload "ALTER SYSTEM SET cos.jwt_secret_file = '$JWT_SECRET_FILE'" "ALTER SYSTEM SET cos.bot_token_file = ''"
wait_until "Authorization: tma while cos.bot_token_file is unset: 500 55000" "500 55000" \
	status_of GET /rpc/me -H "Authorization: tma $A_INIT"
post /rpc/login "{\"init_data\": \"$A_INIT\"}"
check "login while cos.bot_token_file is unset: 500 55000 cos.bot_token_file is not set" \
	"500 55000 cos.bot_token_file is not set" "$STATUS $(py 'v["code"]') $(py 'v["message"]')"
reload "ALTER SYSTEM RESET cos.bot_token_file"
wait_until "with the settings back, the same token works again" "200 null" \
	status_of GET /rpc/me -H "$(bearer "$A_TOKEN")"
# a secret file its group or others may read is refused, not used
chmod 644 "$JWT_SECRET_FILE"
http GET /rpc/me -H "$(bearer "$A_TOKEN")"
check "a world-readable secret file: 500 55000, refused" \
	"500 55000 cos.jwt_secret_file \"$JWT_SECRET_FILE\" has group or world access" \
	"$STATUS $(py 'v["code"]') $(py 'v["message"]')"
chmod 600 "$JWT_SECRET_FILE"
http GET /rpc/me -H "$(bearer "$A_TOKEN")"
check "chmod 600: accepted again" "200" "$STATUS"
# rotation: a new secret in the file; old tokens are refused, new ones taken
write_secret jwt_secret "rotated-$JWT_SECRET" >/dev/null
reload
wait_until "after the secret's rotation, a token signed with the old one: 401" "401 28000" \
	status_of GET /rpc/me -H "$(bearer "$A_TOKEN")"
http GET /rpc/me -H "$(bearer "$(jwt "{\"role\":\"cos_user\",\"sub\":\"$A_ID\",\"exp\":$(($(date +%s) + 600))}" "rotated-$JWT_SECRET")")"
check "a token signed with the new secret: 200" "200 $A_ID" "$STATUS $(py 'v["id"]')"
write_secret jwt_secret "$JWT_SECRET" >/dev/null
reload
wait_until "the secret back: the old token works again" "200 null" \
	status_of GET /rpc/me -H "$(bearer "$A_TOKEN")"
# the settings that held the secrets before are refused, naming the new ones
refused="$(cluster_psql -c "SET cos.jwt_secret = 'x'" 2>&1 || true)"
check "cos.jwt_secret is refused, naming cos.jwt_secret_file" \
	"HINT:  Put the secret in a file only the server's operating-system user may read (chmod 600) and name that file in cos.jwt_secret_file." \
	"$(printf '%s\n' "$refused" | grep '^HINT')"

section "11. the series follow a removal"
post /rpc/remove_video "{\"video_id\": $TT_ID}" -H "$(bearer "$A_TOKEN")"
check "A stops tracking the TikTok video" "200 $TT_ID" "$STATUS $(py 'v["removed"]')"
http GET "/rpc/video_series?video_id=$TT_ID" -H "$(bearer "$A_TOKEN")"
expect_error "its series is then hidden from A: 404" 404 PT404
check "no gateway worker crashed" "0" "$(grep -c 'terminated by signal' "$COS_E2E_DIR/pg/server.log" || true)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
