// The loss rule of a share (docs/engine.md, "What we count and how"; "Loss, duplicates, order, redeliveries"):
// what its consumers' sequence trackers, its publishers' counts and the FailLedger say was lost, duplicated,
// reordered or redelivered, and whether the consumers have caught up with the local publishers.
//
// A tracker follows one publisher for one consumer, keyed by trackerKey(source, pub) (payload.ts): `source` is
// the random id of the share that published. Publishers of this share (local) are known exactly: what they sent
// and which of their publishes failed; for others only the sequences seen tell.
import type { LossScope } from "../config/index.ts";
import type { FailLedger } from "./ledger.ts";
import type { Counters } from "./metrics.ts";
import { trackerKey } from "./payload.ts";
import type { SeqTracker } from "./sequence.ts";

/** The tracker keys of one source: `source * 2^32 + pub` (trackerKey). */
const SOURCE_STRIDE = 0x1_0000_0000;

/** What the loss rule reads of one consumer of the share. */
export interface LossConsumer {
  /** `kind.lossScope` (expand-consumer.ts): which messages it must receive; absent = all. */
  readonly spec: { readonly stream: string; readonly kind?: { readonly lossScope: LossScope } };
  readonly state: { readonly trackers: ReadonlyMap<number, SeqTracker>; readonly delayed: number };
  /**
   * What the server still held for it when consumption ended (`settle`; undefined: not known): never delivered
   * (`num_pending`), and ack-pending beyond the messages it holds unacked (delivered, maybe never received).
   */
  readonly held?: { readonly pending: number; readonly ackPending: number };
}

export class LossRule {
  readonly #source: number;
  readonly #ledger: FailLedger;
  readonly #streamOf: readonly string[];
  /** Local publisher indexes per stream (caughtUp and the final count walk a stream's publishers only). */
  readonly #pubsOf = new Map<string, number[]>();
  readonly #consumers: readonly LossConsumer[];
  readonly #sent: (pub: number) => number;
  /** The source id of this share's prefilled backlog (prefill.ts), a source every consumer should hear. */
  readonly #prefill: number | undefined;

  /**
   * `publishers`: the share's publishers by index; `consumers`: its consumers (the list may grow while they
   * open); `sent(pub)`: messages local publisher `pub` has handed to its lane so far.
   */
  constructor(o: {
    source: number;
    publishers: readonly { readonly stream: string }[];
    ledger: FailLedger;
    consumers: readonly LossConsumer[];
    sent: (pub: number) => number;
    prefillSource?: number;
  }) {
    this.#prefill = o.prefillSource;
    this.#source = o.source;
    this.#ledger = o.ledger;
    this.#consumers = o.consumers;
    this.#sent = o.sent;
    this.#streamOf = o.publishers.map((p) => p.stream);
    o.publishers.forEach((p, i) => {
      const list = this.#pubsOf.get(p.stream);
      if (list) list.push(i);
      else this.#pubsOf.set(p.stream, [i]);
    });
  }

  /** The local publisher a tracker key follows, or -1 when it is another share's (trackerKey inverted). */
  localPub(key: number): number {
    return Math.floor(key / SOURCE_STRIDE) === this.#source ? key % SOURCE_STRIDE : -1;
  }

  /** The failed sequences of the publisher a tracker key follows, when it is local (ConsumerState's failedOf). */
  failedOf(key: number): ReadonlySet<number> | undefined {
    const pub = this.localPub(key);
    return pub < 0 ? undefined : this.#ledger.seqs[pub];
  }

  /** The trackers that follow local publisher `pub` (one per consumer of its stream that heard from it). */
  *trackersOf(pub: number): Iterable<SeqTracker> {
    const stream = this.#streamOf[pub];
    const key = trackerKey(this.#source, pub);
    for (const c of this.#consumers) {
      if (c.spec.stream !== stream) continue;
      const t = c.state.trackers.get(key);
      if (t) yield t;
    }
  }

  /**
   * True when every consumer received every message its stream's local publishers got acknowledged (a consumer
   * not meant to receive them all, lossScope "none", is not waited for here: the step asks JetStream instead).
   */
  caughtUp(): boolean {
    for (const c of this.#consumers) {
      if (c.state.delayed > 0) return false;
      if (scopeOf(c) === "none") continue;
      for (const i of this.#pubsOf.get(c.spec.stream) ?? []) {
        if (this.#missing(c, i) > 0) return false;
      }
    }
    return true;
  }

  /**
   * Adds the consumers' counts to `c`. `final` applies the end-of-step rule: for local publishers, the
   * acknowledged messages (sent and not failed) a consumer never received, less what the server still holds
   * for that consumer (`unconsumed`: a backlog, not loss); for others, unfilled gaps up to the highest seen.
   * While running only gaps that left the window count (the rest may still arrive), less, for local
   * publishers, the failed publishes that did not arrive (a failed publish is not loss).
   */
  count(c: Counters, final: boolean): void {
    const failed = this.#ledger.count;
    for (const run of this.#consumers) {
      const scope = scopeOf(run);
      for (const [key, t] of run.state.trackers) {
        c.redelivered += t.redelivered;
        c.duplicates += t.duplicates;
        c.out_of_order += t.outOfOrder;
        c.unconfirmed_delivered += t.failedArrived;
        if (scope === "none") continue;
        const pub = this.localPub(key);
        if (pub < 0) {
          if (scope === "all" || Math.floor(key / SOURCE_STRIDE) === this.#prefill)
            c.lost += t.slidLost + (final ? t.openGaps() : 0);
        } else if (!final) {
          const failedUnseen = failed[pub]! - t.failedArrived;
          c.lost += Math.max(0, t.slidLost - failedUnseen);
        }
      }
      if (!final) continue;
      const local = scope === "none" ? [] : (this.#pubsOf.get(run.spec.stream) ?? []);
      let missing = 0;
      for (const i of local) missing += Math.max(0, this.#missing(run, i));
      // An ack-pending message may have been received all the same (its ack was lost, e.g. in a failover):
      // with local publishers only what is missing can be unreceived, so that part is capped by it.
      const pending = run.held?.pending ?? 0;
      const ackPending = run.held?.ackPending ?? 0;
      const held =
        pending + (local.length > 0 ? Math.min(ackPending, Math.max(0, missing - pending)) : ackPending);
      c.unconsumed += held;
      c.lost += Math.max(0, missing - held);
    }
  }

  /** Acknowledged messages of local publisher `pub` that consumer `c` has not received (negative: extra). */
  #missing(c: LossConsumer, pub: number): number {
    const t = c.state.trackers.get(trackerKey(this.#source, pub));
    const acked = this.#sent(pub) - this.#ledger.count[pub]!;
    return acked - ((t?.unique ?? 0) - (t?.failedArrived ?? 0));
  }
}

function scopeOf(c: LossConsumer): LossScope {
  return c.spec.kind?.lossScope ?? "all";
}
