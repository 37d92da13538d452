// The one place that owns hdr-histogram-js: fixed bounds so memory stays flat, microsecond resolution,
// compressed base64 encoding so histograms travel in snapshots and merge exactly.
import * as hdr from "hdr-histogram-js";

export type Histogram = hdr.Histogram;

/** Values are recorded in microseconds: 1 µs .. 1 h, three significant digits (0.1% error). */
export const HISTOGRAM_LOWEST_US = 1;
export const HISTOGRAM_HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Records a latency given in milliseconds (fractional allowed); clamps into the histogram's range. */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(clampedUs(ms));
}

/** Records `count` latencies of `ms` milliseconds at once (grouped records: unsent slots' lateness). */
export function recordMsCount(h: Histogram, ms: number, count: number): void {
  h.recordValueWithCount(clampedUs(ms), count);
}

function clampedUs(ms: number): number {
  const us = Math.round(ms * 1000);
  if (!(us >= HISTOGRAM_LOWEST_US)) return HISTOGRAM_LOWEST_US; // also catches NaN and negatives
  return Math.min(us, HISTOGRAM_HIGHEST_US);
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Decoded histograms take their bounds from the payload; copy into one of ours so merges never resize.
  const h = newHistogram();
  h.add(decoded);
  decoded.destroy();
  return h;
}

/** One histogram holding every value of the inputs (exact: bucket counts add). */
export function mergeHistograms(parts: Iterable<Histogram>): Histogram {
  const out = newHistogram();
  for (const p of parts) out.add(p);
  return out;
}

/** Merges encoded histograms; empty strings and undefined are skipped. */
export function mergeEncoded(parts: Iterable<string | undefined>): Histogram {
  const out = newHistogram();
  for (const p of parts) {
    if (!p) continue;
    const h = decodeHistogram(p);
    out.add(h);
    h.destroy();
  }
  return out;
}
