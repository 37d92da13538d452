// What one share of a step measured: plain counters and four fixed-size histograms. A share is the unit a
// worker thread would run; the parent merges shares exactly (counters add, histograms add bucket by bucket).
import { LATENCY_KINDS, type LatencyKind } from "../config/index.ts";
import {
  ERROR_CATEGORIES,
  type ErrorCategory,
  encodeHistogram,
  type Histogram,
  newHistogram,
  SNAPSHOT_COUNTER_KEYS,
} from "../stats/index.ts";

/** The snapshot's counters plus the engine's connection figures (reported under `nats`). */
export const COUNTER_KEYS = [
  ...SNAPSHOT_COUNTER_KEYS,
  "reconnects",
  "in_msgs",
  "out_msgs",
  "in_bytes",
  "out_bytes",
] as const;
export type CounterKey = (typeof COUNTER_KEYS)[number];
export type Counters = Record<CounterKey, number>;

export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0])) as Counters;
}

/** One value per latency histogram of a snapshot (`LATENCY_KINDS`), so a new kind is one list entry. */
export function perKind<T>(f: (kind: LatencyKind) => T): Record<LatencyKind, T> {
  return Object.fromEntries(LATENCY_KINDS.map((k) => [k, f(k)])) as Record<LatencyKind, T>;
}

/** A share's measurements as they travel (between a worker and its parent, or in-process). */
export interface ShareSample {
  counters: Counters;
  errors: Record<string, number>;
  /** Encoded cumulative histograms (µs). */
  hist: Record<LatencyKind, string>;
}

export class ShareMetrics {
  published = 0;
  acked = 0;
  consumed = 0;
  acksSent = 0;
  missedSends = 0;
  negativeLatency = 0;
  /** End-to-end samples of messages published outside this share (another pod or worker). */
  remoteLatency = 0;
  bytesOut = 0;
  bytesIn = 0;
  /** JetStream publishes sent again (no responders, or an attempt unanswered). */
  publishRetries = 0;
  readonly errors: Record<ErrorCategory, number> = Object.fromEntries(
    ERROR_CATEGORIES.map((c) => [c, 0]),
  ) as Record<ErrorCategory, number>;
  readonly publishAck: Histogram = newHistogram();
  readonly endToEnd: Histogram = newHistogram();
  readonly sendDelay: Histogram = newHistogram();
  /** Ack − sent of the acknowledged attempt (JetStream only): the server's part, without the client's delay. */
  readonly publishService: Histogram = newHistogram();
  /** The histograms above by the snapshot's name for them (the hot paths record into the named fields). */
  readonly #byKind: Record<LatencyKind, Histogram> = {
    publish_ack: this.publishAck,
    end_to_end: this.endToEnd,
    send_delay: this.sendDelay,
    publish_service: this.publishService,
  };

  publishError(cat: ErrorCategory, n = 1): void {
    this.errors[cat] += n;
  }

  get publishErrors(): number {
    let n = 0;
    for (const c of ERROR_CATEGORIES) if (c !== "consume") n += this.errors[c];
    return n;
  }

  destroy(): void {
    for (const h of Object.values(this.#byKind)) h.destroy();
  }

  /** Last encoding of each histogram and its count: cumulative histograms with the same count are unchanged. */
  readonly #enc = new Map<Histogram, { count: number; text: string }>();

  encode(): ShareSample["hist"] {
    return perKind((k) => this.#encodeOne(this.#byKind[k]));
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
