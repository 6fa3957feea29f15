# Stand-in for the official Pebble image (ghcr.io/letsencrypt/pebble): the binary is the entrypoint, so the compose
# file passes only arguments, and the listener's TLS certificate sits in the same /test/certs layout. It is made here
# with openssl because Debian's package does not ship Pebble's test certificates.
ARG BASE
FROM ${BASE}
RUN mkdir -p /test/certs/localhost \
 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj /CN=pebble -addext "subjectAltName=DNS:pebble,DNS:localhost,IP:127.0.0.1" \
      -keyout /test/certs/localhost/key.pem -out /test/certs/localhost/cert.pem 2>/dev/null
ENTRYPOINT ["/usr/bin/pebble"]
