// A closed-loop publisher (`publish_rate_per_second: "max"`): no schedule, it sends whenever its lane's gate
// is open (the JetStream window has room, core flushes keep up), so the server's pace sets the rate. With no
// intended times, each message's intended time is its actual send time: its latency is service time, never
// the open model's response time, and the snapshots say so (`closed_loop`). Nothing is ever late, so nothing
// is unsent; a `message_count` not reached by the end shows as fewer published.
import { nowEpoch } from "./clock.ts";
import type { Lane, PubTarget } from "./lanes.ts";
import type { PayloadFactory } from "./payload.ts";
import type { Sendable } from "./scheduler.ts";

export class ClosedLoopPublisher implements Sendable {
  due: number;
  heapIndex = 0;
  /** Messages handed to the lane (the next sequence number). */
  seq = 0;
  readonly gate: Lane;
  readonly #target: PubTarget;
  /** performance.now() at which sending stops (the step's duration). */
  readonly #endPerf: number;
  readonly #max: number;

  constructor(o: {
    idx: number;
    source: number;
    subject: string;
    lane: Lane;
    payloads: PayloadFactory;
    trackLatency: boolean;
    /** performance.now() of the step's start. */
    startPerf: number;
    durationMs: number;
    /** `message_count`: stop after this many. @default Infinity */
    maxMessages?: number;
  }) {
    this.#target = {
      pub: o.idx,
      subject: o.subject,
      size: o.payloads.size,
      source: o.source,
      track: o.trackLatency,
      payloads: o.payloads,
    };
    this.gate = o.lane;
    this.#endPerf = o.startPerf + o.durationMs;
    this.#max = o.maxMessages ?? Number.POSITIVE_INFINITY;
    this.due = this.#max > 0 ? o.startPerf : Number.POSITIVE_INFINITY;
  }

  /** Sends one message now; due again at once (the scheduler's gate check is the loop's only brake). */
  fire(now: number): number {
    if (now >= this.#endPerf) {
      this.due = Number.POSITIVE_INFINITY;
      return 0;
    }
    this.gate.send(this.#target, this.seq++, nowEpoch());
    this.due = this.seq >= this.#max ? Number.POSITIVE_INFINITY : now;
    return 1;
  }

  abandon(_now: number): void {
    this.due = Number.POSITIVE_INFINITY;
  }
}
