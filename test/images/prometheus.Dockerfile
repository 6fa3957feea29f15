# Stand-in for prom/prometheus: Debian's prometheus and promtool binaries on the debootstrapped base, with busybox's
# applets (wget, no curl) in PATH as in the official busybox-based image.
ARG BASE
FROM ${BASE}
RUN /bin/busybox --install -s /usr/local/bin
COPY prometheus promtool /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/tmp/prometheus"]
