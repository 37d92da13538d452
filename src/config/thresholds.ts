// SLO thresholds (k6-style, our extension to the seed's schema): `{ "end_to_end.p99_ms": "< 50" }`. This file
// owns their vocabulary and parsing, so every config validation (validate, push, POST /config) reports a bad
// expression with its key path; src/stats evaluates them over the cluster-wide run summary. The metric names
// come from the registry of measurements (src/measures).
import {
  latencyKinds,
  MEASURES,
  type Measure,
  type Registry,
  SNAPSHOT_COUNTER_KEYS,
  snapshotCounters,
} from "../measures/index.ts";

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

/** Counters summed over every pod and step of the run: the registry's snapshot counters, and `errors`. */
export const COUNTER_METRICS = [...SNAPSHOT_COUNTER_KEYS, "errors"] as const;

/** Mean rates over the run's active time (messages or bytes per second, summed over pods). */
export const RATE_METRICS = rateMetrics(MEASURES);

/** Ratios in [0, 1]: `lost / published`, `publish_errors / published`. */
export const RATIO_METRICS = ["loss_ratio", "publish_error_ratio"] as const;

export const LATENCY_STATS = ["min", "mean", "p50", "p90", "p95", "p99", "p999", "p9999", "max"] as const;

/** The names a threshold may use, derived from a registry of measurements (MEASURES unless a test says). */
export interface ThresholdVocabulary {
  readonly scalars: ReadonlySet<string>;
  readonly latencyKinds: readonly string[];
}

/** The counters' run-mean rates (`published` -> `publish_rate`), in registry order. */
function rateMetrics(m: Registry): string[] {
  return (snapshotCounters(m) as Measure[]).flatMap((e) => (e.rate ? [e.rate] : []));
}

export function thresholdVocabulary(m: Registry = MEASURES): ThresholdVocabulary {
  return {
    scalars: new Set([
      ...snapshotCounters(m).map((e) => e.name),
      "errors",
      ...rateMetrics(m),
      ...RATIO_METRICS,
      "duration_s",
      "pods",
    ]),
    latencyKinds: latencyKinds(m).map((e) => e.name),
  };
}

const VOCABULARY = thresholdVocabulary();

/** True for a metric name a threshold may use: see docs/reports.md for the list. */
export function isKnownMetric(name: string, vocab: ThresholdVocabulary = VOCABULARY): boolean {
  if (vocab.scalars.has(name)) return true;
  if (/^errors\.[A-Za-z0-9_]+$/.test(name)) return true;
  const m = /^([a-z_]+)\.([a-z0-9]+)(_ms)?$/.exec(name);
  if (!m) return false;
  const [, kind, stat, ms] = m;
  if (!vocab.latencyKinds.includes(kind!)) return false;
  if (stat === "count") return ms === undefined;
  return ms !== undefined && (LATENCY_STATS as readonly string[]).includes(stat!);
}

const EXPR = /^\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*$/i;

/** Formats a key path as config issues do: `thresholds["end_to_end.p99_ms"]`. */
export function thresholdPath(metric: string): string {
  return `thresholds[${JSON.stringify(metric)}]`;
}

/** Parses one `metric: expression` pair; returns the threshold or the issue naming its key. */
export function parseThreshold(
  metric: string,
  expr: unknown,
  vocab: ThresholdVocabulary = VOCABULARY,
): Threshold | ThresholdIssue {
  const path = thresholdPath(metric);
  if (!isKnownMetric(metric, vocab)) {
    return {
      path,
      message: `unknown metric "${metric}"; expected a counter (published, lost, ...), a rate (publish_rate, ...), errors.<category> or <${vocab.latencyKinds.join("|")}>.<p50|p90|p95|p99|p999|p9999|min|mean|max>_ms`,
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
export function parseThresholds(
  block: unknown,
  vocab: ThresholdVocabulary = VOCABULARY,
): { thresholds: Threshold[]; issues: ThresholdIssue[] } {
  const thresholds: Threshold[] = [];
  const issues: ThresholdIssue[] = [];
  if (block === undefined) return { thresholds, issues };
  if (typeof block !== "object" || block === null || Array.isArray(block)) {
    issues.push({ path: "thresholds", message: "expected an object of metric: expression" });
    return { thresholds, issues };
  }
  for (const [metric, expr] of Object.entries(block)) {
    const r = parseThreshold(metric, expr, vocab);
    if ("path" in r) issues.push(r);
    else thresholds.push(r);
  }
  return { thresholds, issues };
}

/** The config-validation hook: the issues of a `thresholds` block (empty when it is fine or absent). */
export function validateThresholds(block: unknown): ThresholdIssue[] {
  return parseThresholds(block).issues;
}
