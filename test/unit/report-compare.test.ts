import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRunReport, compareReports, directionOf, renderComparison } from "../../src/report/index.ts";
import { twoPodRun } from "../fixtures/snapshots.ts";

const a = buildRunReport(twoPodRun("base", 10, 3, 1));
// Slower (latencies x1.5) and fewer messages per second (8 instead of 10).
const b = buildRunReport(twoPodRun("next", 8, 3, 1.5));

test("compare - ratios are B over A for every cluster metric", () => {
  const c = compareReports(a, b);
  const row = (m: string) => c.rows.find((r) => r.metric === m)!;
  assert.equal(row("publish_rate").a, 20);
  assert.equal(row("publish_rate").b, 16);
  assert.equal(row("publish_rate").ratio, 0.8);
  assert.ok(Math.abs(row("publish_ack.max_ms").ratio! - 1.2) < 0.01);
  assert.equal(row("lost").ratio, 1);
});

test("compare - lower rates and higher latencies are regressions, equal values are not", () => {
  const c = compareReports(a, b);
  const verdict = (m: string) => c.rows.find((r) => r.metric === m)!.verdict;
  assert.equal(verdict("publish_rate"), "regression");
  assert.equal(verdict("end_to_end.p99_ms"), "regression");
  assert.equal(verdict("lost"), "same");
  assert.equal(verdict("published"), "same", "volumes are neutral: they depend on the duration");
  const back = compareReports(b, a);
  assert.equal(back.rows.find((r) => r.metric === "publish_rate")!.verdict, "improvement");
  assert.equal(compareReports(a, a).regressions, 0);
});

test("compare - a change within the tolerance is the same", () => {
  const c = compareReports(a, b, { tolerance: 0.5 });
  assert.equal(c.regressions, 0);
});

test("compare - errors that appear only in B have no finite ratio and are marked", () => {
  const withLoss = buildRunReport(
    twoPodRun("lossy").map((s) => ({ ...s, lost: 3, errors: { permission: 2 } })),
  );
  const c = compareReports(a, withLoss);
  const lost = c.rows.find((r) => r.metric === "lost")!;
  assert.equal(lost.ratio, null);
  assert.equal(lost.verdict, "regression");
  assert.equal(c.rows.find((r) => r.metric === "errors.permission")!.a, 0);
  const text = renderComparison(c);
  assert.match(text, /^lost +0 +12 +new +REGRESSION$/m);
});

test("compare - directions: latencies and errors higher is worse, rates lower is worse", () => {
  assert.equal(directionOf("end_to_end.p99_ms"), "higher_is_worse");
  assert.equal(directionOf("errors.timeout"), "higher_is_worse");
  assert.equal(directionOf("lost"), "higher_is_worse");
  assert.equal(directionOf("consume_rate"), "lower_is_worse");
  assert.equal(directionOf("published"), "neutral");
});

test("compare - the table shows A, B, the ratio and marks, and paints by verdict", () => {
  const text = renderComparison(compareReports(a, b), {
    paint: (t, v) => (v === "regression" ? `!${t}` : t),
  });
  assert.match(text, /^A = base \(baseline\), B = next/);
  assert.match(text, /^!publish_rate +20 +16 +0\.80x +REGRESSION$/m);
  assert.match(text, /regressions beyond 5%/);
});
