// The report as titled tables of strings, shared by the terminal table and the Markdown renderers.
import { formatThresholdResult } from "../stats/index.ts";
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

function totalsRow(scope: string, s: Summary): string[] {
  const m = s.metrics;
  return [
    scope,
    num(m.published),
    num(m.acked),
    num(m.consumed),
    num(m.lost),
    num(m.duplicates),
    num(m.redelivered),
    num(m.errors),
    num(m.publish_rate),
    num(m.consume_rate),
    bytes(m.bytes_out ?? 0),
    bytes(m.bytes_in ?? 0),
  ];
}

const TOTALS = [
  L("scope"),
  R("published"),
  R("acked"),
  R("consumed"),
  R("lost"),
  R("dup"),
  R("redeliv"),
  R("errors"),
  R("pub/s"),
  R("cons/s"),
  R("out"),
  R("in"),
];

/**
 * Latency rows in reading order: a publish's response time, its service time, end to end, then how late the
 * client itself sent (the load generator's share of the others, as in `ltctl run`).
 */
const LATENCY_ROWS = ["publish_ack", "publish_service", "end_to_end", "send_delay"] as const;

function latencyRows(scope: string, s: Summary): string[][] {
  return LATENCY_ROWS.map((kind) => {
    const p = s.latency_ms[kind];
    return [
      scope,
      kind,
      num(p.count),
      ms(p.min, p.count),
      ms(p.mean, p.count),
      ms(p.p50, p.count),
      ms(p.p90, p.count),
      ms(p.p99, p.count),
      ms(p.p999, p.count),
      ms(p.p9999, p.count),
      ms(p.max, p.count),
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

export function sections(r: RunReport): Section[] {
  const out: Section[] = [];
  out.push({
    title: "Totals (whole run; rates are means over the measured time)",
    columns: TOTALS,
    rows: [totalsRow("cluster", r.cluster), ...r.pods.map((p) => totalsRow(p.pod, p.summary))],
  });
  out.push({
    title: "Latency (whole run, merged histograms)",
    columns: LATENCY,
    rows: [...latencyRows("cluster", r.cluster), ...r.pods.flatMap((p) => latencyRows(p.pod, p.summary))],
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
