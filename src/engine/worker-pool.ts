// A step's shares: one in-process Share (workers = 1, or a single stream), or one Share per worker thread
// (worker.ts), each with its own connections, scheduler and metrics. The step's streams are split by whole
// streams (a stream's publishers and consumers stay together, so the loss rule stays exact), heaviest first
// onto the lightest worker. Samples merge exactly: counters add, histograms add bucket by bucket.
import { Worker } from "node:worker_threads";
import type { Logger } from "./api.ts";
import type { ShareSample } from "./metrics.ts";
import { plannedCounted } from "./planned-count.ts";
import { WorkerError } from "./publish-errors.ts";
import { plannedMessages } from "./schedule.ts";
import { Share, type ShareSpec } from "./share.ts";
import { mergeSamples } from "./snapshot.ts";
import type { FromWorker, Progress, SampleReply, ToWorker, WorkerInit } from "./worker-protocol.ts";

/** One share as the step drives it, in-process or in a worker thread. */
interface Part {
  readonly streams: number;
  readonly finished: Promise<void>;
  start(startEpoch: number): void;
  stop(): void;
  drain(timeoutMs: number): Promise<void>;
  settle(): Promise<void>;
  sample(final: boolean): Promise<SampleReply>;
  progress(): Promise<Progress>;
  close(): Promise<void>;
}

/** What a sample of the whole group holds: the merge and each part (per-worker figures). */
export interface GroupSample {
  readonly merged: ShareSample;
  readonly parts: readonly ShareSample[];
  readonly caughtUp: boolean;
  /** The busiest part's event-loop share while sending, in [0, 1] (undefined until sending ended). */
  readonly sendBusy?: number;
}

/** Splits a share spec into at most `n` specs by whole streams, balancing publish rate and consumers. */
export function splitSpec(spec: ShareSpec, n: number): ShareSpec[] {
  const weight = new Map<string, number>();
  const add = (stream: string, w: number) => weight.set(stream, (weight.get(stream) ?? 0) + w);
  for (const p of spec.publishers) add(p.stream, Math.min(p.ratePerSec, 1e6) + 1);
  for (const c of spec.consumers) {
    const rate = spec.publishers
      .filter((p) => p.stream === c.stream)
      .reduce((a, p) => a + Math.min(p.ratePerSec, 1e6), 0);
    add(c.stream, rate + 1);
  }
  const streams = [...weight.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const parts = Math.max(1, Math.min(n, streams.length));
  const load = new Array<number>(parts).fill(0);
  const owner = new Map<string, number>();
  for (const [name, w] of streams) {
    let best = 0;
    for (let i = 1; i < parts; i++) if (load[i]! < load[best]!) best = i;
    load[best]! += w;
    owner.set(name, best);
  }
  // The KV and object store workloads run in one share: the least loaded.
  const buckets = load.indexOf(Math.min(...load));
  return Array.from({ length: parts }, (_, i) => ({
    ...spec,
    ...(i === buckets ? {} : { kv: undefined, objectStore: undefined }),
    publishers: spec.publishers.filter((p) => owner.get(p.stream) === i),
    consumers: spec.consumers.filter((c) => owner.get(c.stream) === i),
    // Request/reply services (services.ts) run in one share, the least loaded: each count one process's.
    ...(i === load.indexOf(Math.min(...load)) ? {} : { services: undefined }),
  }));
}

class LocalPart implements Part {
  readonly #share: Share;
  readonly streams: number;
  constructor(share: Share, streams: number) {
    this.#share = share;
    this.streams = streams;
  }
  get finished() {
    return this.#share.finished;
  }
  start(e: number) {
    this.#share.start(e);
  }
  stop() {
    this.#share.stop();
  }
  drain(ms: number) {
    return this.#share.drainPublishes(ms);
  }
  settle() {
    return this.#share.settle();
  }
  async sample(final: boolean): Promise<SampleReply> {
    return {
      sample: this.#share.sample(final),
      caughtUp: this.#share.caughtUp(),
      sendBusy: this.#share.sendBusy,
    };
  }
  async progress(): Promise<Progress> {
    return { caughtUp: this.#share.caughtUp(), consumed: this.#share.metrics.counts.consumed };
  }
  async close() {
    await this.#share.close().catch(() => {});
    this.#share.destroy();
  }
}

/** The worker entry next to this module: worker.js from dist/, worker.ts under tsx (tests, benches). */
export function workerUrl(): URL {
  const ext = new URL(import.meta.url).pathname.endsWith(".ts") ? "ts" : "js";
  return new URL(`./worker.${ext}`, import.meta.url);
}

/**
 * Starts the worker entry. From dist/ that is worker.js itself. Under tsx (.ts sources) Node 20 does not
 * apply the parent's `--import tsx` loader hooks inside worker threads, so a tiny eval'd module registers
 * tsx in the worker first and then imports worker.ts.
 */
function startWorker(init: WorkerInit, name: string): Worker {
  const url = workerUrl();
  if (!url.pathname.endsWith(".ts")) return new Worker(url, { workerData: init, name });
  let api = "tsx/esm/api";
  try {
    api = import.meta.resolve(api);
  } catch {}
  const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData: init, name });
}

class RemotePart implements Part {
  readonly #w: Worker;
  readonly #log: Logger;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #next = 1;
  #dead: Error | undefined;
  #last: SampleReply | undefined;
  #finish: () => void = () => {};
  readonly finished: Promise<void>;
  readonly streams: number;

  constructor(index: number, streams: number, log: Logger) {
    this.streams = streams;
    this.#log = log;
    this.finished = new Promise((r) => {
      this.#finish = r;
    });
    const init: WorkerInit = { stackTraceLimit: Error.stackTraceLimit };
    this.#w = startWorker(init, `lt-engine-${index}`);
    this.#w.on("message", (m: FromWorker) => this.#onMessage(m));
    this.#w.on("error", (err) => this.#die(err));
    this.#w.on("exit", (code) => this.#die(new Error(`engine worker exited (code ${code})`)));
  }

  #onMessage(m: FromWorker): void {
    if (m.t === "reply") {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new WorkerError(m.error, m.category ?? "other"));
      else p?.resolve(m.value);
    } else if (m.t === "finished") this.#finish();
    else this.#log[m.level](m.msg, m.fields);
  }

  #die(err: Error): void {
    if (this.#dead) return;
    this.#dead = err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#finish();
  }

  #request<T>(m: { t: Extract<ToWorker, { id: number }>["t"]; [k: string]: unknown }): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#w.postMessage({ ...m, id });
    });
  }

  #send(m: ToWorker): void {
    if (!this.#dead) this.#w.postMessage(m);
  }

  async open(spec: ShareSpec): Promise<void> {
    await this.#request({ t: "open", spec });
  }
  start(startEpoch: number) {
    this.#send({ t: "start", startEpoch });
  }
  stop() {
    this.#send({ t: "stop" });
  }
  async drain(timeoutMs: number) {
    await this.#request({ t: "drain", timeoutMs }).catch(() => {});
  }
  async settle() {
    await this.#request({ t: "settle" }).catch(() => {});
  }
  async sample(final: boolean): Promise<SampleReply> {
    try {
      this.#last = await this.#request<SampleReply>({ t: "sample", final });
    } catch (err) {
      if (!this.#last) throw err;
    }
    return this.#last;
  }
  async progress(): Promise<Progress> {
    try {
      return await this.#request<Progress>({ t: "progress" });
    } catch {
      return { caughtUp: true, consumed: this.#last?.sample.counters.consumed ?? 0 };
    }
  }
  async close(): Promise<void> {
    await this.#request({ t: "close" }).catch(() => {});
    await this.#w.terminate().catch(() => 0);
  }
}

export class ShareGroup {
  readonly #parts: Part[];
  readonly #spec: ShareSpec;
  readonly finished: Promise<void>;

  private constructor(spec: ShareSpec, parts: Part[]) {
    this.#spec = spec;
    this.#parts = parts;
    this.finished = Promise.all(parts.map((p) => p.finished)).then(() => {});
  }

  /**
   * Opens the share(s): `workers` <= 1, or a step with a single stream, runs in-process; otherwise one worker
   * thread per part of `splitSpec(spec, workers)`.
   */
  static async open(spec: ShareSpec, workers: number, log: Logger): Promise<ShareGroup> {
    const specs = workers > 1 ? splitSpec(spec, workers) : [spec];
    if (specs.length === 1) return new ShareGroup(spec, [new LocalPart(await Share.open(spec, log), 1)]);
    const parts: RemotePart[] = specs.map(
      (s, i) => new RemotePart(i, new Set([...s.publishers, ...s.consumers].map((x) => x.stream)).size, log),
    );
    try {
      await Promise.all(parts.map((p, i) => p.open(specs[i]!)));
    } catch (err) {
      await Promise.all(parts.map((p) => p.close()));
      throw err;
    }
    return new ShareGroup(spec, parts);
  }

  /** Threads in use (1 when in-process). */
  get size(): number {
    return this.#parts.length;
  }

  get streamsPerPart(): number[] {
    return this.#parts.map((p) => p.streams);
  }

  start(startEpoch: number): void {
    for (const p of this.#parts) p.start(startEpoch);
  }

  stop(): void {
    for (const p of this.#parts) p.stop();
  }

  async drainPublishes(timeoutMs: number): Promise<void> {
    await Promise.all(this.#parts.map((p) => p.drain(timeoutMs)));
  }

  /** Consumers stop and read what the server still holds for them (Share.settle), in every part. */
  async settle(): Promise<void> {
    await Promise.all(this.#parts.map((p) => p.settle()));
  }

  /** Messages the schedule asks of every part in the first `t` ms of the step (ramp included). */
  planned(t: number): number {
    const spec = this.#spec;
    let r = 0;
    for (const p of spec.publishers) if (p.messageCount === undefined) r += p.ratePerSec;
    const n = plannedMessages(r, spec.rampUpMs, spec.durationMs, t, spec.shape);
    return n + plannedCounted(spec, t);
  }

  async sample(final: boolean): Promise<GroupSample> {
    const replies = await Promise.all(this.#parts.map((p) => p.sample(final)));
    const parts = replies.map((r) => r.sample);
    const busy = replies.flatMap((r) => (r.sendBusy === undefined ? [] : [r.sendBusy]));
    return {
      merged: mergeSamples(parts),
      parts,
      caughtUp: replies.every((r) => r.caughtUp),
      ...(busy.length > 0 ? { sendBusy: Math.max(...busy) } : {}),
    };
  }

  /** Whether every consumer caught up with its local publishers, and deliveries so far (all parts). */
  async progress(): Promise<Progress> {
    const all = await Promise.all(this.#parts.map((p) => p.progress()));
    return { caughtUp: all.every((x) => x.caughtUp), consumed: all.reduce((a, x) => a + x.consumed, 0) };
  }

  async close(): Promise<void> {
    await Promise.all(this.#parts.map((p) => p.close()));
  }
}
