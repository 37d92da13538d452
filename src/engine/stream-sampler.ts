// Stream figures for snapshots (`streams[]`): stream info and the pending / ack-pending counts of its
// consumers, from JetStream (never published - consumed, which goes negative with several consumers).
import type { JetStreamManager } from "@nats-io/jetstream";
import type { StreamStats } from "../stats/index.ts";
import { STREAM_SAMPLE_MIN_TICK_MS } from "./timings.ts";

/**
 * Keeps the latest figures of each stream: all of them once at start, then one stream per tick, the ticks
 * spread evenly over the stats interval (a stream is asked again once per interval, as before, but the
 * requests no longer arrive together). A stream whose request is still out is skipped for that tick.
 */
export class StreamSampler {
  readonly #jsm: JetStreamManager;
  readonly #names: readonly string[];
  readonly #tickMs: number;
  readonly #latest = new Map<string, StreamStats>();
  readonly #busy = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #next = 0;

  constructor(jsm: JetStreamManager, names: readonly string[], intervalMs: number) {
    this.#jsm = jsm;
    this.#names = names;
    this.#tickMs = Math.max(STREAM_SAMPLE_MIN_TICK_MS, Math.floor(intervalMs / Math.max(1, names.length)));
  }

  start(publish: (st: StreamStats[]) => void): void {
    const emit = () => publish(this.#names.flatMap((n) => this.#latest.get(n) ?? []));
    streamStats(this.#jsm, this.#names)
      .then((st) => {
        for (const x of st) this.#latest.set(x.name, x);
        emit();
      })
      .catch(() => {});
    this.#timer = setInterval(() => {
      const name = this.#names[this.#next++ % this.#names.length];
      if (name === undefined || this.#busy.has(name)) return;
      this.#busy.add(name);
      oneStreamStats(this.#jsm, name)
        .then((x) => {
          this.#latest.set(name, x);
          emit();
        })
        .catch(() => {})
        .finally(() => this.#busy.delete(name));
    }, this.#tickMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** Every stream's figures, asked all at once (the start, the final snapshot). */
export async function streamStats(jsm: JetStreamManager, names: readonly string[]): Promise<StreamStats[]> {
  return Promise.all(names.map((name) => oneStreamStats(jsm, name)));
}

async function oneStreamStats(jsm: JetStreamManager, name: string): Promise<StreamStats> {
  const si = await jsm.streams.info(name);
  let pending = 0;
  let ackPending = 0;
  for await (const ci of jsm.consumers.list(name)) {
    pending += ci.num_pending;
    ackPending += ci.num_ack_pending;
  }
  const replicas = si.cluster?.replicas ?? [];
  const out: StreamStats = {
    name,
    messages: si.state.messages,
    bytes: si.state.bytes,
    consumers: si.state.consumer_count,
    num_pending: pending,
    num_ack_pending: ackPending,
    replicas_current: 1 + replicas.filter((r) => r.current).length,
    replicas_total: si.config.num_replicas,
  };
  if (si.cluster?.leader) out.leader = si.cluster.leader;
  return out;
}
