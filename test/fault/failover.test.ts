// Broker failover: a three-node JetStream cluster, an R3 file stream, nats_url listing all three nodes. The
// stream leader is SIGKILLed mid-run and restarted. The run continues to `done`; snapshots keep coming during
// the outage; the outage shows in them (reconnects, retries, errors by category); every publish that got a
// PubAck is consumed (lost == 0 over acknowledged messages); duplicates from retries are counted as
// duplicates; the end-to-end histogram shows the stall (publishes are retried through the election and
// measured from their intended time). The control plane lives on a separate single server.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { PUBLISH_DEADLINE_MS } from "../../src/engine/index.ts";
import { faultConfig, SKIP_UNBUILT, sleep, startAgent, until } from "../harness/agents.ts";
import { startCluster, startServer } from "../harness/index.ts";

/** Slack for the stall measured in the test against the one the messages saw (polling, clocks, scheduling). */
const TOLERANCE_MS = 1_000;

describe("fault - broker failover", { skip: SKIP_UNBUILT }, () => {
  it("fault - killing the R3 stream leader mid-run loses no acknowledged message and shows the stall", async () => {
    const control = await startServer();
    const cluster = await startCluster(3);
    const nc = await connect({ servers: control.url });
    const load = await connect({ servers: cluster.urls.split(","), maxReconnectAttempts: -1 });
    const client = new ControlClient(nc);
    await client.plane();
    const agent = startAgent({ server: control.url, pod: "fov-0" });
    try {
      await until("presence", async () => (await client.status()).some((p) => p.pod === "fov-0" && !p.stale));
      const pushed = await client.push(
        faultConfig(cluster.urls, { seconds: 22, name: "fov", rate: 100, replicas: 3, storage: "file" }),
        { pushedBy: "fault-test", startAt: Date.now() + 1_000 },
      );
      await until("running", async () => ((await client.latest(pushed.run_id))[0]?.acked ?? 0) > 200, 20_000);
      const jsm = await jetstreamManager(load, { timeout: 1_000 });
      const stream = "FOV_fov-0_1";
      const leader = (await jsm.streams.info(stream)).cluster?.leader;
      assert.ok(leader, "the stream has a leader");
      const victim = cluster.nodes.find((n) => n.name === leader);
      assert.ok(victim, `leader ${leader} is one of ours`);

      // The outage as a client sees it: from the kill until the stream answers again with a leader.
      const down = Date.now();
      await victim.kill();
      const answered = (async () => {
        while (Date.now() - down < 60_000) {
          // The time the successful request was sent: an info request made during the election can hang for
          // seconds before it is answered, and that wait is not part of the outage.
          const asked = Date.now();
          const info = await jsm.streams.info(stream).catch(() => undefined);
          if (info?.cluster?.leader && info.cluster.leader !== leader) return asked;
          if (info?.cluster?.leader && victim.running) return asked;
          await sleep(100);
        }
        throw new Error("the stream never answered again within 60 s");
      })();
      await sleep(4_000);
      await victim.start();
      const up = Date.now();
      const outage = (await answered) - down;

      const final = await until(
        "the final snapshot",
        async () => (await client.latest(pushed.run_id)).find((s) => s.phase !== "running"),
        60_000,
        500,
      );
      const figures = JSON.stringify({ ...final, hist: undefined, system: undefined, outage_ms: outage });
      // The run continues to its end.
      assert.equal(final.phase, "done", figures);
      assert.ok(final.acked > 1_000, `too little acked: ${figures}`);
      // Every acknowledged publish is consumed; the rest is accounted for, never silently dropped.
      assert.equal(final.lost, 0, `acknowledged messages lost: ${figures}`);
      assert.ok(final.acked + final.publish_errors <= final.published, figures);
      // Duplicates (a retry whose first attempt was stored) are counted as duplicates, not as fresh messages.
      assert.ok(final.duplicates >= 0 && typeof final.duplicates === "number", figures);
      assert.ok(
        final.consumed - final.duplicates - final.redelivered - (final.unconfirmed_delivered ?? 0) <=
          final.acked,
        `more distinct messages than acknowledged and unconfirmed ones: ${figures}`,
      );
      // The stall is not hidden: messages caught in it waited out the election (retried until the publish
      // deadline at most) and their end-to-end latency, measured from the intended send time, says so.
      const stall = Math.min(outage, PUBLISH_DEADLINE_MS) - TOLERANCE_MS;
      assert.ok(
        final.latency_ms.end_to_end.max >= stall,
        `end-to-end max ${final.latency_ms.end_to_end.max} ms < ${stall} ms (outage ${outage} ms): ${figures}`,
      );
      // The failover window shows: reconnects, retries, or publish errors by category.
      const failed = Object.values(final.errors).reduce((a, b) => a + b, 0);
      assert.ok(
        (final.nats?.reconnects ?? 0) >= 1 || (final.publish_retries ?? 0) > 0 || failed > 0,
        `no trace of the failover: ${figures}`,
      );

      const history = (await client.stats({ run: pushed.run_id, limit: 1_000 })).sort(
        (a, b) => Date.parse(a.ts) - Date.parse(b.ts),
      );
      // Snapshots keep coming during the outage (1 s interval; allow for the scheduling around the kill).
      const during = history.filter((s) => Date.parse(s.ts) > down && Date.parse(s.ts) <= down + outage);
      assert.ok(
        during.length >= Math.floor(outage / 1_000) - 1,
        `${during.length} snapshots in a ${outage} ms outage`,
      );
      assert.ok(
        during.some(
          (s) =>
            (s.publish_retries ?? 0) > 0 || Object.keys(s.errors).length > 0 || (s.nats?.reconnects ?? 0) > 0,
        ),
        "the snapshots made during the outage show it (retries, errors or reconnects)",
      );
      const after = history.filter((s) => Date.parse(s.ts) > up + 2_000);
      assert.ok(
        after.some((s) => s.publish_rate > 50),
        "the publish rate recovers after the failover",
      );
      assert.ok(agent.alive);
      assert.doesNotMatch(agent.stderr, /unhandled rejection/i);
      console.log(`failover: outage ${outage} ms; ${figures}`);
    } finally {
      await agent.kill("SIGKILL");
      await load.close().catch(() => {});
      await nc.close().catch(() => {});
      await Promise.all(cluster.nodes.map((n) => n.stop()));
      await control.stop();
    }
  });
});
