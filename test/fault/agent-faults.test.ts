// Faults around one agent, each against real nats-server processes and a real lt-agent child process run with
// --unhandled-rejections=strict (one unhandled rejection would crash it): the server under test restarts, the
// control plane goes away for 10 s, the agent is SIGKILLed and restarted, and the agent is SIGTERMed mid-run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { decodeHistogram, type Snapshot } from "../../src/stats/index.ts";
import { type AgentProcess, faultConfig, SKIP_UNBUILT, sleep, startAgent, until } from "../harness/agents.ts";
import { type NatsNode, startServer } from "../harness/index.ts";

interface Fixture {
  control: NatsNode;
  target: NatsNode;
  nc: NatsConnection;
  client: ControlClient;
  agent: AgentProcess;
}

async function fixture(pod: string, sameServer = false): Promise<Fixture> {
  const control = await startServer();
  const target = sameServer ? control : await startServer();
  const nc = await connect({ servers: control.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const client = new ControlClient(nc);
  await client.plane();
  const agent = startAgent({ server: control.url, pod });
  await until("the agent's presence", async () =>
    (await client.status()).some((p) => p.pod === pod && !p.stale),
  );
  return { control, target, nc, client, agent };
}

async function teardown(f: Fixture): Promise<void> {
  await f.agent.kill("SIGKILL");
  await f.nc.close().catch(() => {});
  await f.control.stop();
  if (f.target !== f.control) await f.target.stop();
}

function noCrash(agent: AgentProcess): void {
  assert.doesNotMatch(
    agent.stderr,
    /unhandled rejection|UnhandledPromiseRejection|uncaught/i,
    agent.stderr.slice(-3000),
  );
}

async function snapshots(client: ControlClient, run: string): Promise<Snapshot[]> {
  return (await client.stats({ run, limit: 1_000 })).sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
}

describe("fault - one agent", { skip: SKIP_UNBUILT }, () => {
  it("fault - the server under test restarts mid-run (file storage): the agent reconnects, resumes and reports the gap", async () => {
    const f = await fixture("restart-0");
    try {
      const pushed = await f.client.push(
        faultConfig(f.target.url, { seconds: 16, name: "rst", storage: "file", rate: 100 }),
        { pushedBy: "fault-test", startAt: Date.now() + 1_000 },
      );
      await until("publishing", async () => ((await f.client.latest(pushed.run_id))[0]?.acked ?? 0) > 100);
      const down = Date.now();
      await f.target.kill();
      await sleep(3_000);
      await f.target.start();
      const up = Date.now();
      const final = await until(
        "the final snapshot",
        async () => (await f.client.latest(pushed.run_id)).find((s) => s.phase !== "running"),
        40_000,
        500,
      );
      assert.ok(f.agent.alive, `the agent died: ${f.agent.stderr.slice(-3000)}`);
      noCrash(f.agent);
      assert.equal(final.phase, "done", JSON.stringify(final));
      assert.ok((final.nats?.reconnects ?? 0) >= 1, `no reconnect counted: ${JSON.stringify(final.nats)}`);
      const errors = Object.values(final.errors).reduce((a, b) => a + b, 0);
      // Since slots are never dropped, the engine's retries usually carry every publish across a 3 s outage:
      // the trace is then the retries (and the stalled latency checked below), not errors or unsent slots.
      assert.ok(
        errors > 0 || final.publish_errors > 0 || (final.unsent ?? 0) > 0 || (final.publish_retries ?? 0) > 0,
        `the outage left no trace: ${JSON.stringify(final)}`,
      );
      // The gap is visible, not hidden: at 100 msg/s most of the outage's sends either failed, could not be
      // made, or were retried until the server came back and so carry the stall as publish-ack latency.
      const outageS = (up - down) / 1_000;
      const stalled = countAtLeast(final.hist.publish_ack, 500);
      assert.ok(
        final.publish_errors + (final.unsent ?? 0) + stalled >= outageS * 100 * 0.5,
        `gap of ${outageS} s not in publish_errors ${final.publish_errors} + unsent ${final.unsent ?? 0} + acks slower than 500 ms ${stalled}`,
      );
      const worst = Math.max(final.latency_ms.end_to_end.max, final.latency_ms.publish_ack.max);
      assert.ok(worst >= 1_000, `latency max ${worst} ms hides a ${up - down} ms outage`);
      const history = await snapshots(f.client, pushed.run_id);
      const before = history.filter((s) => Date.parse(s.ts) < down).at(-1);
      assert.ok(before, "a snapshot before the outage");
      assert.ok(
        final.acked > before.acked + 100,
        `no progress after the restart: ${before.acked} -> ${final.acked}`,
      );
      assert.ok(final.consumed > before.consumed, "consumers resumed");
    } finally {
      await teardown(f);
    }
  });

  it("fault - the control plane goes away for 10 s: the run continues, snapshots made meanwhile arrive later, presence returns", async () => {
    const f = await fixture("cploss-0");
    try {
      const pushed = await f.client.push(faultConfig(f.target.url, { seconds: 22, name: "cpl", rate: 100 }), {
        pushedBy: "fault-test",
        startAt: Date.now() + 1_000,
      });
      await until("running", async () => ((await f.client.latest(pushed.run_id))[0]?.acked ?? 0) > 50);
      await f.control.stop();
      const down = Date.now();
      await sleep(10_000);
      await f.control.start();
      const up = Date.now();
      await until(
        "presence again",
        async () => (await f.client.status()).some((p) => p.pod === "cploss-0" && !p.stale),
        20_000,
      );
      const history = await until(
        "snapshots from the outage",
        async () => {
          const h = await snapshots(f.client, pushed.run_id);
          const during = h.filter((s) => Date.parse(s.ts) > down + 1_000 && Date.parse(s.ts) < up - 1_000);
          return during.length >= 5 ? h : undefined;
        },
        20_000,
        500,
      );
      const during = history.filter((s) => Date.parse(s.ts) > down && Date.parse(s.ts) < up);
      assert.ok(during.length >= 5, `only ${during.length} snapshots from a 10 s outage`);
      // The run under test went on meanwhile: counters grew during the outage.
      const first = during[0] as Snapshot;
      const last = during.at(-1) as Snapshot;
      assert.ok(last.acked > first.acked, "publishing continued while the control plane was away");
      const final = await until(
        "the final snapshot",
        async () => (await f.client.latest(pushed.run_id)).find((s) => s.phase !== "running"),
        30_000,
        500,
      );
      assert.equal(final.phase, "done");
      assert.equal(final.lost, 0);
      assert.ok(f.agent.alive);
      noCrash(f.agent);
    } finally {
      await teardown(f);
    }
  });

  it("fault - an agent SIGKILLed mid-run and restarted with the same pod name rejoins with one presence row", async () => {
    const f = await fixture("crash-0", true);
    try {
      const pushed = await f.client.push(faultConfig(f.target.url, { seconds: 20, name: "crs", rate: 100 }), {
        pushedBy: "fault-test",
        startAt: Date.now() + 1_000,
      });
      await until("running", async () => ((await f.client.latest(pushed.run_id))[0]?.acked ?? 0) > 50);
      await f.agent.kill("SIGKILL");
      const killedAt = Date.now();
      f.agent.restart();
      await until(
        "the restarted agent's presence",
        async () =>
          (await f.client.status()).find((p) => p.pod === "crash-0" && p.last_seen > killedAt && !p.stale),
        20_000,
      );
      const rows = (await f.client.status()).filter((p) => p.pod === "crash-0");
      assert.equal(rows.length, 1, `presence rows: ${JSON.stringify(rows)}`);
      // It rejoins the active run (or reports it), and keeps reporting.
      await until(
        "snapshots from the restarted agent",
        async () => (await f.client.latest(pushed.run_id)).find((s) => Date.parse(s.ts) > killedAt + 1_000),
        20_000,
      );
      assert.ok(f.agent.alive, f.agent.stderr.slice(-2000));
      noCrash(f.agent);
    } finally {
      await teardown(f);
    }
  });

  it("fault - SIGTERM mid-run drains, writes the final snapshot and exits 0 within 30 s", async () => {
    const f = await fixture("term-0", true);
    try {
      const pushed = await f.client.push(faultConfig(f.target.url, { seconds: 60, name: "trm", rate: 200 }), {
        pushedBy: "fault-test",
        startAt: Date.now() + 1_000,
      });
      await until("running", async () => ((await f.client.latest(pushed.run_id))[0]?.acked ?? 0) > 200);
      const t0 = Date.now();
      const code = await f.agent.kill("SIGTERM");
      const took = Date.now() - t0;
      assert.equal(code, 0, f.agent.stderr.slice(-2000));
      assert.ok(took < 30_000, `took ${took} ms`);
      noCrash(f.agent);
      const final = (await f.client.latest(pushed.run_id))[0] as Snapshot;
      assert.ok(["done", "stopped"].includes(final.phase), `final phase ${final.phase}`);
      // Drained: every acknowledged publish was consumed before the exit, none lost.
      assert.equal(final.lost, 0);
      assert.equal(final.publish_errors, 0, JSON.stringify(final.errors));
      // The stdout sink got the same final snapshot.
      const lines = f.agent.stdout.trim().split("\n");
      const last = JSON.parse(lines.at(-1) as string) as Snapshot;
      assert.equal(last.phase, final.phase);
      // Its connections are closed: the server sees none from this pod.
      const conns = await f.control.monitor<{ connections: { name?: string }[] }>("/connz");
      assert.equal(conns.connections.filter((c) => c.name?.includes("term-0")).length, 0);
    } finally {
      await teardown(f);
    }
  });
});

/** How many values of an encoded histogram are at least `ms` (from its percentile curve, bucket-exact). */
function countAtLeast(encoded: string, ms: number): number {
  const h = decodeHistogram(encoded);
  if (h.totalCount === 0) return 0;
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (h.getValueAtPercentile(mid) / 1000 >= ms) hi = mid;
    else lo = mid;
  }
  return Math.round(((100 - hi) / 100) * h.totalCount);
}
