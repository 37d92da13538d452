#!/usr/bin/env bash
# Makes the base image deploy/Dockerfile starts from, docker.io/library/node:24-bookworm-slim, locally in podman
# when no container registry is reachable: Debian bookworm (debootstrap --variant=minbase, from the Debian
# mirror apt uses), the pinned Node 24 and npm from the npm registry (scripts/install-node.sh --pinned) in
# /usr/local as in the official image, and its `node` user (uid and gid 1000). Tagged under the official name,
# so deploy/Dockerfile builds unchanged. Needs root (debootstrap, chroot) and podman.
#   scripts/node-base-image.sh        make it unless podman already holds this recipe's image
# The root file system is cached as a tar in .tools/images/ (LT_IMAGE_CACHE overrides), so making it again
# after `podman rmi` or on a fresh podman store takes seconds instead of a debootstrap (~1 min).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
TAG=docker.io/library/node:24-bookworm-slim
SUITE=bookworm
# Bump when the recipe below changes, so cached file systems and imported images of the old recipe are remade.
RECIPE_VERSION=1
cache="${LT_IMAGE_CACHE:-$root/.tools/images}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/scripts/podman-containers.conf}"
podman=(podman --runtime runc --cgroup-manager cgroupfs)

[ "$(id -u)" = 0 ] || { echo "node-base-image: needs root (debootstrap and chroot)" >&2; exit 1; }
for c in podman debootstrap; do
  command -v "$c" >/dev/null 2>&1 || { echo "node-base-image: $c not found (scripts/install-tools.sh installs it)" >&2; exit 1; }
done

prefix=$("$root/scripts/install-node.sh" --pinned)
node_version=$("$prefix/bin/node" -p process.versions.node)
npm_version=$("$prefix/bin/node" "$prefix/lib/node_modules/npm/bin/npm-cli.js" --version)
recipe="$SUITE-minbase/node-$node_version/npm-$npm_version/r$RECIPE_VERSION"

have=$("${podman[@]}" image inspect --format '{{index .Labels "lt.base-recipe"}}' "$TAG" 2>/dev/null || true)
if [ "$have" = "$recipe" ]; then
  echo "node-base-image: $TAG ($recipe) is already in podman"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one maker at a time; a second one waits, then finds the tar in the cache
tarball="$cache/node-$node_version-npm-$npm_version-$SUITE-minbase-r$RECIPE_VERSION.tar"

if [ ! -f "$tarball" ]; then
  # The first URI apt uses for Debian's main archive (deb822 .sources or a classic sources.list line).
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  work=$(mktemp -d "$cache/.rootfs-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/root"
  echo "node-base-image: debootstrap --variant=minbase $SUITE from $mirror"
  # Its downloaded packages are kept too, so a new recipe debootstraps without fetching them again.
  mkdir -p "$cache/debs"
  debootstrap --variant=minbase --cache-dir="$cache/debs" "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    echo "node-base-image: debootstrap failed (log above)" >&2
    exit 1
  }
  # Node and npm where the official image has them.
  install -m 0755 "$prefix/bin/node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$prefix/lib/node_modules/npm" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  chroot "$rootfs" node --version >/dev/null
  # What the official slim image leaves out too: package lists, apt and debootstrap caches, docs.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/debootstrap
  tar --numeric-owner -C "$rootfs" -cf "$work/rootfs.tar" .
  mv "$work/rootfs.tar" "$tarball"
  rm -rf "$work"
  trap - EXIT
fi

echo "node-base-image: podman import $TAG from ${tarball#"$root"/}"
"${podman[@]}" import \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL lt.base-recipe=$recipe" \
  --change 'CMD ["node"]' \
  "$tarball" "$TAG" >/dev/null
echo "node-base-image: $TAG ($recipe) ready"
