// Engine split across worker threads: exact totals, per-worker figures that add up to the merge, stop.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { runPlan } from "../../src/engine/index.ts";
import { splitSpec } from "../../src/engine/worker-pool.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { run } from "./engine-helpers.ts";

function spec(url: string, js: boolean, streams: number, rate: number, seconds: number, consumers = 1) {
  return {
    name: "w",
    nats_url: url,
    use_jetstream: js,
    client_id_prefix: "lt-w",
    streams: [{ name_prefix: js ? "WJ" : "WC", count: streams, replicas: 1, subjects: ["w.{}"] }],
    publishers: {
      count_per_stream: 2,
      stream_name_prefix: js ? "WJ" : "WC",
      publish_rate_per_second: rate,
      publish_pattern: "steady",
      message_size_bytes: 128,
      track_latency: true,
    },
    consumers: {
      stream_name_prefix: js ? "WJ" : "WC",
      type: "pull",
      count_per_stream: consumers,
      durable_name_prefix: "c",
      ack_wait_seconds: 30,
      max_ack_pending: 10000,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: seconds, ramp_up_seconds: 0 },
  };
}

const sum = (f: Snapshot, k: "published" | "consumed" | "end_to_end_count" | "send_delay_count" | "lost") =>
  (f.workers ?? []).reduce((n, w) => n + (w[k] ?? 0), 0);

test("engine workers - 2 workers over 4 core streams publish exactly the configured total and the merged histograms hold every worker's values", async () => {
  await using srv = await startServer();
  // 4 streams x 2 publishers x 250 msg/s x 3 s = 6,000 steady slots, each sent exactly once.
  const { finals, snaps } = await run([spec(srv.url, false, 4, 250, 3)], { workers: 2 });
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.unsent, 0);
  assert.equal(f.published, 6000);
  assert.equal(f.publish_errors, 0);
  assert.equal(f.workers?.length, 2, "two workers reported");
  assert.deepEqual(
    f.workers?.map((w) => w.streams),
    [2, 2],
  );
  assert.ok(
    f.workers?.every((w) => w.published === 3000),
    JSON.stringify(f.workers),
  );
  assert.equal(sum(f, "published"), f.published);
  assert.equal(f.consumed, 6000);
  assert.equal(sum(f, "consumed"), f.consumed);
  assert.equal(f.lost, 0);
  assert.equal(f.duplicates, 0);
  // Exact merge: the merged histogram's count is the sum of the workers' histogram counts.
  assert.equal(f.latency_ms.end_to_end.count, sum(f, "end_to_end_count"));
  assert.equal(f.latency_ms.end_to_end.count, f.consumed);
  assert.equal(f.latency_ms.send_delay?.count, sum(f, "send_delay_count"));
  assert.equal(f.latency_ms.send_delay?.count, f.published);
  assert.ok(
    snaps.some((s) => s.phase === "running" && (s.workers?.length ?? 0) === 2),
    "running snapshots carry per-worker figures",
  );
});

test("engine workers - JetStream over 3 workers: every publish acked and consumed once, nothing lost", async () => {
  await using srv = await startServer();
  const { finals } = await run([spec(srv.url, true, 3, 200, 2)], { workers: 3 });
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.published + f.unsent!, 2400);
  assert.equal(f.acked, f.published);
  assert.equal(f.consumed, f.published);
  assert.equal(f.lost, 0);
  assert.equal(f.workers?.length, 3);
  assert.equal(sum(f, "published"), f.published);
  assert.equal(f.latency_ms.publish_ack.count, f.acked);
  assert.equal(f.latency_ms.publish_service?.count, f.acked, "service times cross from the workers too");
});

test("engine workers - aborting the run stops every worker: the final snapshot says stopped and the run ends promptly", async () => {
  await using srv = await startServer();
  const loaded = loadConfig(
    { load_test_specs: [spec(srv.url, false, 2, 200, 30)], stats_collection_interval_seconds: 1 },
    { pod: "p", env: {} },
  );
  assert.ok(loaded.ok);
  const ac = new AbortController();
  // Abort once traffic flows (a fixed delay would race the workers' start-up on a loaded machine).
  let abortedAt = 0;
  const t0 = Date.now();
  const r = await runPlan(loaded.plan, {
    runId: "r",
    pod: "p",
    mode: "both",
    signal: ac.signal,
    onSnapshot: (s) => {
      if (s.published > 0 && !abortedAt) {
        abortedAt = Date.now();
        ac.abort();
      }
    },
    log: { info() {}, warn() {}, error() {} },
    workers: 2,
  });
  assert.ok(abortedAt > 0, "a snapshot showed traffic before the 30 s plan ended");
  assert.ok(Date.now() - abortedAt < 10_000, `stopping took ${Date.now() - abortedAt} ms`);
  assert.ok(Date.now() - t0 < 25_000, `the run took ${Date.now() - t0} ms of a 30 s plan`);
  assert.equal(r.stopped, true);
  const f = r.finals[0]!;
  assert.equal(f.phase, "stopped");
  assert.ok(f.published > 0, "published before the stop");
  assert.ok(f.published < 2 * 2 * 200 * 30, `published ${f.published}: less than the whole plan`);
  assert.equal(f.workers?.length, 2);
});

test("engine workers - a step splits by whole streams, heaviest first onto the lightest worker", () => {
  const pub = (stream: string, rate: number) => ({ stream, ratePerSec: rate }) as never;
  const con = (stream: string) => ({ stream }) as never;
  const parts = splitSpec(
    {
      servers: [],
      clientIdPrefix: "x",
      useJetStream: false,
      durationMs: 1,
      rampUpMs: 0,
      subjects: {},
      publishers: [pub("A", 100), pub("A", 100), pub("B", 150), pub("C", 50), pub("D", 10)],
      consumers: [con("A"), con("B"), con("D")],
    },
    2,
  );
  assert.equal(parts.length, 2);
  const streamsOf = (i: number) =>
    [
      ...new Set(
        [...parts[i]!.publishers, ...parts[i]!.consumers].map((x) => (x as { stream: string }).stream),
      ),
    ].sort();
  assert.deepEqual(streamsOf(0), ["A"]);
  assert.deepEqual(streamsOf(1), ["B", "C", "D"]);
  assert.equal(splitSpec({ ...parts[0]!, publishers: [pub("A", 1)], consumers: [] }, 4).length, 1);
});
