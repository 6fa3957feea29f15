# Stand-in for prom/prometheus: Debian's prometheus and promtool binaries on the debootstrapped base.
ARG BASE
FROM ${BASE}
COPY prometheus promtool /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/tmp/prometheus"]
