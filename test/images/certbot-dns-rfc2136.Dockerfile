# Stand-in for the official certbot/dns-rfc2136 image: the certbot stand-in (see certbot.Dockerfile) with Debian's
# python3-certbot-dns-rfc2136 plugin, which the base already holds.
ARG BASE
FROM ${BASE}
RUN /bin/busybox --install -s /usr/local/bin && ln -sf /bin/busybox /bin/sh && rm -f /usr/bin/openssl /usr/bin/curl
ENTRYPOINT ["certbot"]
