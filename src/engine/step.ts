// One step of a plan, in phases: streams and consumers made ready, the share(s) run for the step's duration
// with a snapshot every stats interval, then publishes drained, consumers given time to catch up and settled,
// and a final snapshot. A step that fails ends in an error snapshot carrying what was counted until then.
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type ExpandedConsumer,
  type ExpandedPublisher,
  headerBlockBytes,
  type Plan,
  type PlanStep,
  type ServicesConfig,
} from "../config/index.ts";
import type { Snapshot, StreamStats } from "../stats/index.ts";
import type { EngineOptions } from "./api.ts";
import { consumerGraceMs, consumerPending, waitCaughtUp } from "./catch-up.ts";
import { nowEpoch, withTimeout } from "./clock.ts";
import { type ConnectTarget, open } from "./connections.ts";
import { payloadBytes } from "./payload.ts";
import { prefillStreams } from "./prefill.ts";
import { failureCategory } from "./publish-errors.ts";
import { perWorker, RunningSnapshots } from "./running-snapshots.ts";
import { checkRequestPayload, servicesInMode } from "./services.ts";
import type { ShareSpec } from "./share.ts";
import { type BucketsSpec, bucketsOf, schedulesOps } from "./share-buckets.ts";
import { emptySample, StepSnapshots } from "./step-snapshot.ts";
import { streamStats } from "./stream-sampler.ts";
import { ensureConsumer, ensureStream } from "./streams.ts";
import type { SystemSampler } from "./system.ts";
import { END_INFO_TIMEOUT_MS, LATE_SEND_GRACE_MS, PUBLISH_DEADLINE_MS, START_LEAD_MS } from "./timings.ts";
import { ShareGroup } from "./worker-pool.ts";

/** Internal knobs (tests and the bench set them; users get the defaults). */
export interface StepTuning {
  /**
   * How long consumers may take to catch up after the last send.
   * @default the longest ack_wait within CONSUMER_GRACE_MIN_MS (5000) and CONSUMER_GRACE_MAX_MS (60000)
   */
  readonly drainTimeoutMs?: number;
  /**
   * The JetStream publish deadline: a publish not acknowledged this long after its first send (retries
   * included) fails; also how long in-flight publishes may take after the last send.
   * @default PUBLISH_DEADLINE_MS (15000)
   */
  readonly ackTimeoutMs?: number;
  /**
   * One JetStream publish attempt unanswered this long is sent again (within the deadline).
   * @default PUBLISH_ATTEMPT_TIMEOUT_MS (2000)
   */
  readonly publishAttemptTimeoutMs?: number;
  /**
   * Pause before a JetStream publish is sent again (no responders, attempt timeout).
   * @default PUBLISH_RETRY_WAIT_MS (250)
   */
  readonly publishRetryWaitMs?: number;
  /** JetStream publishes in flight per connection. @default JS_WINDOW (256) */
  readonly window?: number;
  /** How long opening a connection may take (nats.js `timeout`). @default 20000 */
  readonly connectTimeoutMs?: number;
  /** Publish only through `nc.publish`, never the fast path (wire.ts): tests of the public path. @default false */
  readonly publicPath?: boolean;
}

export interface StepContext {
  readonly plan: Plan;
  readonly opts: EngineOptions;
  readonly tuning: StepTuning;
  readonly system: SystemSampler;
  /** Streams this run created, for cleanup (name -> where). */
  readonly created: Map<string, ConnectTarget>;
  readonly first: boolean;
}

/** The step's publishers and consumers in this engine's mode. */
interface Clients {
  readonly publishers: readonly ExpandedPublisher[];
  readonly consumers: readonly ExpandedConsumer[];
  /** The KV and object store workloads (share-buckets.ts). */
  readonly buckets: BucketsSpec;
  /** Request/reply services: requesters in publish mode, responders in consume, both in both. */
  readonly services?: ServicesConfig;
}

export async function runStep(step: PlanStep, ctx: StepContext): Promise<Snapshot> {
  const { opts, tuning } = ctx;
  const spec = step.spec;
  const clients: Clients = {
    publishers: opts.mode === "consume" ? [] : spec.publishers,
    consumers: opts.mode === "publish" ? [] : spec.consumers,
    buckets: bucketsOf(spec, opts.mode),
    services: servicesInMode(spec.services, opts.mode),
  };
  const streamNames = spec.streams.map((s) => s.name);
  const snaps = new StepSnapshots(step, opts, ctx.system);
  const target: ConnectTarget = {
    servers: spec.servers,
    credsFile: spec.credsFile,
    nkeyFile: spec.nkeyFile,
    tls: spec.tls,
    connectTimeoutMs: tuning.connectTimeoutMs,
  };
  let admin: NatsConnection | undefined;
  let share: ShareGroup | undefined;
  let running: RunningSnapshots | undefined;
  try {
    admin = await open(target, `${spec.clientIdPrefix}-admin`, { checkTls: true });
    const jsm = await prepareServer(admin, step, ctx, target, clients);
    const publishing = opts.mode !== "consume";
    const backlog = await prefillStreams(admin, spec, { publishing, signal: opts.signal, log: opts.log });
    share = await ShareGroup.open(
      { ...shareSpec(step, target, tuning, clients), ...backlog },
      opts.workers ?? 1,
      opts.log,
    );
    const s = share;
    snaps.begin(startEpochOf(ctx), (t) => s.planned(t));
    s.start(snaps.startEpoch);
    running = new RunningSnapshots(
      s,
      snaps,
      jsm,
      streamNames,
      opts.statsIntervalMs ?? ctx.plan.statsIntervalMs,
      opts,
    );
    const sendEnd = await send(s, step, snaps.startEpoch, clients, opts.signal);
    await s.drainPublishes(tuning.ackTimeoutMs ?? PUBLISH_DEADLINE_MS);
    if (!opts.signal.aborted) await catchUp(s, jsm, clients, tuning, opts.signal);
    running.stop();
    return await finalSnapshot(s, snaps, jsm, streamNames, running, sendEnd, opts.signal);
  } catch (err) {
    running?.stop();
    return await errorSnapshot(err, step, opts, snaps, share, () => running?.streams);
  } finally {
    running?.stop();
    await share?.close().catch(() => {});
    await admin?.close().catch(() => {});
  }
}

/**
 * Readies the server under test: the payload fits its `max_payload`, and (JetStream) the streams and durable
 * consumers exist with the config's settings. Returns the JetStream manager, or undefined for core NATS.
 */
async function prepareServer(
  admin: NatsConnection,
  step: PlanStep,
  ctx: StepContext,
  target: ConnectTarget,
  clients: Clients,
): Promise<JetStreamManager | undefined> {
  checkMaxPayload(clients.publishers, admin.info?.max_payload);
  checkRequestPayload(clients.services, admin.info?.max_payload);
  if (!step.spec.useJetStream) return undefined;
  const jsm = await jetstreamManager(admin);
  for (const s of step.spec.streams) {
    if (await ensureStream(jsm, s)) ctx.created.set(s.name, target);
  }
  for (const c of clients.consumers) await ensureConsumer(jsm, c);
  return jsm;
}

/** What every share of the step runs: plain data (it crosses to worker threads). */
function shareSpec(step: PlanStep, target: ConnectTarget, tuning: StepTuning, clients: Clients): ShareSpec {
  const spec = step.spec;
  return {
    ...target,
    clientIdPrefix: spec.clientIdPrefix,
    useJetStream: spec.useJetStream,
    durationMs: spec.durationMs,
    rampUpMs: spec.rampUpMs,
    ...(spec.shape === undefined ? {} : { shape: spec.shape }),
    publishers: clients.publishers,
    consumers: clients.consumers,
    subjects: Object.fromEntries(spec.streams.map((s) => [s.name, s.subjects])),
    window: tuning.window,
    ackTimeoutMs: tuning.ackTimeoutMs,
    publishAttemptTimeoutMs: tuning.publishAttemptTimeoutMs,
    publishRetryWaitMs: tuning.publishRetryWaitMs,
    publicPath: tuning.publicPath,
    ...clients.buckets,
    services: clients.services,
  };
}

/** When sending starts: START_LEAD_MS from now, or the run's start barrier (first step) when that is later. */
function startEpochOf(ctx: StepContext): number {
  return Math.max(nowEpoch() + START_LEAD_MS, ctx.first && ctx.opts.startAt ? ctx.opts.startAt : 0);
}

/**
 * Sends for the duration, or until stopped; a stalled lane cannot hold the step past its end (the schedule's
 * end plus LATE_SEND_GRACE_MS). Stops sending and returns when it ended (epoch ms).
 */
async function send(
  s: ShareGroup,
  step: PlanStep,
  startEpoch: number,
  clients: Clients,
  signal: AbortSignal,
): Promise<number> {
  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const hardEnd = startEpoch + step.spec.durationMs + LATE_SEND_GRACE_MS - nowEpoch();
  let endTimer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    endTimer = setTimeout(resolve, Math.max(0, hardEnd));
  });
  // With no publishers here (a consume-only pod) the scheduler is finished at once: consumers still run
  // for the whole duration, so only the clock or a stop ends the step.
  const scheduled =
    clients.publishers.length > 0 ||
    schedulesOps(clients.buckets) ||
    (clients.services?.requesters.count ?? 0) > 0;
  await Promise.race([scheduled ? s.finished : ended, stopped, ended]);
  const sendEnd = nowEpoch();
  clearTimeout(endTimer);
  s.stop();
  return sendEnd;
}

/**
 * Consumers get a grace period (StepTuning.drainTimeoutMs, else consumerGraceMs) to catch up, so a consumer
 * that stalled in a failover (missed heartbeats, a new consumer leader) drains what the stream holds for it.
 */
async function catchUp(
  s: ShareGroup,
  jsm: JetStreamManager | undefined,
  clients: Clients,
  tuning: StepTuning,
  signal: AbortSignal,
): Promise<void> {
  if (clients.consumers.length === 0) return;
  const grace = tuning.drainTimeoutMs ?? consumerGraceMs(clients.consumers);
  const pending = jsm ? consumerPending(jsm, clients.consumers) : undefined;
  // A consumer not meant to receive every message (a filter, a late start: lossScope "none") cannot be caught
  // up by counting: JetStream's num_pending says when it has everything.
  const counted = clients.consumers.every((c) => c.kind?.lossScope !== "none");
  await waitCaughtUp(s, clients.publishers.length > 0 && counted, grace, signal, pending);
}

/**
 * The step's final snapshot (`done`, or `stopped` when the signal aborted it). Consumers stop first (settle),
 * so the stream figures read after it and the loss count describe one moment.
 */
async function finalSnapshot(
  s: ShareGroup,
  snaps: StepSnapshots,
  jsm: JetStreamManager | undefined,
  streamNames: readonly string[],
  running: RunningSnapshots,
  sendEnd: number,
  signal: AbortSignal,
): Promise<Snapshot> {
  await s.settle();
  const streams = jsm
    ? await withTimeout(streamStats(jsm, streamNames), END_INFO_TIMEOUT_MS).catch(() => running.streams)
    : undefined;
  const g = await s.sample(true);
  return snaps.make(
    g.merged,
    signal.aborted ? "stopped" : "done",
    streams ?? running.streams,
    perWorker(s, g),
    { sendEnd, busy: g.sendBusy },
  );
}

/** The snapshot of a failed step (phase `error`): what was counted, the failure counted once by category. */
async function errorSnapshot(
  err: unknown,
  step: PlanStep,
  opts: EngineOptions,
  snaps: StepSnapshots,
  share: ShareGroup | undefined,
  streams: () => StreamStats[] | undefined,
): Promise<Snapshot> {
  const msg = (err as Error).message;
  opts.log.error("step failed", { step: step.name, error: msg });
  const sample = (await share?.sample(true).catch(() => undefined))?.merged ?? emptySample();
  const category = failureCategory(err);
  sample.errors[category] = (sample.errors[category] ?? 0) + 1;
  const snap = snaps.make(sample, "error", streams(), undefined, { sendEnd: nowEpoch() });
  (snap as Record<string, unknown>).error = msg;
  return snap;
}

/**
 * Throws when a publisher's payload exceeds the server's `max_payload`. Config validation can only warn (it
 * does not know the server); here the server has told us, and every such publish would fail (nats.js refuses
 * it, and a raw frame over the limit makes the server close the connection), so the step ends in phase
 * `error` with one message before anything is created or sent, instead of one error per message.
 */
function checkMaxPayload(
  publishers: readonly Pick<ExpandedPublisher, "messageSize" | "headers" | "sizes">[],
  maxPayload: number | undefined,
): void {
  if (maxPayload === undefined || publishers.length === 0) return;
  let largest: (typeof publishers)[number] | undefined;
  let size = 0;
  let hdr = 0;
  for (const p of publishers) {
    const h = p.headers ? headerBlockBytes(p.headers) : 0;
    if (payloadBytes(p.messageSize) + h <= size + hdr) continue;
    [largest, size, hdr] = [p, payloadBytes(p.messageSize), h];
  }
  if (size + hdr <= maxPayload) return;
  const field =
    largest?.sizes === undefined
      ? "message_size_bytes"
      : largest.sizes.kind === "range"
        ? "message_size_range.max_bytes"
        : "message_sizes (the largest)";
  const headers = hdr > 0 ? ` with ${hdr} bytes of headers` : "";
  throw new Error(
    `publishers.${field} ${size}${headers} exceeds the server's max_payload of ${maxPayload} bytes: lower ${field.split(" ")[0]}${hdr > 0 ? " or headers" : ""} or raise max_payload in the nats-server config`,
  );
}
