#!/bin/sh
# certkit's nginx entrypoint. Static and committed (it must work before anything is rendered).
#
#   entrypoint.sh run            pick the site nginx can load, then run nginx in the foreground (the default)
#   entrypoint.sh select MODE    link site-MODE.conf (https, http or auto) and the other sites (as `sites` does), and
#                                check the whole configuration once; on failure the previous site and links stay.
#                                Prints the other sites whose link changed, then the mode chosen (the last line).
#                                certkit then reloads nginx (SIGHUP).
#   entrypoint.sh tls            print how this nginx loads the certificate: cached, handshake or reload
#   entrypoint.sh sites          link each other site (nginx/sites/) to HTTPS or HTTP as its certificate allows and check
#                                the whole configuration (the .env site's link unchanged); on failure the links before
#                                stay. Prints the sites whose link changed; certkit then reloads nginx.
#
# The HTTPS site names its certificate through a variable (see site-https.conf), so nginx reads the deployed bundle at
# TLS handshakes (the immutable version tls/current.pem links to) and a renewal is served with no reload (a reload
# closes idle keep-alive connections: clients see ECONNRESET). Per nginx version, written into tls-certificate.conf:
#   1.27.4 and later     cached: read at a handshake and kept per version file (ssl_certificate_cache)
#   1.15.9 to 1.27.3     handshake: read at every full handshake (no cache there; about a third more CPU each)
#   older                reload: a fixed path, loaded by the master; certkit reloads nginx after a renewal
# CERTKIT_NGINX_TLS=cached|handshake|reload overrides the choice (cached needs 1.27.4).
#
# A graceful reload (a site added, removed or re-routed) makes the old workers close their idle keep-alive
# connections, and a client that sends on one at that moment gets its connection reset. From nginx 1.27.4,
# keepalive_min_timeout keeps a connection idle for less than that open through the old worker's shutdown: its next
# request is answered (with Connection: close), so busy clients lose nothing. Written into http-version.conf where
# this nginx has it; CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT sets it (default 1s; 0 leaves it out).
#
# Workers read the bundle as the nginx user, whose uid depends on the image: the deploy hook gives the bundle to group
# 10443 (KEY_READER_GID in src/certbot/paths.ts), and this script makes the nginx user a member of that group.
#   entrypoint.sh health         the compose healthcheck: the configuration on disk loads, port 80 answers HTTP
#                                (busybox wget, as in nginx:alpine; a 404 is an answer, and no redirect is followed;
#                                no -T: the healthcheck timeout bounds it, and Debian's busybox 1.35 crashes on -T),
#                                and nginx runs the rendering on disk (the stamp it serves is the one in site.conf)
#
# auto prefers HTTPS and falls back to plain HTTP when HTTPS cannot load (no certificate yet, say), so port 80 and the
# ACME challenge are always served and a first validation can pass.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
run=/run/certkit-nginx

if [ -z "${CERTKIT_NGINX_USER:-}" ]; then
  for candidate in nginx www-data nobody; do
    if id "$candidate" >/dev/null 2>&1; then CERTKIT_NGINX_USER=$candidate; break; fi
  done
fi
user=${CERTKIT_NGINX_USER:-nobody}
globals="user $user;"
key_reader_gid=10443

# What `nginx -v` says, asked once per run of this script (a check wants it five times): know_nginx sets it, in this
# shell, before anything reads it.
nginx_v=
know_nginx() {
  if [ -z "$nginx_v" ]; then nginx_v=$(nginx -v 2>&1); fi
}

# nginx 1.22.1 -> 1022001
nginx_version() {
  echo "$nginx_v" | sed -n 's|.*nginx/\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*|\1 \2 \3|p' | { read -r a b c && echo $((a * 1000000 + b * 1000 + c)); }
}

tls_loading() {
  if [ -n "${CERTKIT_NGINX_TLS:-}" ]; then echo "$CERTKIT_NGINX_TLS"; return 0; fi
  version=$(nginx_version)
  if [ "${version:-0}" -ge 1027004 ]; then echo cached
  elif [ "${version:-0}" -ge 1015009 ]; then echo handshake
  else echo reload
  fi
}

bundle_path() {
  sed -n 's|^ *default \(/[^;]*\);$|\1|p' "$here/site-https.conf" 2>/dev/null | head -n 1
}

write_tls_certificate() {
  loading=$(tls_loading)
  mkdir -p "$run"
  {
    echo "# Written by entrypoint.sh for $nginx_v: $loading"
    case "$loading" in
      cached|handshake)
        # tls/current.pem links to the version the deploy hook made last; a bundle deployed by an older hook has none
        # yet, and is then read by its own name (as it is renamed over, a handshake may fail at that moment).
        bundle=$(bundle_path)
        served="${bundle%/*}/tls/current.pem"
        if [ ! -e "$served" ]; then served=$bundle; fi
        if [ -n "$served" ]; then echo "root $served;"; fi
        echo 'ssl_certificate $certkit_tls_file;'
        echo 'ssl_certificate_key $certkit_tls_file;'
        # A version file is never rewritten (a renewal is a new tls/N.pem, a new cache key), so the cache need not
        # look at it again; a bundle read by its own name is renamed over, so it is looked at each time.
        if [ "$loading" = cached ]; then
          if [ "$served" = "$bundle" ]; then valid=0s; else valid=1h; fi
          echo "ssl_certificate_cache max=64 inactive=60s valid=$valid;"
        fi
        ;;
      reload)
        echo "ssl_certificate $(bundle_path);"
        echo "ssl_certificate_key $(bundle_path);"
        ;;
      *) echo "certkit: CERTKIT_NGINX_TLS=$loading is not one of cached, handshake, reload" >&2; return 1 ;;
    esac
  } > "$run/tls-certificate.conf.new"
  mv -f "$run/tls-certificate.conf.new" "$run/tls-certificate.conf"
  # The other sites name their own tls/current.pem (`root` in their file) and include their own site-tls/ID.conf
  # (link_site_to writes it): in cached and handshake mode that file includes these loading lines, which need an nginx
  # that reads a certificate named by a variable (1.15.9 and later).
  {
    echo "# Written by entrypoint.sh for $nginx_v: the other sites' certificate lines"
    echo 'ssl_certificate $certkit_tls_file;'
    echo 'ssl_certificate_key $certkit_tls_file;'
    if [ "$loading" = cached ]; then echo 'ssl_certificate_cache max=1024 inactive=60s valid=1h;'; fi
  } > "$run/tls-loading.conf.new"
  mv -f "$run/tls-loading.conf.new" "$run/tls-loading.conf"
}

# Lines that depend on this nginx's version: the http block's (nginx.conf includes http-version.conf), and how a
# server listens on 443 with HTTP/2 (the site files include listen-https.conf or listen-https-default.conf): the
# `http2` parameter of listen is deprecated from 1.25.1 (a warning per server), and `http2 on` is unknown before.
write_http_version() {
  keepalive_min=${CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT:-1s}
  version=$(nginx_version)
  mkdir -p "$run"
  {
    echo "# Written by entrypoint.sh for $nginx_v"
    if [ "$version" -ge 1027004 ] && [ "$keepalive_min" != 0 ]; then echo "keepalive_min_timeout $keepalive_min;"; fi
  } > "$run/http-version.conf.new"
  mv -f "$run/http-version.conf.new" "$run/http-version.conf"
  for default in '' ' default_server'; do
    file="$run/listen-https${default:+-default}.conf"
    if [ "$version" -ge 1025001 ]; then
      printf 'listen 443 ssl%s;\nhttp2 on;\n' "$default" > "$file.new"
    else
      printf 'listen 443 ssl http2%s;\n' "$default" > "$file.new"
    fi
    mv -f "$file.new" "$file"
  done
}

# The other sites (nginx/sites/ID.https.conf and ID.http.conf, rendered by certkit): each linked in $run/sites/ to
# its HTTPS file once its certificate is deployed (the link its `root` names leads to a file), else to its HTTP file.
# A link whose site files are gone is removed. Prints the sites whose link changed; with plan_only=1, the sites whose
# link would change, changing nothing.
link_sites() {
  mkdir -p "$run/sites"
  # How the sites load their certificates: a site-tls/ID.conf written for another mode is stale, and every site linked
  # to HTTPS then counts as changed (its file is written again, and nginx must reload to take it).
  # The mode is recorded once every file is written (.loading): a run cut short writes them all again.
  loading=$(tls_loading)
  tls_stale=
  if [ "$(cat "$run/site-tls/.loading" 2>/dev/null)" != "$loading" ]; then
    tls_stale=1
    if [ "${plan_only:-}" != 1 ]; then rm -rf "$run/site-tls" && mkdir -p "$run/site-tls"; fi
  fi
  # One grep reads every site's certificate link (the `root` ending in /tls/current.pem; the first `root` is the ACME
  # webroot), and the rest are shell builtins: a thousand sites cost two processes, not three thousand. Each grep's
  # output is taken whole, one line a word (a site's path has no newline): `read` takes a system call per byte, which
  # cost half a second for a thousand sites. In a subshell, so IFS and link_site_to's variables stay there.
  (
    IFS='
'
    for line in $(grep -H -o -m 1 'root /[^;]*/tls/current\.pem;' "$here"/sites/*.https.conf 2>/dev/null); do
      file=${line%%:*}
      current=${line#*:root }
      link_site_to "$file" "${current%;}"
    done
    for file in $(grep -L 'root /[^;]*/tls/current\.pem;' "$here"/sites/*.https.conf 2>/dev/null); do
      link_site_to "$file" ""
    done
  )
  if [ -n "$tls_stale" ] && [ "${plan_only:-}" != 1 ]; then echo "$loading" > "$run/site-tls/.loading"; fi
  for link in "$run"/sites/*.conf; do
    if [ -L "$link" ] && [ ! -e "$link" ]; then
      [ "${plan_only:-}" = 1 ] || rm -f "$link"
      echo "$(basename "$link" .conf)"
    fi
  done
  [ "${plan_only:-}" = 1 ] || write_https_names
}

# The names of the sites linked to HTTPS whose file leaves plain HTTP to the one port-80 server they share
# (default-server.conf includes this file): the `# certkit-http-names:` line of each, read by one sed. A reserved
# name heads the list, so that server never has none.
write_https_names() {
  set --
  for link in "$run"/sites/*.conf; do
    id=${link##*/}
    id=${id%.conf}
    if [ "$link" -ef "$here/sites/$id.https.conf" ]; then set -- "$@" "$here/sites/$id.https.conf"; fi
  done
  {
    echo 'server_name certkit-https-sites.invalid;'
    if [ $# -gt 0 ]; then sed -n 's|^# certkit-http-names: \(server_name [^;]*;\)$|\1|p' "$@"; fi
  } > "$run/sites/https-names.inc.new"
  mv -f "$run/sites/https-names.inc.new" "$run/sites/https-names.inc"
}

# $1 a site's HTTPS file, $2 its certificate link: the site is linked to HTTPS once the link holds a certificate,
# else to its HTTP file; says the site's id when its link, or how it loads its certificate, changed.
link_site_to() {
  id=${1##*/}
  id=${id%.https.conf}
  if [ -n "$2" ] && [ -s "$2" ]; then want=$1; else want="$here/sites/$id.http.conf"; fi
  changed=
  if [ "$want" = "$1" ] && { [ -n "$tls_stale" ] || [ ! -e "$run/site-tls/$id.conf" ]; }; then
    if [ "${plan_only:-}" = 1 ]; then echo "$id"; return 0; fi
    write_site_tls "$id" "$2"
    changed=1
  fi
  if [ ! -L "$run/sites/$id.conf" ] || [ ! "$run/sites/$id.conf" -ef "$want" ]; then
    if [ "${plan_only:-}" = 1 ]; then echo "$id"; return 0; fi
    ln -sfn "$want" "$run/sites/.$id.conf.new" && mv -f "$run/sites/.$id.conf.new" "$run/sites/$id.conf"
    changed=1
  fi
  if [ -n "$changed" ]; then echo "$id"; fi
}

# $1 a site's id, $2 its certificate link: site-tls/ID.conf, which the site's HTTPS file includes. In reload mode the
# certificate is named by the link's fixed path, so the master opens it at each reload (no variable: an nginx before
# 1.15.9 can serve the site, and a full handshake costs what it costs with a static certificate; certkit reloads nginx
# after the site's renewal). Otherwise the loading lines every site shares (tls-loading.conf).
# Written in place when every site's file is written anew (a fresh folder, no process per site for a thousand sites),
# else renamed into place.
write_site_tls() {
  file="$run/site-tls/$1.conf"
  target=$file
  if [ -z "$tls_stale" ]; then target="$file.new"; fi
  if [ "$loading" = reload ]; then
    printf 'ssl_certificate %s;\nssl_certificate_key %s;\n' "$2" "$2" > "$target"
  else
    echo 'include /run/certkit-nginx/tls-loading.conf;' > "$target"
  fi
  if [ "$target" != "$file" ]; then mv -f "$target" "$file"; fi
}

# Links the other sites, keeping a copy of the links before: restore_sites puts them back when nginx refuses. When no
# link would change (most checks), nothing is copied: copying a thousand sites' links cost more than looking at them.
stage_sites() {
  rm -rf "$run/sites.before"
  mkdir -p "$run/sites"
  # No link changes, but a linked site's names may have (its HTTPS file rendered anew): the shared port-80 server's
  # list is written again either way.
  if [ -z "$(plan_only=1 link_sites)" ]; then write_https_names; return 0; fi
  cp -a "$run/sites" "$run/sites.before"
  link_sites
}

restore_sites() {
  if [ -d "$run/sites.before" ]; then rm -rf "$run/sites" && mv "$run/sites.before" "$run/sites"; fi
}

# Worker processes take their supplementary groups from /etc/group when nginx starts them (at start and at each
# reload), so membership added here reaches the workers that read the bundle.
join_key_readers() {
  line=$(awk -F: -v gid="$key_reader_gid" '$3 == gid' /etc/group)
  case ",$(echo "$line" | cut -d: -f4)," in *",$user,"*) [ -n "$line" ] && return 0 ;; esac
  if [ -z "$line" ]; then
    echo "certkit-keys:x:$key_reader_gid:$user" >> /etc/group
  else
    awk -F: -v OFS=: -v gid="$key_reader_gid" -v user="$user" '$3 == gid { $4 = ($4 == "" ? user : $4 "," user) } { print }' /etc/group > /etc/group.certkit-new
    cat /etc/group.certkit-new > /etc/group && rm -f /etc/group.certkit-new
  fi
}

check() {
  know_nginx
  write_tls_certificate
  write_http_version
  nginx -t -q -c "$here/nginx.conf" -g "$globals"
}

# With the certificate named through a variable, `nginx -t` does not open it: look for the bundle itself.
https_ready() {
  bundle=$(bundle_path)
  if [ -z "$bundle" ] || [ ! -s "$bundle" ]; then
    echo "certkit: no certificate bundle at ${bundle:-?} yet" >&2
    return 1
  fi
}

link_site() {
  mkdir -p "$run"
  ln -sfn "$here/site-$1.conf" "$run/site.conf.new"
  mv -f "$run/site.conf.new" "$run/site.conf"
}

# The mode select_site chose, after the other sites whose link it changed when asked (print_staged=1).
selected() {
  if [ "${print_staged:-}" = 1 ] && [ -n "$staged" ]; then echo "$staged" | sed '/^$/d'; fi
  echo "$1"
}

select_site() {
  previous=$(readlink "$run/site.conf" 2>/dev/null || true)
  for mode in $(if [ "$1" = auto ]; then echo https http; else echo "$1"; fi); do
    if [ ! -f "$here/site-$mode.conf" ]; then
      echo "certkit: $here/site-$mode.conf is missing; run 'npx certkit render' (or start the certkit-init service)" >&2
      continue
    fi
    if [ "$mode" = https ] && ! https_ready 2>/dev/null; then
      if [ "$1" != auto ]; then https_ready; fi
      continue
    fi
    link_site "$mode"
    staged=$(stage_sites)
    if [ "$1" = auto ] && [ "$mode" = https ]; then
      if check 2>/dev/null; then selected "$mode"; return 0; fi
    elif check; then
      selected "$mode"
      return 0
    fi
    restore_sites
  done
  if [ -n "$previous" ]; then ln -sfn "$previous" "$run/site.conf.new" && mv -f "$run/site.conf.new" "$run/site.conf"; fi
  return 1
}

case "${1:-run}" in
  select)
    print_staged=1
    select_site "${2:?usage: entrypoint.sh select https|http|auto}"
    ;;
  check)
    check
    ;;
  tls)
    know_nginx
    tls_loading
    ;;
  sites)
    changed=$(stage_sites)
    # No link changed: nothing new for nginx -t to see (a reload still runs it, through select).
    if [ -z "$changed" ]; then exit 0; fi
    if check; then echo "$changed" | sed '/^$/d'; else restore_sites; exit 1; fi
    ;;
  health)
    check
    wget -S -O /dev/null "http://127.0.0.1/.well-known/acme-challenge/certkit-health" 2>&1 | grep -q 'HTTP/' \
      || { echo "certkit: nginx does not answer HTTP on port 80" >&2; exit 1; }
    # Whether nginx runs the files on disk, asked of nginx: the stamp of the rendering it loaded (see the site files).
    rendered=$(sed -n 's|^ *return 200 "\(certkit-config [0-9a-f]*\)\\n";$|\1|p' "$run/site.conf" | head -n 1)
    served=$(wget -q -O - "http://127.0.0.1/.well-known/acme-challenge/certkit-config" 2>/dev/null || true)
    if [ -n "$rendered" ] && [ "$served" != "$rendered" ]; then
      echo "certkit: nginx runs ${served:-a configuration with no stamp}, not the rendered $rendered: run 'npx certkit update' (it reloads nginx after nginx -t)" >&2
      exit 1
    fi
    ;;
  *)
    join_key_readers || echo "certkit: could not add $user to group $key_reader_gid in /etc/group; nginx's workers may not read the certificate" >&2
    mode=$(select_site auto) || { echo "certkit: no site configuration nginx can load" >&2; exit 1; }
    echo "certkit: nginx starts with the $mode site" >&2
    exec nginx -c "$here/nginx.conf" -g "$globals daemon off;"
    ;;
esac
