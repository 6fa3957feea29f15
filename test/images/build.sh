#!/usr/bin/env bash
# Builds the stand-in images the e2e tests run on. No container registry is reachable here, so every image is made
# from Debian packages (debootstrap + docker import) and, for the Node runtime, from this host's own node binary.
#
#   bash test/images/build.sh [--stack legacy|current]    stand-ins (certbot, nginx, pebble), node, certkit app
#
# Run it again after `npm run build`: only the certkit app image is rebuilt (`--app` is accepted for old callers).
#
# Two stacks: `legacy` is Debian bookworm (certbot 2.1, nginx 1.22, Pebble 2.4), what users pinned to old images run;
# `current` is Debian sid (certbot 5, nginx 1.30, Pebble 2.10), what the compose defaults give users today. When sid
# cannot be debootstrapped (it moves), `current` falls back to trixie and says so.
#
# Images are named certkit-test/<name>:<recipe-hash> and a build is skipped when that tag already exists. Nothing is
# ever tagged with an official image name. The node runtime and the certkit app are built on the legacy base for both
# stacks (they are the kit's own controller, not a stand-in). The chosen names are written to
# test/images/images.env (legacy) or test/images/images-current.env for the tests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=debian-mirror.sh
. "$here/debian-mirror.sh"

stack=legacy
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack=${2:?--stack needs legacy or current}; shift 2 ;;
    --app) shift ;;
    *) printf 'images: error: unknown argument %s\n' "$1" >&2; exit 2 ;;
  esac
done

# busybox gives the certbot and nginx stand-ins the /bin/sh of the Alpine-based official images (see the Dockerfiles).
# openssl is for the Pebble stand-in's listener certificate only; the certbot and nginx stand-ins drop its CLI.
# bind9 and certbot's dns-rfc2136 plugin are for the DNS-01 e2e: the authoritative server, and the stand-in for the
# official certbot/dns-rfc2136 image (the plain certbot stand-in drops the plugin, as certbot/certbot has none).
legacy_packages="certbot,python3-cffi-backend,nginx-light,pebble,busybox,openssl,ca-certificates,python3-certbot-dns-rfc2136,bind9"
current_packages="certbot,python3-cffi-backend,nginx-light,pebble,busybox,openssl,ca-certificates,python3-certbot-dns-rfc2136,bind9"
case "$stack" in
  legacy) out="$here/images.env"; suites="bookworm" ;;
  current) out="$here/images-current.env"; suites="sid trixie" ;;
  *) printf 'images: error: unknown stack %s (legacy or current)\n' "$stack" >&2; exit 2 ;;
esac

log() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: error: %s\n' "$*" >&2; exit 1; }
exists() { docker image inspect "$1" >/dev/null 2>&1; }
hash_of() { sha256sum | cut -c1-12; }

# Debootstraps one suite into a base image; returns non-zero (after showing the log's tail) when the suite fails.
build_base() {
  local tag=$1 suite=$2 packages=$3 dir mirror
  if exists "$tag"; then log "reusing $tag"; return 0; fi
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"
  mirror=$(debian_mirror) || die "no Debian mirror found in the machine's apt sources"
  dir=$(mktemp -d /tmp/certkit-rootfs.XXXXXX)
  log "debootstrap $suite with $packages (about a minute)"
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$dir" "$mirror" >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log" >&2
    log "debootstrap $suite failed (full log: $dir.log)"
    rm -rf "$dir"
    return 1
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
recipe_version=2
recipe_of() { (printf '%s %s %s\n' "$recipe_version" "$1" "$2"; cat "$here"/*.Dockerfile) | hash_of; }

# Sets base, the four stand-in image names and suite for one stack, building what is missing. A suite
# whose images all exist is reused without touching the mirror; otherwise the suites are tried in order.
build_stand_ins() {
  local packages=$1 candidate recipe
  shift
  for candidate in "$@"; do
    recipe=$(recipe_of "$candidate" "$packages")
    base="certkit-test/base:$recipe"
    certbot_image="certkit-test/certbot:$recipe"
    nginx_image="certkit-test/nginx:$recipe"
    pebble_image="certkit-test/pebble:$recipe"
    challtestsrv_image="certkit-test/pebble-challtestsrv:$recipe"
    certbot_dns_image="certkit-test/certbot-dns-rfc2136:$recipe"
    bind9_image="certkit-test/bind9:$recipe"
    suite=$candidate
    if exists "$certbot_image" && exists "$nginx_image" && exists "$pebble_image" && exists "$challtestsrv_image" \
      && exists "$certbot_dns_image" && exists "$bind9_image"; then
      log "reusing the $candidate stand-ins ($recipe)"
      return 0
    fi
    if build_base "$base" "$candidate" "$packages"; then
      build_from "$certbot_image" "$here/certbot.Dockerfile" "$here" "$base"
      build_from "$nginx_image" "$here/nginx.Dockerfile" "$here" "$base"
      build_from "$pebble_image" "$here/pebble.Dockerfile" "$here" "$base"
      build_from "$challtestsrv_image" "$here/pebble-challtestsrv.Dockerfile" "$here" "$base"
      build_from "$certbot_dns_image" "$here/certbot-dns-rfc2136.Dockerfile" "$here" "$base"
      build_from "$bind9_image" "$here/bind9.Dockerfile" "$here" "$base"
      return 0
    fi
    log "$candidate failed; trying the next suite"
  done
  die "no suite of ($*) could be debootstrapped"
}

docker info >/dev/null 2>&1 || die "no Docker engine answers (is dockerd running?)"

# The node runtime and the certkit app sit on the legacy base, whichever stack is built: they are the kit's own
# controller, not stand-ins for an official image.
build_stand_ins "$legacy_packages" bookworm
legacy_base=$base
node_image="certkit-test/node:$( (printf '%s\n' "$legacy_base"; node --version) | hash_of)"
if ! exists "$node_image"; then
  ctx=$(mktemp -d /tmp/certkit-node.XXXXXX)
  cp "$(readlink -f "$(command -v node)")" "$ctx/node"
  build_from "$node_image" "$here/node.Dockerfile" "$ctx" "$legacy_base"
  rm -rf "$ctx"
fi
if [ "$stack" = current ]; then
  # shellcheck disable=SC2086 # the suites are words
  build_stand_ins "$current_packages" $suites
  [ "$suite" = sid ] || log "warning: the current stack is built from $suite, not sid"
fi

# The socket proxy's stand-in: Debian's haproxy on a rootfs of its own (debootstrap minbase), so the stand-ins' base
# recipe stays as it is (its Dockerfile sits in haproxy/, out of that recipe's *.Dockerfile). From sid for both stacks:
# the compose files pin HAProxy 3.2, and HAProxy before 3.1 drops the upgrade of a request with a body (its issue
# 2684), which an exec with stdin (certkit's run lock) needs; bookworm's is 2.6. The proxy is certkit's own part, not
# an image a user of the legacy stack pinned.
build_proxy() {
  local suite=$1 recipe
  recipe=$( (printf '%s %s haproxy\n' "$recipe_version" "$suite"; cat "$here/haproxy/Dockerfile") | hash_of)
  proxy_image="certkit-test/haproxy:$recipe"
  if exists "$proxy_image"; then log "reusing $proxy_image"; return 0; fi
  build_base "certkit-test/haproxy-base:$recipe" "$suite" haproxy || die "debootstrap $suite with haproxy failed"
  build_from "$proxy_image" "$here/haproxy/Dockerfile" "$here" "certkit-test/haproxy-base:$recipe"
}
build_proxy sid

# The Swarm node of the multi-node swarm test: Debian bookworm's docker.io (dockerd 20.10, containerd, runc, the CLI)
# on a rootfs of its own, with its files in swarm-node/ (out of the stand-ins' recipe, like the proxy's). The test runs
# three of them privileged, each loading the stand-in images it needs (docs/swarm.md, "Multi-node test").
swarm_node_packages="docker.io,iptables,ca-certificates,procps"
build_swarm_node() {
  local base_tag recipe
  base_tag="certkit-test/swarm-node-base:$(printf '%s bookworm %s\n' "$recipe_version" "$swarm_node_packages" | hash_of)"
  recipe=$( (printf '%s\n' "$base_tag"; cat "$here/swarm-node/Dockerfile" "$here/swarm-node/entrypoint.sh") | hash_of)
  swarm_node_image="certkit-test/swarm-node:$recipe"
  if exists "$swarm_node_image"; then log "reusing $swarm_node_image"; return 0; fi
  build_base "$base_tag" bookworm "$swarm_node_packages" || die "debootstrap bookworm with docker.io failed"
  build_from "$swarm_node_image" "$here/swarm-node/Dockerfile" "$here/swarm-node" "$base_tag"
}
build_swarm_node

# The app image holds the built controller with production dependencies only; its tag follows its content.
build_app() {
  [ -f "$root/dist/bundle/main.js" ] || die "dist/bundle/ is missing: run 'npm run build' first"
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
app_image=$(build_app)
prometheus_image=$(bash "$here/build-prometheus.sh" "$base")
plugin_files="$here/plugin-files/dns-standalone"
bash "$here/fetch-plugin-files.sh" "$plugin_files"

cat >"$out" <<EOF
# Written by test/images/build.sh; read by the e2e tests. Not committed.
CERTKIT_TEST_STACK=$stack
CERTKIT_TEST_SUITE=$suite
CERTKIT_TEST_BASE_IMAGE=$base
CERTBOT_IMAGE=$certbot_image
NGINX_IMAGE=$nginx_image
PEBBLE_IMAGE=$pebble_image
PEBBLE_CHALLTESTSRV_IMAGE=$challtestsrv_image
CERTKIT_TEST_CERTBOT_DNS_IMAGE=$certbot_dns_image
CERTKIT_TEST_BIND9_IMAGE=$bind9_image
CERTKIT_NODE_IMAGE=$node_image
CERTKIT_IMAGE=$app_image
PROMETHEUS_IMAGE=$prometheus_image
CERTKIT_PROXY_IMAGE=$proxy_image
CERTKIT_TEST_SWARM_NODE_IMAGE=$swarm_node_image
CERTKIT_TEST_PLUGIN_FILES=$plugin_files
EOF
log "$stack stack ($suite): image names written to ${out#"$root"/}"
