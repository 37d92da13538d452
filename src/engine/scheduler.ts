// One scheduler drives every publisher of a share: a min-heap of next-due times and a single timer, never a
// timer per publisher. Publishers whose connection is at its in-flight limit park on their lane and come
// back when it frees. No slot is ever skipped (DESIGN.md, "Measuring honestly"): a publisher that fell
// behind sends its late slots one after another as soon as its lane lets it, each measured from its intended
// time, so a stall shows as latency. Its backlog is only its schedule's position (a count), never a buffer.
// The lane bounds the catch-up: the JetStream window caps what is in flight, core lanes wait on flushes,
// and `batch` sends per event-loop turn leave room for acks and I/O.
import { performance } from "node:perf_hooks";

/** A connection's gate: closed while its window of unacknowledged (or unflushed) sends is full. */
export interface Gate {
  ready(): boolean;
  /** Called once by the scheduler when `ready()` was false; the gate calls `wake` when it opens again. */
  onReady(wake: () => void): void;
}

/** A publisher as the scheduler sees it. */
export interface Sendable {
  /** performance.now() value at which the next event is due; Infinity when done. */
  due: number;
  readonly gate: Gate;
  /** Sends the due event (one message or a burst); returns the messages sent. Updates `due`. */
  fire(now: number): number;
  /** Sending stops at `now` (performance.now()): counts the events due before it and never sent. */
  abandon(now: number): void;
  /** Heap position (scheduler-owned). */
  heapIndex: number;
}

export interface SchedulerOptions {
  /** Messages sent in one turn of the event loop before yielding to I/O. @default 512 */
  readonly batch?: number;
}

export class Scheduler {
  readonly #heap: Sendable[] = [];
  readonly #parked = new Map<Gate, Sendable[]>();
  readonly #batch: number;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #stopped = false;
  #done: () => void = () => {};
  readonly finished: Promise<void>;

  constructor(o: SchedulerOptions = {}) {
    this.#batch = o.batch ?? 512;
    this.finished = new Promise((r) => {
      this.#done = r;
    });
  }

  add(p: Sendable): void {
    if (Number.isFinite(p.due)) this.#push(p);
  }

  start(): void {
    this.#kick();
  }

  /** Stops sending: every event due by now and not sent is counted unsent (with its lateness). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    const now = performance.now();
    for (const p of this.#heap) p.abandon(now);
    for (const list of this.#parked.values()) for (const p of list) p.abandon(now);
    this.#heap.length = 0;
    this.#parked.clear();
    this.#done();
  }

  #kick(): void {
    if (this.#stopped || this.#immediate) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#immediate = setImmediate(this.#tick);
  }

  readonly #tick = (): void => {
    this.#immediate = undefined;
    this.#timer = undefined;
    if (this.#stopped) return;
    const heap = this.#heap;
    let sent = 0;
    let now = performance.now();
    while (heap.length > 0) {
      const p = heap[0]!;
      if (p.due > now) {
        now = performance.now();
        if (p.due > now) break;
      }
      if (!p.gate.ready()) {
        this.#popTop();
        this.#park(p);
        continue;
      }
      sent += p.fire(now);
      if (Number.isFinite(p.due)) this.#siftDown(0);
      else this.#popTop();
      if (sent >= this.#batch) {
        this.#kick();
        return;
      }
    }
    if (heap.length === 0) {
      if (this.#parked.size === 0) this.#done();
      return;
    }
    // Never spin on setImmediate until a send is due (that burns a core at a few thousand msg/s): sleep at
    // least the timer's 1 ms; the lateness shows in send_delay.
    const wait = heap[0]!.due - performance.now();
    if (wait <= 0) this.#kick();
    else this.#timer = setTimeout(this.#tick, Math.max(1, Math.floor(wait)));
  };

  #park(p: Sendable): void {
    const list = this.#parked.get(p.gate);
    if (list) {
      list.push(p);
      return;
    }
    this.#parked.set(p.gate, [p]);
    p.gate.onReady(() => {
      const back = this.#parked.get(p.gate);
      this.#parked.delete(p.gate);
      if (!back || this.#stopped) return;
      for (const q of back) this.#push(q);
      this.#kick();
    });
  }

  #push(p: Sendable): void {
    p.heapIndex = this.#heap.length;
    this.#heap.push(p);
    this.#siftUp(p.heapIndex);
  }

  #popTop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      last.heapIndex = 0;
      this.#siftDown(0);
    }
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    const p = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const q = heap[parent]!;
      if (q.due <= p.due) break;
      heap[i] = q;
      q.heapIndex = i;
      i = parent;
    }
    heap[i] = p;
    p.heapIndex = i;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const p = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]!.due < heap[l]!.due ? r : l;
      const q = heap[c]!;
      if (q.due >= p.due) break;
      heap[i] = q;
      q.heapIndex = i;
      i = c;
    }
    heap[i] = p;
    p.heapIndex = i;
  }
}
