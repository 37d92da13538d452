// deploy/Dockerfile built and run for real, with Debian's podman and no registry: the base image
// node:24-bookworm-slim is made locally (scripts/node-base-image.sh: debootstrap + the npm registry's Node 24),
// the build runs with no network at all (--network none, npm from a cache filled on the host), and the agent
// container runs on the host network against a test nats-server: /healthz, its HEALTHCHECK, uid 1000, a config
// pushed with bin/ltctl that it runs, and a clean end on SIGTERM (podman stop). Skipped, saying why, only where
// podman cannot run (not Linux, not installed, not root); with LT_REQUIRE_CONTAINERS=1 (.ci/run) that fails
// instead. A first run makes the base image (a few minutes, cached in .tools/images/); later runs take about
// one build (see the timings this test prints).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { faultConfig, ltctl, SKIP_UNBUILT, until } from "../harness/agents.ts";
import { podman, podmanUnavailable, type Ran, script } from "../harness/containers.ts";
import { freePort, type NatsNode, startServer } from "../harness/index.ts";

const IMAGE = "localhost/nats-lt:test";
const POD = "image-0";
const CONTAINER = `lt-image-test-${process.pid}`;
// Budgets, not expectations: debootstrap took 40 s to 2.5 min here depending on the mirror and the load, the
// build 1.5 min cold, and the machine is shared; a hung step still ends the test.
const BASE_IMAGE_BUDGET_MS = 12 * 60_000;
const NPM_CACHE_BUDGET_MS = 5 * 60_000;
const BUILD_BUDGET_MS = 12 * 60_000;
const SETUP_BUDGET_MS = BASE_IMAGE_BUDGET_MS + NPM_CACHE_BUDGET_MS + BUILD_BUDGET_MS + 2 * 60_000;
// What the manifests give an agent to drain on SIGTERM (docs/deploy.md); podman stop SIGKILLs after it.
const STOP_GRACE_S = 45;
// A first build above this is worth saying out loud in CI's log (it is most of the suite's added time).
const SLOW_FIRST_BUILD_MS = 3 * 60_000;

const unavailable = SKIP_UNBUILT || (await podmanUnavailable());
const required = process.env.LT_REQUIRE_CONTAINERS === "1";

function must(what: string, r: Ran): string {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  return r.stdout;
}

describe("container - the image", { skip: required ? false : unavailable }, () => {
  const timings: string[] = [];
  let server: (NatsNode & AsyncDisposable) | undefined;
  let nc: NatsConnection | undefined;
  let httpPort = 0;
  let tmp = "";

  before(
    async () => {
      if (unavailable) throw new Error(`LT_REQUIRE_CONTAINERS=1, but ${unavailable}`);
      tmp = mkdtempSync(join(tmpdir(), "lt-image-"));
      const base = await script("node-base-image.sh", BASE_IMAGE_BUDGET_MS);
      must("scripts/node-base-image.sh", base);
      timings.push(`base image ${(base.ms / 1000).toFixed(1)} s (${base.stdout.trim().split("\n").at(-1)})`);
      const cache = await script("image-npm-cache.sh", NPM_CACHE_BUDGET_MS);
      const npmCache = must("scripts/image-npm-cache.sh", cache).trim();
      timings.push(`npm cache ${(cache.ms / 1000).toFixed(1)} s`);
      const build = await podman(
        [
          "build",
          "--network",
          "none",
          "--volume",
          `${npmCache}:/root/.npm`,
          "--env",
          "npm_config_offline=true",
          // Docker's image format: OCI images have no HEALTHCHECK, and podman would drop it.
          "--format",
          "docker",
          "-f",
          "deploy/Dockerfile",
          "-t",
          IMAGE,
          ".",
        ],
        BUILD_BUDGET_MS,
      );
      must("podman build --network none -f deploy/Dockerfile", build);
      const slow = build.ms > SLOW_FIRST_BUILD_MS ? " (over 3 min)" : "";
      timings.push(`offline build ${(build.ms / 1000).toFixed(1)} s${slow}`);
      server = await startServer();
      nc = await connect({ servers: server.url });
      httpPort = await freePort();
      const started = await podman([
        "run",
        "--detach",
        "--name",
        CONTAINER,
        "--network",
        "host",
        "--env",
        `LT_HTTP_PORT=${httpPort}`,
        "--env",
        "LT_HTTP_HOST=127.0.0.1",
        IMAGE,
        "--server",
        server.url,
        "--pod",
        POD,
        "--heartbeat-ms",
        "300",
      ]);
      must("podman run", started);
    },
    { timeout: SETUP_BUDGET_MS },
  );

  after(async () => {
    await podman(["rm", "--force", CONTAINER]);
    await nc?.close().catch(() => {});
    await server?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("container - the image built offline on node:24-bookworm-slim runs Node 24 as the node user, lt-agent as entry point, with its HEALTHCHECK", async (t) => {
    for (const line of timings) t.diagnostic(line);
    // podman's inspect puts the Docker-format HEALTHCHECK beside the OCI config, not in it.
    const [inspected] = JSON.parse(
      must("podman image inspect", await podman(["image", "inspect", IMAGE])),
    ) as {
      Config: { User?: string; Entrypoint?: string[]; StopSignal?: string };
      Healthcheck?: { Test?: string[] };
    }[];
    assert.ok(inspected, "the image exists");
    assert.equal(inspected.Config.User, "node");
    assert.deepEqual(inspected.Config.Entrypoint, ["/app/bin/lt-agent"]);
    assert.equal(inspected.Config.StopSignal, "SIGTERM");
    assert.match((inspected.Healthcheck?.Test ?? []).join(" "), /\/healthz/, "the HEALTHCHECK is kept");
    const version = must(
      "node --version in the image",
      await podman(["run", "--rm", "--network", "host", "--entrypoint", "node", IMAGE, "--version"]),
    );
    assert.match(version.trim(), /^v24\./);
  });

  it("container - the agent container answers /healthz, runs as uid 1000 and its HEALTHCHECK passes", async () => {
    const health = await until(
      "the container's /healthz",
      async () => {
        const r = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
        return r.ok ? ((await r.json()) as Record<string, unknown>) : false;
      },
      30_000,
    );
    assert.equal(health.control_plane, "connected");
    // The agent process itself, seen from the host (rootful podman maps no user ids).
    const pid = must(
      "podman inspect",
      await podman(["inspect", "--format", "{{.State.Pid}}", CONTAINER]),
    ).trim();
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    assert.match(status, /^Uid:\s+1000\s+1000\s+1000\s+1000$/m, "real, effective, saved and fs uid are 1000");
    assert.match(readFileSync(`/proc/${pid}/cmdline`, "utf8"), /lt-agent/);
    must("podman healthcheck run", await podman(["healthcheck", "run", CONTAINER]));
  });

  it("container - a config pushed with ltctl runs in the container: stats over NATS show it published and every message acked", async () => {
    assert.ok(server && nc);
    const file = join(tmp, "config.json");
    writeFileSync(file, JSON.stringify(faultConfig(server.url, { seconds: 4, name: "img", rate: 200 })));
    const pushed = await ltctl(["--server", server.url, "push", file, "--json", "--start-in", "1"]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const { run_id, acked_by } = JSON.parse(pushed.stdout) as { run_id: string; acked_by: string[] };
    assert.deepEqual(acked_by, [POD], "the container's agent acknowledged the run");
    const client = new ControlClient(nc);
    const final = await until(
      "the container's final snapshot",
      async () => (await client.latest(run_id)).find((s) => s.pod === POD && s.phase !== "running"),
      60_000,
      500,
    );
    assert.equal(final.phase, "done", JSON.stringify(final));
    assert.ok(final.published > 0, `published ${final.published}`);
    assert.equal(final.acked, final.published, "every publish acked");
    assert.equal(final.lost, 0);
  });

  it("container - podman stop (SIGTERM) ends the agent cleanly: exit code 0 within the grace period, the stop logged", async () => {
    must(
      "podman stop",
      await podman(["stop", "--time", String(STOP_GRACE_S), CONTAINER], (STOP_GRACE_S + 30) * 1000),
    );
    const state = must(
      "podman inspect",
      await podman(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", CONTAINER]),
    ).trim();
    // 137 would be the SIGKILL after the grace period, 143 a death by the SIGTERM itself.
    assert.equal(state, "exited 0");
    // The agent's log lines (JSON on stderr; its stats go to stdout with this config's storage).
    const lines = (await podman(["logs", CONTAINER])).stderr.split("\n").flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg?: string; signal?: string }];
      } catch {
        return [];
      }
    });
    assert.ok(
      lines.some((l) => l.msg === "signal received" && l.signal === "SIGTERM"),
      "the agent saw SIGTERM",
    );
    assert.equal(lines.at(-1)?.msg, "stopped", "its last word is that it stopped");
  });
});
