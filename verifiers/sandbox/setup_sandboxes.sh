#!/usr/bin/env bash
# Make this machine able to run code sandboxes; idempotent, run as root. Installs Docker, bubblewrap
# and debootstrap (plus node, bash and sqlite3 on the host for syntax checks), starts dockerd by hand
# when it is not running (no systemd here; cgroup v1), then builds the `bestofn-sandbox` image
# unless it exists. Usage: verifiers/sandbox/setup_sandboxes.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log() { echo "[setup_sandboxes] $*"; }

need=()
for pair in dockerd:docker.io bwrap:bubblewrap debootstrap:debootstrap node:nodejs sqlite3:sqlite3 \
            setpriv:util-linux prlimit:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package lists only when apt has none yet, or when the install fails on stale ones.
  if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then apt-get update -qq; fi
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi

# A dockerd killed earlier (e.g. at the end of a previous session) leaves pid files behind that stop
# a new one from starting; drop them when the process they name is gone or a zombie.
stale_pid() {
  local f=$1 pid state
  [ -f "$f" ] || return 1
  pid=$(cat "$f" 2>/dev/null) || return 0
  state=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ')
  [ -z "$state" ] || [[ "$state" == Z* ]]
}
if ! docker info >/dev/null 2>&1; then
  for f in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if stale_pid "$f"; then rm -f "$f"; fi
  done
  log "starting dockerd (log: /var/log/bestofn-dockerd.log)"
  nohup dockerd >/var/log/bestofn-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -n 20 /var/log/bestofn-dockerd.log; log "dockerd did not start"; exit 1; }
fi

"$here/build_docker.sh"
log "ready: docker $(docker version --format '{{.Server.Version}}'), $(bwrap --version)"
