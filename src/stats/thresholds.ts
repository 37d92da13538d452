// SLO thresholds (k6-style): `{ "end_to_end.p99_ms": "< 50", "lost": "== 0" }` over the cluster-wide run
// summary. Pure: parsing reports bad expressions with their key path; evaluation reads a flat metric map.
import type { ClusterTotal } from "./aggregate.ts";
import { PERCENTILE_KEYS } from "./percentiles.ts";

/** Exit code when a threshold fails (as k6). Any non-zero exit means the run did not pass. */
export const EXIT_THRESHOLDS_FAILED = 99;

export const THRESHOLD_OPERATORS = ["<=", ">=", "==", "!=", "<", ">"] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];

/** One parsed threshold: `metric op value`, as written under `thresholds` in the config. */
export interface Threshold {
  readonly metric: string;
  readonly op: ThresholdOperator;
  readonly value: number;
  /** The expression as written, e.g. `< 50`. */
  readonly source: string;
}

/** A bad threshold: `path` is the config key path (`thresholds["end_to_end.p99_ms"]`), as config issues are. */
export interface ThresholdIssue {
  readonly path: string;
  readonly message: string;
}

export interface ThresholdResult extends Threshold {
  /** The measured value; `undefined` when the run has no such measurement (counts as a failure). */
  readonly actual: number | undefined;
  readonly ok: boolean;
}

/** Counters summed over every pod and step of the run. */
export const COUNTER_METRICS = [
  "published",
  "publish_errors",
  "acked",
  "consumed",
  "acks_sent",
  "redelivered",
  "duplicates",
  "lost",
  "out_of_order",
  "missed_sends",
  "negative_latency",
  "bytes_out",
  "bytes_in",
  "errors",
] as const;

/** Mean rates over the run's active time (messages or bytes per second, summed over pods). */
export const RATE_METRICS = ["publish_rate", "consume_rate", "bytes_out_rate", "bytes_in_rate"] as const;

/** Ratios in [0, 1]: `lost / published`, `publish_errors / published`. */
export const RATIO_METRICS = ["loss_ratio", "publish_error_ratio"] as const;

export const LATENCY_KINDS = ["publish_ack", "end_to_end"] as const;
export const LATENCY_STATS = ["min", "mean", ...PERCENTILE_KEYS, "max"] as const;

const SCALAR_METRICS: ReadonlySet<string> = new Set([
  ...COUNTER_METRICS,
  ...RATE_METRICS,
  ...RATIO_METRICS,
  "duration_s",
  "pods",
]);

/** True for a metric name a threshold may use: see docs/reports.md for the list. */
export function isKnownMetric(name: string): boolean {
  if (SCALAR_METRICS.has(name)) return true;
  if (/^errors\.[A-Za-z0-9_]+$/.test(name)) return true;
  const m = /^([a-z_]+)\.([a-z0-9]+)(_ms)?$/.exec(name);
  if (!m) return false;
  const [, kind, stat, ms] = m;
  if (!(LATENCY_KINDS as readonly string[]).includes(kind!)) return false;
  if (stat === "count") return ms === undefined;
  return ms !== undefined && (LATENCY_STATS as readonly string[]).includes(stat!);
}

const EXPR = /^\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*$/i;

/** Formats a key path as config issues do: `thresholds["end_to_end.p99_ms"]`. */
export function thresholdPath(metric: string): string {
  return `thresholds[${JSON.stringify(metric)}]`;
}

/** Parses one `metric: expression` pair; returns the threshold or the issue naming its key. */
export function parseThreshold(metric: string, expr: unknown): Threshold | ThresholdIssue {
  const path = thresholdPath(metric);
  if (!isKnownMetric(metric)) {
    return {
      path,
      message: `unknown metric "${metric}"; expected a counter (published, lost, ...), a rate (publish_rate, ...), errors.<category> or <publish_ack|end_to_end>.<p50|p90|p95|p99|p999|p9999|min|mean|max>_ms`,
    };
  }
  if (typeof expr !== "string") {
    return { path, message: `expected a string like "< 50", got ${JSON.stringify(expr) ?? typeof expr}` };
  }
  const m = EXPR.exec(expr);
  if (!m) {
    return {
      path,
      message: `expected "<operator> <number>" with an operator of ${THRESHOLD_OPERATORS.join(" ")}, got ${JSON.stringify(expr)}`,
    };
  }
  return { metric, op: m[1] as ThresholdOperator, value: Number(m[2]), source: expr.trim() };
}

/** Parses a whole `thresholds` block; every bad entry is reported, good ones are kept in key order. */
export function parseThresholds(block: unknown): { thresholds: Threshold[]; issues: ThresholdIssue[] } {
  const thresholds: Threshold[] = [];
  const issues: ThresholdIssue[] = [];
  if (block === undefined) return { thresholds, issues };
  if (typeof block !== "object" || block === null || Array.isArray(block)) {
    issues.push({ path: "thresholds", message: "expected an object of metric: expression" });
    return { thresholds, issues };
  }
  for (const [metric, expr] of Object.entries(block)) {
    const r = parseThreshold(metric, expr);
    if ("path" in r) issues.push(r);
    else thresholds.push(r);
  }
  return { thresholds, issues };
}

/** The config-validation hook: the issues of a `thresholds` block (empty when it is fine or absent). */
export function validateThresholds(block: unknown): ThresholdIssue[] {
  return parseThresholds(block).issues;
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
 * spent measuring (sum over steps of the longest pod's elapsed time), so rates are run means.
 */
export function runMetrics(total: ClusterTotal, activeSeconds: number): Record<string, number> {
  const c = total.counters;
  const out: Record<string, number> = {};
  for (const k of COUNTER_METRICS) if (k !== "errors") out[k] = c[k];
  let errors = 0;
  for (const [cat, n] of Object.entries(total.errors)) {
    out[`errors.${cat}`] = n;
    errors += n;
  }
  out.errors = errors;
  const per = (n: number) => (activeSeconds > 0 ? n / activeSeconds : 0);
  out.publish_rate = per(c.published);
  out.consume_rate = per(c.consumed);
  out.bytes_out_rate = per(c.bytes_out);
  out.bytes_in_rate = per(c.bytes_in);
  out.loss_ratio = c.published > 0 ? c.lost / c.published : 0;
  out.publish_error_ratio =
    c.published + c.publish_errors > 0 ? c.publish_errors / (c.published + c.publish_errors) : 0;
  out.duration_s = activeSeconds;
  out.pods = total.pods.length;
  for (const kind of LATENCY_KINDS) {
    const p = total.latency_ms[kind];
    out[`${kind}.count`] = p.count;
    // No samples: leave latency unmeasured rather than claim 0 ms.
    if (p.count === 0) continue;
    for (const stat of LATENCY_STATS) out[`${kind}.${stat}_ms`] = p[stat];
  }
  return out;
}
