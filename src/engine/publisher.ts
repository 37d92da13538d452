// One publisher: its schedule, its sequence and its lane. The scheduler calls `fire` when an event is due.
import type { Lane, PubTarget } from "./lanes.ts";
import type { ShareMetrics } from "./metrics.ts";
import type { PayloadFactory } from "./payload.ts";
import type { Schedule } from "./schedule.ts";
import type { Sendable } from "./scheduler.ts";

export class Publisher implements Sendable {
  due: number;
  heapIndex = 0;
  /** Messages handed to the lane (the next sequence number). */
  seq = 0;
  readonly gate: Lane;
  readonly #target: PubTarget;
  readonly #sched: Schedule;
  readonly #startPerf: number;
  readonly #startEpoch: number;
  readonly #m: ShareMetrics;

  constructor(o: {
    idx: number;
    source: number;
    subject: string;
    schedule: Schedule;
    lane: Lane;
    payloads: PayloadFactory;
    trackLatency: boolean;
    /** performance.now() and epoch ms of the step's start (the same instant). */
    startPerf: number;
    startEpoch: number;
    metrics: ShareMetrics;
  }) {
    this.#target = {
      pub: o.idx,
      subject: o.subject,
      size: o.payloads.size,
      source: o.source,
      track: o.trackLatency,
      payloads: o.payloads,
    };
    this.#sched = o.schedule;
    this.gate = o.lane;
    this.#startPerf = o.startPerf;
    this.#startEpoch = o.startEpoch;
    this.#m = o.metrics;
    this.due = o.startPerf + o.schedule.nextMs;
  }

  fire(_now: number): number {
    const s = this.#sched;
    const n = s.perEvent;
    const intended = this.#startEpoch + s.nextMs;
    const t = this.#target;
    for (let k = 0; k < n; k++) this.gate.send(t, this.seq++, intended);
    s.advance();
    this.due = this.#startPerf + s.nextMs;
    return n;
  }

  /**
   * Sending stopped at `now`: the slots due before it and never sent are counted `unsent`, and each one's
   * lateness at that moment goes into send_delay (in groups, from the schedule: no per-slot work or memory).
   */
  abandon(now: number): void {
    this.#m.countUnsent(this.#sched, now - this.#startPerf);
    this.due = Number.POSITIVE_INFINITY;
  }
}
