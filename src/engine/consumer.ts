// One consumer's receive path: decode the header, track sequences per publisher, record end-to-end latency
// (before any artificial delay), then ack — after `consume_delay_ms` when one is set.
//
// Two ways in: `onRaw` from the engine's own pull loop (pull-loop.ts: the payload and the reply subject's bytes,
// no JsMsg), and `onJs` from nats.js' consume() (push consumers, and pull consumers where the client lacks the
// fast path's internals or the public path was asked for). Acks go through the connection's AckWriter (frames,
// ack-writer.ts) when there is one, else through `m.ack()`.
//
// consume_delay_ms models processing time: each message is acked that long after it arrived, messages being
// processed concurrently up to max_ack_pending (the server stops delivering beyond it). One FIFO and one
// timer per consumer, not a timer per message. With ack_policy none there is nothing to delay.
import type { JsMsg } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/transport-node";
import { recordMs } from "../stats/index.ts";
import { type AckWriter, replyBytes } from "./ack-writer.ts";
import { nowEpoch } from "./clock.ts";
import { DeliveryCounter } from "./delivery.ts";
import type { ShareMetrics } from "./metrics.ts";
import { type Header, HeaderReader, newHeader, trackerKey } from "./payload.ts";
import { SeqTracker } from "./sequence.ts";

export { DeliveryCounter, deliveryCount } from "./delivery.ts";

/** A message waiting for its delayed ack: nats.js' message, or a copy of the reply subject's bytes. */
type Pending = JsMsg | Uint8Array;

export class ConsumerState {
  readonly stream: string;
  readonly trackers = new Map<number, SeqTracker>();
  readonly #m: ShareMetrics;
  readonly #h: Header = newHeader();
  readonly #reader = new HeaderReader();
  readonly #deliveries = new DeliveryCounter();
  readonly #ack: boolean;
  readonly #delayMs: number;
  readonly #acks: AckWriter | undefined;
  readonly #queue: Pending[] = [];
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
  /** The backlog this consumer drains (prefill.ts): its source id and size; -1 when none. */
  readonly #drainSource: number;
  readonly #drainExpect: number;
  readonly #doubleAck: boolean;
  /** When the consumer started (the drain is timed from here); 0 once the drain was recorded. */
  #drainFrom = 0;

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
      /** Its connection's ack frames (ack-writer.ts); without one, acks go through `m.ack()`. */
      acks?: AckWriter;
      /** Each ack waits for the server's confirmation (nats.js `ackAck`; latency kind `ack`). */
      doubleAck?: boolean;
      /** A backlog to time the drain of: its source id and message count (latency kind `drain`). */
      drain?: { source: number; expect: number };
    },
  ) {
    this.#doubleAck = opts.doubleAck === true;
    this.#drainSource = opts.drain?.source ?? -1;
    this.#drainExpect = opts.drain?.expect ?? 0;
    if (opts.drain) this.#drainFrom = nowEpoch();
    this.stream = stream;
    this.#acks = opts.acks;
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

  /** A JetStream message from nats.js (push consumers; pull consumers on the public path). */
  onJs(m: JsMsg): void {
    this.#observe(m.data, this.#deliveries.of(m) > 1);
    if (!this.#ack) return;
    if (this.#stopped) this.#held++;
    else if (this.#delayMs > 0) this.#delay(m);
    else this.#ackJs(m);
  }

  /**
   * A JetStream delivery from the engine's pull loop: its payload and its reply subject's bytes (views of the
   * socket read, valid during this call only: a delayed ack keeps a copy).
   */
  onRaw(data: Uint8Array, reply: Uint8Array): void {
    this.#observe(data, this.#deliveries.ofBytes(reply) > 1);
    if (!this.#ack) return;
    if (this.#stopped) this.#held++;
    else if (this.#delayMs > 0) this.#delay(reply.slice());
    else this.#ackRaw(reply);
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
    if (h.source === this.#drainSource && this.#drainFrom > 0 && t.unique >= this.#drainExpect) {
      recordMs(m.hist.drain, now - this.#drainFrom);
      this.#drainFrom = 0;
    }
    // Duplicates are deliveries too: their latency is recorded; redeliveries waited out ack_wait, so not.
    if (redelivery || !h.trackLatency) return;
    const e2e = now - h.intendedMs;
    if (h.source !== this.#source) m.counts.remote_latency++;
    if (e2e < 0) m.counts.negative_latency++;
    else recordMs(m.hist.end_to_end, e2e);
  }

  #ackRaw(reply: Uint8Array): void {
    // The share feeds onRaw only from a pull loop, made only with an AckWriter (or for ack_policy none).
    if (!this.#acks) throw new Error("engine: a raw delivery to ack without an AckWriter");
    this.#acks.ack(reply);
    this.#m.counts.acks_sent++;
  }

  #ackJs(m: JsMsg): void {
    if (this.#doubleAck) {
      this.#ackAck(m);
      return;
    }
    const w = this.#acks;
    // nats.js' JsMsgImpl keeps the client's message as `msg` (not in the JsMsg typings).
    const reply = w ? replyBytes((m as unknown as { msg: Msg }).msg) : undefined;
    if (w && reply) w.ack(reply);
    else m.ack();
    this.#m.counts.acks_sent++;
  }

  /**
   * A double ack: `+ACK` as a request, the server's empty reply its confirmation; the round trip is the latency
   * kind `ack`. A confirmation that never comes (nats.js' timeout) counts in errors.consume, unless consumption
   * had ended (the connection closing cancels what is in flight).
   */
  #ackAck(m: JsMsg): void {
    const sent = nowEpoch();
    this.#m.counts.acks_sent++;
    m.ackAck().then(
      (confirmed) => {
        if (confirmed) recordMs(this.#m.hist.ack, nowEpoch() - sent);
      },
      () => {
        if (!this.#stopped) this.#m.publishError("consume");
      },
    );
  }

  #doAck(p: Pending): void {
    if (p instanceof Uint8Array) this.#ackRaw(p);
    else this.#ackJs(p);
  }

  #delay(m: Pending): void {
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
