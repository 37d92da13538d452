// Scheduled operations that are not message publishes (KV and object store operations): each kind of each client
// is a `Sendable` on the share's scheduler with its own open-model Schedule, and the client's `OpGate` bounds its
// operations in flight. As for publishes, no slot is ever skipped: a slot whose gate is closed waits and starts
// late, its latency counted from its intended time; slots never started when sending stops are counted `unsent`
// with their lateness in `send_delay`.
import { recordMs } from "../stats/index.ts";
import type { ShareMetrics } from "./metrics.ts";
import type { Schedule } from "./schedule.ts";
import type { Gate, Sendable } from "./scheduler.ts";

/** Bounds one client's operations in flight; `drain` waits for the last of them. */
export class OpGate implements Gate {
  readonly #limit: number;
  #inFlight = 0;
  #wake: (() => void) | undefined;
  #idle: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  ready(): boolean {
    return this.#inFlight < this.#limit;
  }

  onReady(wake: () => void): void {
    this.#wake = wake;
  }

  /** Runs `op` as one operation in flight; `op` must not reject (it counts its own failures). */
  run(op: () => Promise<void>): void {
    this.#inFlight++;
    op().finally(() => this.#end());
  }

  #end(): void {
    this.#inFlight--;
    const w = this.#wake;
    if (w && this.ready()) {
      this.#wake = undefined;
      w();
    }
    if (this.#inFlight === 0) for (const r of this.#idle.splice(0)) r();
  }

  /** Resolves when no operation is in flight, or after `timeoutMs` (what is left keeps running and counts). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((r) => this.#idle.push(r)),
      new Promise<void>((r) => {
        timer = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}

/** One operation kind of one client: `op(intendedPerf)` starts the operation due at `intendedPerf`. */
export class OpSender implements Sendable {
  due: number;
  heapIndex = 0;
  readonly gate: OpGate;
  readonly #sched: Schedule;
  readonly #startPerf: number;
  readonly #m: ShareMetrics;
  readonly #op: (intendedPerf: number) => Promise<void>;

  constructor(o: {
    schedule: Schedule;
    gate: OpGate;
    /** performance.now() of the step's start. */
    startPerf: number;
    metrics: ShareMetrics;
    op: (intendedPerf: number) => Promise<void>;
  }) {
    this.#sched = o.schedule;
    this.gate = o.gate;
    this.#startPerf = o.startPerf;
    this.#m = o.metrics;
    this.#op = o.op;
    this.due = o.startPerf + o.schedule.nextMs;
  }

  fire(now: number): number {
    const s = this.#sched;
    const intended = this.#startPerf + s.nextMs;
    recordMs(this.#m.hist.send_delay, now - intended);
    this.gate.run(() => this.#op(intended));
    s.advance();
    this.due = this.#startPerf + s.nextMs;
    return 1;
  }

  abandon(now: number): void {
    this.#m.countUnsent(this.#sched, now - this.#startPerf);
    this.due = Number.POSITIVE_INFINITY;
  }
}
