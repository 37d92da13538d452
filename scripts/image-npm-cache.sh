#!/usr/bin/env bash
# An npm cache holding everything package-lock.json installs, for building deploy/Dockerfile with no network
# (`podman build --network none --volume <cache>:/root/.npm --env npm_config_offline=true`, as the image test
# does). Filled by a throwaway `npm ci` on the host, which downloads only what the cache lacks; skipped while
# package-lock.json is unchanged. A folder of its own, not ~/.npm: the user's cache may hold a package's
# metadata only in the form `npm view` asked for, which an offline `npm ci` cannot use, and the build writes
# into the cache it is given.
#   scripts/image-npm-cache.sh    fill it when needed; print its path (.tools/npm-cache; LT_IMAGE_NPM_CACHE overrides)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="${LT_IMAGE_NPM_CACHE:-$root/.tools/npm-cache}"
stamp="$cache/.filled-for"
want=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp "$root/package.json" "$root/package-lock.json" "$work/"
  echo "image-npm-cache: filling ${cache#"$root"/} for package-lock.json" >&2
  (cd "$work" && npm ci --cache "$cache" --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  echo "$want" >"$stamp"
fi
echo "$cache"
