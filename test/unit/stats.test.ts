import assert from "node:assert/strict";
import { test } from "node:test";
import {
  aggregate,
  decodeHistogram,
  emptyPercentiles,
  encodeHistogram,
  latestPerPod,
  mergeEncoded,
  newHistogram,
  recordMs,
  type Snapshot,
  summarize,
} from "../../src/stats/index.ts";
import { snapshot as fixture, type SnapOptions } from "../fixtures/snapshots.ts";

/** A snapshot of `pod` whose publish_ack histogram holds `values` (ms). */
function snapshot(pod: string, values: number[], extra: SnapOptions = {}): Snapshot {
  return fixture({
    pod,
    spec: "s",
    ts: new Date(1_700_000_000_000).toISOString(),
    values,
    consumed: values.length,
    acks_sent: values.length,
    publish_rate: 10,
    consume_rate: 10,
    bytes_out: 100,
    bytes_in: 100,
    errors: { timeout: 1 },
    ...extra,
  });
}

test("stats - a histogram survives encoding with every count intact", () => {
  const h = newHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(h, i / 10);
  const back = decodeHistogram(encodeHistogram(h));
  assert.equal(back.totalCount, 1000);
  assert.deepEqual(summarize(back), summarize(h));
});

test("stats - cluster percentiles equal those of one histogram built from all pods' values", () => {
  const a = Array.from({ length: 900 }, (_, i) => 1 + (i % 10));
  const b = Array.from({ length: 90 }, (_, i) => 50 + i);
  const c = Array.from({ length: 10 }, (_, i) => 1000 + i * 100);
  const total = aggregate([snapshot("a", a), snapshot("b", b), snapshot("c", c)]);
  const one = newHistogram();
  for (const ms of [...a, ...b, ...c]) recordMs(one, ms);
  assert.deepEqual(total.latency_ms.publish_ack, summarize(one));
  assert.equal(total.latency_ms.publish_ack.count, 1000);
  // The p99 lies in the slow pod's values: an average of per-pod p99s would be far off.
  assert.ok(total.latency_ms.publish_ack.p99 >= 137 && total.latency_ms.publish_ack.p99 <= 1000);
  assert.equal(total.counters.published, 1000);
  assert.equal(total.errors.timeout, 3);
  assert.deepEqual(total.pods, ["a", "b", "c"]);
});

test("stats - cluster service time is the merge of the pods' publish_service histograms, and a snapshot without one adds nothing", () => {
  const a = Array.from({ length: 100 }, (_, i) => 0.2 + i / 100);
  const b = Array.from({ length: 50 }, (_, i) => 3 + i);
  const older = snapshot("c", [5, 6, 7]); // an agent from before publish_service: no such histogram
  assert.equal(older.hist.publish_service, undefined);
  const total = aggregate([snapshot("a", a, { service: a }), snapshot("b", b, { service: b }), older]);
  const one = newHistogram();
  for (const ms of [...a, ...b]) recordMs(one, ms);
  assert.deepEqual(total.latency_ms.publish_service, summarize(one));
  assert.equal(total.latency_ms.publish_service.count, 150);
  assert.equal(total.latency_ms.publish_ack.count, 153);
  assert.deepEqual(aggregate([older]).latency_ms.publish_service, emptyPercentiles());
  one.destroy();
});

test("stats - cluster send delay is the merge of the pods' send_delay histograms, apart from the ack latencies, and older snapshots add nothing", () => {
  // Pod a kept up (sub-millisecond lateness), pod b fell behind: the cluster p99 must show b's lag.
  const a = Array.from({ length: 980 }, (_, i) => 0.01 + (i % 50) / 100);
  const b = Array.from({ length: 20 }, (_, i) => 200 + i * 5);
  const core = snapshot("b", [], { sendDelay: b }); // core publishes: a send delay but no acks
  const older = snapshot("c", [5, 6, 7], { service: [1, 2, 3] }); // an agent from before send_delay
  assert.equal(older.hist.send_delay, undefined);
  const total = aggregate([snapshot("a", [1, 2], { sendDelay: a }), core, older]);
  const one = newHistogram();
  for (const ms of [...a, ...b]) recordMs(one, ms);
  assert.deepEqual(total.latency_ms.send_delay, summarize(one));
  assert.equal(total.latency_ms.send_delay.count, 1000);
  assert.ok(total.latency_ms.send_delay.p99 >= 200, `p99 ${total.latency_ms.send_delay.p99} ms`);
  assert.equal(total.latency_ms.publish_ack.count, 5, "send delays are not counted as acks");
  assert.equal(total.latency_ms.publish_service.count, 3);
  assert.deepEqual(aggregate([older]).latency_ms.send_delay, emptyPercentiles());
  one.destroy();
});

test("stats - latency values are clamped into range, never thrown away", () => {
  const h = newHistogram();
  recordMs(h, -5);
  recordMs(h, Number.NaN);
  recordMs(h, 10 * 3_600_000);
  assert.equal(h.totalCount, 3);
  // The top bucket spans 0.1%: the clamped value reads back within it.
  assert.ok(Math.abs(summarize(h).max - 3_600_000) <= 3_600_000 * 0.001);
});

test("stats - empty and missing encoded histograms merge to an empty one", () => {
  assert.equal(mergeEncoded(["", undefined]).totalCount, 0);
  assert.deepEqual(summarize(newHistogram()), emptyPercentiles());
});

test("stats - latestPerPod keeps the newest snapshot of each pod, a final one over a running one", () => {
  const t0 = "2026-01-01T00:00:00.000Z";
  const t1 = "2026-01-01T00:00:05.000Z";
  const picked = latestPerPod([
    snapshot("a", [1], { ts: t0 }),
    snapshot("a", [1, 2], { ts: t1 }),
    snapshot("a", [1, 2, 3], { ts: t1, phase: "done" }),
    snapshot("b", [1], { ts: t0 }),
  ]);
  assert.equal(picked.length, 2);
  const a = picked.find((s) => s.pod === "a");
  assert.equal(a?.phase, "done");
  assert.equal(a?.published, 3);
});
