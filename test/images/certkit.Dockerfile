# The certkit app on the stand-in Node runtime: built output, templates and production dependencies.
ARG BASE
FROM ${BASE}
WORKDIR /opt/certkit
COPY . /opt/certkit/
ENTRYPOINT ["node", "/opt/certkit/bin/certkit.js"]
CMD ["daemon"]
