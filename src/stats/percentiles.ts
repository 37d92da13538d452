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

export function summarize(h: Histogram): Percentiles {
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
