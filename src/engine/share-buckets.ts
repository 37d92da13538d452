// A share's bucket workloads (issue 14, section C): the KV block (kv-workload.ts) and the object store block
// (obj-workload.ts), opened, scheduled on the share's scheduler, drained and settled beside its publishers and
// consumers. A step runs them in one share only (worker-pool.ts, splitSpec).
import type { ExpandedSpec } from "../config/index.ts";
import type { Mode } from "../stats/index.ts";
import { type KvRun, KvWorkload, type WorkloadContext } from "./kv-workload.ts";
import { type ObjRun, ObjWorkload } from "./obj-workload.ts";
import type { WorkloadTiming } from "./schedule.ts";
import type { Scheduler } from "./scheduler.ts";

/** The bucket workloads a share runs (ShareSpec's `kv` and `objectStore`). */
export interface BucketsSpec {
  readonly kv?: KvRun;
  readonly objectStore?: ObjRun;
}

/** Whether the spec schedules any bucket operation (so the step waits for the scheduler to finish them). */
export function schedulesOps(spec: BucketsSpec): boolean {
  return spec.kv?.ops === true || spec.objectStore !== undefined;
}

export class ShareBuckets {
  #kv: KvWorkload | undefined;
  #obj: ObjWorkload | undefined;

  /** Opens what `spec` asks; a failure part way leaves what opened to `close`. */
  async open(spec: BucketsSpec, ctx: WorkloadContext): Promise<void> {
    if (spec.kv) this.#kv = await KvWorkload.open(spec.kv, ctx);
    if (spec.objectStore) this.#obj = await ObjWorkload.open(spec.objectStore, ctx);
  }

  start(scheduler: Scheduler, startPerf: number, timing: WorkloadTiming): void {
    this.#kv?.start(scheduler, startPerf, timing);
    this.#obj?.start(scheduler, startPerf, timing);
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all([this.#kv?.drain(timeoutMs), this.#obj?.drain(timeoutMs)]);
  }

  /** The KV watcher receives the bucket's last change, then stops. */
  async settle(): Promise<void> {
    await this.#kv?.settle();
  }

  close(): void {
    this.#kv?.close();
  }
}

/** What this engine runs of a spec's bucket blocks in its mode (operations: publish/both; watcher: consume/both). */
export function bucketsOf(spec: Pick<ExpandedSpec, "kv" | "objectStore">, mode: Mode): BucketsSpec {
  const ops = mode !== "consume";
  const watch = spec.kv?.watch === true && mode !== "publish";
  return {
    ...(spec.kv && (ops || watch) ? { kv: { config: spec.kv, ops, watch } } : {}),
    ...(spec.objectStore && ops ? { objectStore: { config: spec.objectStore } } : {}),
  };
}
