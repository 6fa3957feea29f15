# Stand-in for the official pebble-challtestsrv image: Debian's binary from the same package as Pebble, as the
# entrypoint (the compose file passes only arguments).
ARG BASE
FROM ${BASE}
ENTRYPOINT ["/usr/bin/pebble-challtestsrv"]
