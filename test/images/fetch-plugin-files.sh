#!/usr/bin/env bash
# Unpacks a third-party certbot plugin that Debian packages (python3-certbot-dns-standalone, with python3-dnslib)
# into a plain folder of Python packages and their metadata: what a user puts in CERTBOT_PLUGINS_DIR "from local
# files". Fetched with `apt-get download` on this host and unpacked with dpkg-deb; pure Python, so one copy serves
# every stack's certbot.
#
#   bash test/images/fetch-plugin-files.sh DIR     fills DIR (reused when it already holds the packages)
set -euo pipefail

out=${1:?usage: fetch-plugin-files.sh DIR}
log() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: error: %s\n' "$*" >&2; exit 1; }

if [ -d "$out/certbot_dns_standalone" ] && [ -d "$out/dnslib" ]; then log "reusing the plugin files in $out"; exit 0; fi
ctx=$(mktemp -d /tmp/certkit-plugin-files.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
(cd "$ctx" && apt-get download -q python3-certbot-dns-standalone python3-dnslib >/dev/null 2>"$ctx/download.log") \
  || { cat "$ctx/download.log" >&2; die "apt-get download python3-certbot-dns-standalone python3-dnslib failed (run 'apt-get update')"; }
for deb in "$ctx"/*.deb; do dpkg-deb -x "$deb" "$ctx/root"; done
mkdir -p "$out"
cp -r "$ctx"/root/usr/lib/python3/dist-packages/. "$out/"
find "$out" -name '*_test.py' -delete
log "unpacked certbot-dns-standalone and dnslib into $out"
