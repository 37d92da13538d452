import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRunReport, checkThresholds } from "../../src/report/index.ts";
import { newHistogram, recordMs, summarize } from "../../src/stats/index.ts";
import { snapshot, twoPodRun } from "../fixtures/snapshots.ts";

test("report - cluster totals sum the final snapshot of every pod and step", () => {
  const r = buildRunReport(twoPodRun("r1", 10, 3));
  // 2 steps x 2 pods x 3 s x 10 msgs/s
  assert.equal(r.cluster.metrics.published, 120);
  assert.equal(r.cluster.metrics.consumed, 120);
  assert.equal(r.cluster.metrics.publish_errors, 2);
  assert.equal(r.cluster.errors.timeout, 2);
  assert.equal(r.cluster.duration_s, 6);
  assert.equal(r.cluster.metrics.publish_rate, 20);
  assert.deepEqual(r.cluster.pods, ["a", "b"]);
  assert.equal(r.pods.length, 2);
  assert.equal(r.pods[0]!.summary.metrics.published, 60);
  assert.equal(r.steps.length, 2);
  assert.deepEqual(
    r.steps.map((s) => [s.spec_index, s.spec, s.iteration, s.cluster.metrics.published, s.pods.length]),
    [
      [0, "alpha", 0, 60, 2],
      [1, "beta", 0, 60, 2],
    ],
  );
  assert.equal(r.steps[0]!.pods[1]!.phase, "done");
  assert.equal(r.snapshots, 12);
  assert.equal(r.started_at, "2024-05-01T12:00:00.000Z");
  assert.equal(r.ended_at, "2024-05-01T12:00:06.000Z");
});

test("report - cluster percentiles are exact merges of every pod's histograms, never averages", () => {
  const fast = Array.from({ length: 990 }, (_, i) => 1 + (i % 5));
  const slow = Array.from({ length: 10 }, (_, i) => 500 + i);
  const r = buildRunReport([snapshot({ pod: "a", values: fast }), snapshot({ pod: "b", values: slow })]);
  const one = newHistogram();
  for (const ms of [...fast, ...slow]) recordMs(one, ms);
  assert.deepEqual(r.cluster.latency_ms.publish_ack, summarize(one));
  assert.equal(r.cluster.metrics["publish_ack.p99_ms"], summarize(one).p99);
  // The curve runs p0 .. p100 through p99.999 and never decreases.
  const curve = r.curves.publish_ack;
  assert.ok(curve.some((c) => c.percentile === 99.999));
  for (let i = 1; i < curve.length; i++) assert.ok(curve[i]!.ms >= curve[i - 1]!.ms);
  assert.equal(r.curves.end_to_end.length, 0);
  one.destroy();
});

test("report - service time is merged, gated and curved like publish_ack; runs from older agents just lack it", () => {
  const svcA = Array.from({ length: 90 }, (_, i) => 0.5 + i / 100);
  const svcB = Array.from({ length: 10 }, (_, i) => 40 + i);
  const r = buildRunReport(
    [
      snapshot({ pod: "a", values: svcA.map((v) => v + 1), service: svcA }),
      snapshot({ pod: "b", values: svcB.map((v) => v + 1), service: svcB }),
    ],
    { thresholds: { "publish_service.p99_ms": "< 10", "publish_service.count": "== 100" } },
  );
  const one = newHistogram();
  for (const ms of [...svcA, ...svcB]) recordMs(one, ms);
  assert.deepEqual(r.cluster.latency_ms.publish_service, summarize(one));
  assert.equal(r.cluster.metrics["publish_service.count"], 100);
  assert.equal(r.cluster.metrics["publish_service.p99_ms"], summarize(one).p99);
  assert.deepEqual(
    r.thresholds.map((t) => [t.metric, t.ok]),
    [
      ["publish_service.p99_ms", false],
      ["publish_service.count", true],
    ],
  );
  assert.ok(r.curves.publish_service.some((c) => c.percentile === 99.999));
  one.destroy();
  const old = buildRunReport([snapshot({ pod: "a", values: [1, 2, 3] })]);
  assert.equal(old.cluster.metrics["publish_service.count"], 0);
  assert.equal(old.cluster.metrics["publish_service.p99_ms"], undefined, "no samples: not measured");
  assert.equal(old.curves.publish_service.length, 0);
});

test("report - send delay is merged per pod and cluster-wide, gated and curved; runs from older agents just lack it", () => {
  // Pod a's client kept up; pod b's fell 50..59 ms behind on a tenth of its sends.
  const lateA = Array.from({ length: 100 }, (_, i) => 0.05 + i / 1000);
  const lateB = [...Array.from({ length: 90 }, () => 0.1), ...Array.from({ length: 10 }, (_, i) => 50 + i)];
  const r = buildRunReport(
    [
      snapshot({ pod: "a", values: [1, 2], sendDelay: lateA }),
      snapshot({ pod: "b", values: [1, 2], service: [0.5, 1], sendDelay: lateB }),
    ],
    { thresholds: { "send_delay.p99_ms": "< 5", "send_delay.count": "== 200", "publish_ack.p99_ms": "< 5" } },
  );
  const one = newHistogram();
  for (const ms of [...lateA, ...lateB]) recordMs(one, ms);
  assert.deepEqual(r.cluster.latency_ms.send_delay, summarize(one));
  assert.equal(r.cluster.metrics["send_delay.count"], 200);
  assert.equal(r.cluster.metrics["send_delay.p99_ms"], summarize(one).p99);
  assert.ok(r.cluster.metrics["send_delay.p99_ms"]! >= 50, "the late pod shows in the cluster p99");
  assert.equal(r.pods.find((p) => p.pod === "a")!.summary.latency_ms.send_delay.count, 100);
  assert.ok(r.pods.find((p) => p.pod === "a")!.summary.metrics["send_delay.max_ms"]! < 1);
  assert.deepEqual(
    r.thresholds.map((t) => [t.metric, t.ok]),
    [
      ["send_delay.p99_ms", false],
      ["send_delay.count", true],
      ["publish_ack.p99_ms", true],
    ],
  );
  assert.equal(r.passed, false, "a late load generator fails the gate although the server was fast");
  assert.ok(r.curves.send_delay.some((c) => c.percentile === 99.999));
  assert.equal(r.curves.send_delay.at(-1)!.ms, summarize(one).max);
  one.destroy();
  const old = buildRunReport([snapshot({ pod: "a", values: [1, 2, 3], service: [1] })], {
    thresholds: { "send_delay.p99_ms": "< 5" },
  });
  assert.equal(old.cluster.metrics["send_delay.count"], 0);
  assert.equal(old.cluster.metrics["send_delay.p99_ms"], undefined, "no samples: not measured");
  assert.equal(old.thresholds[0]!.ok, false, "an unmeasured gate never passes");
  assert.equal(old.curves.send_delay.length, 0);
  assert.equal(old.cluster.latency_ms.publish_service.count, 1, "the other kinds are unaffected");
});

test("report - the time series holds per-interval rates and latencies from consecutive snapshots", () => {
  // Pod a: 10 fast samples in second 1, then 10 slow ones in second 2 (cumulative histograms).
  const first = Array.from({ length: 10 }, () => 1);
  const second = Array.from({ length: 10 }, () => 100);
  const r = buildRunReport([
    snapshot({ pod: "a", at: 1, elapsed_s: 1, values: first }),
    snapshot({ pod: "a", at: 2, elapsed_s: 2, values: [...first, ...second] }),
    // Pod b started a second later: its first snapshot covers second 2 only.
    snapshot({ pod: "b", at: 2, elapsed_s: 1, values: [...first, ...first] }),
  ]);
  assert.equal(r.series.interval_s, 1);
  const [p1, p2] = r.series.points;
  assert.equal(p1!.t_s, 1);
  assert.equal(p1!.publish_rate, 10);
  assert.equal(p1!.publish_ack.count, 10);
  assert.equal(p1!.publish_ack.max, 1);
  assert.equal(p2!.t_s, 2);
  // a's second interval (10 samples at 100 ms) plus b's first report (20 at 1 ms).
  assert.equal(p2!.publish_ack.count, 30);
  assert.equal(p2!.publish_rate, 30);
  assert.equal(p2!.pods, 2);
  assert.ok(p2!.publish_ack.max >= 99.9);
});

test("report - several runs in the input: the newest is reported unless one is named", () => {
  const snaps = [
    ...twoPodRun("old"),
    ...twoPodRun("new").map((s) => ({ ...s, ts: "2030-01-01T00:00:00.000Z" })),
  ];
  assert.equal(buildRunReport(snaps).run_id, "new");
  assert.equal(buildRunReport(snaps, { run: "old" }).run_id, "old");
  assert.throws(() => buildRunReport(snaps, { run: "nope" }), /no snapshots of run "nope"/);
  assert.throws(() => buildRunReport([]), RangeError);
});

test("report - thresholds from the config are checked against the cluster summary", () => {
  const r = buildRunReport(twoPodRun(), { thresholds: { lost: "== 0", "publish_ack.p99_ms": "< 5" } });
  assert.equal(r.passed, false);
  assert.deepEqual(
    r.thresholds.map((t) => [t.metric, t.ok]),
    [
      ["lost", true],
      ["publish_ack.p99_ms", false],
    ],
  );
  const gate = checkThresholds({ "publish_ack.p99_ms": "< 5" }, twoPodRun());
  assert.equal(gate.passed, false);
  assert.match(gate.text, /✗ publish_ack\.p99_ms < 5 \(measured 20\.\d+\)/);
  assert.equal(checkThresholds(undefined, twoPodRun()).passed, true);
  assert.equal(buildRunReport(twoPodRun()).passed, true);
});

test("report - a consumer's drain after the step's duration does not dilute the run's mean rates", () => {
  const pub = snapshot({ pod: "p", phase: "done", elapsed_s: 15, duration_s: 15, published: 1500, at: 15 });
  // The consume-only pod drained for 3 s after the planned 15 s.
  const con = snapshot({ pod: "c", phase: "done", elapsed_s: 18, duration_s: 15, published: 0, at: 18 });
  const r = buildRunReport([pub, con]);
  assert.equal(r.cluster.duration_s, 15);
  assert.equal(r.cluster.metrics.publish_rate, 100);
  // A step stopped early counts only the time it ran.
  const stopped = snapshot({
    pod: "p",
    phase: "stopped",
    elapsed_s: 5,
    duration_s: 15,
    published: 500,
    at: 5,
  });
  assert.equal(buildRunReport([stopped]).cluster.metrics.publish_rate, 100);
});
