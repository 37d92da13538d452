// While a step runs: a snapshot every stats interval (phase `running`), and the stream figures they carry,
// sampled one stream at a time (stream-sampler.ts).
import type { JetStreamManager } from "@nats-io/jetstream";
import type { StreamStats } from "../stats/index.ts";
import type { EngineOptions } from "./api.ts";
import { type WorkerFigures, workerFigures } from "./snapshot.ts";
import type { StepSnapshots } from "./step-snapshot.ts";
import { StreamSampler } from "./stream-sampler.ts";
import type { GroupSample, ShareGroup } from "./worker-pool.ts";

/** Per-worker figures of a sample, when the step runs on several threads. */
export function perWorker(s: ShareGroup, g: GroupSample): WorkerFigures[] | undefined {
  return s.size > 1 ? workerFigures(g.parts, s.streamsPerPart) : undefined;
}

export class RunningSnapshots {
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;
  readonly #sampler: StreamSampler | undefined;
  #streams: StreamStats[] | undefined;

  /** Starts both: stream figures (JetStream only: `jsm`) and a snapshot every `intervalMs`. */
  constructor(
    share: ShareGroup,
    snaps: StepSnapshots,
    jsm: JetStreamManager | undefined,
    streamNames: readonly string[],
    intervalMs: number,
    opts: EngineOptions,
  ) {
    // Stream figures: every stream once now, then one stream at a time spread over the interval (100 streams
    // asked at once every second were 200 requests and their JSON replies landing in one burst).
    this.#sampler = jsm ? new StreamSampler(jsm, streamNames, intervalMs) : undefined;
    this.#sampler?.start((st) => {
      this.#streams = st;
    });
    this.#timer = setInterval(() => {
      if (this.#sampling) return; // a worker is slow to answer: skip this tick rather than pile up requests
      this.#sampling = true;
      share
        .sample(false)
        .then((g) => {
          if (this.#timer !== undefined)
            opts.onSnapshot(snaps.make(g.merged, "running", this.#streams, perWorker(share, g)));
        })
        .catch((err: Error) => opts.log.warn("sample failed", { error: err.message }))
        .finally(() => {
          this.#sampling = false;
        });
    }, intervalMs);
  }

  /** The latest figures of every stream sampled so far (undefined before the first answer, or core NATS). */
  get streams(): StreamStats[] | undefined {
    return this.#streams;
  }

  /** No more running snapshots (a sample still out is dropped), no more stream requests. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sampler?.stop();
  }
}
