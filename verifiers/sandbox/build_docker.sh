#!/usr/bin/env bash
# Build the `bestofn-sandbox` image without any image registry (none is reachable here):
# debootstrap a minimal Debian root filesystem from the host's own apt mirror, `docker import` it,
# then a small Dockerfile adds the non-root user. Usage: verifiers/sandbox/build_docker.sh [--force]
set -euo pipefail

IMAGE="${BESTOFN_SANDBOX_IMAGE:-bestofn-sandbox}"
BASE="${IMAGE}-base"
CACHE="${BESTOFN_DEBOOTSTRAP_CACHE:-/var/cache/bestofn-debootstrap}"
PACKAGES="python3,nodejs,bash,sqlite3,ca-certificates"
here="$(cd "$(dirname "$0")" && pwd)"

if [ "${1:-}" != "--force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "image $IMAGE exists (use --force to rebuild)"
  exit 0
fi

# The mirror apt already uses on this host (deb822 or one-line form); debootstrap must use the same.
mirror="${BESTOFN_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' \
           | grep -v security | head -n 1 || true)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(grep -hE '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n 1 || true)
fi
mirror="${mirror:-http://deb.debian.org/debian}"
suite="${BESTOFN_DEBIAN_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}"

root="$(mktemp -d /tmp/bestofn-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$CACHE"
echo "debootstrap $suite from $mirror into $root"
debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$CACHE" "$suite" "$root" "$mirror" \
  > "$root.log" 2>&1 || { tail -n 30 "$root.log"; exit 1; }
rm -f "$root.log"

# Nothing the sandbox needs: documentation, caches, package lists.
rm -rf "$root"/usr/share/{doc,man,info,locale} "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
       "$root"/var/log/*

tar -C "$root" -c . | docker import - "$BASE" >/dev/null
docker build --network none -q --build-arg BASE="$BASE" -t "$IMAGE" -f "$here/Dockerfile.sandbox" "$here" >/dev/null
docker image rm "$BASE" >/dev/null 2>&1 || true
echo "built $IMAGE"
