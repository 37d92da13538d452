// The core NATS lane: plain publishes with a flush every FLUSH_EVERY messages. The lane closes while
// MAX_FLUSHING flushes are outstanding, so unflushed data cannot pile up (core NATS has no back-pressure of
// its own).
import type { NatsConnection } from "@nats-io/transport-node";
import { recordMs } from "../stats/index.ts";
import { nowEpoch } from "./clock.ts";
import { fastOk, frameWriter, type Lane, type LaneOptions, type PubTarget, shapedFastOk } from "./lanes.ts";
import type { FailLedger } from "./ledger.ts";
import type { MessageShape } from "./message-shape.ts";
import type { ShareMetrics } from "./metrics.ts";
import { writeHeader } from "./payload.ts";
import { categorize } from "./publish-errors.ts";
import { ascii, type FrameWriter } from "./wire.ts";

/**
 * Messages between flushes (a flush is a PING/PONG round trip, the only sign core NATS gives that the server
 * kept up): often enough that little goes unflushed, rarely enough that the round trips cost next to nothing.
 */
const FLUSH_EVERY = 1000;
/** Flushes outstanding before the lane waits: one in flight while the next batch is written, no more. */
const MAX_FLUSHING = 2;
/** Core frames have no reply token: all their constant bytes are in the head. */
const EMPTY = new Uint8Array(0);

export class CoreLane implements Lane {
  readonly #nc: NatsConnection;
  readonly #m: ShareMetrics;
  readonly #ledger: FailLedger;
  readonly #w: FrameWriter | undefined;
  readonly #shape: MessageShape | undefined;
  /** Shaped lanes: each key's frame head (`PUB subj` or `HPUB subj`), made on first use. */
  readonly #heads: (Uint8Array | undefined)[] = [];
  #sinceFlush = 0;
  #flushing = 0;
  #wake: (() => void) | undefined;

  constructor(nc: NatsConnection, m: ShareMetrics, ledger: FailLedger, opts: LaneOptions = {}) {
    this.#nc = nc;
    this.#m = m;
    this.#ledger = ledger;
    this.#w = frameWriter(nc, opts);
    this.#shape = opts.shape;
  }

  get fast(): boolean {
    return this.#w !== undefined;
  }

  ready(): boolean {
    return this.#flushing < MAX_FLUSHING;
  }

  onReady(wake: () => void): void {
    this.#wake = wake;
  }

  send(t: PubTarget, seq: number, intendedEpochMs: number): void {
    const m = this.#m;
    const s = this.#shape;
    let bytes = t.size;
    try {
      const w = this.#w;
      if (s !== undefined) bytes = this.#sendShaped(s, t, seq, intendedEpochMs);
      else if (fastOk(w, t)) {
        t.head ??= ascii(`PUB ${t.subject} ${t.size}\r\n`);
        const at = w.frame(t.head, -1, EMPTY, t.size);
        writeHeader(w.view, at, t.source, t.pub, seq, intendedEpochMs, t.track);
      } else {
        this.#nc.publish(t.subject, t.payloads.make(t.source, t.pub, seq, intendedEpochMs, t.track));
      }
    } catch (err) {
      m.publishError(categorize(err));
      this.#ledger.fail(t.pub, seq);
      return;
    }
    m.counts.published++;
    m.counts.bytes_out += bytes;
    recordMs(m.hist.send_delay, nowEpoch() - intendedEpochMs);
    if (++this.#sinceFlush >= FLUSH_EVERY) {
      this.#sinceFlush = 0;
      this.#w?.commit();
      this.#flushing++;
      this.#nc
        .flush()
        .catch(() => {})
        .finally(() => {
          this.#flushing--;
          const wake = this.#wake;
          this.#wake = undefined;
          wake?.();
        });
    }
  }

  /** Sends message `seq` with its drawn size, key and the headers; returns its payload bytes. */
  #sendShaped(s: MessageShape, t: PubTarget, seq: number, intendedEpochMs: number): number {
    s.pick(t.pub, seq);
    const k = s.key;
    const w = this.#w;
    if (shapedFastOk(w, s)) {
      let head = this.#heads[k];
      if (head === undefined) {
        head = ascii(`${s.hdr ? "HPUB" : "PUB"} ${s.subjects[k]}`);
        this.#heads[k] = head;
      }
      const at = w.frameSized(head, -1, s.hdr, s.size);
      writeHeader(w.view, at, t.source, t.pub, seq, intendedEpochMs, t.track);
    } else {
      const payload = t.payloads.makeSized(s.size, t.source, t.pub, seq, intendedEpochMs, t.track);
      this.#nc.publish(s.subjects[k]!, payload, s.hdrs ? { headers: s.hdrs } : undefined);
    }
    return s.size;
  }

  async drain(timeoutMs: number): Promise<void> {
    this.#w?.commit();
    if (this.#nc.isClosed()) return;
    await Promise.race([
      this.#nc.flush().catch(() => {}),
      new Promise((r) => setTimeout(r, timeoutMs).unref()),
    ]);
  }

  close(): void {}
}
