# Stand-in for the official nginx image: Debian's nginx-light, same command and stop signal.
ARG BASE
FROM ${BASE}
# The official nginx:alpine has busybox's wget (its healthcheck uses it); so does this one.
RUN ln -s /bin/busybox /usr/local/bin/wget
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
