// The report as titled tables of strings, shared by the terminal table and the Markdown renderers.
import {
  latencyKinds,
  MEASURES,
  type Measure,
  measureOf,
  type Registry,
  snapshotCounters,
} from "../measures/index.ts";
import { CLOSED_LOOP_LABEL, formatThresholdResult, type Percentiles } from "../stats/index.ts";
import { type AchievedLines, achievedLines, pctCell } from "./achieved.ts";
import type { RunReport, Summary } from "./model.ts";
import { bytes, type Column } from "./text-table.ts";

export interface Section {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
}

const L = (header: string): Column => ({ header, align: "left" });
const R = (header: string): Column => ({ header, align: "right" });

/** `12345.6` -> `12,346`; below 10 keeps up to two decimals. */
export function num(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "-";
  const digits = Math.abs(n) < 10 && !Number.isInteger(n) ? 2 : 0;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Milliseconds with three significant digits (`0.123`, `12.3`, `1,234`); `-` when there were no samples. */
export function ms(n: number | undefined, count = 1): string {
  if (n === undefined || count === 0 || !Number.isFinite(n)) return "-";
  if (n >= 1000) return num(Math.round(n));
  return String(Number(n.toPrecision(3)));
}

/** The header lines: run, times, how much was measured. */
export function headline(r: RunReport): string[] {
  const pods = r.cluster.pods.length;
  return [
    `Run ${r.run_id}`,
    `${r.started_at} -> ${r.ended_at}, ${num(r.cluster.duration_s)} s measured, ${pods} pod${pods === 1 ? "" : "s"}, ${r.steps.length} step${r.steps.length === 1 ? "" : "s"}, ${r.snapshots} snapshots`,
  ];
}

/**
 * Requested vs achieved of the whole run, cluster-wide: `target X msg/s, achieved Y (Z%)` and, for each step
 * that reached under 99% of its target, the verdict naming who fell behind. Empty when no step asked a rate.
 */
export function achievedHeadline(r: RunReport): AchievedLines {
  return achievedLines(r.cluster);
}

/** A counter's value as its unit reads (bytes as `1.2 MiB`). */
const value = (e: Measure, n: number | undefined) => (e.unit === "bytes" ? bytes(n ?? 0) : num(n));

/**
 * The totals table: the counters that name a column (`column` in the registry), `errors`, then the run-mean
 * rates that have a gauge of the same name (pub/s, cons/s).
 */
function totalsTable(m: Registry): { columns: Column[]; row: (scope: string, s: Summary) => string[] } {
  const counters = (snapshotCounters(m) as Measure[]).filter((e) => e.column !== undefined);
  const rates = (snapshotCounters(m) as Measure[]).flatMap((e) => {
    const gauge = e.rate ? measureOf(e.rate, m) : undefined;
    return gauge?.kind === "gauge" ? [gauge] : [];
  });
  return {
    columns: [L("scope"), ...counters.map((e) => R(e.column!)), R("errors"), ...rates.map((g) => R(g.label))],
    row: (scope, s) => [
      scope,
      ...counters.map((e) => value(e, s.metrics[e.name])),
      num(s.metrics.errors),
      ...rates.map((g) => num(s.metrics[g.name])),
    ],
  };
}

/** Every counter of the run, cluster-wide, with what it counts (quiet ones only when they are not 0). */
function counterRows(r: RunReport, m: Registry): string[][] {
  return (snapshotCounters(m) as Measure[])
    .filter((e) => !e.quiet || (r.cluster.metrics[e.name] ?? 0) !== 0)
    .map((e) => [e.name, value(e, r.cluster.metrics[e.name]), e.help]);
}

/** Latency rows in registry order (response time, end to end, service time, the client's own send delay). */
function latencyRows(scope: string, s: Summary, m: Registry): string[][] {
  const latency = s.latency_ms as Readonly<Record<string, Percentiles | undefined>>;
  return latencyKinds(m).map(({ name: kind }) => {
    const p = latency[kind];
    const n = p?.count ?? 0;
    return [
      scope,
      kind,
      num(n),
      ms(p?.min, n),
      ms(p?.mean, n),
      ms(p?.p50, n),
      ms(p?.p90, n),
      ms(p?.p99, n),
      ms(p?.p999, n),
      ms(p?.p9999, n),
      ms(p?.max, n),
    ];
  });
}

const LATENCY = [
  L("scope"),
  L("latency (ms)"),
  R("count"),
  R("min"),
  R("mean"),
  R("p50"),
  R("p90"),
  R("p99"),
  R("p99.9"),
  R("p99.99"),
  R("max"),
];

/** The report's tables; `m` is the registry of measurements its rows come from. */
export function sections(r: RunReport, m: Registry = MEASURES): Section[] {
  const out: Section[] = [];
  const totals = totalsTable(m);
  out.push({
    title: "Totals (whole run; rates are means over the measured time)",
    columns: totals.columns,
    rows: [totals.row("cluster", r.cluster), ...r.pods.map((p) => totals.row(p.pod, p.summary))],
  });
  out.push({
    title: "Counters (whole run, cluster-wide)",
    columns: [L("counter"), R("value"), L("meaning")],
    rows: counterRows(r, m),
  });
  out.push({
    title: `Latency (whole run, merged histograms${r.closed_loop ? `; ${CLOSED_LOOP_LABEL}` : ""})`,
    columns: LATENCY,
    rows: [
      ...latencyRows("cluster", r.cluster, m),
      ...r.pods.flatMap((p) => latencyRows(p.pod, p.summary, m)),
    ],
  });
  const stepRows: string[][] = [];
  for (const st of r.steps) {
    const row = (pod: string, phase: string, s: Summary) => [
      String(st.spec_index),
      st.spec,
      String(st.iteration),
      pod,
      phase,
      num(s.duration_s),
      num(s.metrics.published),
      num(s.metrics.consumed),
      num(s.metrics.lost),
      num(s.metrics.errors),
      num(s.metrics.publish_rate),
      s.target_rate > 0 ? num(s.target_rate) : "-",
      pctCell(s),
      ms(s.latency_ms.publish_ack.p99, s.latency_ms.publish_ack.count),
      ms(s.latency_ms.end_to_end.p99, s.latency_ms.end_to_end.count),
    ];
    stepRows.push(row("cluster", "", st.cluster));
    for (const p of st.pods) stepRows.push(row(p.pod, p.phase, p.summary));
  }
  out.push({
    title: "Steps (spec iterations)",
    columns: [
      R("#"),
      L("spec"),
      R("iter"),
      L("scope"),
      L("phase"),
      R("secs"),
      R("published"),
      R("consumed"),
      R("lost"),
      R("errors"),
      R("pub/s"),
      R("target/s"),
      R("of target"),
      R("ack p99"),
      R("e2e p99"),
    ],
    rows: stepRows,
  });
  const errors = Object.entries(r.cluster.errors).filter(([, n]) => n > 0);
  if (errors.length > 0) {
    out.push({
      title: "Errors by category",
      columns: [L("category"), R("count")],
      rows: errors.sort((a, b) => b[1] - a[1]).map(([cat, n]) => [cat, num(n)]),
    });
  }
  if (r.thresholds.length > 0) {
    out.push({
      title: `Thresholds: ${r.passed ? "all passed" : `${r.thresholds.filter((t) => !t.ok).length} failed`}`,
      columns: [L("threshold")],
      rows: r.thresholds.map((t) => [formatThresholdResult(t)]),
    });
  }
  return out;
}
