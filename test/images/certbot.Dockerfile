# Stand-in for certbot/certbot: Debian's certbot on the debootstrapped base. Same entrypoint as the official image,
# and the same shell and tools as its Alpine base: busybox ash is /bin/sh and busybox applets come first in PATH
# (cat, cp, ln, mv, readlink, tail, ...), with no openssl, curl or wget beyond busybox's own. See CONTRIBUTING.md.
# The base carries the dns-rfc2136 plugin for certbot-dns-rfc2136.Dockerfile; certbot/certbot has no DNS plugin.
ARG BASE
FROM ${BASE}
RUN /bin/busybox --install -s /usr/local/bin && ln -sf /bin/busybox /bin/sh && rm -f /usr/bin/openssl /usr/bin/curl \
 && rm -rf /usr/lib/python3/dist-packages/certbot_dns_rfc2136 /usr/lib/python3/dist-packages/certbot_dns_rfc2136-*
ENTRYPOINT ["certbot"]
