// Cluster-wide time series from consecutive snapshots: per interval, the messages and the latency samples
// recorded between one snapshot of a pod and its next (counter deltas, histogram differences), binned by time.
import { decodeHistogram, type Histogram, newHistogram, type Snapshot, summarize } from "../stats/index.ts";

export interface SeriesLatency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One bin, ending `t_s` seconds after the run started; rates are messages per second over the bin. */
export interface SeriesPoint {
  readonly t_s: number;
  readonly publish_rate: number;
  readonly consume_rate: number;
  readonly publish_errors: number;
  /** Pods that reported in this bin. */
  readonly pods: number;
  readonly publish_ack: SeriesLatency;
  readonly end_to_end: SeriesLatency;
}

/** At most this many bins: long runs get wider bins rather than a huge report. */
export const MAX_SERIES_POINTS = 1000;

interface Delta {
  readonly cur: Snapshot;
  readonly prev: Snapshot | undefined;
}

export function buildSeries(
  snapshots: readonly Snapshot[],
  startMs: number,
  intervalS?: number,
): { interval_s: number; points: SeriesPoint[] } {
  // Consecutive snapshots of each pod within each step (counters and histograms are cumulative per step).
  const chains = new Map<string, Snapshot[]>();
  for (const s of snapshots) {
    const k = `${s.pod}\u0000${s.spec_index}\u0000${s.iteration}`;
    const list = chains.get(k) ?? [];
    list.push(s);
    chains.set(k, list);
  }
  const deltas: Delta[] = [];
  const gaps: number[] = [];
  for (const list of chains.values()) {
    list.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || a.elapsed_s - b.elapsed_s);
    list.forEach((cur, i) => {
      const prev = list[i - 1];
      deltas.push({ cur, prev });
      if (prev) gaps.push(cur.elapsed_s - prev.elapsed_s);
    });
  }
  const endMs = Math.max(...snapshots.map((s) => Date.parse(s.ts)));
  const span = Math.max(0, (endMs - startMs) / 1000);
  let width = intervalS ?? median(gaps.filter((g) => g > 0)) ?? (span > 0 ? span : 1);
  width = Math.max(width, span / MAX_SERIES_POINTS, 0.001);

  const bins = new Map<number, Delta[]>();
  for (const d of deltas) {
    const t = (Date.parse(d.cur.ts) - startMs) / 1000;
    const bin = Math.max(0, Math.ceil(t / width - 1e-9) - 1);
    const list = bins.get(bin) ?? [];
    list.push(d);
    bins.set(bin, list);
  }
  const points: SeriesPoint[] = [];
  for (const bin of [...bins.keys()].sort((a, b) => a - b)) {
    const list = bins.get(bin)!;
    let published = 0;
    let consumed = 0;
    let errors = 0;
    for (const { cur, prev } of list) {
      published += cur.published - (prev?.published ?? 0);
      consumed += cur.consumed - (prev?.consumed ?? 0);
      errors += cur.publish_errors - (prev?.publish_errors ?? 0);
    }
    points.push({
      t_s: round((bin + 1) * width),
      publish_rate: round(published / width),
      consume_rate: round(consumed / width),
      publish_errors: errors,
      pods: new Set(list.map((d) => d.cur.pod)).size,
      publish_ack: intervalLatency(list, "publish_ack"),
      end_to_end: intervalLatency(list, "end_to_end"),
    });
  }
  return { interval_s: round(width), points };
}

/** Merges, over the bin's deltas, each snapshot's histogram minus its predecessor's: the samples of the interval. */
function intervalLatency(list: readonly Delta[], kind: "publish_ack" | "end_to_end"): SeriesLatency {
  const out: Histogram = newHistogram();
  for (const { cur, prev } of list) {
    if (!cur.hist[kind]) continue;
    const h = decodeHistogram(cur.hist[kind]);
    const before = prev?.hist[kind];
    if (before) {
      const p = decodeHistogram(before);
      // A restarted counter (new histogram smaller than the old) would go negative: then keep it whole.
      if (p.totalCount <= h.totalCount) h.subtract(p);
      p.destroy();
    }
    out.add(h);
    h.destroy();
  }
  const s = summarize(out);
  out.destroy();
  return { count: s.count, p50: s.p50, p90: s.p90, p99: s.p99, p999: s.p999, max: s.max };
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const round = (n: number) => Math.round(n * 1000) / 1000;
