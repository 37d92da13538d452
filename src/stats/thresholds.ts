// Evaluates SLO thresholds (parsed by src/config) over the cluster-wide run summary: a flat metric map.
import { LATENCY_STATS, type Threshold, type ThresholdOperator } from "../config/index.ts";
import { latencyKinds, MEASURES, type Measure, type Registry, snapshotCounters } from "../measures/index.ts";
import type { ClusterTotal } from "./aggregate.ts";
import type { Percentiles } from "./percentiles.ts";

export interface ThresholdResult extends Threshold {
  /** The measured value; `undefined` when the run has no such measurement (counts as a failure). */
  readonly actual: number | undefined;
  readonly ok: boolean;
}

function holds(actual: number, op: ThresholdOperator, value: number): boolean {
  switch (op) {
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "==":
      return actual === value;
    case "!=":
      return actual !== value;
  }
}

/** Reads a metric from a flat map; an absent `errors.<category>` counts as 0 (nothing of that kind happened). */
export function metricValue(metrics: Readonly<Record<string, number>>, metric: string): number | undefined {
  const v = metrics[metric];
  if (v !== undefined) return v;
  if (metric.startsWith("errors.")) return 0;
  return undefined;
}

/** Checks each threshold against the metrics; a missing measurement fails (a gate never passes by accident). */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  metrics: Readonly<Record<string, number>>,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metricValue(metrics, t.metric);
    return {
      ...t,
      actual,
      ok: actual !== undefined && Number.isFinite(actual) && holds(actual, t.op, t.value),
    };
  });
}

/** One line a threshold: `✓ lost == 0 (measured 0)` / `✗ end_to_end.p99_ms < 50 (measured 73.2)`. */
export function formatThresholdResult(r: ThresholdResult): string {
  const measured = r.actual === undefined ? "not measured" : `measured ${formatNumber(r.actual)}`;
  return `${r.ok ? "✓" : "✗"} ${r.metric} ${r.op} ${formatNumber(r.value)} (${measured})`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/**
 * The flat metric map thresholds and comparisons read: the cluster-wide run summary. `total` sums the
 * latest snapshot of every pod and step (counters, merged histograms); `activeSeconds` is the time the run
 * spent measuring (sum over steps of the longest pod's elapsed time), so rates are run means. Every counter
 * of the registry `m` is a metric, with its run-mean rate where it names one (`published` -> `publish_rate`).
 */
export function runMetrics(
  total: ClusterTotal,
  activeSeconds: number,
  m: Registry = MEASURES,
): Record<string, number> {
  const c = total.counters;
  const summed = c as Readonly<Record<string, number | undefined>>;
  const out: Record<string, number> = {};
  const per = (n: number) => (activeSeconds > 0 ? n / activeSeconds : 0);
  for (const e of snapshotCounters(m) as Measure[]) {
    const n = summed[e.name] ?? 0;
    out[e.name] = n;
    if (e.rate) out[e.rate] = per(n);
  }
  let errors = 0;
  for (const [cat, n] of Object.entries(total.errors)) {
    out[`errors.${cat}`] = n;
    errors += n;
  }
  out.errors = errors;
  out.loss_ratio = c.published > 0 ? c.lost / c.published : 0;
  out.publish_error_ratio =
    c.published + c.publish_errors > 0 ? c.publish_errors / (c.published + c.publish_errors) : 0;
  out.duration_s = activeSeconds;
  out.pods = total.pods.length;
  const latency = total.latency_ms as Readonly<Record<string, Percentiles | undefined>>;
  for (const { name: kind } of latencyKinds(m)) {
    const p = latency[kind];
    if (!p) continue;
    out[`${kind}.count`] = p.count;
    // No samples: leave latency unmeasured rather than claim 0 ms.
    if (p.count === 0) continue;
    for (const stat of LATENCY_STATS) out[`${kind}.${stat}_ms`] = p[stat];
  }
  return out;
}
