// Engine against a real nats-server: exact rates, counts that add up, the ramp's shape, random bursts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toOriginalRecord } from "../../src/http/index.ts";
import { startServer } from "../harness/index.ts";
import { run } from "./engine-helpers.ts";

function spec(url: string, over: Record<string, unknown> = {}) {
  const o = over as {
    streams?: Record<string, unknown>;
    publishers?: Record<string, unknown>;
    consumers?: Record<string, unknown>;
    behavior?: Record<string, unknown>;
    use_jetstream?: boolean;
  };
  return {
    name: "t",
    nats_url: url,
    use_jetstream: o.use_jetstream ?? true,
    client_id_prefix: "lt-test",
    streams: [{ name_prefix: "S", count: 1, replicas: 1, subjects: ["t.{}"], ...o.streams }],
    publishers: {
      count_per_stream: 1,
      stream_name_prefix: "S",
      publish_rate_per_second: 100,
      publish_pattern: "steady",
      message_size_bytes: 128,
      track_latency: true,
      ...o.publishers,
    },
    consumers: {
      stream_name_prefix: "S",
      type: "pull",
      count_per_stream: 1,
      durable_name_prefix: "c",
      ack_wait_seconds: 30,
      max_ack_pending: 10000,
      ack_policy: "explicit",
      ...o.consumers,
    },
    behavior: { duration_seconds: 2, ramp_up_seconds: 0, ...o.behavior },
  };
}

test("engine - steady 2,000 msg/s for 5 s over 2 streams x 2 publishers lands within 2% and every message is accounted", async () => {
  await using srv = await startServer();
  const { finals } = await run([
    spec(srv.url, {
      streams: { count: 2 },
      publishers: { count_per_stream: 2, publish_rate_per_second: 500 },
      behavior: { duration_seconds: 5 },
    }),
  ]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.ok(Math.abs(f.published - 10_000) <= 200, `published ${f.published}, want 10000 ±2%`);
  assert.equal(f.publish_errors, 0, JSON.stringify(f.errors));
  assert.equal(f.acked, f.published, "acked == published");
  assert.equal(f.consumed, f.published, "consumed == published");
  assert.equal(f.lost, 0);
  assert.equal(f.duplicates, 0);
  assert.equal(f.redelivered, 0);
  assert.equal(f.latency_ms.end_to_end.count, f.consumed, "one end-to-end value per consumed message");
  assert.equal(f.remote_latency, 0, "publishers and consumers in one process: no remote sample");
  assert.equal(f.latency_ms.publish_ack.count, f.acked, "one publish-ack value per ack");
  const svc = f.latency_ms.publish_service;
  assert.equal(svc?.count, f.acked, "one service-time value per ack");
  // Per message ack − sent <= ack − intended (nothing is sent before its time), so the medians keep that
  // order; one HDR bucket (0.1%) and the microsecond rounding are the tolerance.
  const ack = f.latency_ms.publish_ack;
  assert.ok(svc.p50 <= ack.p50 * 1.001 + 0.001, `service p50 ${svc.p50} ms, response p50 ${ack.p50} ms`);
  assert.ok(svc.max <= ack.max * 1.001 + 0.001, `service max ${svc.max} ms, response max ${ack.max} ms`);
  assert.equal(f.unsent, 0);
  assert.equal(f.streams?.length, 2);
  assert.equal(
    f.streams?.reduce((n, s) => n + (s.messages ?? 0), 0),
    f.published,
  );
});

test("engine - the first half of a ramp publishes a quarter of the full-rate messages of that period", async () => {
  await using srv = await startServer();
  // Duration 2 s of a 4 s ramp at 2,000/s: N(2 s) = r·t²/(2T) = 1,000, a quarter of 2 s at full rate.
  const { finals } = await run([
    spec(srv.url, {
      use_jetstream: false,
      publishers: { publish_rate_per_second: 2000 },
      consumers: { count_per_stream: 0 },
      behavior: { duration_seconds: 2, ramp_up_seconds: 4 },
    }),
  ]);
  const f = finals[0]!;
  assert.ok(Math.abs(f.published - 1000) <= 30, `published ${f.published}, want ~1000 (a quarter of 4000)`);
});

test("engine - snapshots carry the ramp-up, so the original's RampUp record is active mid-ramp and complete at the end", async () => {
  await using srv = await startServer();
  const { snaps, finals } = await run([
    spec(srv.url, {
      use_jetstream: false,
      consumers: { count_per_stream: 0 },
      behavior: { duration_seconds: 6, ramp_up_seconds: 4 },
    }),
  ]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.ok(
    snaps.every((s) => s.ramp_up_s === 4),
    "every snapshot of the step carries its ramp-up",
  );
  // Snapshots come every second: the ones taken 1-2 s in are inside the 4 s ramp.
  const mid = snaps.filter((s) => s.phase === "running" && s.elapsed_s >= 1 && s.elapsed_s <= 2);
  assert.ok(mid.length >= 1, `a snapshot 1-2 s in, got elapsed ${snaps.map((s) => s.elapsed_s)}`);
  for (const s of mid) {
    const r = toOriginalRecord(s).RampUp;
    assert.equal(r.is_active, true, JSON.stringify(r));
    assert.ok(r.progress > 0 && r.progress < 1, `progress ${r.progress} at ${s.elapsed_s} s`);
    assert.ok(Math.abs(r.progress - s.elapsed_s / 4) < 1e-9, "progress is the elapsed share of the ramp");
    assert.ok(r.time_remaining >= 2 && r.time_remaining <= 3, `time_remaining ${r.time_remaining} s`);
  }
  assert.deepEqual(toOriginalRecord(f).RampUp, { is_active: false, progress: 1, time_remaining: 0 });
});

test("engine - random bursts keep the mean rate of steady within 5%", async () => {
  await using srv = await startServer();
  const { finals } = await run([
    spec(srv.url, {
      use_jetstream: false,
      publishers: { publish_rate_per_second: 10_000, publish_pattern: "random", publish_burst_size: 10 },
      behavior: { duration_seconds: 4 },
    }),
  ]);
  const f = finals[0]!;
  // 4,000 bursts expected: the count's standard deviation is ~1.6%, so 5% is over 3 sigma.
  assert.ok(Math.abs(f.published - 40_000) <= 2000, `published ${f.published}, want 40000 ±5%`);
  assert.equal(f.consumed, f.published, "core subscription on one host receives everything");
  assert.equal(f.lost, 0);
  assert.equal(f.latency_ms.publish_service?.count, 0, "core publishes get no ack: no service time");
});
