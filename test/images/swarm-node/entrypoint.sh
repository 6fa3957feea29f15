#!/bin/sh
# A Swarm node's engine. dockerd is started again when it exits, so a test restarts a node's engine (not the node)
# with `kill $(cat /var/run/docker.pid)`; a SIGTERM to this script stops dockerd and ends the node.
# /var/lib/docker is a volume (overlay2 cannot sit on the container's own overlay root). Where /run/certkit-node is
# mounted from the host, the engine also listens on a socket there: the host drives a manager without any port.
set -u
# What --privileged would give (the test cannot use it: docs/swarm.md, "Multi-node test"): /sys and the cgroup
# hierarchies writable, so this engine can make its containers' cgroups.
mount -o remount,rw /sys 2>/dev/null || true
for hierarchy in /sys/fs/cgroup /sys/fs/cgroup/*; do
  mountpoint -q "$hierarchy" && mount -o remount,bind,rw "$hierarchy" 2>/dev/null
done
mountpoint -q /sys/kernel/security 2>/dev/null || mount -t securityfs none /sys/kernel/security 2>/dev/null || true
pid=
stopping=
stop() {
  stopping=1
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
}
trap stop TERM INT
while [ -z "$stopping" ]; do
  set -- --host unix:///var/run/docker.sock --storage-driver overlay2 --log-level warn
  [ -d /run/certkit-node ] && set -- "$@" --host unix:///run/certkit-node/docker.sock
  rm -f /var/run/docker.pid
  dockerd "$@" >>/var/log/dockerd.log 2>&1 &
  pid=$!
  wait "$pid"
  # wait returns early when a trapped signal arrives: wait again for dockerd to finish stopping its containers.
  while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
  pid=
  [ -n "$stopping" ] || { printf 'dockerd exited; starting it again\n' >>/var/log/dockerd.log; sleep 1; }
done
