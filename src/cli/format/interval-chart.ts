// `ltctl watch`'s chart: the run's last intervals as one-line sparklines (throughput, and p50 / p99 / max of
// one latency kind per interval), newest on the right. A blank is a gap: a pod's snapshot for that interval is
// missing (or the interval had no samples), never a neighbour's figure.
import type { LivePoint } from "../../stats/index.ts";

const BLOCKS = "▁▂▃▄▅▆▇█";
/** Most intervals drawn: a minute of the default 1 s local interval, and it fits an 80-column terminal. */
export const CHART_POINTS = 60;

export interface IntervalChartOptions {
  /** Terminal width; the sparklines shrink to fit. @default 100 */
  readonly columns?: number;
}

/** The chart as text (ends with a newline), or "" before the first interval. */
export function renderIntervalChart(
  points: readonly LivePoint[],
  intervalS: number | undefined,
  o: IntervalChartOptions = {},
): string {
  const width = Math.max(10, Math.min(CHART_POINTS, (o.columns ?? 100) - 34));
  const pts = points.slice(-width);
  if (pts.length === 0) return "";
  const kind = pts.some((p) => p.latency.end_to_end.count > 0) ? "end_to_end" : "publish_ack";
  const label = kind === "end_to_end" ? "e2e" : "ack";
  const last = pts[pts.length - 1]!;
  // A step's last interval (its final snapshot) carries no interval target: show the latest one there is.
  const target = [...pts].reverse().find((p) => p.target_rate !== null)?.target_rate ?? null;
  const rates = pts.map((p) => p.publish_rate);
  const top = Math.max(1, ...rates.map((r) => r ?? 0), ...pts.map((p) => p.target_rate ?? 0));
  const lat = (k: "p50" | "p99" | "max") =>
    pts.map((p) => (p.complete && p.latency[kind].count > 0 ? p.latency[kind][k] : null));
  const rows = { p50: lat("p50"), p99: lat("p99"), max: lat("max") };
  // One log scale for the three latency rows, so a p99 that reaches the max row's height means as much.
  const all = [...rows.p50, ...rows.p99, ...rows.max].filter((x): x is number => x !== null && x > 0);
  const lo = Math.log10(Math.min(...all, 1e9));
  const hi = Math.log10(Math.max(...all, 1e-9));
  const logLevel = (x: number) => (hi > lo ? (Math.log10(Math.max(x, 1e-3)) - lo) / (hi - lo) : 0.5);
  const pad = (s: string) => s.padEnd(width);
  const lines = [
    `per interval (${intervalS ?? "?"} s, last ${pts.length}; blank: a gap)`,
    `  pub/s    ${pad(spark(rates, (r) => r / top))}  ${figure(last.publish_rate, "msg/s")}${target !== null ? ` (target ${fmt(target)})` : ""}`,
  ];
  for (const k of ["p50", "p99", "max"] as const) {
    const cur = rows[k][rows[k].length - 1] ?? null;
    lines.push(`  ${label} ${k.padEnd(4)} ${pad(spark(rows[k], logLevel))}  ${figure(cur, "ms")}`);
  }
  return `${lines.join("\n")}\n`;
}

function spark(values: readonly (number | null)[], level: (x: number) => number): string {
  return values
    .map((x) => {
      if (x === null || !Number.isFinite(x)) return " ";
      const i = Math.round(Math.min(1, Math.max(0, level(x))) * (BLOCKS.length - 1));
      return BLOCKS[i];
    })
    .join("");
}

function figure(x: number | null, unit: string): string {
  return x === null ? "-" : `${fmt(x)} ${unit}`;
}

function fmt(x: number): string {
  if (x >= 100) return Math.round(x).toLocaleString("en-US");
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
