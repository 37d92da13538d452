# Two commands set up everything: `make demo` and `make test`. Every target installs what it needs.
SHELL := /bin/bash
NPM ?= npm

.PHONY: all node deps nats-server tools build demo test test-unit lint typecheck bench image base-image deploy undeploy clean

all: build

# Node 24 LTS runs everything below (npm, tsc, the tests and every node they spawn, bin/ scripts through their
# `#!/usr/bin/env node`): the node on PATH when it is 24 or newer, else the pinned build scripts/install-node.sh
# puts in .tools/ from the npm registry, put first on PATH here.
NODE_BIN := $(shell scripts/install-node.sh --path)
ifneq ($(NODE_BIN),)
export PATH := $(NODE_BIN):$(PATH)
endif

node:
	@scripts/install-node.sh

# npm dependencies, installed once per change of package-lock.json.
node_modules/.installed: package.json package-lock.json | node
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed nats-server

# nats-server from Debian's package when none is on PATH (other OSes: see README, "Manual set-up").
nats-server:
	@command -v nats-server >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's nats-server package"; \
	    $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	    $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq nats-server; \
	  else echo "nats-server not found: install it (see README, Manual set-up)"; exit 1; fi; }

# Everything the tests use besides npm packages (nats-server, iproute2, kubectl, chromium), from Debian's
# packages when missing; elsewhere it says what to install.
tools:
	@scripts/install-tools.sh

# Compiles only when a source changed since the last successful build, so `make test` compiles once.
build: node_modules/.installed
	@node scripts/build.mjs --if-stale

demo: deps build
	./bin/ltctl demo

test: deps tools build
	$(NPM) test

test-unit: deps build
	$(NPM) run test:unit

lint: node_modules/.installed
	$(NPM) run lint
	$(NPM) run typecheck

bench: deps build
	$(NPM) run bench

clean:
	rm -rf dist test-results

# Deployment (docs/deploy.md). Variables: IMAGE, NAMESPACE, REPLICAS, NATS_URL, CREDS, OVERLAY, DOCKER, KUBECTL.
IMAGE ?= nats-lt:latest
DOCKER ?= docker
# DOCKER=podman builds the way the image test does: with the runtime flags measured to work where crun cannot
# run (runc, cgroupfs, no default ulimits: scripts/podman-containers.conf), in Docker's image format (OCI drops
# the HEALTHCHECK), and with no network: npm ci in the build reads a cache the host's npm fills
# (scripts/image-npm-cache.sh), so proxies, registry CAs and credentials stay on the host. PODMAN_FLAGS and
# PODMAN_BUILD_FLAGS override them.
PODMAN_FLAGS ?= --runtime runc --cgroup-manager cgroupfs
PODMAN_BUILD_FLAGS ?= --format docker --network none --env npm_config_offline=true
image:
	@command -v $(DOCKER) >/dev/null 2>&1 || { echo "make image: '$(DOCKER)' not found; install Docker or set DOCKER=podman" >&2; exit 1; }
ifeq ($(notdir $(DOCKER)),podman)
	@export CONTAINERS_CONF="$${CONTAINERS_CONF:-$(CURDIR)/scripts/podman-containers.conf}"; \
	  $(DOCKER) $(PODMAN_FLAGS) info >/dev/null 2>&1 || { echo "make image: '$(DOCKER) $(PODMAN_FLAGS) info' failed" >&2; exit 1; }; \
	  cache=$$(scripts/image-npm-cache.sh) && \
	  set -x && $(DOCKER) $(PODMAN_FLAGS) build $(PODMAN_BUILD_FLAGS) --volume "$$cache:/root/.npm" -f deploy/Dockerfile -t $(IMAGE) .
else
	@$(DOCKER) info >/dev/null 2>&1 || { echo "make image: no container engine answers ('$(DOCKER) info' failed); start one" >&2; exit 1; }
	$(DOCKER) build -f deploy/Dockerfile -t $(IMAGE) .
endif

# deploy/Dockerfile's base image (node:24-bookworm-slim) made locally in podman from Debian's packages and the
# npm registry, for machines that reach no container registry (needs root and debootstrap).
base-image:
	scripts/node-base-image.sh

deploy:
	IMAGE='$(IMAGE)' NAMESPACE='$(NAMESPACE)' REPLICAS='$(REPLICAS)' NATS_URL='$(NATS_URL)' CREDS='$(CREDS)' \
	  OVERLAY='$(OVERLAY)' KUBECTL='$(KUBECTL)' deploy/k8s-deploy.sh apply

undeploy:
	IMAGE='$(IMAGE)' NAMESPACE='$(NAMESPACE)' REPLICAS='$(REPLICAS)' NATS_URL='$(NATS_URL)' CREDS='$(CREDS)' \
	  OVERLAY='$(OVERLAY)' KUBECTL='$(KUBECTL)' deploy/k8s-deploy.sh delete
