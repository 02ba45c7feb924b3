#!/usr/bin/env bash
# Cos loopback fixture server: a private nginx that serves the real captured
# platform responses in test/fixtures (see test/fixtures/SOURCES.md), so that no
# test ever touches the internet.
#
# Usage:
#   fixture-server.sh start DIR [PORT]   start on 127.0.0.1:PORT (default: the first
#                                        free port from 18080 upward); print the port
#                                        on stdout once the server answers; exit 0.
#   fixture-server.sh stop DIR           stop it and wait until it is gone (exit 0
#                                        also when it was not running).
#   fixture-server.sh status DIR         print the port and exit 0 if running, else exit 1.
#
# DIR (created if missing) receives everything of this instance: nginx.conf,
# nginx.pid, port, error.log, access.log, access_detail.log, tmp/, and www/ (the
# document root: a symlink to every file of test/fixtures plus a gzip -6 copy
# <file>.gz of each .html/.json, rebuilt at every start). Nothing is written
# elsewhere; the system nginx service is not used. Runs as the calling user; as
# root the workers stay root ("user root root;") so they can read the tree.
# Environment: COS_FIXTURE_PORT_BASE (default 18080) = first port tried;
# COS_FIXTURE_GZIP=0 = no .gz copies, so every answer is identity-encoded.
# On a machine without nginx, running as root installs Debian's nginx-light
# (which pulls libnginx-mod-http-echo, needed by /slow/).
#
# Platforms' base URLs point at http://127.0.0.1:PORT/<prefix>. Routes (every
# body is a fixture file byte for byte; a request with no capture -> 404):
#
#   GET  /youtube/watch?v=<ID>[&...]                 youtube/watch_<ID>.html
#   GET  /youtube-api/videos?...id=<ID>...&key=K     youtube/api_videos_list_<ID>.json
#          id=<A>,<B>,... (',' raw or %2C): the file of the FIRST id only.
#   GET  /youtube-api/channels?...id=UCK8sQmJBp8GCxrOtXWBpyEA... (or UC_x5XG1OV2P6uZZ5FSM9Ttw,
#          or forHandle=@google)                     youtube/api_channels_list_google_googledevelopers.json
#   GET  /youtube-api/playlistItems?...playlistId=UUK8sQmJBp8GCxrOtXWBpyEA...
#          (or the capture's own PLOU2XLYxmsIKpaV8h0AGE05so0fAwwfTw)
#                                                    youtube/api_playlistItems_list_page1.json
#          with any non-empty pageToken -> 404 (no capture of a later page exists).
#        Any /youtube-api/ request without a non-empty key= (or X-Goog-Api-Key
#        header) -> 403, application/json,
#        {"error":{"code":403,"message":"The request is missing a valid API key.",...}}.
#        API 404s have a JSON body.
#   GET  /tiktok/@<any>/video/7526770564367748360    tiktok/video_desktop_7526770564367748360.html
#   GET  /tiktok/@<any>/video/7585124257601162516    tiktok/video_mobile_reflow_7585124257601162516.html
#   GET  /tiktok/@<any>/video/7276437262283859205    tiktok/video_unavailable_statuscode_10204.html
#   GET  /tiktok/@<user>                             tiktok/user_<user>.html (novix.ht exists)
#   GET  /redirect-away/...  302 to http://169.254.169.254/latest/meta-data/ (must be refused)
#   GET  /telegram/s/<name>                          telegram/tme_s_<name>.html
#   GET  /telegram/s/<name>?before=<N>               telegram/tme_s_<name>_before<N>.html
#   GET  /telegram/<name>                            telegram/tme_<name>_channel_page.html
#   GET  /instagram-api/api/v1/users/web_profile_info/?username=<u>
#                                                    instagram/web_profile_info_<u>.json
#   GET  /instagram-api/api/v1/media/2307774091974900767/info/
#                                                    instagram/media_info_CAG3E8-A3wf.json
#   POST /likee-api/likee-activity-flow-micro/videoApi/getUserVideo     likee/api_getUserVideo_page1.json
#   POST /likee-api/likee-activity-flow-micro/videoApi/getVideoInfo     likee/getVideoInfo_single_item.json
#   POST /likee-api/likee-activity-flow-micro/videoApi/getSquareVideos  likee/api_getSquareVideos_page1.json
#          (GET works too; the request body is ignored, so every "page" is page 1.)
#   Any id (bench/collect.sh): one capture per platform, its own id replaced by
#   the requested one in every place (nginx sub_filter; identity encoding only):
#   GET  /any/tiktok/@<any>/video/<ID>               tiktok/video_desktop_7526770564367748360.html
#   GET  /any/youtube-api/videos?...id=<ID>...&key=K youtube/api_videos_list_D-lhorsDlUQ.json
#   GET  /any/instagram-api/api/v1/media/<PK>/info/  instagram/media_info_CAG3E8-A3wf.json, with
#          the pk and its shortcode from DIR/any/instagram_shortcodes*.map ("<PK> <code>;"
#          lines, written by the caller before start; a pk not listed -> 404)
#   POST /any/likee-api/likee-activity-flow-micro/videoApi/getVideoInfo {"postIds":"<ID>"}
#                                                    likee/getVideoInfo_single_item.json (chunked)
#   GET  /any/telegram/s/durov?before=<N+1>          telegram/tme_s_durov_before38.html with
#          post durov/37 renamed durov/<N> (N+1 must not end in 0: 404)
#   Thumbnails (cos.platforms.cdn_base = http://127.0.0.1:PORT/cdn):
#   GET  /cdn/<host>/<path>        images/thumb_8x8.jpg for hosts under ytimg.com,
#                                  images/thumb_2x2.png for any other host
#   GET  /cdn/<host>/cos-e2e/not-an-image.jpg  200 image/jpeg with an HTML body
#   GET  /cdn/<host>/cos-e2e/too-large.jpg     200 image/jpeg, 2,000,000 bytes
#   GET  /cdn/<host>/cos-e2e/gone.jpg          404
#   GET  /cdn/<host>/cos-e2e/redirect-ok.jpg   302 to /cdn/<host>/vi/redirected/0.jpg
#   GET  /cdn/<host>/cos-e2e/redirect-away.jpg 302 to /cdn/evil.example/x.jpg
#   Failure routes:
#   /fail500/...        500, text/plain, short body
#   /garbage/...        200, text/html, non-HTML junk
#   /slow/              200 text after ~3 s;  /slow/<route> = /<route> after ~3 s
#   /ratelimit/...      429, Retry-After: 2, text/plain
#   /ratelimit/youtube/...  429, Retry-After: 2, body youtube/error_too_many_requests_captcha.html
#   /redirect/<route>   302 to /<route>;  /redirect-loop/  302 to itself forever
#   /tiktok-short/<code>/  301 to a TikTok video URL (ZMe2eOne1, ZMe2eDup2), to another
#                       short link (ZMe2eHop3), else 404 (synthetic: no capture exists)
#   Absolute-form requests ("GET http://127.0.0.1:PORT/... HTTP/1.1") are served
#   like any other: the server doubles as the HTTP proxy the tests give Cos.
#   (no /truncated/ route; a transfer cut short can be had with /slow/ and a
#   client timeout below 3 s)
#
# Names of the existing captures (durov, walterbloomberg, novix.ht, robertdowneyjr)
# match in any letter case; other names must match a file's case exactly.
# Query parameters may come in any order; unknown ones are ignored. HTML is served
# as "text/html; charset=utf-8", JSON as "application/json". Paths are matched
# after nginx's %-decoding (/tiktok/%40x = /tiktok/@x).
# Compression: a request with "Accept-Encoding: gzip" gets the fixture gzipped
# ("Content-Encoding: gzip", "Vary: Accept-Encoding"; decodes to the same bytes);
# without that header the body is the fixture file byte for byte.
#
# DIR/access.log has one line per request: "<request_uri as sent> <status>"
# (e.g. "/telegram/s/durov?before=38 200"); the readiness probe
# /__fixture_server/health is not logged. DIR/access_detail.log: time, status,
# bytes, seconds, "request line" (original method), "User-Agent". Both logs are
# emptied by start; ": > DIR/access.log" empties it while the server runs.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIXTURES=$(cd "$HERE/../fixtures" && pwd)
TEMPLATE=$HERE/nginx.conf.in
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so

die() { echo "fixture-server: $*" >&2; exit 1; }
usage() { echo "usage: $0 start DIR [PORT] | stop DIR | status DIR" >&2; exit 2; }

find_nginx() {
    NGINX=$(PATH=$PATH:/usr/sbin:/sbin command -v nginx || true)
}

ensure_nginx() {
    find_nginx
    if [ -z "$NGINX" ] || [ ! -f "$ECHO_MODULE" ]; then
        [ "$(id -u)" = 0 ] || die "nginx or its echo module is missing; as root: apt-get install -y nginx-light"
        echo "fixture-server: installing nginx-light" >&2
        (export DEBIAN_FRONTEND=noninteractive
         apt-get update >&2 && apt-get install -y --no-install-recommends nginx-light >&2) ||
            die "apt-get install nginx-light failed"
        find_nginx
        { [ -n "$NGINX" ] && [ -f "$ECHO_MODULE" ]; } || die "nginx-light install failed"
    fi
}

# A path goes into nginx.conf inside "..."; refuse what would break that.
check_path() {
    case $1 in
        *'"'* | *'$'* | *\\* | *$'\n'*) die "unsupported character in path: $1" ;;
    esac
}

pid_of() {  # pid of a live nginx master for DIR, or nothing
    local pidfile=$1/nginx.pid pid
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile" 2>/dev/null) || return 0
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    # A recycled pid that is not an nginx is not ours.
    if [ -r "/proc/$pid/cmdline" ] && ! grep -q nginx "/proc/$pid/cmdline" 2>/dev/null; then
        return 0
    fi
    echo "$pid"
}

port_busy() {  # something answers a TCP connect on 127.0.0.1:$1
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# GET the health route; true when nginx answers 200.
answers() {
    local port=$1 line
    exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 1
    printf 'GET /__fixture_server/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 || line=
    exec 3<&- 3>&-
    [[ $line == "HTTP/1."?" 200"* ]]
}

build_docroot() {  # DIR/www = symlinks to the fixtures + precompressed copies
    local www=$1/www f
    rm -rf "$www"
    cp -rs "$FIXTURES" "$www"
    [ "${COS_FIXTURE_GZIP:-1}" != 0 ] || return 0
    (cd "$FIXTURES" && find . -type f \( -name '*.html' -o -name '*.json' \) -print0) |
        while IFS= read -r -d '' f; do
            gzip -6 -n -c "$FIXTURES/$f" >"$www/$f.gz"
        done
}

render() {  # render DIR PORT
    local dir=$1 port=$2 conf user=
    [ "$(id -u)" = 0 ] && user="user root root;"
    # The template's own header comment names the placeholders; leave it out.
    conf="# Generated by test/e2e/fixture-server.sh from test/e2e/nginx.conf.in
$(awk 'body == 0 && /^#/ { next } { body = 1; print }' "$TEMPLATE")"
    conf=${conf//@RUN_DIR@/"$dir"}
    conf=${conf//@DOCROOT@/"$dir/www"}
    conf=${conf//@PORT@/"$port"}
    conf=${conf//@USER@/"$user"}
    conf=${conf//@ECHO_MODULE@/"$ECHO_MODULE"}
    printf '%s\n' "$conf" >"$dir/nginx.conf.new"
    mv -f "$dir/nginx.conf.new" "$dir/nginx.conf"
}

start() {
    local dir=$1 want=${2:-} base=${COS_FIXTURE_PORT_BASE:-18080} port pid out i
    [ -z "$want" ] || [[ $want =~ ^[0-9]+$ && $want -ge 1 && $want -le 65535 ]] || die "bad port: $want"
    [[ $base =~ ^[0-9]+$ ]] || die "bad COS_FIXTURE_PORT_BASE: $base"
    check_path "$dir"
    ensure_nginx
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    check_path "$dir"; check_path "$FIXTURES"
    pid=$(pid_of "$dir")
    [ -z "$pid" ] || die "already running in $dir (pid $pid, port $(cat "$dir/port" 2>/dev/null))"
    rm -f "$dir/nginx.pid" "$dir/port"
    mkdir -p "$dir/tmp/body" "$dir/tmp/proxy" "$dir/tmp/fastcgi" "$dir/tmp/uwsgi" "$dir/tmp/scgi"
    build_docroot "$dir"
    : >"$dir/access.log"
    : >"$dir/access_detail.log"

    local candidates
    if [ -n "$want" ]; then
        ! port_busy "$want" || die "127.0.0.1:$want is already in use"
        candidates=$want
    else
        candidates=$(seq "$base" $((base + 199)))
    fi
    port=
    for p in $candidates; do
        if [ -z "$want" ] && port_busy "$p"; then continue; fi
        render "$dir" "$p"
        if out=$("$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" 2>&1); then
            port=$p
            break
        fi
        # Lost a race for an automatically chosen port: try the next one.
        if [ -z "$want" ] && [[ $out == *"Address already in use"* ]]; then continue; fi
        printf '%s\n' "$out" >&2
        die "nginx failed to start on 127.0.0.1:$p (see $dir/error.log)"
    done
    [ -n "$port" ] || die "no free port in $base..$((base + 199))"

    for ((i = 0; i < 100; i++)); do
        if answers "$port"; then
            echo "$port" >"$dir/port"
            echo "$port"
            return 0
        fi
        sleep 0.1
    done
    stop "$dir" >/dev/null 2>&1 || true
    die "nginx started but does not answer on 127.0.0.1:$port (see $dir/error.log)"
}

stop() {
    local dir=$1 pid i
    [ -d "$dir" ] || return 0
    pid=$(pid_of "$dir")
    if [ -z "$pid" ]; then
        rm -f "$dir/nginx.pid" "$dir/port"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true   # fast shutdown: master stops its workers
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "fixture-server: nginx $pid did not stop in 10 s; killing its process group" >&2
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    rm -f "$dir/nginx.pid" "$dir/port"
}

status() {
    local dir=$1 pid
    pid=$(pid_of "$dir")
    [ -n "$pid" ] || { echo "not running" >&2; return 1; }
    cat "$dir/port"
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
[ -n "$dir" ] || usage
case $cmd in
    start)  [ $# -le 3 ] || usage; start "$dir" "${3:-}" ;;
    stop)   [ $# -eq 2 ] || usage; stop "$dir" ;;
    status) [ $# -eq 2 ] || usage; status "$dir" ;;
    *) usage ;;
esac
