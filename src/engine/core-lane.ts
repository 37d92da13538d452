// The core NATS lane: plain publishes with a flush every FLUSH_EVERY messages. The lane closes while
// MAX_FLUSHING flushes are outstanding, so unflushed data cannot pile up (core NATS has no back-pressure of
// its own).
import type { NatsConnection } from "@nats-io/transport-node";
import { recordMs } from "../stats/index.ts";
import { nowEpoch } from "./clock.ts";
import { fastOk, frameWriter, type Lane, type LaneOptions, type PubTarget } from "./lanes.ts";
import type { FailLedger } from "./ledger.ts";
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
  #sinceFlush = 0;
  #flushing = 0;
  #wake: (() => void) | undefined;

  constructor(nc: NatsConnection, m: ShareMetrics, ledger: FailLedger, opts: LaneOptions = {}) {
    this.#nc = nc;
    this.#m = m;
    this.#ledger = ledger;
    this.#w = frameWriter(nc, opts);
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
    try {
      const w = this.#w;
      if (fastOk(w, t)) {
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
    m.counts.bytes_out += t.size;
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
