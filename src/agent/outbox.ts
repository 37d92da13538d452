// Snapshots on their way to the control plane. Each one is put in the stats KV and published to the stats
// stream, strictly in order; while the control plane is unreachable they wait here (bounded) and go out when it
// returns. When full, the oldest *interval* snapshot is dropped first: a step's final snapshot is kept.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { ControlNames } from "../control/index.ts";
import type { Snapshot } from "../stats/index.ts";
import type { AgentLogger } from "./log.ts";
import type { Output } from "./outputs.ts";
import {
  OUTBOX_DRAIN_POLL_MS,
  OUTBOX_FIRST_BACKOFF_MS,
  OUTBOX_MAX_BACKOFF_MS,
  OUTBOX_SEND_TIMEOUT_MS,
  sleep,
} from "./timings.ts";

export interface OutboxTarget {
  readonly names: ControlNames;
  readonly js: JetStreamClient;
  readonly stats: KV;
}

export interface OutboxOptions {
  /** Snapshots kept while the control plane is away. @default 10000 */
  readonly maxQueued?: number;
  /** Timeout of one put / publish (ms). @default OUTBOX_SEND_TIMEOUT_MS */
  readonly sendTimeoutMs?: number;
  /** Longest wait between retries (ms). @default OUTBOX_MAX_BACKOFF_MS */
  readonly maxBackoffMs?: number;
}

const FINAL = new Set(["done", "stopped", "error"]);

/** Snapshots kept while the control plane is away, unless the agent says otherwise. */
export const DEFAULT_MAX_QUEUED = 10_000;

export class SnapshotOutbox implements Output {
  readonly #queue: Array<{ s: Snapshot; id: string }> = [];
  readonly #log: AgentLogger;
  readonly #max: number;
  readonly #timeout: number;
  readonly #maxBackoff: number;
  readonly #idPrefix: string;
  #target: OutboxTarget | undefined;
  #seq = 0;
  #dropped = 0;
  #running = false;
  #wake: (() => void) | undefined;
  #failing = false;
  #closed = false;

  constructor(log: AgentLogger, idPrefix: string, opts: OutboxOptions = {}) {
    this.#log = log;
    this.#idPrefix = idPrefix;
    this.#max = opts.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.#timeout = opts.sendTimeoutMs ?? OUTBOX_SEND_TIMEOUT_MS;
    this.#maxBackoff = opts.maxBackoffMs ?? OUTBOX_MAX_BACKOFF_MS;
  }

  get size(): number {
    return this.#queue.length;
  }

  /** Snapshots dropped because the queue was full (only interval snapshots are ever dropped). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Where snapshots go; set once the control plane exists. Until then they queue. */
  setTarget(target: OutboxTarget): void {
    this.#target = target;
    this.#kick();
  }

  put(s: Snapshot): void {
    if (this.#queue.length >= this.#max) {
      const i = this.#queue.findIndex((q) => !FINAL.has(q.s.phase));
      this.#queue.splice(i === -1 ? 0 : i, 1);
      this.#dropped++;
      if (this.#dropped === 1 || this.#dropped % 1000 === 0)
        this.#log.warn("snapshot queue full, dropping the oldest interval snapshot", {
          dropped: this.#dropped,
        });
    }
    this.#queue.push({ s, id: `${this.#idPrefix}.${++this.#seq}` });
    this.#kick();
  }

  /** Resolves when the queue is empty, or false at the deadline. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length > 0 && Date.now() < deadline) {
      this.#kick();
      await sleep(OUTBOX_DRAIN_POLL_MS);
    }
    return this.#queue.length === 0;
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  #kick(): void {
    if (this.#wake) {
      const w = this.#wake;
      this.#wake = undefined;
      w();
    }
    if (!this.#running && this.#target && !this.#closed) {
      this.#running = true;
      void this.#loop().finally(() => {
        this.#running = false;
      });
    }
  }

  async #loop(): Promise<void> {
    let backoff = OUTBOX_FIRST_BACKOFF_MS;
    while (!this.#closed && this.#queue.length > 0) {
      const head = this.#queue[0];
      const t = this.#target;
      if (!head || !t) return;
      try {
        await this.#send(t, head.s, head.id);
        if (this.#queue[0] === head) this.#queue.shift();
        if (this.#failing) {
          this.#failing = false;
          this.#log.info("control plane reachable again, sending queued snapshots", {
            queued: this.#queue.length,
          });
        }
        backoff = OUTBOX_FIRST_BACKOFF_MS;
      } catch (e) {
        if (!this.#failing) {
          this.#failing = true;
          this.#log.warn("cannot send snapshot, keeping it queued", { error: e, queued: this.#queue.length });
        }
        await new Promise<void>((r) => {
          const timer = setTimeout(r, backoff);
          this.#wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        this.#wake = undefined;
        backoff = Math.min(backoff * 2, this.#maxBackoff);
      }
    }
  }

  async #send(t: OutboxTarget, s: Snapshot, id: string): Promise<void> {
    const data = JSON.stringify(s);
    // The stream publish is deduplicated by id, so a retry after a lost ack does not store it twice.
    await t.js.publish(t.names.statsSubject(s.run_id, s.pod), data, { msgID: id, timeout: this.#timeout });
    // One key per agent process: a restarted pod's new process writes beside its first one's last snapshot.
    await t.stats.put(t.names.statsKey(s.run_id, s.pod, s.incarnation), data, { timeout: this.#timeout });
  }
}
