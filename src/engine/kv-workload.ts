// The KV workload (`kv` of a spec): the bucket made ready, `clients` clients each running put, get, update and
// delete on their own open-model schedules (op-sender.ts) over a key space (key-space.ts), and a watcher. Every
// operation ends in exactly one count: done (kv_puts, kv_gets or kv_get_misses, kv_updates, kv_deletes), a CAS
// conflict (kv_cas_conflicts), or an error by category; latencies run from the intended time.
import { randomFillSync } from "node:crypto";
import { performance } from "node:perf_hooks";
import { StorageType } from "@nats-io/jetstream";
import { type KV, Kvm, KvWatchInclude } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { KvConfig } from "../config/index.ts";
import { JsErrorCode, jsApiCode } from "../nats/index.ts";
import { recordMs } from "../stats/index.ts";
import type { Logger } from "./api.ts";
import { withTimeout } from "./clock.ts";
import { PER_CONNECTION } from "./connections.ts";
import { KeySpace } from "./key-space.ts";
import type { ShareMetrics } from "./metrics.ts";
import { OpGate, OpSender } from "./op-sender.ts";
import { categorize } from "./publish-errors.ts";
import { steadySchedule, type WorkloadTiming } from "./schedule.ts";
import type { Scheduler } from "./scheduler.ts";
import type { ShareConnections } from "./share-connections.ts";

/**
 * Operations in flight per client: as the JetStream publish window (256), enough that a client at thousands of
 * ops/s is paced by the server's answers, not by the bound; past it, slots wait and go late (never skipped).
 */
export const KV_IN_FLIGHT = 256;
/**
 * How long the watcher may take at the end to receive the bucket's last change: far above its delivery time
 * (milliseconds), short enough that a watcher that lost its consumer does not hold the step.
 */
const WATCH_CATCH_UP_MS = 5_000;
/** How often the watcher's position is compared with the bucket's last revision while catching up. */
const WATCH_POLL_MS = 50;
/** Phase step between schedules (the golden ratio's fraction), so clients and kinds do not fire together. */
const PHASE_STEP = 0.6180339887498949;

/** What a share runs of the `kv` block: operations (`--mode publish`/`both`), the watcher (`consume`/`both`). */
export interface KvRun {
  readonly config: KvConfig;
  readonly ops: boolean;
  readonly watch: boolean;
}

/** The share's context the workload needs. */
export interface WorkloadContext {
  readonly clientIdPrefix: string;
  readonly conns: ShareConnections;
  readonly metrics: ShareMetrics;
  readonly log: Logger;
}

/** A running watcher: how to stop it, and the end of its loop. */
interface Watcher {
  stop(): void;
  readonly done: Promise<void>;
}

type Kind = "put" | "get" | "update" | "delete";
const KINDS: readonly Kind[] = ["put", "get", "update", "delete"];

export class KvWorkload {
  readonly #run: KvRun;
  readonly #m: ShareMetrics;
  readonly #log: Logger;
  readonly #buckets: KV[] = [];
  readonly #gates: OpGate[] = [];
  readonly #value: Uint8Array;
  #watcher: Watcher | undefined;
  /** The highest bucket revision the watcher received. */
  #watched = 0;

  private constructor(run: KvRun, ctx: WorkloadContext) {
    this.#run = run;
    this.#m = ctx.metrics;
    this.#log = ctx.log;
    this.#value = randomFillSync(new Uint8Array(run.config.value_size_bytes));
  }

  /** Creates the bucket when missing (else uses it as it is), opens the clients' connections and the watcher. */
  static async open(run: KvRun, ctx: WorkloadContext): Promise<KvWorkload> {
    const w = new KvWorkload(run, ctx);
    const c = run.config;
    const conns = run.ops ? Math.ceil(c.clients / PER_CONNECTION) : 0;
    for (let n = 1; n <= conns + (run.watch ? 1 : 0); n++) {
      const name = n <= conns ? `${ctx.clientIdPrefix}-kv-${n}` : `${ctx.clientIdPrefix}-kv-watch`;
      const nc = await ctx.conns.open(name, (subject, op) =>
        ctx.log.warn("permission violation", { connection: name, subject, op }),
      );
      if (n === 1) checkValueSize(c, nc);
      w.#buckets.push(await bucket(nc, c, n === 1 ? ctx.log : undefined));
      if (n > conns) await w.#watch(w.#buckets[n - 1]!);
    }
    return w;
  }

  /** Adds every client's operation kinds to the scheduler (they run from `startPerf`). */
  start(scheduler: Scheduler, startPerf: number, timing: WorkloadTiming): void {
    if (!this.#run.ops) return;
    const c = this.#run.config;
    let phase = 0;
    for (let i = 0; i < c.clients; i++) {
      const client = new KvClient(this.#buckets[Math.floor(i / PER_CONNECTION)]!, c, this.#value, this.#m);
      this.#gates.push(client.gate);
      for (const kind of KINDS) {
        const rate = c.rates[kind];
        if (rate <= 0) continue;
        phase = (phase + PHASE_STEP) % 1;
        const schedule = steadySchedule(rate, timing, phase);
        const op = (intended: number) => client.op(kind, intended);
        scheduler.add(new OpSender({ schedule, gate: client.gate, startPerf, metrics: this.#m, op }));
      }
    }
  }

  /** Waits for the operations in flight (up to `timeoutMs`; later answers still count). */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.#gates.map((g) => g.drain(timeoutMs)));
  }

  /**
   * The watcher receives up to the bucket's last change (or WATCH_CATCH_UP_MS passes), then stops: so
   * kv_watch_updates counts the changes made while it watched, this pod's and others' (#watch says which).
   */
  async settle(): Promise<void> {
    const w = this.#watcher;
    if (!w) return;
    this.#watcher = undefined;
    const kv = this.#buckets[this.#buckets.length - 1]!;
    const until = performance.now() + WATCH_CATCH_UP_MS;
    try {
      const last = (await withTimeout(kv.status(), WATCH_CATCH_UP_MS)).streamInfo.state.last_seq;
      while (this.#watched < last && performance.now() < until)
        await new Promise((r) => setTimeout(r, WATCH_POLL_MS));
    } catch (err) {
      this.#log.warn("kv watcher: could not read the bucket's last revision", {
        error: (err as Error).message,
      });
    }
    await stopWatcher(w);
  }

  close(): void {
    const w = this.#watcher;
    this.#watcher = undefined;
    if (w) void stopWatcher(w);
  }

  /**
   * The watcher: nats.js' kv.watch() from the next change (updates only), counting each revision once. A change
   * overwritten before the watcher received it (a key written again while history is 1) is gone from the bucket
   * and never delivered: kv_watch_updates counts the changes a watcher of this bucket could see.
   */
  async #watch(kv: KV): Promise<void> {
    // The bucket's revision now: what came before is not watched (and the end need not wait for it).
    this.#watched = (await kv.status()).streamInfo.state.last_seq;
    const w = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
    const m = this.#m;
    const done = (async () => {
      for await (const e of w) {
        if (e.revision <= this.#watched) continue;
        this.#watched = e.revision;
        m.counts.kv_watch_updates++;
      }
    })().catch((err) => {
      m.publishError("consume");
      this.#log.warn("kv watcher ended", { error: (err as Error).message });
    });
    this.#watcher = { stop: () => w.stop(), done };
  }
}

/** Stops a watcher and waits for its loop to end. */
async function stopWatcher(w: Watcher): Promise<void> {
  w.stop();
  await w.done;
}

/** One client: its gate and the last revision it saw of each key (0: seen without a value). */
class KvClient {
  readonly gate = new OpGate(KV_IN_FLIGHT);
  readonly #kv: KV;
  readonly #keys: KeySpace;
  readonly #value: Uint8Array;
  readonly #m: ShareMetrics;
  readonly #revs = new Map<number, number>();

  constructor(kv: KV, c: KvConfig, value: Uint8Array, m: ShareMetrics) {
    this.#kv = kv;
    this.#keys = new KeySpace({
      count: c.keys.count,
      distribution: c.keys.distribution,
      exponent: c.keys.zipf_exponent,
    });
    this.#value = value;
    this.#m = m;
  }

  /** One operation of `kind` intended at `intended` (performance.now()); never rejects. */
  async op(kind: Kind, intended: number): Promise<void> {
    const k = this.#keys.next();
    const key = `k${k}`;
    const m = this.#m;
    try {
      switch (kind) {
        case "put":
          this.#revs.set(k, await this.#kv.put(key, this.#value));
          m.counts.kv_puts++;
          recordMs(m.hist.kv_put, performance.now() - intended);
          break;
        case "get": {
          const e = await this.#kv.get(key);
          this.#revs.set(k, e?.revision ?? 0);
          if (e === null || e.operation !== "PUT") m.counts.kv_get_misses++;
          else m.counts.kv_gets++;
          recordMs(m.hist.kv_get, performance.now() - intended);
          break;
        }
        case "update":
          await this.#update(k, key, intended);
          break;
        case "delete":
          await this.#kv.delete(key);
          // A delete is a new revision this client does not learn: the next update reads it first.
          this.#revs.delete(k);
          m.counts.kv_deletes++;
          recordMs(m.hist.kv_delete, performance.now() - intended);
          break;
      }
    } catch (err) {
      if (kind === "update" && isCasConflict(err)) {
        this.#revs.delete(k);
        m.counts.kv_cas_conflicts++;
      } else m.publishError(categorize(err));
    }
  }

  /**
   * Compare-and-set on the last revision this client saw of the key: read it first when the client has not
   * seen the key (or lost track after a conflict or a delete); a key without a value is created (CAS on "none").
   */
  async #update(k: number, key: string, intended: number): Promise<void> {
    let rev = this.#revs.get(k);
    if (rev === undefined) rev = (await this.#kv.get(key))?.revision ?? 0;
    const next =
      rev > 0 ? await this.#kv.update(key, this.#value, rev) : await this.#kv.create(key, this.#value);
    this.#revs.set(k, next);
    this.#m.counts.kv_updates++;
    recordMs(this.#m.hist.kv_update, performance.now() - intended);
  }
}

/** The server refused a compare-and-set: the key's last revision is not the one given (JetStream API 10071). */
export function isCasConflict(err: unknown): boolean {
  const code = jsApiCode(err);
  return code === JsErrorCode.StreamWrongLastSequence;
}

/** Creates the bucket when missing; an existing one is used as it is (its differences logged once). */
async function bucket(nc: NatsConnection, c: KvConfig, log: Logger | undefined): Promise<KV> {
  const kv = await new Kvm(nc).create(c.bucket, {
    replicas: c.replicas,
    history: c.history,
    storage: c.storage === "file" ? StorageType.File : StorageType.Memory,
  });
  if (log) {
    const st = await kv.status();
    const differs = (["replicas", "history", "storage"] as const).filter(
      (f) => String(st[f]) !== String(f === "storage" ? c.storage : c[f]),
    );
    if (differs.length > 0)
      log.warn("kv bucket exists with other settings; used as it is", {
        bucket: c.bucket,
        fields: differs.map((f) => `${f}: server ${st[f]}, config ${f === "storage" ? c.storage : c[f]}`),
      });
  }
  return kv;
}

/** A value over the server's max_payload would fail every put: refused once, naming the field. */
function checkValueSize(c: KvConfig, nc: NatsConnection): void {
  const max = nc.info?.max_payload;
  if (max !== undefined && c.value_size_bytes > max)
    throw new Error(
      `kv.value_size_bytes ${c.value_size_bytes} exceeds the server's max_payload of ${max} bytes: lower value_size_bytes or raise max_payload in the nats-server config`,
    );
}
