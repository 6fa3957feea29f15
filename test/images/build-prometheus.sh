#!/usr/bin/env bash
# Builds the stand-in Prometheus image: Debian's prometheus package (prometheus and promtool, Go binaries needing only
# libc), fetched with `apt-get download` on this host and unpacked with dpkg-deb, copied onto the stand-in base image.
#
#   bash test/images/build-prometheus.sh BASE_IMAGE     prints the image name (built, or reused when it exists)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
base=${1:?usage: build-prometheus.sh BASE_IMAGE}

log() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: error: %s\n' "$*" >&2; exit 1; }

version=$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ {print $2}')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  die "apt knows no prometheus package; run 'apt-get update' (Debian's prometheus is used for the monitoring e2e)"
fi
tag="certkit-test/prometheus:$( (printf '%s\n%s\n' "$base" "$version"; cat "$here/prometheus.Dockerfile") | sha256sum | cut -c1-12)"
if docker image inspect "$tag" >/dev/null 2>&1; then
  log "reusing $tag"
  printf '%s\n' "$tag"
  exit 0
fi

ctx=$(mktemp -d /tmp/certkit-prometheus.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
(cd "$ctx" && apt-get download -q "prometheus=$version" >/dev/null 2>"$ctx/download.log") \
  || { cat "$ctx/download.log" >&2; die "apt-get download prometheus failed"; }
dpkg-deb -x "$ctx"/prometheus_*.deb "$ctx/root"
cp "$ctx/root/usr/bin/prometheus" "$ctx/root/usr/bin/promtool" "$ctx/"
rm -rf "$ctx/root" "$ctx"/*.deb "$ctx/download.log"
if ! output=$(docker build -q --build-arg "BASE=$base" -f "$here/prometheus.Dockerfile" -t "$tag" "$ctx" 2>&1); then
  printf '%s\n' "$output" >&2
  die "docker build of $tag failed"
fi
log "built $tag (Debian prometheus $version)"
printf '%s\n' "$tag"
