#!/usr/bin/env bash
# .ci/install-deps.sh -- installs the Debian 12 packages Cos builds and tests
# with, if any is missing (needs root, or sudo).
set -euo pipefail
pkgs="postgresql-15 postgresql-server-dev-15 postgresql-15-cron libcurl4-openssl-dev
      libjansson-dev libxml2-dev libmicrohttpd-dev libcmocka-dev libssl-dev pkg-config make gcc nginx-light
      libnginx-mod-http-echo python3 curl clang"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
