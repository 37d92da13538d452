// One consumer's receive path: decode the header, track sequences per publisher, record end-to-end latency
// (before any artificial delay), then ack — after `consume_delay_ms` when one is set.
//
// consume_delay_ms models processing time: each message is acked that long after it arrived, messages being
// processed concurrently up to max_ack_pending (the server stops delivering beyond it). One FIFO and one
// timer per consumer, not a timer per message. With ack_policy none there is nothing to delay.
import type { JsMsg } from "@nats-io/jetstream";
import { recordMs } from "../stats/index.ts";
import { nowEpoch } from "./clock.ts";
import type { ShareMetrics } from "./metrics.ts";
import { type Header, HeaderReader, newHeader, trackerKey } from "./payload.ts";
import { SeqTracker } from "./sequence.ts";

export class ConsumerState {
  readonly stream: string;
  readonly trackers = new Map<number, SeqTracker>();
  readonly #m: ShareMetrics;
  readonly #h: Header = newHeader();
  readonly #reader = new HeaderReader();
  readonly #deliveries = new DeliveryCounter();
  readonly #ack: boolean;
  readonly #delayMs: number;
  readonly #queue: JsMsg[] = [];
  readonly #queueDue: number[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Messages that arrived after `stop`: received, never acked. */
  #held = 0;
  #lastKey = -1;
  #last: SeqTracker | undefined;
  readonly #failedOf: ((key: number) => ReadonlySet<number> | undefined) | undefined;
  readonly #source: number | undefined;

  constructor(
    stream: string,
    m: ShareMetrics,
    opts: {
      /** This share's source id: samples of other sources are counted as remote (another clock). */
      source?: number;
      ack: boolean;
      delayMs: number;
      /** The failed sequences of a publisher of this share, by tracker key (undefined for others). */
      failedOf?: (key: number) => ReadonlySet<number> | undefined;
    },
  ) {
    this.stream = stream;
    this.#m = m;
    this.#ack = opts.ack;
    this.#delayMs = opts.ack ? opts.delayMs : 0;
    this.#failedOf = opts.failedOf;
    this.#source = opts.source;
  }

  /** A core (non-JetStream) message. */
  onData(data: Uint8Array): void {
    this.#observe(data, false);
  }

  /** A JetStream message (pull or push). */
  onJs(m: JsMsg): void {
    this.#observe(m.data, this.#deliveries.of(m) > 1);
    if (!this.#ack) return;
    if (this.#stopped) this.#held++;
    else if (this.#delayMs > 0) this.#delay(m);
    else this.#doAck(m);
  }

  #observe(data: Uint8Array, redelivery: boolean): void {
    const m = this.#m;
    const now = nowEpoch();
    m.counts.consumed++;
    m.counts.bytes_in += data.length;
    const h = this.#h;
    if (!this.#reader.read(data, h)) return;
    const key = trackerKey(h.source, h.pub);
    let t = this.#last;
    if (key !== this.#lastKey || !t) {
      t = this.trackers.get(key);
      if (!t) {
        t = new SeqTracker();
        t.failed = this.#failedOf?.(key);
        this.trackers.set(key, t);
      }
      this.#lastKey = key;
      this.#last = t;
    }
    t.observe(h.seq, redelivery);
    // Duplicates are deliveries too: their latency is recorded; redeliveries waited out ack_wait, so not.
    if (redelivery || !h.trackLatency) return;
    const e2e = now - h.intendedMs;
    if (h.source !== this.#source) m.counts.remote_latency++;
    if (e2e < 0) m.counts.negative_latency++;
    else recordMs(m.hist.end_to_end, e2e);
  }

  #doAck(m: JsMsg): void {
    m.ack();
    this.#m.counts.acks_sent++;
  }

  #delay(m: JsMsg): void {
    this.#queue.push(m);
    this.#queueDue.push(nowEpoch() + this.#delayMs);
    if (!this.#timer) this.#arm();
  }

  #arm(): void {
    const due = this.#queueDue[this.#head];
    if (due === undefined) {
      this.#timer = undefined;
      return;
    }
    this.#timer = setTimeout(this.#flush, Math.max(0, due - nowEpoch()));
  }

  readonly #flush = (): void => {
    const now = nowEpoch();
    while (this.#head < this.#queue.length && this.#queueDue[this.#head]! <= now) {
      this.#doAck(this.#queue[this.#head]!);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#queueDue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#arm();
  };

  /** Messages received and not acked (waiting for their delay, or arrived after `stop`): ack-pending on the server. */
  get delayed(): number {
    return this.#queue.length - this.#head + this.#held;
  }

  /** Acks stop (the step's end): what arrives later is still counted, and held unacked like the delayed ones. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * The delivery count from a JetStream message's ack subject, without nats.js' `m.info` (which splits the
 * subject and parses every field into a new object: ~8% of the consume path's CPU in a profile). Same rule as
 * nats.js' parseInfo: 9 tokens is the old form, the count is token 4; 11 or more is the new form (domain and
 * account hash added), token 6:
 *   $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
 *   $JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>.<token>
 * The part before the count is the same for every message of one consumer: once a subject was parsed whole,
 * later ones that start with that prefix only read the digits after it.
 * Anything else goes through `m.info` (which throws on what is not a JetStream message, as before).
 */
export class DeliveryCounter {
  /** The subject up to and including the dot before the count, from the last full parse. */
  #prefix = "";

  of(m: JsMsg): number {
    // JsMsgImpl's `reply` (not in the JsMsg typings; nats.js decodes it once and acks to it).
    const r = (m as unknown as { reply?: unknown }).reply;
    if (typeof r !== "string") return m.info.deliveryCount;
    const p = this.#prefix;
    if (p.length > 0 && r.startsWith(p)) {
      const v = digitsAt(r, p.length);
      // One consumer's subjects keep one form: the old form's prefix ($JS.ACK.<stream>.<consumer>.) could only
      // match a new-form subject whose domain and account hash equal this consumer's stream and durable.
      if (v >= 0) return v;
    }
    if (!r.startsWith("$JS.ACK.")) return m.info.deliveryCount;
    const tokens = tokenCount(r);
    const k = tokens === 9 ? 4 : tokens >= 11 ? 6 : -1;
    if (k < 0) return m.info.deliveryCount;
    let start = 0;
    for (let j = 0; j < k; j++) start = r.indexOf(".", start) + 1;
    const v = digitsAt(r, start);
    if (v < 0) return m.info.deliveryCount;
    this.#prefix = r.slice(0, start);
    return v;
  }
}

/** The decimal number from `at` up to the next dot; -1 when there is none or a non-digit. */
function digitsAt(r: string, at: number): number {
  let v = 0;
  let i = at;
  for (; i < r.length; i++) {
    const c = r.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return i > at && i < r.length ? v : -1;
}

function tokenCount(r: string): number {
  let n = 1;
  for (let i = r.indexOf("."); i >= 0; i = r.indexOf(".", i + 1)) n++;
  return n;
}

/** deliveryCount of one message (a fresh DeliveryCounter; consumers keep theirs). */
export function deliveryCount(m: JsMsg): number {
  return new DeliveryCounter().of(m);
}
