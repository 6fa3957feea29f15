#!/bin/sh
# certkit's nginx entrypoint on Swarm (a Swarm config, mounted at /etc/certkit/swarm/entrypoint.sh).
#
#   entrypoint.sh run      write each site's TLS include and the lines for this nginx's version, then run nginx in
#                          the foreground (the default). Swarm stops a task with SIGQUIT (compose.swarm.yaml): nginx
#                          quits gracefully, finishing the requests it has
#   entrypoint.sh health   the service's healthcheck: port 80 answers (busybox wget); the configuration is a Swarm
#                          config, fixed for the task's life, so nginx running means it loaded
#
# Each site's key and certificate are the Swarm secret /run/secrets/certkit-SITE.pem. A task gets its secrets when it
# starts and keeps them, so a renewal is a new task (a start-first service update), never a reload here. Until a site
# has a secret, its HTTPS handshake is refused and port 80 still serves the ACME challenge.
set -eu
conf=/etc/certkit/swarm/nginx.conf
run=/run/certkit-swarm

write_tls() {
  mkdir -p "$run"
  for site in $(sed -n 's|^ *include /run/certkit-swarm/tls-\(.*\)\.conf;$|\1|p' "$conf"); do
    secret=/run/secrets/certkit-$site.pem
    if [ -f "$secret" ]; then
      printf 'ssl_certificate %s;\nssl_certificate_key %s;\n' "$secret" "$secret" >"$run/tls-$site.conf"
    else
      printf '# no secret for site %s yet\nssl_reject_handshake on;\n' "$site" >"$run/tls-$site.conf"
    fi
  done
}

# keepalive_min_timeout (nginx 1.27.4 and later): a keep-alive connection idle for less than this stays open through a
# graceful quit, and its next request is answered with Connection: close; a task stopped at a rotation then fails no
# request of a busy keep-alive client. CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT sets it (default 1s; 0 leaves it out).
write_http_version() {
  min=${CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT:-1s}
  case "$min" in
    '' | *[!0-9msh]* | [!0-9]*)
      echo "certkit: CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT=$min is not nginx's keepalive_min_timeout (a time such as 1s or 500ms; 0 leaves it out): fix it in the shell that runs docker stack deploy" >&2
      return 1
      ;;
  esac
  # nginx/1.27.4 -> 1027004
  version=$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*|\1 \2 \3|p' \
    | { read -r major minor patch && echo $((major * 1000000 + minor * 1000 + patch)); })
  {
    echo "# Written by entrypoint.sh for $(nginx -v 2>&1)"
    if [ "${version:-0}" -ge 1027004 ] && [ "$min" != 0 ]; then echo "keepalive_min_timeout $min;"; fi
  } >"$run/http-version.conf"
}

case "${1:-run}" in
  run)
    write_tls
    write_http_version
    exec nginx -c "$conf" -g 'daemon off;'
    ;;
  health)
    wget -q -O /dev/null http://127.0.0.1/.certkit/health
    ;;
  *)
    echo "usage: entrypoint.sh [run|health]" >&2
    exit 2
    ;;
esac
