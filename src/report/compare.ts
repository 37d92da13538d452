// Two runs side by side: each cluster-wide metric of A and B, the ratio B/A, and regressions marked
// (higher is worse for latencies, errors and loss; lower is worse for rates).
import { LATENCY_STATS } from "../config/index.ts";
import { latencyKinds, MEASURES, type Measure, type Registry, snapshotCounters } from "../measures/index.ts";
import type { RunReport } from "./model.ts";
import { alignTable } from "./text-table.ts";

export type Direction = "higher_is_worse" | "lower_is_worse" | "neutral";
export type Verdict = "regression" | "improvement" | "same" | "n/a";

export interface CompareRow {
  readonly metric: string;
  readonly a: number | null;
  readonly b: number | null;
  /** b / a; null when either is missing, or a is 0 and b is not (the change has no finite ratio). */
  readonly ratio: number | null;
  readonly direction: Direction;
  readonly verdict: Verdict;
}

export interface Comparison {
  readonly a: string;
  readonly b: string;
  /** Relative change that counts as a regression or an improvement (0.05 = 5%). */
  readonly tolerance: number;
  readonly rows: CompareRow[];
  readonly regressions: number;
}

export interface CompareOptions {
  /** Relative change below which two values count as the same. @default 0.05 */
  readonly tolerance?: number;
  /** The measurements compared. @default MEASURES (src/measures) */
  readonly measures?: Registry;
}

/** Derived ratios (not measurements of their own), shown after the counter they divide. */
const RATIO_OF: Readonly<Record<string, string>> = {
  lost: "loss_ratio",
  publish_errors: "publish_error_ratio",
};

/** Metric names in display order with their direction, from the registry `m`. */
function vocabulary(m: Registry): Map<string, Direction> {
  const out = new Map<string, Direction>([
    ["duration_s", "neutral"],
    ["pods", "neutral"],
  ]);
  for (const e of snapshotCounters(m) as Measure[]) {
    out.set(
      e.name,
      e.worse === "higher" ? "higher_is_worse" : e.worse === "lower" ? "lower_is_worse" : "neutral",
    );
    // A lower rate is worse: the run moved fewer messages or bytes per second.
    if (e.rate) out.set(e.rate, "lower_is_worse");
    const ratio = RATIO_OF[e.name];
    if (ratio) out.set(ratio, "higher_is_worse");
  }
  out.set("errors", "higher_is_worse");
  for (const e of latencyKinds(m) as Measure[]) {
    for (const st of LATENCY_STATS)
      out.set(`${e.name}.${st}_ms`, e.worse === "lower" ? "lower_is_worse" : "higher_is_worse");
  }
  return out;
}

const VOCABULARY = vocabulary(MEASURES);

/** Whether a bigger value of this metric is worse, better, or neither (volumes that depend on duration). */
export function directionOf(metric: string, m: Registry = MEASURES): Direction {
  if (metric.startsWith("errors.")) return "higher_is_worse";
  const known = (m === MEASURES ? VOCABULARY : vocabulary(m)).get(metric);
  if (known) return known;
  if (/_ms$/.test(metric)) return "higher_is_worse";
  return "neutral";
}

function verdictOf(a: number | null, b: number | null, dir: Direction, tol: number): Verdict {
  if (a === null || b === null) return "n/a";
  if (dir === "neutral") return "same";
  const worse = dir === "higher_is_worse" ? b - a : a - b;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (scale === 0 || Math.abs(worse) <= tol * scale) return "same";
  return worse > 0 ? "regression" : "improvement";
}

/** Compares the cluster-wide run summaries of A (the baseline) and B. */
export function compareReports(a: RunReport, b: RunReport, opts: CompareOptions = {}): Comparison {
  const tol = opts.tolerance ?? 0.05;
  const m = opts.measures ?? MEASURES;
  const order = m === MEASURES ? VOCABULARY : vocabulary(m);
  const ma = a.cluster.metrics;
  const mb = b.cluster.metrics;
  const errorKeys = [
    ...new Set([...Object.keys(ma), ...Object.keys(mb)].filter((k) => k.startsWith("errors."))),
  ];
  const rows: CompareRow[] = [];
  for (const metric of [...order.keys(), ...errorKeys.sort()]) {
    const isErr = metric.startsWith("errors.");
    const va = ma[metric] ?? (isErr ? 0 : null);
    const vb = mb[metric] ?? (isErr ? 0 : null);
    if (va === null && vb === null) continue;
    const dir = directionOf(metric, m);
    const ratio = va === null || vb === null ? null : va === 0 ? (vb === 0 ? 1 : null) : vb / va;
    rows.push({ metric, a: va, b: vb, ratio, direction: dir, verdict: verdictOf(va, vb, dir, tol) });
  }
  return {
    a: a.run_id,
    b: b.run_id,
    tolerance: tol,
    rows,
    regressions: rows.filter((r) => r.verdict === "regression").length,
  };
}

export interface CompareRenderOptions {
  /** Paints a cell by verdict (the CLI passes colours on a TTY); default leaves text as is. */
  readonly paint?: (text: string, verdict: Verdict) => string;
}

function value(n: number | null): string {
  if (n === null) return "-";
  if (Number.isInteger(n)) return n.toLocaleString("en-US");
  return String(Number(n.toPrecision(4)));
}

function ratioText(r: CompareRow): string {
  if (r.ratio !== null) return `${r.ratio.toFixed(2)}x`;
  return r.a === 0 && r.b !== null && r.b !== 0 ? "new" : "-";
}

const MARK: Record<Verdict, string> = {
  regression: "REGRESSION",
  improvement: "better",
  same: "",
  "n/a": "",
};

/** Aligned table: METRIC, A, B, B/A, and a mark for regressions and improvements. */
export function renderComparison(c: Comparison, opts: CompareRenderOptions = {}): string {
  const paint = opts.paint ?? ((t: string) => t);
  const rows = c.rows.map((r) => [r.metric, value(r.a), value(r.b), ratioText(r), MARK[r.verdict]]);
  const body = alignTable(
    [
      { header: "metric", align: "left" },
      { header: "A", align: "right" },
      { header: "B", align: "right" },
      { header: "B/A", align: "right" },
      { header: "", align: "left" },
    ],
    rows,
    0,
  )
    .split("\n")
    .map((line, i) => (i === 0 ? line : paint(line, c.rows[i - 1]!.verdict)))
    .join("\n");
  const summary =
    c.regressions === 0
      ? `No regressions beyond ${c.tolerance * 100}%.`
      : `${c.regressions} regression${c.regressions === 1 ? "" : "s"} beyond ${c.tolerance * 100}% (B worse than A).`;
  return `A = ${c.a} (baseline), B = ${c.b}\n\n${body}\n\n${summary}\n`;
}
