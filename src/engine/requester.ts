// Requesters of a request/reply service (the `services` block): each is a Sendable on the share's scheduler
// with its own open-model Schedule; a connection's requesters share a RequestLane, their Gate. Replies come back
// on one wildcard inbox subscription per connection (a mux, as nats.js' request does, without its promise and
// timer per request); what is in flight lives in typed arrays of REQUEST_WINDOW slots, and one sweep per
// REQUEST_SWEEP_MS finds the requests past their timeout. Every request sent ends as exactly one of a reply, a
// timeout or no responders, so `requests = replies + request_timeouts + no_responders` once the lane drained.
// `request` latency is reply receipt minus the intended send time: a slot the window held back is sent late
// and its wait counts, as a publish's does (no slot skipped). Requests leave as whole PUB frames written into
// the lane's slab (wire.ts, the publishers' fast path: no subject or reply string encoded per request), or
// through `nc.publish` where the client lacks the internals or the public path is asked for.
import { performance } from "node:perf_hooks";
import { createInbox, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { recordMs } from "../stats/index.ts";
import { nowEpoch } from "./clock.ts";
import { frameWriter } from "./lanes.ts";
import type { ShareMetrics } from "./metrics.ts";
import { categorize } from "./publish-errors.ts";
import type { Schedule } from "./schedule.ts";
import type { Gate, Sendable } from "./scheduler.ts";
import { REQUEST_SWEEP_MS, REQUEST_WINDOW } from "./timings.ts";
import { ascii, type FrameWriter } from "./wire.ts";

/** A reply without payload whose status header says nobody listened on the subject. */
const STATUS_NO_RESPONDERS = 503;

export class RequestLane implements Gate {
  readonly #nc: NatsConnection;
  readonly #m: ShareMetrics;
  readonly #timeoutMs: number;
  readonly #window: number;
  /** `<inbox>.`: a reply's subject is this prefix and the request's id (generation x window + slot). */
  readonly #prefix: string;
  readonly #sub: Subscription;
  readonly #intended: Float64Array;
  /** performance.now() after which the slot's request has timed out; 0 = the slot is free. */
  readonly #deadline: Float64Array;
  readonly #gen: Float64Array;
  readonly #free: Int32Array;
  #nFree: number;
  #wake: (() => void) | undefined;
  #drained: (() => void) | undefined;
  readonly #sweep: NodeJS.Timeout;
  readonly #subject: string;
  readonly #payload: Uint8Array;
  /** The fast path's writer and the frame's constant parts around the request id; undefined: nc.publish. */
  readonly #w: FrameWriter | undefined;
  readonly #head: Uint8Array;
  readonly #tail: Uint8Array;

  constructor(
    nc: NatsConnection,
    m: ShareMetrics,
    o: {
      subject: string;
      payload: Uint8Array;
      timeoutMs: number;
      window?: number;
      /** Requests only through `nc.publish` (StepTuning.publicPath). */
      publicPath?: boolean;
    },
  ) {
    const window = o.window ?? REQUEST_WINDOW;
    this.#nc = nc;
    this.#m = m;
    this.#timeoutMs = o.timeoutMs;
    this.#window = window;
    this.#subject = o.subject;
    this.#payload = o.payload;
    const inbox = createInbox();
    this.#prefix = `${inbox}.`;
    this.#head = ascii(`PUB ${o.subject} ${this.#prefix}`);
    this.#tail = ascii(` ${o.payload.length}\r\n`);
    const w = frameWriter(nc, { publicPath: o.publicPath === true });
    // The frame's payload is the slab's zeros, as the requests' payload (zeros of message_size_bytes).
    this.#w = w !== undefined && o.payload.length <= w.maxPayload ? w : undefined;
    this.#intended = new Float64Array(window);
    this.#deadline = new Float64Array(window);
    this.#gen = new Float64Array(window);
    this.#free = new Int32Array(window);
    for (let i = 0; i < window; i++) this.#free[i] = window - 1 - i;
    this.#nFree = window;
    this.#sub = nc.subscribe(`${inbox}.*`, { callback: (_err, msg) => this.#onReply(msg) });
    this.#sweep = setInterval(() => this.#expire(performance.now()), REQUEST_SWEEP_MS);
    this.#sweep.unref();
  }

  ready(): boolean {
    return this.#nFree > 0;
  }

  onReady(wake: () => void): void {
    this.#wake = wake;
  }

  get inFlight(): number {
    return this.#window - this.#nFree;
  }

  /** True when requests leave as frames written into the lane's slab (wire.ts), false through `nc.publish`. */
  get fast(): boolean {
    return this.#w !== undefined;
  }

  /** Sends one request intended at `intendedEpochMs` (the scheduler calls this only while `ready()`). */
  send(intendedEpochMs: number): void {
    const m = this.#m;
    const slot = this.#free[--this.#nFree]!;
    const gen = ++this.#gen[slot]!;
    const id = gen * this.#window + slot;
    try {
      const w = this.#w;
      if (w) w.frame(this.#head, id, this.#tail, this.#payload.length);
      else this.#nc.publish(this.#subject, this.#payload, { reply: `${this.#prefix}${id}` });
    } catch (err) {
      this.#free[this.#nFree++] = slot;
      m.publishError(categorize(err));
      return;
    }
    this.#intended[slot] = intendedEpochMs;
    this.#deadline[slot] = performance.now() + this.#timeoutMs;
    m.counts.requests++;
    recordMs(m.hist.send_delay, nowEpoch() - intendedEpochMs);
  }

  #onReply(msg: Msg): void {
    const id = Number(msg.subject.slice(this.#prefix.length));
    const w = this.#window;
    const slot = id % w;
    // A reply to a request that timed out (its slot freed, maybe reused) is not counted: it came too late.
    if (!(slot >= 0 && this.#deadline[slot]! > 0 && this.#gen[slot] === Math.floor(id / w))) return;
    const m = this.#m;
    if (msg.data.length === 0 && msg.headers?.code === STATUS_NO_RESPONDERS) m.counts.no_responders++;
    else {
      m.counts.replies++;
      recordMs(m.hist.request, nowEpoch() - this.#intended[slot]!);
    }
    this.#release(slot);
  }

  #release(slot: number): void {
    this.#deadline[slot] = 0;
    this.#free[this.#nFree++] = slot;
    if (this.#wake) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake();
    }
    if (this.#nFree === this.#window) this.#drained?.();
  }

  /** Counts the requests past their timeout at `now` (performance.now()), all of them with `all`. */
  #expire(now: number, all = false): void {
    const d = this.#deadline;
    for (let i = 0; i < this.#window; i++) {
      const at = d[i]!;
      if (at > 0 && (all || at <= now)) {
        this.#m.counts.request_timeouts++;
        this.#release(i);
      }
    }
  }

  /**
   * Resolves when every request sent has its answer; within the request timeout (and a sweep) they all have
   * one, so after `timeoutMs` what is still out is counted as timed out.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#w?.commit();
    if (this.#nFree < this.#window) {
      await Promise.race([
        new Promise<void>((r) => {
          this.#drained = r;
        }),
        new Promise((r) => setTimeout(r, timeoutMs).unref()),
      ]);
    }
    this.#drained = undefined;
    this.#expire(performance.now(), true);
  }

  close(): void {
    this.#w?.commit();
    clearInterval(this.#sweep);
    this.#sub.unsubscribe();
  }
}

/** One requester: its schedule and its lane. The scheduler calls `fire` when a request is due. */
export class Requester implements Sendable {
  due: number;
  heapIndex = 0;
  readonly gate: RequestLane;
  readonly #sched: Schedule;
  readonly #startPerf: number;
  readonly #startEpoch: number;
  readonly #m: ShareMetrics;

  constructor(o: {
    schedule: Schedule;
    lane: RequestLane;
    /** performance.now() and epoch ms of the step's start (the same instant). */
    startPerf: number;
    startEpoch: number;
    metrics: ShareMetrics;
  }) {
    this.#sched = o.schedule;
    this.gate = o.lane;
    this.#startPerf = o.startPerf;
    this.#startEpoch = o.startEpoch;
    this.#m = o.metrics;
    this.due = o.startPerf + o.schedule.nextMs;
  }

  fire(_now: number): number {
    const s = this.#sched;
    this.gate.send(this.#startEpoch + s.nextMs);
    s.advance();
    this.due = this.#startPerf + s.nextMs;
    return 1;
  }

  /** Sending stopped: requests due and never sent count `unsent`, their lateness in send_delay (as publishers). */
  abandon(now: number): void {
    this.#m.countUnsent(this.#sched, now - this.#startPerf);
    this.due = Number.POSITIVE_INFINITY;
  }
}
