#!/usr/bin/env bash
# Installs the system tools the tests need, when missing, from Debian packages: nats-server, ip (iproute2, for
# the partition test's network namespaces), kubectl (kustomize, for the manifest tests), chromium (browser
# tests), and podman, runc and debootstrap (the image test builds and runs deploy/Dockerfile, on a base image
# it makes itself). Used by `make test` and by .ci/run.
#   scripts/install-tools.sh            warn about what could not be installed (no apt-get, no root or sudo)
#   scripts/install-tools.sh --strict   fail instead (CI: a missing tool must not pass unnoticed)
set -uo pipefail
strict=""
[ "${1:-}" = "--strict" ] && strict=1
export DEBIAN_FRONTEND=noninteractive
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
apt_updated=""
missing=()

have() { # on PATH, or in the sbin folders a non-root PATH may lack (runc, debootstrap)
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

need() { # need <command> <debian package...>: installs the first package that provides the command
  have "$1" && return 0
  local cmd=$1; shift
  if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || command -v sudo >/dev/null 2>&1; }; then
    [ -n "$apt_updated" ] || { $sudo apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; }
    for pkg in "$@"; do
      echo "installing Debian's $pkg (for $cmd)"
      $sudo apt-get install -y -qq "$pkg" >/dev/null 2>&1 && have "$cmd" && return 0
    done
  fi
  missing+=("$cmd (Debian: $*)")
}

need nats-server nats-server
need ip iproute2
need kubectl kubectl kubernetes-client
need chromium chromium
need podman podman
need runc runc
need debootstrap debootstrap

if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do echo "install-tools: could not install $m" >&2; done
  if [ -n "$strict" ]; then exit 1; fi
  echo "install-tools: the tests that need these say what to install (README, Manual set-up)" >&2
fi
exit 0
