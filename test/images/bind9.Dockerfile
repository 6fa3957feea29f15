# An authoritative DNS server for the DNS-01 e2e: Debian's bind9 (9.18 on bookworm, 9.20 on sid), in the foreground,
# as root, reading the named.conf the test mounts at /etc/certkit-dns/ (zone, TSIG key, update policy).
ARG BASE
FROM ${BASE}
ENTRYPOINT ["/usr/sbin/named", "-g", "-c", "/etc/certkit-dns/named.conf"]
