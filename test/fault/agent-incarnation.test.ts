// A pod SIGKILLed mid-run and restarted under the same name: nothing its first process measured is dropped
// from the run's results (its last snapshot stays beside the new process's, as another incarnation), the
// totals match what the server's streams hold, and the new process runs only what the fleet has left, ending
// with it. Real nats-servers (control plane and server under test apart), real lt-agent processes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import type { ClusterTotal, LivePoint, Snapshot } from "../../src/stats/index.ts";
import { faultConfig, ltctl, SKIP_UNBUILT, sleep, startAgent, until } from "../harness/agents.ts";
import { startServer } from "../harness/index.ts";

const RATE = 300;
const SECONDS = 20;

test("fault - a pod SIGKILLed at 8 s and restarted: the run's acked totals are what the streams hold, both processes counted, and the restarted one ends with the fleet", {
  skip: SKIP_UNBUILT,
  timeout: 120_000,
}, async (t) => {
  await using control = await startServer();
  await using target = await startServer();
  const nc = await connect({ servers: control.url });
  const client = new ControlClient(nc);
  await client.plane();
  const a = startAgent({ server: control.url, pod: "inc-a", args: ["--workers", "1"] });
  const b = startAgent({ server: control.url, pod: "inc-b", args: ["--workers", "1"] });
  try {
    await until(
      "both agents' presence",
      async () => (await client.status()).filter((p) => !p.stale).length === 2,
    );
    const startAt = Date.now() + 1_500;
    const { run_id: run } = await client.push(
      faultConfig(target.url, { seconds: SECONDS, name: "inc", rate: RATE }),
      {
        pushedBy: "fault-test",
        startAt,
      },
    );
    const before = await until(
      "inc-a 8 s into the run",
      async () => (await client.latest(run)).find((s) => s.pod === "inc-a" && s.elapsed_s >= 8),
      30_000,
      100,
    );
    await a.kill("SIGKILL");
    const killedAt = Date.now();
    await sleep(1_000);
    const restartedAt = Date.now();
    a.restart();

    const finals = await until(
      "both pods' final snapshots",
      async () => {
        const latest = await client.latest(run);
        const fb = latest.find((s) => s.pod === "inc-b" && s.phase === "done");
        const fa = latest.find(
          (s) => s.pod === "inc-a" && s.incarnation !== before.incarnation && s.phase === "done",
        );
        return fa && fb ? { fa, fb, latest } : undefined;
      },
      60_000,
      500,
    );
    const { fa, fb } = finals;
    assert.ok(
      before.incarnation && fa.incarnation && before.incarnation !== fa.incarnation,
      "two incarnations",
    );
    const presence = (await client.status()).find((p) => p.pod === "inc-a");
    assert.equal(presence?.incarnation, fa.incarnation, "presence names the live process");

    // The first process's last snapshot (from the stream: every snapshot) and what it reported by then.
    const snaps = await client.stats({ run, limit: 1_000 });
    const first = snaps
      .filter((s) => s.pod === "inc-a" && s.incarnation === before.incarnation)
      .sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts))
      .at(-1) as Snapshot;
    assert.ok(first.acked > 1_500, `the first process reported ${first.acked} acked`);
    // Still in the KV, beside the new process's key.
    assert.equal(
      finals.latest.filter((s) => s.pod === "inc-a").length,
      2,
      "both processes' latest snapshots",
    );

    // What the server under test holds, per pod's stream.
    const tnc = await connect({ servers: target.url });
    const held = new Map<string, number>();
    try {
      const jsm = await jetstreamManager(tnc);
      for await (const si of jsm.streams.list()) held.set(si.config.name, si.state.messages);
    } finally {
      await tnc.close();
    }
    const heldBy = (pod: string) =>
      [...held].filter(([name]) => name.includes(pod)).reduce((n, [, messages]) => n + messages, 0);

    // Pod b never stopped: its stream holds exactly what it reported acked.
    assert.equal(heldBy("inc-b"), fb.acked);
    // Pod a: both processes' acks are in its stream. What the first one had acked after its last snapshot (at
    // most its rate over the time from that snapshot to the kill, plus publishes in flight) died with it.
    const reported = first.acked + fa.acked;
    const unreported = heldBy("inc-a") - reported;
    const bound = Math.ceil(((RATE * (killedAt - Date.parse(first.ts))) / 1000) * 1.2) + 30;
    assert.ok(
      unreported >= 0 && unreported <= bound,
      `held ${heldBy("inc-a")}, reported ${reported}, bound ${bound}`,
    );
    assert.ok(first.acked > bound, "dropping the first process would fail the bound");

    // ltctl stats --json and ltctl report add every process's figures.
    const conn = ["--run", run, "--server", control.url];
    const stats = await ltctl(["stats", "--json", "--limit", "1000", ...conn]);
    assert.equal(stats.code, 0, stats.stderr);
    const cluster = (JSON.parse(stats.stdout) as { cluster: ClusterTotal }).cluster;
    assert.equal(cluster.counters.acked, first.acked + fa.acked + fb.acked);
    assert.deepEqual(cluster.cut_short, [`inc-a@${before.incarnation}`]);
    const report = await ltctl(["report", "--format", "json", ...conn]);
    assert.equal(report.code, 0, report.stderr);
    const metrics = (JSON.parse(report.stdout) as { cluster: { metrics: Record<string, number> } }).cluster
      .metrics;
    assert.equal(metrics["acked"], first.acked + fa.acked + fb.acked);
    assert.equal(metrics["published"], first.published + fa.published + fb.published);

    // The new process ran only the rest of the step, and ended with the fleet. It joined after its restart and
    // before its first snapshot (how long a restart takes depends on the machine's load: measured, not assumed).
    const firstOfNew = snaps
      .filter((s) => s.pod === "inc-a" && s.incarnation === fa.incarnation)
      .reduce((t, s) => Math.min(t, Date.parse(s.ts)), Number.POSITIVE_INFINITY);
    const leftAtRestart = SECONDS - (restartedAt - startAt) / 1000;
    const leftAtFirstSnapshot = SECONDS - (firstOfNew - startAt) / 1000;
    assert.ok(
      fa.duration_s < SECONDS - 5 && fa.duration_s <= leftAtRestart,
      `ran ${fa.duration_s} s of ${SECONDS}, at most ${leftAtRestart} s were left at the restart`,
    );
    assert.ok(
      fa.duration_s >= leftAtFirstSnapshot - 1,
      `ran ${fa.duration_s} s, ${leftAtFirstSnapshot} s were left at its first snapshot`,
    );
    // Both finals come after their own drain (a second or two): within 4 s of each other.
    const apart = Math.abs(Date.parse(fa.ts) - Date.parse(fb.ts));
    assert.ok(apart < 4_000, `finals ${apart} ms apart`);

    // The watch's per-interval series never counts pod a twice: at most the two pods' rate in any interval.
    const watch = await ltctl(["watch", "--json", "--timeout", "1", ...conn]);
    const line = JSON.parse(watch.stdout.split("\n")[0]!) as { series: { points: LivePoint[] } };
    const points = line.series.points;
    assert.ok(points.length >= 10, `${points.length} intervals`);
    for (const p of points)
      assert.ok((p.publish_rate ?? 0) <= 2 * RATE * 1.25, `${p.end_ms}: ${p.publish_rate}`);
    t.diagnostic(
      `first process acked ${first.acked} (last snapshot ${killedAt - Date.parse(first.ts)} ms before the kill), ` +
        `second ${fa.acked} over ${fa.duration_s} s, b ${fb.acked}; stream a holds ${heldBy("inc-a")} ` +
        `(${unreported} acked after the first's last snapshot, bound ${bound}); finals ${apart} ms apart`,
    );
    for (const agent of [a, b]) assert.doesNotMatch(agent.stderr, /unhandled rejection|uncaught/i);
  } finally {
    await Promise.all([a.kill(), b.kill()]);
    await nc.close();
  }
});
