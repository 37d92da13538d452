// Partition: one agent in a network namespace of its own (veth pair 10.200.1.1 host side / 10.200.1.2 inside,
// addresses we assign to namespaces we create); the control-plane nats-server listens on the host side only.
// Cutting the link makes the agent stale in `ltctl status`; when the link returns it reports again.
// Skips with a message where network namespaces cannot be created (not root, no CAP_NET_ADMIN).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { faultConfig, ltctl, SKIP_UNBUILT, sleep, startAgent, until } from "../harness/agents.ts";
import { freePort, waitForPort } from "../harness/index.ts";
import { NATS_SERVER_BIN } from "../harness/nats-server.ts";
import { makeNetns, netnsUnavailable } from "../harness/netns.ts";

const why = SKIP_UNBUILT || netnsUnavailable() || false;

interface Row {
  pod: string;
  stale: boolean;
  last_seen: number;
  state: string;
}

async function statusOf(server: string, pod: string): Promise<Row | undefined> {
  const r = await ltctl(["status", "--server", server, "--json"]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { agents: Row[] }).agents.find((a) => a.pod === pod);
}

describe("fault - network partition", { skip: why }, () => {
  it("fault - an agent cut off by a partition is marked stale in ltctl status and reports again when the link returns", async () => {
    const ns = makeNetns(1);
    const dir = mkdtempSync(join(tmpdir(), "lt-part-"));
    let server: ChildProcess | undefined;
    let agent: ReturnType<typeof startAgent> | undefined;
    try {
      const port = await freePort();
      writeFileSync(
        join(dir, "server.conf"),
        `listen: "${ns.hostAddr}:${port}"\njetstream { store_dir: "${join(dir, "js")}" }\n`,
      );
      server = spawn(NATS_SERVER_BIN, ["-c", join(dir, "server.conf")], { stdio: "ignore" });
      await waitForPort(port, 10_000, ns.hostAddr);
      const url = `nats://${ns.hostAddr}:${port}`;
      agent = startAgent({ server: url, pod: "part-0", wrap: ns.exec });
      await until("presence", async () => (await statusOf(url, "part-0"))?.stale === false, 20_000);
      const cfg = join(dir, "cfg.json");
      writeFileSync(cfg, JSON.stringify(faultConfig(url, { seconds: 40, name: "prt", rate: 50 })));
      const push = await ltctl(["push", cfg, "--server", url, "--start-in", "1", "--wait", "2"]);
      assert.equal(push.code, 0, push.stdout + push.stderr);
      await until("running", async () => (await statusOf(url, "part-0"))?.state === "running", 15_000);

      ns.cut();
      const cutAt = Date.now();
      const stale = await until(
        "stale",
        async () => {
          const row = await statusOf(url, "part-0");
          return row?.stale ? row : undefined;
        },
        15_000,
      );
      assert.ok(stale.last_seen < cutAt + 1_000);
      await sleep(4_000);
      ns.heal();
      const healedAt = Date.now();
      const back = await until(
        "fresh again",
        async () => {
          const row = await statusOf(url, "part-0");
          return row && !row.stale && row.last_seen > healedAt ? row : undefined;
        },
        30_000,
      );
      assert.ok(["running", "done", "error"].includes(back.state), back.state);
      const stats = await until(
        "snapshots after the partition",
        async () => {
          const r = await ltctl(["stats", "--server", url, "--json", "--limit", "3"]);
          const j = JSON.parse(r.stdout) as { snapshots: { ts: string }[] };
          return j.snapshots.some((s) => Date.parse(s.ts) > healedAt) ? j : undefined;
        },
        20_000,
      );
      assert.ok(stats.snapshots.length > 0);
      assert.ok(agent.alive, agent.stderr.slice(-2000));
      assert.doesNotMatch(agent.stderr, /unhandled rejection/i);
    } finally {
      await agent?.kill("SIGKILL");
      server?.kill("SIGKILL");
      ns.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
