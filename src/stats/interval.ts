// Time series that follow the snapshots. Each snapshot stands for its own measured interval (`interval_s`
// before its `ts`; older agents: since its predecessor): its messages are spread over the chart's bins in
// proportion to how much of the interval falls in each, so a pod counts once per bin however its snapshots
// jitter around the bin edges (a late snapshot no longer lands in the next bin beside the pod's next one). A
// bin a pod's snapshots leave uncovered while the pod was running (a snapshot lost) is a gap, never filled
// from a neighbour. Latency: each interval's histogram (`hist_interval`; older agents: the cumulative minus
// the predecessor's) goes whole into the bin holding the interval's middle. Shared by the report's series
// (src/report/series.ts) and the live series of the dashboard and `ltctl watch` (live-series.ts).
import type { LatencyKind } from "../measures/index.ts";
import { decodeHistogram, type Histogram } from "./histogram.ts";
import type { Snapshot } from "./snapshot.ts";

/**
 * Two snapshots of a chain are consecutive when one's interval starts where the other's ended. Both times come
 * from one clock reading of the engine, rounded to the millisecond (`ts`, `interval_s`): 50 ms is far above the
 * rounding and far below an interval (a lost snapshot leaves a whole interval between them).
 */
const CONTIGUOUS_MS = 50;

/**
 * A pod's part of a bin counts as missing when its snapshots leave more than this share of the bin uncovered
 * within its running span: a lost snapshot uncovers a whole interval, rounding a few milliseconds. Below it,
 * the pod's rate over the covered part stands for the bin (a wide bin of a long run is not a gap for one lost
 * second).
 */
const GAP_SHARE = 0.25;

/**
 * The stats interval from a measured interval length: a snapshot is taken a few ms early or late, and the
 * interval is whole seconds in a config (`stats_collection_interval_seconds`), so a length from 1 s up is
 * rounded to the second; shorter ones (tests, local runs) to two digits.
 */
export function binWidthMs(measuredMs: number): number {
  return measuredMs >= 950
    ? Math.max(1000, Math.round(measuredMs / 1000) * 1000)
    : Number(measuredMs.toPrecision(2));
}

/** A chain: consecutive snapshots of one agent process in one step (counters and histograms are cumulative in it). */
export function chainKey(s: Snapshot): string {
  const inc = (s as Readonly<Record<string, unknown>>).incarnation;
  return `${s.run_id}\u0000${s.pod}\u0000${typeof inc === "string" ? inc : ""}\u0000${s.spec_index}\u0000${s.iteration}`;
}

/** Messages of one interval. */
export interface IntervalCounts {
  readonly published: number;
  readonly consumed: number;
  readonly publish_errors: number;
}

/** One snapshot's own interval. */
export interface IntervalEntry {
  readonly chain: string;
  readonly pod: string;
  /** Epoch ms: the interval (never before its step's start). */
  readonly startMs: number;
  readonly endMs: number;
  /** What happened in it; undefined when unknown (its predecessor is missing and it carries no interval rates). */
  readonly counts: IntervalCounts | undefined;
  /** msg/s the plan asked over it (running snapshots; a final carries the step's mean instead). */
  readonly target: number | undefined;
  readonly snap: Snapshot;
  /** The interval starts where the chain's previous snapshot (or its step) did: its counters' delta is its own. */
  readonly follows: boolean;
  /** The chain's previous snapshot, when this one follows it (derives older agents' histograms). */
  readonly prev: Snapshot | undefined;
}

/**
 * The entries of one chain, given its snapshots in any order. Snapshots covering no time (taken at the start
 * barrier) and repeats (a `ts` not after the previous one) give none.
 */
export function chainEntries(snapshots: readonly Snapshot[]): IntervalEntry[] {
  const list = [...snapshots].sort(
    (a, b) =>
      Date.parse(a.ts) - Date.parse(b.ts) ||
      (a.phase === "running" ? 0 : 1) - (b.phase === "running" ? 0 : 1),
  );
  const out: IntervalEntry[] = [];
  let prev: Snapshot | undefined;
  for (const s of list) {
    if (prev && !(Date.parse(s.ts) > Date.parse(prev.ts))) continue;
    const e = nextEntry(s, prev);
    if (e) out.push(e);
    prev = s;
  }
  return out;
}

/**
 * The entry of snapshot `s`, given the newest earlier snapshot of its chain (undefined: none). Undefined when it
 * covers no time or is not newer than `prev`.
 */
export function nextEntry(s: Snapshot, prev: Snapshot | undefined): IntervalEntry | undefined {
  const end = Date.parse(s.ts);
  const prevEnd = prev ? Date.parse(prev.ts) : undefined;
  if (!Number.isFinite(end) || (prevEnd !== undefined && end <= prevEnd)) return undefined;
  const stepStart = end - s.elapsed_s * 1000;
  const own = s.interval_s;
  // Older agents carry no interval: it runs from the predecessor (or the step's start).
  const start = own !== undefined ? end - own * 1000 : (prevEnd ?? stepStart);
  const follows =
    prevEnd === undefined ? start <= stepStart + CONTIGUOUS_MS : Math.abs(start - prevEnd) <= CONTIGUOUS_MS;
  const from = Math.max(start, stepStart);
  if (!(end - from > 0)) return undefined;
  return {
    chain: chainKey(s),
    pod: s.pod,
    startMs: from,
    endMs: end,
    counts: follows ? delta(s, prev) : ownRates(s, (end - from) / 1000),
    target: s.phase === "running" ? (s.target_rate ?? undefined) : undefined,
    snap: s,
    follows,
    prev: follows ? prev : undefined,
  };
}

function delta(s: Snapshot, prev: Snapshot | undefined): IntervalCounts | undefined {
  const published = s.published - (prev?.published ?? 0);
  const consumed = s.consumed - (prev?.consumed ?? 0);
  const publish_errors = s.publish_errors - (prev?.publish_errors ?? 0);
  // Counters never fall within a chain; if they did, the two are not one process's consecutive snapshots.
  return published < 0 || consumed < 0 || publish_errors < 0
    ? undefined
    : { published, consumed, publish_errors };
}

/** A running snapshot's own interval rates (its predecessor is missing); a final's rates are step means. */
function ownRates(s: Snapshot, seconds: number): IntervalCounts | undefined {
  if (s.phase !== "running" || s.interval_s === undefined) return undefined;
  return { published: s.publish_rate * seconds, consumed: s.consume_rate * seconds, publish_errors: 0 };
}

/**
 * The samples of one entry's interval for a latency kind: its `hist_interval`, or (older agents) its cumulative
 * histogram minus its predecessor's. Undefined when not known. The caller destroys the histogram.
 */
export function intervalHistogram(e: IntervalEntry, kind: LatencyKind): Histogram | undefined {
  const carried = (e.snap.hist_interval as Readonly<Record<string, string | undefined>> | undefined)?.[kind];
  if (carried !== undefined) return carried ? decodeHistogram(carried) : undefined;
  // Derived: only where the predecessor is this interval's start (else the difference spans more).
  const cur = (e.snap.hist as Readonly<Record<string, string | undefined>>)[kind];
  if (!e.follows || !cur) return undefined;
  const h = decodeHistogram(cur);
  const before = e.prev ? (e.prev.hist as Readonly<Record<string, string | undefined>>)[kind] : undefined;
  if (before) {
    const p = decodeHistogram(before);
    if (p.totalCount <= h.totalCount) h.subtract(p);
    p.destroy();
  }
  return h;
}

/** Per chain and bin: how much of the bin the chain ran and how much its entries cover, and their messages. */
interface Part {
  have: number;
  published: number;
  consumed: number;
  targetHave: number;
  target: number;
}

/** A bin's rates over every chain, or `complete: false` when a running chain left part of it uncovered. */
export interface BinRates {
  readonly complete: boolean;
  readonly publish_rate: number;
  readonly consume_rate: number;
  /** Undefined when no running snapshot covers the bin. */
  readonly target_rate: number | undefined;
  /** Pods with messages counted in the bin. */
  readonly pods: number;
  /** Chains (pod processes in a step) that ran during the bin: its figures are expected from them. */
  readonly expected: number;
}

/**
 * Rates by bin: bin `k` is `(origin + k·width, origin + (k+1)·width]`. Entries add their messages in proportion
 * to their overlap with each bin; each chain's running span (its first entry's start to its last one's end)
 * says where its figures are expected.
 */
export class RateBins {
  readonly originMs: number;
  readonly widthMs: number;
  readonly #chains = new Map<string, { pod: string; from: number; to: number; parts: Map<number, Part> }>();

  constructor(originMs: number, widthMs: number) {
    this.originMs = originMs;
    this.widthMs = widthMs;
  }

  /** The bin holding an instant (bins are closed at their end). */
  binOf(ms: number): number {
    return Math.ceil((ms - this.originMs) / this.widthMs - 1e-9) - 1;
  }

  /** Adds one entry; returns the bins it touched. */
  add(e: IntervalEntry): number[] {
    let c = this.#chains.get(e.chain);
    if (!c) {
      c = { pod: e.pod, from: e.startMs, to: e.endMs, parts: new Map() };
      this.#chains.set(e.chain, c);
    }
    c.from = Math.min(c.from, e.startMs);
    c.to = Math.max(c.to, e.endMs);
    const len = e.endMs - e.startMs;
    const touched: number[] = [];
    for (let b = this.binOf(e.startMs + 1e-6); b <= this.binOf(e.endMs); b++) {
      const lo = this.originMs + b * this.widthMs;
      const overlap = Math.min(e.endMs, lo + this.widthMs) - Math.max(e.startMs, lo);
      if (overlap <= 0) continue;
      touched.push(b);
      if (!e.counts && e.target === undefined) continue;
      const p = c.parts.get(b) ?? { have: 0, published: 0, consumed: 0, targetHave: 0, target: 0 };
      c.parts.set(b, p);
      const share = overlap / len;
      if (e.counts) {
        p.have += overlap;
        p.published += e.counts.published * share;
        p.consumed += e.counts.consumed * share;
      }
      if (e.target !== undefined) {
        p.targetHave += overlap;
        p.target += e.target * (overlap / 1000);
      }
    }
    return touched;
  }

  /** Forgets the figures of bins before `bin` (a live series keeps a bounded window). */
  dropBefore(bin: number): void {
    for (const c of this.#chains.values()) for (const b of c.parts.keys()) if (b < bin) c.parts.delete(b);
  }

  /** Last instant some chain ran (epoch ms), or -Infinity. */
  get endMs(): number {
    let end = Number.NEGATIVE_INFINITY;
    for (const c of this.#chains.values()) end = Math.max(end, c.to);
    return end;
  }

  rates(bin: number): BinRates {
    const lo = this.originMs + bin * this.widthMs;
    const hi = lo + this.widthMs;
    let complete = true;
    let published = 0;
    let consumed = 0;
    let target = 0;
    let targeted = false;
    let expected = 0;
    const pods = new Set<string>();
    for (const c of this.#chains.values()) {
      const need = Math.min(hi, c.to) - Math.max(lo, c.from);
      if (need <= 0) continue;
      expected++;
      const p = c.parts.get(bin);
      const have = p?.have ?? 0;
      if (need - have > GAP_SHARE * this.widthMs) complete = false;
      if (!p) continue;
      // The chain's rate over what its entries cover stands for the part of the bin it ran.
      if (have > 0) {
        published += (p.published * need) / have;
        consumed += (p.consumed * need) / have;
        pods.add(c.pod);
      }
      if (p.targetHave > 0) {
        target += (p.target * need) / p.targetHave;
        targeted = true;
      }
    }
    const seconds = this.widthMs / 1000;
    return {
      complete,
      publish_rate: published / seconds,
      consume_rate: consumed / seconds,
      target_rate: targeted ? target / seconds : undefined,
      pods: pods.size,
      expected,
    };
  }
}

/** The bin an entry's latency samples and error count go to: the one holding its interval's middle. */
export function middleBin(bins: RateBins, e: IntervalEntry): number {
  return bins.binOf((e.startMs + e.endMs) / 2);
}
