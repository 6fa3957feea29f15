# Stand-in for the official Pebble image: same binary path and the same /test/certs layout for the listener's TLS
# certificate, made here with openssl because Debian's package does not ship Pebble's test certificates.
ARG BASE
FROM ${BASE}
RUN mkdir -p /test/certs/localhost \
 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj /CN=pebble -addext "subjectAltName=DNS:pebble,DNS:localhost,IP:127.0.0.1" \
      -keyout /test/certs/localhost/key.pem -out /test/certs/localhost/cert.pem 2>/dev/null
CMD ["/usr/bin/pebble"]
