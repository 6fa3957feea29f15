# Stand-in for certbot/certbot: Debian's certbot 2.1 on the debootstrapped base. Same entrypoint as the official image.
ARG BASE
FROM ${BASE}
ENTRYPOINT ["certbot"]
