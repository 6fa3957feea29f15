# Stand-in for the official nginx image (Alpine variant): Debian's nginx, same command and stop signal, busybox ash as
# /bin/sh and busybox applets first in PATH, with no openssl CLI. See CONTRIBUTING.md for what the kit runs in it.
ARG BASE
FROM ${BASE}
RUN /bin/busybox --install -s /usr/local/bin && ln -sf /bin/busybox /bin/sh && rm -f /usr/bin/openssl /usr/bin/curl
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
