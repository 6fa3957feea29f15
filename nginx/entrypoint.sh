#!/bin/sh
# certkit's nginx entrypoint. Static and committed (it must work before anything is rendered).
#
#   entrypoint.sh run            pick the site nginx can load, then run nginx in the foreground (the default)
#   entrypoint.sh select MODE    link site-MODE.conf (https, http or auto) and check the whole configuration;
#                                on failure the previous site stays linked. certkit then reloads nginx (SIGHUP).
#   entrypoint.sh health         the compose healthcheck: the configuration on disk loads and port 80 answers HTTP
#                                (busybox wget, as in nginx:alpine; a 404 is an answer, and no redirect is followed;
#                                no -T: the healthcheck timeout bounds it, and Debian's busybox 1.35 crashes on -T)
#
# auto prefers HTTPS and falls back to plain HTTP when HTTPS cannot load (no certificate yet, say), so port 80 and the
# ACME challenge are always served and a first validation can pass.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
run=/run/certkit-nginx
mkdir -p "$run"

if [ -z "${CERTKIT_NGINX_USER:-}" ]; then
  for candidate in nginx www-data nobody; do
    if id "$candidate" >/dev/null 2>&1; then CERTKIT_NGINX_USER=$candidate; break; fi
  done
fi
globals="user ${CERTKIT_NGINX_USER:-nobody};"

check() {
  nginx -t -q -c "$here/nginx.conf" -g "$globals"
}

link_site() {
  ln -sfn "$here/site-$1.conf" "$run/site.conf.new"
  mv -f "$run/site.conf.new" "$run/site.conf"
}

select_site() {
  previous=$(readlink "$run/site.conf" 2>/dev/null || true)
  for mode in $(if [ "$1" = auto ]; then echo https http; else echo "$1"; fi); do
    if [ ! -f "$here/site-$mode.conf" ]; then
      echo "certkit: $here/site-$mode.conf is missing; run 'npx certkit render' (or start the certkit-init service)" >&2
      continue
    fi
    link_site "$mode"
    if [ "$1" = auto ] && [ "$mode" = https ]; then
      if check 2>/dev/null; then echo "$mode"; return 0; fi
    elif check; then
      echo "$mode"
      return 0
    fi
  done
  if [ -n "$previous" ]; then ln -sfn "$previous" "$run/site.conf.new" && mv -f "$run/site.conf.new" "$run/site.conf"; fi
  return 1
}

case "${1:-run}" in
  select)
    select_site "${2:?usage: entrypoint.sh select https|http|auto}"
    ;;
  check)
    check
    ;;
  health)
    check
    wget -S -O /dev/null "http://127.0.0.1/.well-known/acme-challenge/certkit-health" 2>&1 | grep -q 'HTTP/' \
      || { echo "certkit: nginx does not answer HTTP on port 80" >&2; exit 1; }
    ;;
  *)
    mode=$(select_site auto) || { echo "certkit: no site configuration nginx can load" >&2; exit 1; }
    echo "certkit: nginx starts with the $mode site" >&2
    exec nginx -c "$here/nginx.conf" -g "$globals daemon off;"
    ;;
esac
