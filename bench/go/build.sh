#!/bin/sh
# Builds the Go peer (bench/go/natspeer) into bench/go/bin/natspeer, offline, in GOPATH mode against
# Debian's nats.go (golang-github-nats-io-go-nats-dev, installed under /usr/share/gocode).
# Exit 0: built.  Exit 3: Go or the nats.go package is missing (one line says so).  Other: build error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gocode=${GOCODE:-/usr/share/gocode}
if ! command -v go >/dev/null 2>&1 || [ ! -f "$gocode/src/github.com/nats-io/nats.go/bench/bench.go" ]; then
  echo "Go peer skipped: golang-go / golang-github-nats-io-go-nats-dev not installed"
  exit 3
fi
# GOPATH mode: a throwaway GOPATH whose src/natspeer links to our source, then Debian's gocode.
work=$(mktemp -d "${TMPDIR:-/tmp}/natspeer-gopath.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$here/bin"
ln -s "$here/natspeer" "$work/src/natspeer"
cd "$work/src/natspeer"
# Keep a build cache between runs (compiling the standard library from cold takes ~1 min on 2 cores).
cache=$(go env GOCACHE 2>/dev/null || true)
[ -n "$cache" ] && [ "$cache" != off ] || cache="${TMPDIR:-/tmp}/natspeer-gocache"
GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$work:$gocode" GOCACHE="$cache" \
  go build -trimpath -o "$here/bin/natspeer" .
echo "built $here/bin/natspeer ($(go version | cut -d' ' -f3))"
