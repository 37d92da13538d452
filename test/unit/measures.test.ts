import assert from "node:assert/strict";
import { test } from "node:test";
import * as v from "valibot";
import { renderResults } from "../../src/cli/commands/run.ts";
import { isKnownMetric, parseThresholds, thresholdVocabulary } from "../../src/config/index.ts";
import { renderSnapshotMetrics } from "../../src/http/metrics.ts";
import { MEASURES, type Measure, SNAPSHOT_COUNTER_KEYS } from "../../src/measures/index.ts";
import { buildRunReport, compareReports, csvColumns, renderCsv } from "../../src/report/index.ts";
import { sections } from "../../src/report/sections.ts";
import {
  aggregate,
  encodeHistogram,
  newHistogram,
  parseSnapshot,
  recordMs,
  type Snapshot,
  snapshotSchema,
  summarize,
} from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";

// A throwaway counter and latency kind: one entry each, as a contributor would add them.
const WIDGETS = {
  name: "test_widgets",
  kind: "counter",
  unit: "messages",
  label: "test widgets",
  help: "Widgets seen (a throwaway entry of the registry test).",
  optional: true,
  rate: "test_widget_rate",
  perWorker: true,
  worse: "higher",
} as const satisfies Measure;
const LAG = {
  name: "test_lag",
  kind: "latency",
  unit: "ms",
  label: "test lag",
  help: "Lag of the widgets (a throwaway entry of the registry test).",
  optional: true,
} as const satisfies Measure;
const REGISTRY = [...MEASURES, WIDGETS, LAG] as const;

/** A snapshot of `pod` with `widgets` widgets and three lag samples. */
function withWidgets(pod: string, widgets: number): Snapshot {
  const h = newHistogram();
  for (const ms of [1, 2, 40]) recordMs(h, ms);
  const base = snapshot({ pod, values: [1, 2], e2e: [3], phase: "done", workers: undefined });
  const s = {
    ...base,
    test_widgets: widgets,
    latency_ms: { ...base.latency_ms, test_lag: summarize(h) },
    hist: { ...base.hist, test_lag: encodeHistogram(h) },
  };
  h.destroy();
  return s;
}

test("measures - a new counter and latency kind appear in the snapshot schema, optional for older snapshots", () => {
  const schema = snapshotSchema(REGISTRY);
  const parsed = v.parse(schema, withWidgets("a", 7));
  assert.equal(parsed.test_widgets, 7);
  assert.equal(typeof parsed.hist.test_lag, "string");
  assert.equal(parsed.latency_ms.test_lag?.count, 3);
  assert.ok(v.safeParse(schema, snapshot()).success, "a snapshot without them (an older agent) still parses");
  assert.ok(!v.safeParse(schema, { ...withWidgets("a", 7), test_widgets: -1 }).success, "a count is >= 0");
  assert.ok(
    !v.safeParse(schema, { ...withWidgets("a", 7), test_widgets: "7" }).success,
    "a count is a number",
  );
});

test("measures - a new counter is a threshold metric with its rate, a new latency kind has its stats", () => {
  const vocab = thresholdVocabulary(REGISTRY);
  for (const name of ["test_widgets", "test_widget_rate", "test_lag.p99_ms", "test_lag.count"]) {
    assert.ok(isKnownMetric(name, vocab), name);
    assert.ok(!isKnownMetric(name), `${name} is unknown to the registry without it`);
  }
  const { thresholds, issues } = parseThresholds({ test_widgets: "< 20", "test_lag.p99_ms": "< 10" }, vocab);
  assert.deepEqual(issues, []);
  const report = buildRunReport([withWidgets("a", 7), withWidgets("b", 5)], {
    thresholds,
    measures: REGISTRY,
  });
  assert.deepEqual(
    report.thresholds.map((t) => [t.metric, t.actual, t.ok]),
    [
      ["test_widgets", 12, true],
      ["test_lag.p99_ms", report.cluster.latency_ms["test_lag" as "end_to_end"].p99, false],
    ],
  );
});

test("measures - a new counter and latency kind are Prometheus families with the registry's help", () => {
  const text = renderSnapshotMetrics(withWidgets("a", 7), REGISTRY);
  assert.match(
    text,
    /^# HELP lt_test_widgets_total Widgets seen \(a throwaway entry of the registry test\)\.$/m,
  );
  assert.match(text, /^# TYPE lt_test_widgets_total counter$/m);
  assert.match(text, /^lt_test_widgets_total\{run="r1",spec="spec-0",pod="a"\} 7$/m);
  assert.match(text, /^# TYPE lt_test_lag_latency_seconds histogram$/m);
  assert.match(text, /^lt_test_lag_latency_seconds_count\{run="r1",spec="spec-0",pod="a"\} 3$/m);
  assert.doesNotMatch(renderSnapshotMetrics(withWidgets("a", 7)), /test_widgets|test_lag/);
  // An older snapshot without the counter renders it as 0.
  assert.match(renderSnapshotMetrics(snapshot(), REGISTRY), /^lt_test_widgets_total\{[^}]*\} 0$/m);
});

test("measures - a new counter and latency kind are CSV columns after the older ones, summed per cluster", () => {
  const columns = csvColumns(REGISTRY);
  const added = ["test_widgets", "test_widget_rate", ...columns.filter((c) => c.startsWith("test_lag_"))];
  assert.deepEqual(
    columns.filter((c) => !added.includes(c)),
    csvColumns(),
    "the other columns keep their order",
  );
  assert.deepEqual(
    columns.slice(0, 9 + 19 + 40),
    csvColumns().slice(0, 9 + 19 + 40),
    "the first layout leads",
  );
  for (const c of ["test_widgets", "test_widget_rate", "test_lag_count", "test_lag_p99_ms"]) {
    assert.ok(columns.includes(c), c);
  }
  const report = buildRunReport([withWidgets("a", 7), withWidgets("b", 5)], { measures: REGISTRY });
  const lines = renderCsv(report, REGISTRY).trim().split("\r\n");
  const header = lines[0]!.split(",");
  const cluster = lines.at(-1)!.split(",");
  assert.equal(cluster[header.indexOf("scope")], "cluster");
  assert.equal(cluster[header.indexOf("test_widgets")], "12");
  assert.equal(cluster[header.indexOf("test_lag_count")], "6");
});

test("measures - a new counter and latency kind have report rows, ltctl run rows and compare rows", () => {
  const finals = [withWidgets("a", 7), withWidgets("b", 5)];
  const report = buildRunReport(finals, { measures: REGISTRY });
  const all = sections(report, REGISTRY);
  const counters = all.find((s) => s.title.startsWith("Counters"))!;
  assert.deepEqual(
    counters.rows.find((r) => r[0] === "test_widgets"),
    ["test_widgets", "12", WIDGETS.help],
  );
  const latency = all.find((s) => s.title.startsWith("Latency"))!;
  assert.deepEqual(
    latency.rows.filter((r) => r[1] === "test_lag").map((r) => [r[0], r[2]]),
    [
      ["cluster", "6"],
      ["a", "3"],
      ["b", "3"],
    ],
  );
  const run = renderResults([withWidgets("a", 7)], REGISTRY);
  assert.match(run, /^\s+test widgets\s+7\s/m);
  assert.match(run, /^\s+test lag\s+3\s/m);
  const cmp = compareReports(report, buildRunReport([withWidgets("a", 70)], { measures: REGISTRY }), {
    measures: REGISTRY,
  });
  const row = cmp.rows.find((r) => r.metric === "test_widgets");
  assert.deepEqual([row?.a, row?.b, row?.verdict], [12, 70, "regression"]);
});

test("measures - the cluster total sums a new counter and merges a new latency kind, older pods as 0", () => {
  const total = aggregate([withWidgets("a", 7), snapshot({ pod: "old" })], REGISTRY);
  assert.equal((total.counters as Record<string, number>)["test_widgets"], 7);
  assert.equal((total.latency_ms as Record<string, { count: number }>)["test_lag"]?.count, 3);
});

test("measures - every name is snake_case and unique, and unsent and unconsumed parse as absent in older snapshots", () => {
  const names = MEASURES.map((e) => e.name);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^[a-z][a-z0-9_]*$/);
  for (const e of MEASURES as readonly Measure[])
    assert.ok(e.help.endsWith("."), `${e.name}: help is a sentence`);
  const old = snapshot();
  assert.ok(!("unsent" in old) && !("unconsumed" in old));
  const parsed = parseSnapshot(old)!;
  assert.equal(parsed.unsent, undefined);
  assert.equal(aggregate([old]).counters.unconsumed, 0, "merges as 0");
  assert.ok(SNAPSHOT_COUNTER_KEYS.includes("unsent") && SNAPSHOT_COUNTER_KEYS.includes("unconsumed"));
});
