#!/bin/sh
# Worker container entrypoint. Started as root (compose: `user: "0"` with CAP_SYS_ADMIN) it hands the
# container's own cgroup v2 subtree to the `llmcourse` user, then drops to that user for good (no
# capabilities, empty bounding set, no_new_privs) before the worker starts; started as `llmcourse` (the
# image's USER) it starts the worker as it is, and the worker's sandbox self-check reports what is missing.
#
# Layout it creates inside the container's private cgroup namespace (the kernel's delegation model):
#   /sys/fs/cgroup/init           every process that was in the container's root cgroup (root-owned)
#   /sys/fs/cgroup/llmcourse      delegated to llmcourse: memory + pids controllers enabled for children
#   /sys/fs/cgroup/llmcourse/worker   the worker itself; each sandbox run gets llmcourse/llmcourse-<id>
set -eu
WORKER_USER="${LLMCOURSE_WORKER_USER:-llmcourse}"
CG=/sys/fs/cgroup

say() { echo "worker-entrypoint: $*" >&2; }

delegate_cgroup() {
  if [ ! -f "$CG/cgroup.controllers" ]; then
    say "no cgroup v2 at $CG (cgroup v1 host?): sandbox memory/pids limits need cgroup v2 delegation"
    return 0
  fi
  if ! awk '$2 == "/sys/fs/cgroup" && $3 == "cgroup2" { split($4, o, ","); if (o[1] == "rw") found = 1 } END { exit !found }' /proc/mounts; then
    # Docker mounts a private cgroup namespace read-only; remounting needs CAP_SYS_ADMIN, held only here.
    mount -o remount,rw "$CG" 2>/dev/null || { say "cannot remount $CG read-write (needs cap_add: SYS_ADMIN and cgroup: private)"; return 0; }
  fi
  mkdir -p "$CG/init" "$CG/llmcourse"
  # cgroup v2 "no internal processes": the root cgroup must be empty before it can enable controllers.
  for pid in $(cat "$CG/cgroup.procs"); do echo "$pid" > "$CG/init/cgroup.procs" 2>/dev/null || true; done
  for controller in memory pids cpu; do
    echo "+$controller" > "$CG/cgroup.subtree_control" 2>/dev/null || say "controller $controller not available"
  done
  chown "$WORKER_USER" "$CG/llmcourse" "$CG/llmcourse/cgroup.procs" "$CG/llmcourse/cgroup.threads" \
    "$CG/llmcourse/cgroup.subtree_control"
  mkdir -p "$CG/llmcourse/worker"
  chown "$WORKER_USER" "$CG/llmcourse/worker" "$CG/llmcourse/worker/cgroup.procs" "$CG/llmcourse/worker/cgroup.threads"
  echo $$ > "$CG/llmcourse/worker/cgroup.procs"
  for controller in memory pids cpu; do
    echo "+$controller" > "$CG/llmcourse/cgroup.subtree_control" 2>/dev/null || true
  done
  export LLMCOURSE_CGROUP_PARENT="$CG/llmcourse"
}

if [ "$(id -u)" = 0 ]; then
  delegate_cgroup
  chown "$WORKER_USER" /data 2>/dev/null || true
  exec setpriv --reuid="$WORKER_USER" --regid="$WORKER_USER" --init-groups --inh-caps=-all \
    --ambient-caps=-all --bounding-set=-all --no-new-privs -- "$@"
fi
if [ -z "${LLMCOURSE_CGROUP_PARENT:-}" ] && [ -w "$CG/llmcourse/cgroup.procs" ]; then
  export LLMCOURSE_CGROUP_PARENT="$CG/llmcourse"
fi
exec "$@"
