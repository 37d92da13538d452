// What one share of a step measured: plain counters and fixed-size histograms, one of each per entry of the
// registry of measurements (src/measures, through stats' door). A share is the unit a worker thread would
// run; the parent merges shares exactly (counters add, histograms add bucket by bucket).
import {
  ENGINE_COUNTER_KEYS,
  ERROR_CATEGORIES,
  type ErrorCategory,
  encodeHistogram,
  type Histogram,
  LATENCY_KINDS,
  type LatencyKind,
  type NatsCounter,
  newHistogram,
  type QueueGroupStats,
  recordMsCount,
  type SnapshotCounter,
} from "../stats/index.ts";
import type { Schedule } from "./schedule.ts";

/** A share's counters by wire name: the snapshot's and the connection figures (reported under `nats`). */
export type CounterKey = SnapshotCounter | NatsCounter;
export type Counters = Record<CounterKey, number>;

/** A fresh record of every counter at 0 (always all keys, in registry order: one object shape). */
export function zeroCounters(): Counters {
  return Object.fromEntries(ENGINE_COUNTER_KEYS.map((k) => [k, 0])) as Counters;
}

/** One value per latency kind of the registry (`LATENCY_KINDS`). */
export function perKind<T>(f: (kind: LatencyKind) => T): Record<LatencyKind, T> {
  return Object.fromEntries(LATENCY_KINDS.map((k) => [k, f(k)])) as Record<LatencyKind, T>;
}

/** A share's measurements as they travel (between a worker and its parent, or in-process). */
export interface ShareSample {
  counters: Counters;
  errors: Record<string, number>;
  /** Encoded cumulative histograms (µs). */
  hist: Record<LatencyKind, string>;
  /** Core NATS queue groups and their members' counts (queue-group.ts); shares hold disjoint streams. */
  queueGroups?: QueueGroupStats[];
}

/**
 * The hot paths count with `m.counts.<name>++` and record with `recordMs(m.hist.<kind>, ms)`: both records
 * are allocated once with every key, so an increment is a plain property store (no lookup by string).
 * Counters computed at the end (loss, duplicates, …) stay 0 here and are filled by `Share.sample()`.
 */
export class ShareMetrics {
  readonly counts: Counters = zeroCounters();
  readonly hist: Record<LatencyKind, Histogram> = perKind(() => newHistogram());
  readonly errors: Record<ErrorCategory, number> = Object.fromEntries(
    ERROR_CATEGORIES.map((c) => [c, 0]),
  ) as Record<ErrorCategory, number>;

  publishError(cat: ErrorCategory, n = 1): void {
    this.errors[cat] += n;
  }

  /**
   * Sending stopped `elapsedMs` into the step: `sched`'s slots due before then and never sent are counted
   * `unsent`, and each one's lateness at that moment goes into send_delay (in groups, from the schedule: no
   * per-slot work or memory). Publishers, requesters and KV/object clients alike.
   */
  countUnsent(sched: Schedule, elapsedMs: number): void {
    const delay = this.hist.send_delay;
    this.counts.unsent += sched.unsentBefore(elapsedMs, (ms, n) => recordMsCount(delay, ms, n));
  }

  get publishErrors(): number {
    let n = 0;
    for (const c of ERROR_CATEGORIES) if (c !== "consume") n += this.errors[c];
    return n;
  }

  destroy(): void {
    for (const h of Object.values(this.hist)) h.destroy();
  }

  /** Last encoding of each histogram and its count: cumulative histograms with the same count are unchanged. */
  readonly #enc = new Map<Histogram, { count: number; text: string }>();

  encode(): ShareSample["hist"] {
    return perKind((k) => this.#encodeOne(this.hist[k]));
  }

  /** Encodes (compresses) a histogram only when it recorded something since its last encoding. */
  #encodeOne(h: Histogram): string {
    const last = this.#enc.get(h);
    const count = h.totalCount;
    if (last && last.count === count) return last.text;
    const text = encodeHistogram(h);
    this.#enc.set(h, { count, text });
    return text;
  }
}
