// The request/reply services of a share (the spec's `services` block, core NATS whatever use_jetstream says):
// responders (responder.ts) and requesters on the share's scheduler (requester.ts). The engine's mode picks
// the side (`servicesInMode`); a step split over worker threads runs its services in the first share only, so
// each count is one process's exact figure.
import type { ServicesConfig } from "../config/index.ts";
import type { Mode } from "../stats/index.ts";
import type { Logger } from "./api.ts";
import { PER_CONNECTION } from "./connections.ts";
import type { ShareMetrics } from "./metrics.ts";
import { replyWriter } from "./reply-writer.ts";
import { Requester, RequestLane } from "./requester.ts";
import { Responder } from "./responder.ts";
import { steadySchedule, type WorkloadTiming } from "./schedule.ts";
import type { Scheduler } from "./scheduler.ts";
import type { ShareConnections } from "./share-connections.ts";
import { REQUEST_SWEEP_MS } from "./timings.ts";
import { FallbackNotice } from "./wire.ts";

/** As share-publishers.ts: each next connection's phase moves by the golden ratio's fractional part. */
const PHASE_STEP = 0.6180339887498949;

/** The services this engine runs in `mode`: requesters in publish, responders in consume, both in both. */
export function servicesInMode(svc: ServicesConfig | undefined, mode: Mode): ServicesConfig | undefined {
  if (svc === undefined) return undefined;
  return {
    ...svc,
    responders: { ...svc.responders, count: mode === "publish" ? 0 : svc.responders.count },
    requesters: { ...svc.requesters, count: mode === "consume" ? 0 : svc.requesters.count },
  };
}

/**
 * Throws when the requests exceed the server's `max_payload` (its INFO, read on the admin connection): every
 * one would fail, so the step ends in phase `error` with one message naming the field instead.
 */
export function checkRequestPayload(svc: ServicesConfig | undefined, maxPayload: number | undefined): void {
  const size = svc?.requesters.message_size_bytes ?? 0;
  if (maxPayload === undefined || (svc?.requesters.count ?? 0) === 0 || size <= maxPayload) return;
  throw new Error(
    `services.requesters.message_size_bytes ${size} exceeds the server's max_payload of ${maxPayload} bytes: lower message_size_bytes or raise max_payload in the nats-server config`,
  );
}

/** What running services needs of the share. */
export interface ServicesContext {
  readonly clientIdPrefix: string;
  readonly conns: ShareConnections;
  readonly metrics: ShareMetrics;
  readonly log: Logger;
  /** Requests only through `nc.publish`, never the fast path (StepTuning.publicPath). */
  readonly publicPath?: boolean;
}

export class ServicesRun {
  readonly #svc: ServicesConfig;
  readonly #ctx: ServicesContext;
  readonly #responders: Responder[] = [];
  readonly #lanes: { lane: RequestLane; count: number; phase: number }[] = [];
  /** Says once when requests go through `nc.publish` because the client lacks the fast path's internals. */
  readonly #fallback: FallbackNotice;

  constructor(svc: ServicesConfig, ctx: ServicesContext) {
    this.#svc = svc;
    this.#ctx = ctx;
    this.#fallback = new FallbackNotice(
      ctx.log,
      "request fast path unavailable on this nats.js client: requesting through nc.publish",
    );
  }

  /** Whether this share sends requests (its scheduler then has requesters to finish). */
  get requests(): boolean {
    return this.#svc.requesters.count > 0;
  }

  /**
   * Connects and starts the responders (answering at once, so local requesters find them), then the
   * requesters' connections and lanes: PER_CONNECTION of each kind per connection.
   */
  async open(): Promise<void> {
    const { responders: r, requesters: q } = this.#svc;
    const ctx = this.#ctx;
    for (let g = 0; g < r.count; g += PER_CONNECTION) {
      const nc = await this.#connect(`svc-${g / PER_CONNECTION + 1}`);
      const w = replyWriter(nc, ctx.publicPath === true);
      for (let i = g; i < Math.min(r.count, g + PER_CONNECTION); i++) {
        this.#responders.push(new Responder(nc, this.#svc, ctx.metrics, w));
      }
    }
    for (let g = 0; g < q.count; g += PER_CONNECTION) {
      const nc = await this.#connect(`req-${g / PER_CONNECTION + 1}`);
      const lane = new RequestLane(nc, ctx.metrics, {
        subject: this.#svc.subject,
        payload: new Uint8Array(q.message_size_bytes),
        timeoutMs: q.timeout_ms,
        publicPath: ctx.publicPath === true,
      });
      this.#fallback.note(lane.fast, ctx.publicPath === true);
      this.#lanes.push({
        lane,
        count: Math.min(PER_CONNECTION, q.count - g),
        phase: ((g / PER_CONNECTION) * PHASE_STEP) % 1,
      });
    }
  }

  #connect(suffix: string) {
    const ctx = this.#ctx;
    return ctx.conns.open(`${ctx.clientIdPrefix}-${suffix}`, (subject, op) => {
      ctx.metrics.publishError("permission");
      ctx.log.warn("permission violation", { connection: suffix, subject, op });
    });
  }

  /** Puts the requesters on `scheduler`: each sends from `startEpoch` on its own open-model schedule. */
  start(scheduler: Scheduler, t: WorkloadTiming & { startEpoch: number; startPerf: number }): void {
    const q = this.#svc.requesters;
    for (const { lane, count, phase } of this.#lanes) {
      for (let i = 0; i < count; i++) {
        scheduler.add(
          new Requester({
            schedule: steadySchedule(q.rate_per_second, t, phase),
            lane,
            startPerf: t.startPerf,
            startEpoch: t.startEpoch,
            metrics: this.#ctx.metrics,
          }),
        );
      }
    }
  }

  /** Waits for the replies of every request sent (at most its timeout, then the rest timed out). */
  async drain(): Promise<void> {
    const wait = this.#svc.requesters.timeout_ms + REQUEST_SWEEP_MS;
    await Promise.all(this.#lanes.map(({ lane }) => lane.drain(wait)));
  }

  /** The step's end: responders stop answering (after the requesters drained, in `both` mode). */
  settle(): void {
    for (const r of this.#responders) r.stop();
  }

  close(): void {
    this.settle();
    for (const { lane } of this.#lanes) lane.close();
  }
}
