// The report's time series follows the snapshots: each point from the snapshots' own intervals, a pod counted
// once per bin however its snapshots jitter, a lost snapshot a gap, latency per interval.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRunReport, renderHtml } from "../../src/report/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { chain, JITTERED } from "../fixtures/chains.ts";
import { T0 } from "../fixtures/snapshots.ts";

const rates = (snaps: Snapshot[]) =>
  buildRunReport(snaps).series.points.map((p) => [p.t_s, p.publish_rate] as const);

test("series - a steady 2,000 msg/s pod whose snapshots come a few ms late or early is drawn flat, never 4,000 beside a hole", () => {
  for (const intervals of [true, false]) {
    const points = rates(chain({ times: JITTERED, intervals }));
    assert.deepEqual(
      points.map(([t]) => t),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      `one point per second, none missing (${intervals ? "interval_s" : "older agents"})`,
    );
    for (const [t, rate] of points) {
      assert.ok(rate !== null && Math.abs(rate - 2000) <= 20, `t=${t}: ${rate} msg/s (${intervals})`);
    }
  }
});

test("series - two pods at 2,000 msg/s each sum to 4,000 in every bin, each counted once", () => {
  const snaps = [
    ...chain({ pod: "a", times: JITTERED }),
    ...chain({ pod: "b", times: JITTERED.map((t) => t + 0.004) }),
  ];
  const report = buildRunReport(snaps);
  for (const p of report.series.points.slice(0, -1)) {
    assert.ok(
      p.publish_rate !== null && Math.abs(p.publish_rate - 4000) <= 40,
      `t=${p.t_s}: ${p.publish_rate}`,
    );
    assert.equal(p.pods, 2);
    assert.equal(p.target_rate !== null && Math.round(p.target_rate), 4000);
  }
});

test("series - a lost snapshot is a gap in the series, its neighbours keep their own rate", () => {
  const lost = chain({ times: JITTERED }).filter((s) => s.elapsed_s !== 2.997);
  const points = buildRunReport(lost).series.points;
  const gap = points.find((p) => p.t_s === 3);
  assert.ok(gap, "the bin is there");
  assert.equal(gap.complete, false);
  assert.equal(gap.publish_rate, null, "unknown, not 0 and not a neighbour's");
  for (const p of points.filter((x) => x.t_s !== 3)) {
    assert.ok(
      p.publish_rate !== null && Math.abs(p.publish_rate - 2000) <= 20,
      `t=${p.t_s}: ${p.publish_rate}`,
    );
  }
  // Snapshots on the second exactly: the lost one's bin is touched by no other snapshot, still a gap point.
  const exact = chain({ times: [1, 2, 3, 4, 5, 6] }).filter((s) => s.elapsed_s !== 3);
  const p = buildRunReport(exact).series.points;
  assert.deepEqual(
    p.map((x) => [x.t_s, x.publish_rate]),
    [
      [1, 2000],
      [2, 2000],
      [3, null],
      [4, 2000],
      [5, 2000],
      [6, 2000],
    ],
  );
  // With two pods, the bin one of them lost is a gap too, never half the cluster's rate.
  const two = [...chain({ pod: "a", times: JITTERED }), ...lost.map((s) => ({ ...s, pod: "b" }))];
  const p3 = buildRunReport(two).series.points.find((p) => p.t_s === 3)!;
  assert.equal(p3.publish_rate, null);
  // Drawn as a break in the line, not a line through the hole.
  const html = renderHtml(buildRunReport(lost));
  const path = /<path class="series" data-series="publish" d="([^"]+)"/.exec(html)![1]!;
  assert.equal(path.match(/M/g)!.length, 2, `two pieces: ${path}`);
});

test("series - older snapshots without interval_s: a lost one is spread as the mean of the span it leaves, never doubled", () => {
  const lost = chain({ times: JITTERED, intervals: false }).filter((s) => s.elapsed_s !== 2.997);
  for (const p of buildRunReport(lost).series.points) {
    assert.ok(
      p.publish_rate !== null && Math.abs(p.publish_rate - 2000) <= 20,
      `t=${p.t_s}: ${p.publish_rate}`,
    );
  }
});

test("series - latency per interval: a stall shows where it happened, whole-run percentiles stay the merged cumulative histograms", () => {
  // 100 samples a second at 1-2 ms; second 6 stalls at 800-1000 ms.
  const latency = (i: number) => Array.from({ length: 100 }, (_, j) => (i === 5 ? 800 + 2 * j : 1 + j / 100));
  for (const intervals of [true, false]) {
    const snaps = chain({ times: JITTERED, intervals, latency });
    const report = buildRunReport(snaps);
    const points = report.series.points;
    for (const p of points) {
      assert.equal(p.publish_ack.count, 100, `t=${p.t_s}: each interval's own samples (${intervals})`);
      if (p.t_s === 6)
        assert.ok(p.publish_ack.p50 >= 800 && p.publish_ack.max >= 990, JSON.stringify(p.publish_ack));
      else assert.ok(p.publish_ack.max <= 2.01, `t=${p.t_s}: ${JSON.stringify(p.publish_ack)}`);
    }
    assert.equal(
      report.cluster.latency_ms.publish_ack.count,
      1000,
      "whole run from the cumulative histograms",
    );
    assert.ok(
      report.cluster.latency_ms.publish_ack.p90 < 3 && report.cluster.latency_ms.publish_ack.p99 >= 800,
    );
  }
  // A lost snapshot: the next interval's percentiles hold only its own samples (it carries them), not the
  // lost interval's stall folded in.
  const snaps = chain({ times: JITTERED, latency }).filter((s) => s.elapsed_s !== 4.999);
  const p7 = buildRunReport(snaps).series.points.find((p) => p.t_s === 7)!;
  assert.equal(p7.publish_ack.count, 100);
  assert.ok(p7.publish_ack.max <= 2.01);
});

test("series - a pod's second process (a restart) runs from where it joined: no bin counts the pod twice", () => {
  const first = chain({ times: [1, 2, 3, 4] }).map((s) => ({
    ...s,
    incarnation: "one",
    phase: "running" as const,
  }));
  // Killed at about 4.5 s, back at 6 s for the remaining 4 s of the step.
  const second = chain({ times: [1, 2, 3, 4] }).map((s) => ({
    ...s,
    incarnation: "two",
    ts: new Date(T0 + (6 + s.elapsed_s) * 1000).toISOString(),
  }));
  const points = buildRunReport([...first, ...second]).series.points;
  for (const p of points) {
    if (p.publish_rate === null) continue;
    assert.ok(p.publish_rate <= 2000 * 1.01, `t=${p.t_s}: ${p.publish_rate}`);
  }
  assert.deepEqual(
    points.filter((p) => p.publish_rate !== null && p.publish_rate > 1900).map((p) => p.t_s),
    [1, 2, 3, 4, 7, 8, 9, 10],
  );
});
