// The time series of a run as its snapshots arrive (the dashboard's /ws feed, `ltctl watch`): the same bins and
// rules as the report's series (interval.ts: each snapshot's own interval, a pod once per bin, a lost snapshot a
// gap), kept incrementally for a bounded window. A bin is handed out once every pod still running has reported
// past it, so the newest point never shows a dip that only means "not everyone has reported yet".
import { LATENCY_KINDS, type LatencyKind } from "../measures/index.ts";
import { type Histogram, newHistogram } from "./histogram.ts";
import { binWidthMs, chainKey, intervalHistogram, middleBin, nextEntry, RateBins } from "./interval.ts";
import { summarize } from "./percentiles.ts";
import type { Snapshot } from "./snapshot.ts";

/** One interval's latency summary (ms). */
export interface IntervalLatency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One bin of the live series, ending at `end_ms` (epoch ms); rates in msg/s, null in a gap. */
export interface LivePoint {
  readonly end_ms: number;
  readonly complete: boolean;
  readonly publish_rate: number | null;
  readonly consume_rate: number | null;
  readonly target_rate: number | null;
  readonly pods: number;
  readonly latency: Readonly<Record<LatencyKind, IntervalLatency>>;
}

export interface LiveSeriesOptions {
  /** Bins kept (older ones are forgotten). @default 600 */
  readonly keep?: number;
  /** Latency kinds summarised per bin. @default every kind of the registry */
  readonly kinds?: readonly LatencyKind[];
}

/**
 * Bins whose latency histograms stay open for late snapshots after every running pod reported past them. A
 * bin's merged histograms are a fixed-size bucket array each (about 100 KB): only these few are kept whole,
 * older bins keep their summaries (a snapshot later than this updates their rates, not their percentiles).
 */
const OPEN_BINS = 3;
/** A pod that has not reported for this many intervals no longer holds the series back (it died or stalled). */
const STALE_INTERVALS = 3;

const NO_SAMPLES: IntervalLatency = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

export class LiveSeries {
  readonly #keep: number;
  readonly #kinds: readonly LatencyKind[];
  #run: string | undefined;
  #newestMs = Number.NEGATIVE_INFINITY;
  /** Newest snapshot of each chain. */
  #last = new Map<string, Snapshot>();
  /** Entries seen before the bin width is known (the first interval after a step's first one gives it). */
  #early: Snapshot[] = [];
  #bins: RateBins | undefined;
  #open = new Map<number, Record<string, Histogram>>();
  #closed = new Map<number, Record<string, IntervalLatency>>();
  /** Bins already handed out are those up to this one. */
  #settled = Number.NEGATIVE_INFINITY;
  #maxBin = Number.NEGATIVE_INFINITY;

  constructor(opts: LiveSeriesOptions = {}) {
    this.#keep = opts.keep ?? 600;
    this.#kinds = opts.kinds ?? LATENCY_KINDS;
  }

  /** The run the series follows: the run of the newest snapshot seen. */
  get run(): string | undefined {
    return this.#run;
  }

  /** Bin width in seconds, once known. */
  get intervalS(): number | undefined {
    return this.#bins ? this.#bins.widthMs / 1000 : undefined;
  }

  /** Takes one snapshot; returns the points it settled or changed (older snapshots of other runs are ignored). */
  add(s: Snapshot): LivePoint[] {
    const ts = Date.parse(s.ts);
    if (!Number.isFinite(ts)) return [];
    if (s.run_id !== this.#run) {
      if (this.#run !== undefined && ts <= this.#newestMs) return [];
      this.#reset(s.run_id);
    }
    this.#newestMs = Math.max(this.#newestMs, ts);
    if (!this.#bins) {
      this.#early.push(s);
      const width = this.#width();
      if (width === undefined) return [];
      const early = this.#early.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
      this.#early = [];
      this.#bins = new RateBins(Math.min(...early.map((x) => Date.parse(x.ts) - x.elapsed_s * 1000)), width);
      const touched = new Set<number>();
      for (const x of early) for (const b of this.#take(x)) touched.add(b);
      return this.#settle(touched);
    }
    return this.#settle(new Set(this.#take(s)));
  }

  /** Every point handed out so far, oldest first. */
  points(): LivePoint[] {
    if (!this.#bins) return [];
    const out: LivePoint[] = [];
    for (let b = Math.max(this.#maxBin - this.#keep + 1, this.#firstBin()); b <= this.#settled; b++) {
      const p = this.#point(b);
      if (p) out.push(p);
    }
    return out;
  }

  /** Frees the open histograms. */
  close(): void {
    for (const hs of this.#open.values()) for (const h of Object.values(hs)) h.destroy();
    this.#open.clear();
  }

  #reset(run: string): void {
    this.close();
    this.#run = run;
    this.#newestMs = Number.NEGATIVE_INFINITY;
    this.#last = new Map();
    this.#early = [];
    this.#bins = undefined;
    this.#closed = new Map();
    this.#settled = Number.NEGATIVE_INFINITY;
    this.#maxBin = Number.NEGATIVE_INFINITY;
  }

  /** The stats interval: a chain's second interval (its first may be cut short at the step's start). */
  #width(): number | undefined {
    const seen = new Map<string, Snapshot[]>();
    for (const s of this.#early) seen.set(chainKey(s), [...(seen.get(chainKey(s)) ?? []), s]);
    for (const list of seen.values()) {
      const [a, b, c] = list.sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts));
      if (!a || !b || !c) continue;
      const ms =
        b.interval_s !== undefined && c.interval_s !== undefined
          ? c.interval_s * 1000
          : Date.parse(c.ts) - Date.parse(b.ts);
      if (ms > 0) return binWidthMs(ms);
    }
    return undefined;
  }

  /** Adds a snapshot to its chain's bins; returns the bins it touched. */
  #take(s: Snapshot): number[] {
    const bins = this.#bins as RateBins;
    const key = chainKey(s);
    const prev = this.#last.get(key);
    if (prev && !(Date.parse(s.ts) > Date.parse(prev.ts))) return []; // a repeat, or older than what we have
    const e = nextEntry(s, prev);
    this.#last.set(key, s);
    if (!e) return [];
    const touched = bins.add(e);
    const mid = middleBin(bins, e);
    for (const b of touched) this.#maxBin = Math.max(this.#maxBin, b);
    if (!this.#closed.has(mid) && mid > this.#maxBin - this.#keep) {
      let hs = this.#open.get(mid);
      if (!hs) {
        hs = Object.fromEntries(this.#kinds.map((k) => [k, newHistogram()]));
        this.#open.set(mid, hs);
      }
      for (const k of this.#kinds) {
        const h = intervalHistogram(e, k);
        if (!h) continue;
        hs[k]!.add(h);
        h.destroy();
      }
      touched.push(mid);
    }
    return touched;
  }

  /** Hands out the bins every running pod has reported past, and the settled ones a late snapshot changed. */
  #settle(touched: Set<number>): LivePoint[] {
    const bins = this.#bins as RateBins;
    const widthMs = bins.widthMs;
    // Pods still running hold the series back until they report past a bin; finished or silent ones do not.
    let until = this.#newestMs;
    let running = false;
    for (const s of this.#last.values()) {
      const at = Date.parse(s.ts);
      if (s.phase !== "running" || at < this.#newestMs - STALE_INTERVALS * widthMs) continue;
      running = true;
      until = Math.min(until, at);
    }
    // The last bin that ended by then (every pod finished: the last bin there is).
    const settled = running ? Math.floor((until - bins.originMs) / widthMs) - 1 : bins.binOf(until);
    const changed = new Set<number>();
    for (const b of touched) if (b <= this.#settled) changed.add(b);
    for (let b = Math.max(this.#settled + 1, this.#firstBin()); b <= settled; b++) changed.add(b);
    this.#settled = Math.max(this.#settled, settled);
    this.#forget();
    const out: LivePoint[] = [];
    for (const b of [...changed].sort((x, y) => x - y)) {
      const p = this.#point(b);
      if (p) out.push(p);
    }
    return out;
  }

  #firstBin(): number {
    return this.#maxBin === Number.NEGATIVE_INFINITY ? 0 : Math.max(0, this.#maxBin - this.#keep + 1);
  }

  /** Summarises bins settled long enough ago and forgets bins out of the window. */
  #forget(): void {
    for (const [b, hs] of this.#open) {
      if (b > this.#settled - OPEN_BINS) continue;
      this.#closed.set(b, this.#summaries(hs));
      for (const h of Object.values(hs)) h.destroy();
      this.#open.delete(b);
    }
    const first = this.#firstBin();
    for (const b of this.#closed.keys()) if (b < first) this.#closed.delete(b);
    this.#bins?.dropBefore(first);
  }

  #summaries(hs: Record<string, Histogram>): Record<string, IntervalLatency> {
    return Object.fromEntries(
      this.#kinds.map((k) => {
        const h = hs[k];
        if (!h) return [k, NO_SAMPLES];
        const s = summarize(h);
        return [k, { count: s.count, p50: s.p50, p90: s.p90, p99: s.p99, p999: s.p999, max: s.max }];
      }),
    );
  }

  #point(bin: number): LivePoint | undefined {
    const bins = this.#bins as RateBins;
    const r = bins.rates(bin);
    const open = this.#open.get(bin);
    const lat = open ? this.#summaries(open) : this.#closed.get(bin);
    if (r.expected === 0 && !lat) return undefined;
    const latency = Object.fromEntries(
      this.#kinds.map((k) => [k, r.complete ? (lat?.[k] ?? NO_SAMPLES) : NO_SAMPLES]),
    ) as Record<LatencyKind, IntervalLatency>;
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      end_ms: bins.originMs + (bin + 1) * bins.widthMs,
      complete: r.complete,
      publish_rate: r.complete ? round(r.publish_rate) : null,
      consume_rate: r.complete ? round(r.consume_rate) : null,
      target_rate: r.complete && r.target_rate !== undefined ? round(r.target_rate) : null,
      pods: r.pods,
      latency,
    };
  }
}
