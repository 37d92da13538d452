// The object store workload (`object_store` of a spec): `clients` clients put whole objects of one size (random
// bytes made once) under `objects` names in turn and read them back, each kind on its own open-model schedule
// (op-sender.ts). nats.js chunks a put (chunk_size_bytes, capped at the server's max_payload) and streams a get;
// the bytes read are counted as they arrive, never buffered. An operation ends in exactly one count: done
// (obj_puts, obj_gets, with their bytes) or an error by category.
import { randomFillSync } from "node:crypto";
import { performance } from "node:perf_hooks";
import { StorageType } from "@nats-io/jetstream";
import { type ObjectStore, Objm } from "@nats-io/obj";
import type { ObjectStoreConfig } from "../config/index.ts";
import { recordMs } from "../stats/index.ts";
import { PER_CONNECTION } from "./connections.ts";
import type { WorkloadContext } from "./kv-workload.ts";
import type { ShareMetrics } from "./metrics.ts";
import { OpGate, OpSender } from "./op-sender.ts";
import { categorize } from "./publish-errors.ts";
import { steadySchedule, type WorkloadTiming } from "./schedule.ts";
import type { Scheduler } from "./scheduler.ts";

/**
 * Objects in flight per client: a few, so puts and gets of large objects overlap without holding many objects'
 * chunks in flight at once (a put sends its chunks one after another; a get streams).
 */
export const OBJ_IN_FLIGHT = 4;
/**
 * A get that receives no chunk for this long is abandoned and counted a timeout: its object was replaced
 * meanwhile (a put from another pod purges the old chunks, and nats.js' reader would wait for them for ever).
 * Chunks of a live object follow one another within milliseconds.
 */
const OBJ_GET_STALL_MS = 5_000;
/** Phase step between schedules (the golden ratio's fraction), so clients and kinds do not fire together. */
const PHASE_STEP = 0.6180339887498949;

/** What a share runs of the `object_store` block (its operations run in `--mode publish` and `both`). */
export interface ObjRun {
  readonly config: ObjectStoreConfig;
}

/** The name of object `i` (0 .. objects-1). */
export function objectName(i: number): string {
  return `obj-${i}`;
}

export class ObjWorkload {
  readonly #c: ObjectStoreConfig;
  readonly #m: ShareMetrics;
  readonly #stores: ObjectStore[] = [];
  readonly #gates: OpGate[] = [];
  readonly #data: Uint8Array;
  /** The next object name a put (a get) takes, round the names, shared by the share's clients. */
  #nextPut = 0;
  #nextGet = 0;
  /** Operations in flight per name: puts, gets. A put replacing an object a get reads would cut the get short. */
  readonly #putting = new Map<number, number>();
  readonly #getting = new Map<number, number>();

  private constructor(run: ObjRun, ctx: WorkloadContext) {
    this.#c = run.config;
    this.#m = ctx.metrics;
    this.#data = randomFillSync(new Uint8Array(run.config.object_size_bytes));
  }

  /**
   * Creates the bucket when missing (else uses it), opens the clients' connections and, when gets are asked,
   * stores each object that is not there yet before the measured window (unmeasured), so a get never misses.
   */
  static async open(run: ObjRun, ctx: WorkloadContext): Promise<ObjWorkload> {
    const w = new ObjWorkload(run, ctx);
    const c = run.config;
    for (let n = 1; n <= Math.ceil(c.clients / PER_CONNECTION); n++) {
      const name = `${ctx.clientIdPrefix}-obj-${n}`;
      const nc = await ctx.conns.open(name, (subject, op) =>
        ctx.log.warn("permission violation", { connection: name, subject, op }),
      );
      w.#stores.push(
        await new Objm(nc).create(c.bucket, {
          replicas: c.replicas,
          storage: c.storage === "file" ? StorageType.File : StorageType.Memory,
        }),
      );
    }
    if (c.rates.get > 0) await w.#prefill();
    return w;
  }

  async #prefill(): Promise<void> {
    const os = this.#stores[0]!;
    for (let i = 0; i < this.#c.objects; i++) {
      const info = await os.info(objectName(i));
      if (info === null || info.deleted) await this.#put(os, objectName(i));
    }
  }

  #put(os: ObjectStore, name: string) {
    return os.putBlob({ name, options: { max_chunk_size: this.#c.chunk_size_bytes } }, this.#data);
  }

  start(scheduler: Scheduler, startPerf: number, timing: WorkloadTiming): void {
    const c = this.#c;
    let phase = 0;
    for (let i = 0; i < c.clients; i++) {
      const os = this.#stores[Math.floor(i / PER_CONNECTION)]!;
      const gate = new OpGate(OBJ_IN_FLIGHT);
      this.#gates.push(gate);
      for (const kind of ["put", "get"] as const) {
        const rate = c.rates[kind];
        if (rate <= 0) continue;
        phase = (phase + PHASE_STEP) % 1;
        const schedule = steadySchedule(rate, timing, phase);
        const op = (intended: number) =>
          kind === "put" ? this.#putOp(os, intended) : this.#getOp(os, intended);
        scheduler.add(new OpSender({ schedule, gate, startPerf, metrics: this.#m, op }));
      }
    }
  }

  /**
   * The next name round the names that `busy` does not hold (another operation of this share would collide
   * with it); when every name is busy, the next one anyway.
   */
  #pick(next: number, busy: Map<number, number>): number {
    const n = this.#c.objects;
    for (let k = 0; k < n; k++) if (!busy.get((next + k) % n)) return (next + k) % n;
    return next % n;
  }

  async #putOp(os: ObjectStore, intended: number): Promise<void> {
    const m = this.#m;
    const i = this.#pick(this.#nextPut, this.#getting);
    this.#nextPut = i + 1;
    inc(this.#putting, i, 1);
    try {
      await this.#put(os, objectName(i));
      m.counts.obj_puts++;
      m.counts.obj_bytes_put += this.#data.length;
      recordMs(m.hist.obj_put, performance.now() - intended);
    } catch (err) {
      m.publishError(categorize(err));
    } finally {
      inc(this.#putting, i, -1);
    }
  }

  async #getOp(os: ObjectStore, intended: number): Promise<void> {
    const m = this.#m;
    const i = this.#pick(this.#nextGet, this.#putting);
    this.#nextGet = i + 1;
    inc(this.#getting, i, 1);
    try {
      const bytes = await readObject(os, objectName(i), this.#c.bucket);
      if (bytes === undefined) {
        m.publishError("timeout");
        return;
      }
      m.counts.obj_gets++;
      m.counts.obj_bytes_got += bytes;
      recordMs(m.hist.obj_get, performance.now() - intended);
    } catch (err) {
      m.publishError(categorize(err));
    } finally {
      inc(this.#getting, i, -1);
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.#gates.map((g) => g.drain(timeoutMs)));
  }
}

function inc(map: Map<number, number>, key: number, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

/** Reads object `name` whole, counting its bytes (never buffered); undefined when it stalled (OBJ_GET_STALL_MS). */
async function readObject(os: ObjectStore, name: string, bucket: string): Promise<number | undefined> {
  const r = await os.get(name);
  // Stored before the window (prefill): missing now means someone deleted it.
  if (r === null) throw new Error(`object ${name} of bucket ${bucket} is missing`);
  const reader = r.data.getReader();
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), OBJ_GET_STALL_MS);
  });
  try {
    for (;;) {
      const c = await Promise.race([reader.read(), stalled]);
      if (c === undefined) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      if (c.done) break;
      bytes += c.value.length;
      timer?.refresh();
    }
  } finally {
    clearTimeout(timer);
  }
  const failed = await r.error;
  if (failed) throw failed;
  return bytes;
}
