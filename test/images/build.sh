#!/usr/bin/env bash
# Builds the stand-in images the e2e tests run on. No container registry is reachable here, so every image is made
# from Debian packages (debootstrap + docker import) and, for the Node runtime, from this host's own node binary.
#
#   bash test/images/build.sh          base images (certbot, nginx, pebble, node) and the certkit app image
#   bash test/images/build.sh --app    only the certkit app image (after `npm run build`)
#
# Images are named certkit-test/<name>:<recipe-hash> and a build is skipped when that tag already exists. Nothing is
# ever tagged with an official image name. The chosen names are written to test/images/images.env for the tests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/images.env"
packages="certbot,python3-cffi-backend,nginx-light,pebble,openssl,ca-certificates,curl,busybox"
suite="bookworm"

log() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: error: %s\n' "$*" >&2; exit 1; }
exists() { docker image inspect "$1" >/dev/null 2>&1; }
hash_of() { sha256sum | cut -c1-12; }

# The mirror comes from this machine's own apt configuration (deb822 or one-line format), never from the repo.
debian_mirror() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && u!="" && $0 ~ /(^| )'"$suite"'( |$)/ {print u; exit}' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 ~ / '"$suite"' / {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
      /etc/apt/sources.list || true)
  fi
  [ -n "$uri" ] || die "no Debian mirror for '$suite' found in /etc/apt/sources.list{,.d}; add one and retry"
  printf '%s\n' "$uri"
}

build_base() {
  local tag=$1 dir
  if exists "$tag"; then log "reusing $tag"; return; fi
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"
  dir=$(mktemp -d /tmp/certkit-rootfs.XXXXXX)
  log "debootstrap $suite with $packages (about a minute)"
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$dir" "$(debian_mirror)" >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log" >&2
    die "debootstrap failed (full log: $dir.log)"
  fi
  rm -f "$dir.log"
  # Debian's nginx ships a default site and starts nothing by itself in a container; certkit brings its own config.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/etc/nginx/sites-enabled/default
  tar -C "$dir" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" >/dev/null
  rm -rf "$dir"
  log "built $tag"
}

build_from() {
  local tag=$1 dockerfile=$2 context=$3 base=$4
  if exists "$tag"; then log "reusing $tag"; return; fi
  local output
  if ! output=$(docker build -q --build-arg "BASE=$base" -f "$dockerfile" -t "$tag" "$context" 2>&1); then
    printf '%s\n' "$output" >&2
    die "docker build of $tag failed"
  fi
  log "built $tag"
}

# The recipe: what goes into the images. Bump recipe_version when the debootstrap steps above change.
recipe_version=1
recipe=$( (printf '%s %s %s\n' "$recipe_version" "$suite" "$packages"; cat "$here"/*.Dockerfile) | hash_of)
base="certkit-test/base:$recipe"
certbot_image="certkit-test/certbot:$recipe"
nginx_image="certkit-test/nginx:$recipe"
pebble_image="certkit-test/pebble:$recipe"

node_bin=$(readlink -f "$(command -v node)")
node_image="certkit-test/node:$( (printf '%s\n' "$recipe"; node --version) | hash_of)"

build_bases() {
  build_base "$base"
  build_from "$certbot_image" "$here/certbot.Dockerfile" "$here" "$base"
  build_from "$nginx_image" "$here/nginx.Dockerfile" "$here" "$base"
  build_from "$pebble_image" "$here/pebble.Dockerfile" "$here" "$base"
  if ! exists "$node_image"; then
    local ctx
    ctx=$(mktemp -d /tmp/certkit-node.XXXXXX)
    cp "$node_bin" "$ctx/node"
    build_from "$node_image" "$here/node.Dockerfile" "$ctx" "$base"
    rm -rf "$ctx"
  fi
}

# The app image holds the built controller with production dependencies only; its tag follows its content.
build_app() {
  [ -f "$root/dist/cli/main.js" ] || die "dist/ is missing: run 'npm run build' first"
  local ctx tag
  ctx=$(mktemp -d /tmp/certkit-app.XXXXXX)
  cp -r "$root/package.json" "$root/package-lock.json" "$root/bin" "$root/dist" "$root/templates" "$ctx/"
  (cd "$ctx" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  tag="certkit-test/certkit:$( (cd "$ctx" && find . -type f -not -path './node_modules/*' -print0 | sort -z \
    | xargs -0 sha256sum; cat package-lock.json; printf '%s\n' "$node_image") | hash_of)"
  build_from "$tag" "$here/certkit.Dockerfile" "$ctx" "$node_image"
  rm -rf "$ctx"
  printf '%s\n' "$tag"
}

docker info >/dev/null 2>&1 || die "no Docker engine answers (is dockerd running?)"

if [ "${1:-}" = "--app" ]; then
  exists "$node_image" || build_bases
else
  build_bases
fi
app_image=$(build_app)
prometheus_image=$(bash "$here/build-prometheus.sh" "$base")

cat >"$out" <<EOF
# Written by test/images/build.sh; read by the e2e tests. Not committed.
CERTKIT_TEST_BASE_IMAGE=$base
CERTBOT_IMAGE=$certbot_image
NGINX_IMAGE=$nginx_image
PEBBLE_IMAGE=$pebble_image
CERTKIT_NODE_IMAGE=$node_image
CERTKIT_IMAGE=$app_image
PROMETHEUS_IMAGE=$prometheus_image
EOF
log "image names written to ${out#"$root"/}"
