// The live series (dashboard, ltctl watch): the report's bins built as snapshots arrive, each handed out once
// every running pod has reported past it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRunReport } from "../../src/report/index.ts";
import { LiveSeries, type Snapshot } from "../../src/stats/index.ts";
import { chain, JITTERED } from "../fixtures/chains.ts";
import { T0 } from "../fixtures/snapshots.ts";

/** Snapshots of several pods in arrival order (by ts). */
const arrival = (...chains: Snapshot[][]) =>
  chains.flat().sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));

const latency = (i: number) => Array.from({ length: 100 }, (_, j) => (i === 5 ? 800 + 2 * j : 1 + j / 100));

test("live series - the points a finished run hands out are the report's series, jitter and all", () => {
  const snaps = arrival(
    chain({ pod: "a", times: JITTERED, latency }),
    chain({ pod: "b", times: JITTERED.map((t) => t + 0.004), latency }),
  );
  const live = new LiveSeries();
  for (const s of snaps) live.add(s);
  const report = buildRunReport(snaps);
  const start = Date.parse(report.started_at);
  assert.equal(live.intervalS, report.series.interval_s);
  assert.deepEqual(
    live
      .points()
      .map((p) => [Math.round((p.end_ms - start) / 100) / 10, p.publish_rate, p.latency.publish_ack]),
    report.series.points.map((p) => [
      p.t_s,
      p.publish_rate === null ? null : Math.round(p.publish_rate * 10) / 10,
      { ...p.publish_ack },
    ]),
  );
  const stall = live.points().find((p) => Math.abs(p.end_ms - (T0 + 6000)) < 1);
  assert.ok(stall && stall.latency.publish_ack.p50 >= 800, "the stall shows in its own interval");
});

test("live series - a bin is handed out only once every running pod reported past it, a silent pod stops holding it back", () => {
  const a = chain({ pod: "a", times: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
  const b = chain({ pod: "b", times: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }).map((s) => ({
    ...s,
    ts: new Date(Date.parse(s.ts) + 300).toISOString(), // b reports 300 ms after a
  }));
  const live = new LiveSeries();
  const seen = new Map<number, number | null>();
  const feed = (s: Snapshot) => {
    for (const p of live.add(s)) seen.set(p.end_ms, p.publish_rate);
  };
  for (const s of [a[0]!, b[0]!, a[1]!, b[1]!, a[2]!, b[2]!, a[3]!]) feed(s);
  // a reported second 4, b only second 3: second 4 waits for b, nothing is shown at half the rate.
  for (const [end, rate] of seen) assert.ok(rate === 4000 || end <= T0 + 1000, `${end - T0}: ${rate}`);
  assert.ok(!seen.has(T0 + 4000), "second 4 is not handed out before b reports it");
  feed(b[3]!);
  assert.equal(seen.get(T0 + 4000), 4000);
  // b goes silent (killed): after a few intervals a is shown alone, at its own rate, not held back for ever.
  for (const s of a.slice(4)) feed(s);
  assert.equal(seen.get(T0 + 9000), 2000, "b stopped: the cluster is a alone");
});

test("live series - a snapshot lost in transit is a gap, the next run starts a new series", () => {
  const live = new LiveSeries();
  const points = new Map<number, number | null>();
  for (const s of chain({ times: [1, 2, 3, 4, 5, 6] }).filter((x) => x.elapsed_s !== 3))
    for (const p of live.add(s)) points.set(p.end_ms - T0, p.publish_rate);
  assert.deepEqual(
    [...points].sort((x, y) => x[0] - y[0]),
    [
      [1000, 2000],
      [2000, 2000],
      [3000, null],
      [4000, 2000],
      [5000, 2000],
      [6000, 2000],
    ],
  );
  const next = chain({ times: [1, 2, 3] }).map((s) => ({
    ...s,
    run_id: "r2",
    ts: new Date(Date.parse(s.ts) + 60_000).toISOString(),
  }));
  for (const s of next) live.add(s);
  assert.equal(live.run, "r2");
  assert.ok(
    live.points().every((p) => p.end_ms > T0 + 60_000),
    "only the new run's points",
  );
  // A late snapshot of the earlier run changes nothing.
  assert.deepEqual(live.add(chain({ times: [7] })[0]!), []);
  live.close();
});
