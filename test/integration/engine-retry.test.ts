// JetStream publish retries: a publish answered "no responders" is sent again until its deadline, then counted
// in its category; while retries succeed, the wait shows as latency from the intended time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/index.ts";
import { runPlan } from "../../src/engine/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";

function plan(url: string, seconds: number) {
  const loaded = loadConfig(
    {
      load_test_specs: [
        {
          name: "rt",
          nats_url: url,
          use_jetstream: true,
          client_id_prefix: "lt-rt",
          streams: [{ name_prefix: "RT", count: 1, replicas: 1, subjects: ["rt.{}"] }],
          publishers: {
            count_per_stream: 1,
            stream_name_prefix: "RT",
            publish_rate_per_second: 50,
            publish_pattern: "steady",
            message_size_bytes: 64,
            track_latency: true,
          },
          consumers: {
            stream_name_prefix: "RT",
            type: "pull",
            count_per_stream: 0,
            durable_name_prefix: "rt",
            ack_wait_seconds: 5,
            max_ack_pending: 1000,
            ack_policy: "explicit",
          },
          behavior: { duration_seconds: seconds, ramp_up_seconds: 0 },
        },
      ],
      stats_collection_interval_seconds: 1,
    },
    { pod: "p", env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.plan;
}

const quiet = { info() {}, warn() {}, error() {} };

test("engine retry - publishes that find no stream are retried until the deadline, then counted as no_responders", async () => {
  await using srv = await startServer();
  const nc = await connect({ servers: srv.url });
  try {
    const jsm = await jetstreamManager(nc);
    const snaps: Snapshot[] = [];
    const run = runPlan(plan(srv.url, 3), {
      runId: "r",
      pod: "p",
      mode: "both",
      signal: new AbortController().signal,
      onSnapshot: (s) => snaps.push(s),
      log: quiet,
      tuning: { ackTimeoutMs: 1000, publishRetryWaitMs: 100 },
    });
    // The stream goes away after a second: every later publish gets 503 no responders.
    await new Promise((r) => setTimeout(r, 1200));
    await jsm.streams.delete("RT_1");
    const f = (await run).finals[0]!;
    assert.equal(f.phase, "done");
    assert.equal(f.published, 150);
    assert.ok(f.acked >= 40 && f.acked < 100, `acked ${f.acked}`);
    assert.equal(f.acked + f.publish_errors, f.published, JSON.stringify(f.errors));
    // Each failed publish counts once. All are no_responders but at most the one or two in flight at the
    // instant of the delete, which the dying stream may leave unanswered or answer with its own error.
    const noResponders = f.errors.no_responders ?? 0;
    assert.ok(
      noResponders <= f.publish_errors && f.publish_errors - noResponders <= 2,
      `errors ${JSON.stringify(f.errors)} of ${f.publish_errors} failed publishes`,
    );
    // Each failed message was tried about deadline / wait times (1000 / 100 ms), not once.
    assert.ok((f.publish_retries ?? 0) >= f.publish_errors * 4, `retries ${f.publish_retries}`);
    assert.equal(f.lost, 0);
  } finally {
    await nc.close();
  }
});

test("engine retry - a stream that comes back within the deadline turns the gap into latency, not errors", async () => {
  await using srv = await startServer();
  const nc = await connect({ servers: srv.url });
  try {
    const jsm = await jetstreamManager(nc);
    const run = runPlan(plan(srv.url, 4), {
      runId: "r",
      pod: "p",
      mode: "both",
      signal: new AbortController().signal,
      onSnapshot: () => {},
      log: quiet,
    });
    await new Promise((r) => setTimeout(r, 1200));
    const cfg = (await jsm.streams.info("RT_1")).config;
    await jsm.streams.delete("RT_1");
    const gone = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    await jsm.streams.add(cfg);
    const outage = Date.now() - gone;
    const f = (await run).finals[0]!;
    assert.equal(f.phase, "done");
    assert.equal(f.publish_errors, 0, JSON.stringify(f.errors));
    assert.equal(f.acked, f.published);
    assert.ok((f.publish_retries ?? 0) > 0);
    assert.ok(
      f.latency_ms.publish_ack.max >= outage - 300,
      `publish_ack max ${f.latency_ms.publish_ack.max} ms, outage ${outage} ms`,
    );
  } finally {
    await nc.close();
  }
});
