import * as v from "valibot";
import type { Histogram } from "./histogram.ts";

/** Latency summary in milliseconds, as every snapshot and report carries it. */
export const PercentilesSchema = v.object({
  count: v.number(),
  min: v.number(),
  mean: v.number(),
  p50: v.number(),
  p90: v.number(),
  p95: v.number(),
  p99: v.number(),
  p999: v.number(),
  p9999: v.number(),
  max: v.number(),
});
export type Percentiles = v.InferOutput<typeof PercentilesSchema>;

export const PERCENTILE_KEYS = ["p50", "p90", "p95", "p99", "p999", "p9999"] as const;
const PERCENTILE_AT: Record<(typeof PERCENTILE_KEYS)[number], number> = {
  p50: 50,
  p90: 90,
  p95: 95,
  p99: 99,
  p999: 99.9,
  p9999: 99.99,
};

const usToMs = (us: number) => Math.round(us) / 1000;

export function emptyPercentiles(): Percentiles {
  return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
}

/** The parts of hdr-histogram-js' JsHistogram a single pass over the counts needs (not in its typings). */
interface Walkable {
  readonly totalCount: number;
  readonly countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  lowestEquivalentValue(v: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
}

function walkable(h: Histogram): Walkable | undefined {
  const w = h as unknown as Partial<Walkable>;
  return typeof w.countsArrayLength === "number" &&
    typeof w.getCountAtIndex === "function" &&
    typeof w.valueFromIndex === "function" &&
    typeof w.lowestEquivalentValue === "function" &&
    typeof w.highestEquivalentValue === "function" &&
    typeof w.medianEquivalentValue === "function"
    ? (w as Walkable)
    : undefined;
}

/** hdr-histogram-js' count rank of a percentile (getValueAtPercentile's rounding, ulp guard included). */
function rankOf(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(Math.ceil(fp - ulp), 1);
}

const SUMMARY_AT = [0, ...PERCENTILE_KEYS.map((k) => PERCENTILE_AT[k]), 100];

/**
 * summarize() in one pass over the counts. The library walks its whole counts array (~45,000 slots for
 * 1 µs .. 1 h at 3 digits) once per percentile and again through an iterator for the mean: ~3 ms per
 * histogram, three histograms per snapshot every second, on the event loop that also sends. Same values,
 * bit for bit: the same ranks, bucket values and summation order.
 */
function summarizeOnePass(w: Walkable): Percentiles {
  const total = w.totalCount;
  const ranks = SUMMARY_AT.map((p) => rankOf(p, total));
  const values = new Array<number>(ranks.length).fill(0);
  let next = 0;
  let seen = 0;
  let sum = 0;
  const n = w.countsArrayLength;
  // TypedArrayHistogram keeps its counts in `_counts`: read the array itself when it is there (a method call
  // per slot was most of the pass), else through getCountAtIndex.
  const raw = (w as unknown as { _counts?: ArrayLike<number> })._counts;
  const counts = raw !== undefined && raw.length >= n ? raw : undefined;
  for (let i = 0; i < n; i++) {
    const c = counts !== undefined ? counts[i]! : w.getCountAtIndex(i);
    if (c === 0) continue;
    const v = w.valueFromIndex(i);
    seen += c;
    sum += w.medianEquivalentValue(v) * c;
    while (next < ranks.length && seen >= ranks[next]!) {
      values[next] = next === 0 ? w.lowestEquivalentValue(v) : w.highestEquivalentValue(v);
      next++;
    }
  }
  const out = emptyPercentiles();
  out.count = total;
  out.min = usToMs(values[0]!);
  out.max = usToMs(values[values.length - 1]!);
  out.mean = Math.round(sum / total) / 1000;
  PERCENTILE_KEYS.forEach((k, j) => {
    out[k] = usToMs(values[j + 1]!);
  });
  return out;
}

export function summarize(h: Histogram): Percentiles {
  if (h.totalCount === 0) return emptyPercentiles();
  const w = walkable(h);
  if (w) return summarizeOnePass(w);
  return summarizeSlow(h);
}

/** The library's own calls (a histogram without the internals summarizeOnePass reads; tests compare both). */
export function summarizeSlow(h: Histogram): Percentiles {
  if (h.totalCount === 0) return emptyPercentiles();
  const out = emptyPercentiles();
  out.count = h.totalCount;
  // Bucket-equivalent values (not the raw extremes) so a merged histogram reports exactly what one
  // histogram of all values would.
  out.min = usToMs(h.getValueAtPercentile(0));
  out.max = usToMs(h.getValueAtPercentile(100));
  out.mean = Math.round(h.mean) / 1000;
  for (const k of PERCENTILE_KEYS) out[k] = usToMs(h.getValueAtPercentile(PERCENTILE_AT[k]));
  return out;
}

/** Points of the percentile curve (as HdrHistogram plots it): percentile -> value in ms. */
export function percentileCurve(h: Histogram): Array<{ percentile: number; ms: number }> {
  const out: Array<{ percentile: number; ms: number }> = [];
  if (h.totalCount === 0) return out;
  for (const p of [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999, 100]) {
    out.push({ percentile: p, ms: usToMs(h.getValueAtPercentile(p)) });
  }
  return out;
}
