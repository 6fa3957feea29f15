# A Node runtime for certkit's own container: this host's node binary on the debootstrapped base.
ARG BASE
FROM ${BASE}
COPY node /usr/local/bin/node
CMD ["node"]
