// Issue 12, least privilege over NATS: deploy/k8s/nats-least-privilege.conf on a real nats-server. The operator
// user pushes a config with ltctl; a real lt-agent whose control-plane user is the per-pod agent user runs it
// (against a second, open server: the NATS under test) and publishes its stats and presence, with no
// permission violation on the way. That agent user cannot write the config bucket, nor another pod's presence
// or stats; the agent's shim answers POST /config with 403 and the active config stays.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { fetchWithin, shimAgent, stopAgent } from "../fault/hardening-helpers.ts";
import { faultConfig, ltctl, SKIP_UNBUILT, until } from "../harness/agents.ts";
import { type NatsNode, startServer } from "../harness/index.ts";

const POD = "lp-pod";
const dir = mkdtempSync(join(tmpdir(), "lt-least-"));
const PW = { operator: "op-s3cret", agent: "agent-s3cret" };

/** The shipped file as a server config: passwords filled in, its example pod renamed to ours. */
function serverConfig(): string {
  return readFileSync("deploy/k8s/nats-least-privilege.conf", "utf8")
    .replaceAll("$LT_OPERATOR_PASSWORD", JSON.stringify(PW.operator))
    .replaceAll("$LT_AGENT_0_PASSWORD", JSON.stringify(PW.agent))
    .replaceAll("lt-agent-0", POD);
}

/** Rejects (any error) or resolves: true when `f` was refused. */
async function refused(f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return false;
  } catch {
    return true;
  }
}

describe("least privilege - the operator and agent users of deploy/k8s/nats-least-privilege.conf", {
  skip: SKIP_UNBUILT,
  timeout: 120_000,
}, () => {
  let ctl: NatsNode;
  let load: NatsNode;
  let op: NatsConnection;
  let client: ControlClient;
  const operator = ["--user", "lt-operator", "--password", PW.operator];

  before(async () => {
    ctl = await startServer({ extraConfig: serverConfig() });
    load = await startServer();
    op = await connect({ servers: ctl.url, user: "lt-operator", pass: PW.operator });
    client = new ControlClient(op, "lt");
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await op?.close();
    await ctl?.stop();
    await load?.stop();
  });

  it("least privilege - the agent user runs a pushed config and publishes stats, but cannot write configs or other pods' data", async () => {
    const cfg = faultConfig(load.url, { seconds: 3, name: "lp" });
    const file = join(dir, "lp.json");
    writeFileSync(file, JSON.stringify(cfg));
    // The operator creates the control plane (the agent user may only bind to it), then the agent joins,
    // then the operator pushes: the agent runs the whole config from its start barrier.
    const created = await ltctl(["status", "--server", ctl.url, ...operator]);
    assert.equal(created.code, 0, created.stdout + created.stderr);
    const { agent, base } = await shimAgent(ctl.url, POD, {
      env: { NATS_USER: POD, NATS_PASSWORD: PW.agent },
      readyMs: 30_000,
    });
    try {
      const push = await ltctl(["push", file, "--server", ctl.url, ...operator, "--start-in", "2", "--json"]);
      assert.equal(push.code, 0, push.stdout + push.stderr);
      const runId = (JSON.parse(push.stdout) as { run_id: string }).run_id;
      await until(
        "the agent ran the pushed config to the end",
        async () =>
          (await client.status()).find((p) => p.pod === POD && p.run_id === runId && p.state === "done"),
        30_000,
      );
      // Presence says done a moment before the outbox has sent the final snapshot: wait for it.
      await until(
        "the agent's final snapshot, read by the operator",
        async () => {
          const stats = await ltctl(["stats", "--server", ctl.url, ...operator, "--run", runId, "--json"]);
          const snaps = (JSON.parse(stats.stdout) as { snapshots: Array<{ pod: string; phase: string }> })
            .snapshots;
          return snaps.some((x) => x.pod === POD && x.phase === "done");
        },
        20_000,
      );
      assert.doesNotMatch(ctl.log, /Permissions Violation/, "the profile lacks nothing the agent needs");

      // The agent's own user, as a compromised pod would use it.
      const nc = await connect({ servers: ctl.url, user: POD, pass: PW.agent });
      try {
        const kvm = new Kvm(jetstream(nc));
        const config = await kvm.open("lt_config");
        const agents = await kvm.open("lt_agents");
        const before = await client.active();
        assert.ok(
          await refused(() => config.put("active", JSON.stringify({ evil: true }), { timeout: 3_000 })),
        );
        assert.ok(await refused(() => agents.put("other-pod", "{}", { timeout: 3_000 })));
        assert.ok(
          await refused(() => jetstream(nc).publish(`lt.stats.${runId}.other-pod`, "{}", { timeout: 3_000 })),
        );
        assert.equal((await client.active())?.revision, before?.revision, "the config bucket did not move");
      } finally {
        await nc.close();
      }

      // Its shim reads, and refuses to push for it (loopback: no token needed, the NATS user says no).
      assert.equal((await fetchWithin(`${base}/stats?limit=5`, 10_000)).status, 200);
      const post = await fetchWithin(`${base}/config`, 10_000, {
        method: "POST",
        body: JSON.stringify(faultConfig(load.url, { seconds: 3, name: "lp2" })),
        headers: { "content-type": "application/json" },
      });
      assert.equal(post.status, 403, post.text);
      assert.match(post.text, /NATS user/);
      assert.equal((await client.active())?.run_id, runId);
    } finally {
      await stopAgent(agent);
    }
  });
});
