# Sourced by test/images/build.sh and .ci/run. The Debian mirror comes from this machine's own apt configuration
# (deb822 or one-line format), never from the repo. The mirror that serves bookworm here also serves trixie and sid,
# so the lookup is by the suite the machine's sources name (bookworm), whatever suite is then fetched from it.
debian_mirror() {
  local suite=${1:-bookworm} uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && u!="" && $0 ~ /(^| )'"$suite"'( |$)/ {print u; exit}' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 ~ / '"$suite"' / {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
      /etc/apt/sources.list || true)
  fi
  [ -n "$uri" ] || { printf 'no Debian mirror for %s found in /etc/apt/sources.list{,.d}; add one and retry\n' "$suite" >&2; return 1; }
  printf '%s\n' "$uri"
}
