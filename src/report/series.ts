// Cluster-wide time series of a run, per bin of the stats interval: each snapshot's own interval spread over
// the bins it covers (src/stats interval.ts: a pod counts once per bin, a lost snapshot is a gap), and the
// interval histograms merged per bin for the latency percentiles over time.
import { type LatencyKind, latencyKinds, MEASURES, type Registry } from "../measures/index.ts";
import {
  binWidthMs,
  chainEntries,
  chainKey,
  type IntervalEntry,
  intervalHistogram,
  middleBin,
  newHistogram,
  RateBins,
  type Snapshot,
  summarize,
} from "../stats/index.ts";

export interface SeriesLatency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * One bin, ending `t_s` seconds after the run started; rates are messages per second over the bin. A bin some
 * pod's snapshot is missing for is a gap: `complete` false, rates null, no latency samples.
 */
export type SeriesPoint = {
  readonly t_s: number;
  readonly complete: boolean;
  readonly publish_rate: number | null;
  readonly consume_rate: number | null;
  /** What the plan asked of the pods in the bin (null: no running snapshot covers it). */
  readonly target_rate: number | null;
  readonly publish_errors: number;
  /** Pods whose messages are counted in this bin. */
  readonly pods: number;
} & Readonly<Record<LatencyKind, SeriesLatency>>;

/** At most this many bins: long runs get wider bins rather than a huge report. */
export const MAX_SERIES_POINTS = 1000;

const NO_SAMPLES: SeriesLatency = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

export function buildSeries(
  snapshots: readonly Snapshot[],
  startMs: number,
  intervalS?: number,
  m: Registry = MEASURES,
): { interval_s: number; points: SeriesPoint[] } {
  const chains = new Map<string, Snapshot[]>();
  for (const s of snapshots) {
    const list = chains.get(chainKey(s)) ?? [];
    list.push(s);
    chains.set(chainKey(s), list);
  }
  const entries = [...chains.values()].flatMap((list) => chainEntries(list));
  if (entries.length === 0) return { interval_s: intervalS ?? 1, points: [] };
  const endMs = Math.max(...entries.map((e) => e.endMs));
  const span = Math.max(0, (endMs - startMs) / 1000);
  // The stats interval as the snapshots measured it (0.998 s and 1.004 s are the 1 s interval).
  const measured = median(entries.map((e) => e.endMs - e.startMs));
  const own = measured === undefined ? undefined : binWidthMs(measured) / 1000;
  let width = intervalS ?? own ?? (span > 0 ? span : 1);
  width = Math.max(width, span / MAX_SERIES_POINTS, 0.001);

  const bins = new RateBins(startMs, width * 1000);
  const used = new Set<number>();
  const middles = new Map<number, IntervalEntry[]>();
  for (const e of entries) {
    for (const b of bins.add(e)) used.add(b);
    const mid = middleBin(bins, e);
    const list = middles.get(mid) ?? [];
    list.push(e);
    middles.set(mid, list);
  }
  const kinds = latencyKinds(m).map((e) => e.name as LatencyKind);
  const points: SeriesPoint[] = [];
  // Every bin some pod ran in, those no snapshot touched included (a lost one's interval: a gap point).
  const first = Math.min(...used);
  const last = Math.max(...used);
  for (let bin = first; bin <= last; bin++) {
    const r = bins.rates(bin);
    const mine = middles.get(bin) ?? [];
    if (r.expected === 0 && mine.length === 0) continue;
    const latency = Object.fromEntries(
      kinds.map((k) => [k, r.complete ? mergedLatency(mine, k) : NO_SAMPLES]),
    ) as Record<LatencyKind, SeriesLatency>;
    points.push({
      t_s: round((bin + 1) * width),
      complete: r.complete,
      publish_rate: r.complete ? round(r.publish_rate) : null,
      consume_rate: r.complete ? round(r.consume_rate) : null,
      target_rate: r.complete && r.target_rate !== undefined ? round(r.target_rate) : null,
      publish_errors: mine.reduce((n, e) => n + (e.counts?.publish_errors ?? 0), 0),
      pods: r.pods,
      ...latency,
    });
  }
  return { interval_s: round(width), points };
}

/** The samples of the bin's intervals, merged (one histogram at a time: each is a fixed-size bucket array). */
function mergedLatency(list: readonly IntervalEntry[], kind: LatencyKind): SeriesLatency {
  if (list.length === 0) return NO_SAMPLES;
  const out = newHistogram();
  for (const e of list) {
    const h = intervalHistogram(e, kind);
    if (!h) continue;
    out.add(h);
    h.destroy();
  }
  const s = summarize(out);
  out.destroy();
  return { count: s.count, p50: s.p50, p90: s.p90, p99: s.p99, p999: s.p999, max: s.max };
}

function median(xs: number[]): number | undefined {
  const s = xs.filter((x) => x > 0).sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor(s.length / 2)];
}

const round = (n: number) => Math.round(n * 1000) / 1000;
