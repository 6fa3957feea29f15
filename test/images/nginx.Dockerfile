# Stand-in for the official nginx image: Debian's nginx-light, same command and stop signal.
ARG BASE
FROM ${BASE}
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
