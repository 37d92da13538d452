// Classic Prometheus histogram buckets from an HDR histogram: cumulative counts at fixed boundaries.
// hdr-histogram-js's public interface has no bucket iteration, so this reads the JS implementation's
// recorded-values iterator (stats builds histograms with `useWebAssembly: false`, so it is always there).
import type { Histogram } from "../stats/index.ts";

/** Upper bounds in seconds (100 µs .. 60 s); `+Inf` is added by the renderer. */
export const LATENCY_BUCKETS_S = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

interface IterationValue {
  valueIteratedTo: number;
  countAtValueIteratedTo: number;
}
interface RecordedIterator {
  reset(): void;
  hasNext(): boolean;
  next(): IterationValue;
}

/**
 * Count of recorded values at or below each bound (`bounds` in seconds, values recorded in µs). Each
 * recorded value stands for its HDR bucket (0.1% wide), so a value within 0.1% of a bound may fall on
 * either side of it; counts are cumulative and the last is at most `totalCount`.
 */
export function cumulativeCounts(h: Histogram, bounds: readonly number[]): number[] {
  const it = (h as unknown as { recordedValuesIterator?: RecordedIterator }).recordedValuesIterator;
  const out = bounds.map(() => 0);
  if (!it || h.totalCount === 0) return out;
  const boundsUs = bounds.map((b) => b * 1_000_000);
  it.reset();
  while (it.hasNext()) {
    const step = it.next();
    const us = step.valueIteratedTo;
    for (let i = 0; i < boundsUs.length; i++) {
      if (us <= boundsUs[i]!) out[i]! += step.countAtValueIteratedTo;
    }
  }
  return out;
}
