// One step of a plan: streams and consumers made ready, the share(s) run for the step's duration, a snapshot
// every stats interval, then publishes drained, consumers given time to catch up, and a final snapshot.
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Plan, PlanStep } from "../config/index.ts";
import type { Phase, Snapshot, StreamStats } from "../stats/index.ts";
import { encodeHistogram, newHistogram } from "../stats/index.ts";
import type { EngineOptions } from "./api.ts";
import { nowEpoch } from "./clock.ts";
import { type ConnectTarget, open } from "./connections.ts";
import { IntervalHists } from "./interval.ts";
import { perKind, type ShareSample, zeroCounters } from "./metrics.ts";
import { payloadBytes } from "./payload.ts";
import { failureCategory } from "./publish-errors.ts";
import type { ShareSpec } from "./share.ts";
import { buildSnapshot, mergeSamples, type WorkerFigures, workerFigures } from "./snapshot.ts";
import { ensureConsumer, ensureStream } from "./streams.ts";
import type { SystemSampler } from "./system.ts";
import { PUBLISH_DEADLINE_MS } from "./timings.ts";
import { type GroupSample, ShareGroup } from "./worker-pool.ts";

/**
 * How long after the schedule's last slot late slots may still be sent before the rest count as unsent. A
 * client a little behind at the end (a GC pause, a busy event loop, a window still full after a stall)
 * finishes its schedule; one further behind than this would spill its load past the step (into the next
 * step or past what the user asked for), so its remaining slots are counted, with their lateness, instead.
 */
const LATE_SEND_GRACE_MS = 1_000;

/** Internal knobs (tests and the bench set them; users get the defaults). */
export interface StepTuning {
  /** How long consumers may take to catch up after the last send. @default max(5000, longest ack_wait) */
  readonly drainTimeoutMs?: number;
  /**
   * The JetStream publish deadline: a publish not acknowledged this long after its first send (retries
   * included) fails; also how long in-flight publishes may take after the last send. @default 15000
   */
  readonly ackTimeoutMs?: number;
  /** One JetStream publish attempt unanswered this long is sent again (within the deadline). @default 2000 */
  readonly publishAttemptTimeoutMs?: number;
  /** Pause before a JetStream publish is sent again (no responders, attempt timeout). @default 250 */
  readonly publishRetryWaitMs?: number;
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

export async function runStep(step: PlanStep, ctx: StepContext): Promise<Snapshot> {
  const { opts, tuning } = ctx;
  const spec = step.spec;
  const intervalMs = opts.statsIntervalMs ?? ctx.plan.statsIntervalMs;
  const publishers = opts.mode === "consume" ? [] : spec.publishers;
  const consumers = opts.mode === "publish" ? [] : spec.consumers;
  const streamNames = spec.streams.map((s) => s.name);
  let admin: NatsConnection | undefined;
  let jsm: JetStreamManager | undefined;
  let share: ShareGroup | undefined;
  let startEpoch = nowEpoch();
  let prev: { at: number; published: number; consumed: number } | undefined;
  const intervals = new IntervalHists();
  let latestStreams: StreamStats[] | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopStreams = (): void => {};

  /**
   * A snapshot. Running ones carry the interval's rates (since the previous snapshot); a final one (`final`:
   * when sending stopped, and how busy the sending threads were) carries means over the measured window, from the start until sending ended
   * or the schedule did, whichever came first, so a final says what the step asked and reached, never what its
   * last second did. The target is the count the schedule asked in the same span (ramp included) over its
   * length, so target and achieved compare like for like: a publisher that caught up late in the grace still
   * reached its target; slots never sent (unsent) are what is missing.
   */
  const snapshot = (
    sample: ShareSample,
    phase: Phase,
    streams?: StreamStats[],
    workers?: WorkerFigures[],
    final?: { sendEnd: number; busy?: number },
  ): Snapshot => {
    const now = nowEpoch();
    const sendEnd = final?.sendEnd;
    const from = sendEnd === undefined ? (prev?.at ?? startEpoch) : startEpoch;
    const to = sendEnd === undefined ? now : Math.max(from, Math.min(sendEnd, startEpoch + spec.durationMs));
    const asked = share ? share.planned(to - startEpoch) - share.planned(from - startEpoch) : 0;
    const snap = buildSnapshot(sample, {
      runId: opts.runId,
      pod: opts.pod,
      mode: opts.mode,
      step,
      phase,
      now,
      startEpoch,
      // buildSnapshot's rates cover now - prev.at: for a final, the measured window from zero counts.
      prev: sendEnd === undefined ? prev : { at: now - (to - from), published: 0, consumed: 0 },
      targetRate: asked / Math.max(1e-3, (to - from) / 1000),
      system: { ...ctx.system.sample(), ...busyFigure(final?.busy) },
      streams,
      workers,
      // Snapshots taken while waiting at the start barrier cover nothing yet (0 s).
      interval: {
        seconds: Math.max(0, now - (prev?.at ?? startEpoch)) / 1000,
        hist: intervals.next(sample.hist),
      },
    });
    prev = { at: now, published: snap.published, consumed: snap.consumed };
    return snap;
  };

  const target: ConnectTarget = {
    servers: spec.servers,
    credsFile: spec.credsFile,
    nkeyFile: spec.nkeyFile,
    tls: spec.tls,
    connectTimeoutMs: tuning.connectTimeoutMs,
  };
  try {
    admin = await open(target, `${spec.clientIdPrefix}-admin`, { checkTls: true });
    checkMaxPayload(publishers, admin.info?.max_payload);
    if (spec.useJetStream) {
      jsm = await jetstreamManager(admin);
      for (const s of spec.streams) {
        if (await ensureStream(jsm, s)) ctx.created.set(s.name, target);
      }
      for (const c of consumers) await ensureConsumer(jsm, c);
    }
    const shareSpec: ShareSpec = {
      ...target,
      clientIdPrefix: spec.clientIdPrefix,
      useJetStream: spec.useJetStream,
      durationMs: spec.durationMs,
      rampUpMs: spec.rampUpMs,
      publishers,
      consumers,
      subjects: Object.fromEntries(spec.streams.map((s) => [s.name, s.subjects])),
      window: tuning.window,
      ackTimeoutMs: tuning.ackTimeoutMs,
      publishAttemptTimeoutMs: tuning.publishAttemptTimeoutMs,
      publishRetryWaitMs: tuning.publishRetryWaitMs,
      publicPath: tuning.publicPath,
    };
    share = await ShareGroup.open(shareSpec, opts.workers ?? 1, opts.log);
    startEpoch = Math.max(nowEpoch() + 20, ctx.first && opts.startAt ? opts.startAt : 0);
    share.start(startEpoch);
    const s = share;
    // Stream figures: every stream once now, then one stream at a time spread over the interval (100 streams
    // asked at once every second were 200 requests and their JSON replies landing in one burst).
    const streamSampler = jsm ? new StreamSampler(jsm, streamNames, intervalMs) : undefined;
    stopStreams = () => streamSampler?.stop();
    streamSampler?.start((st) => {
      latestStreams = st;
    });
    const perWorker = (g: GroupSample) => (s.size > 1 ? workerFigures(g.parts, s.streamsPerPart) : undefined);
    let sampling = false;
    timer = setInterval(() => {
      if (sampling) return; // a worker is slow to answer: skip this tick rather than pile up requests
      sampling = true;
      s.sample(false)
        .then((g) => {
          if (timer !== undefined)
            opts.onSnapshot(snapshot(g.merged, "running", latestStreams, perWorker(g)));
        })
        .catch((err: Error) => opts.log.warn("sample failed", { error: err.message }))
        .finally(() => {
          sampling = false;
        });
    }, intervalMs);

    // Send for the duration (or until stopped); a stalled lane cannot hold the step past its end.
    const stopped = new Promise<void>((resolve) => {
      if (opts.signal.aborted) resolve();
      opts.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const hardEnd = startEpoch + spec.durationMs + LATE_SEND_GRACE_MS - nowEpoch();
    let endTimer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      endTimer = setTimeout(resolve, Math.max(0, hardEnd));
    });
    // With no publishers here (a consume-only pod) the scheduler is finished at once: consumers still run
    // for the whole duration, so only the clock or a stop ends the step.
    await Promise.race([publishers.length > 0 ? s.finished : ended, stopped, ended]);
    const sendEnd = nowEpoch();
    clearTimeout(endTimer);
    s.stop();
    await s.drainPublishes(tuning.ackTimeoutMs ?? PUBLISH_DEADLINE_MS);
    if (!opts.signal.aborted && consumers.length > 0) {
      // The grace period: up to max(5 s, the longest ack_wait capped at 60 s), so a consumer that stalled in a
      // failover (missed heartbeats, a new consumer leader) can drain what the stream holds.
      const grace =
        tuning.drainTimeoutMs ??
        Math.max(5000, Math.min(60_000, Math.max(...consumers.map((c) => c.ackWaitMs))));
      const pending = jsm ? consumerPending(jsm, consumers) : undefined;
      await waitCaughtUp(s, publishers.length > 0, grace, opts.signal, pending);
    }
    clearInterval(timer);
    timer = undefined;
    stopStreams();
    // Consumers stop here, so the stream figures below and the loss count agree on one moment.
    await s.settle();
    const streams = jsm
      ? await withTimeout(streamStats(jsm, streamNames), 2000).catch(() => latestStreams)
      : undefined;
    const g = await s.sample(true);
    return snapshot(
      g.merged,
      opts.signal.aborted ? "stopped" : "done",
      streams ?? latestStreams,
      perWorker(g),
      { sendEnd, busy: g.sendBusy },
    );
  } catch (err) {
    clearInterval(timer);
    timer = undefined;
    const msg = (err as Error).message;
    opts.log.error("step failed", { step: step.name, error: msg });
    const sample = (await share?.sample(true).catch(() => undefined))?.merged ?? emptySample();
    const category = failureCategory(err);
    sample.errors[category] = (sample.errors[category] ?? 0) + 1;
    const snap = snapshot(sample, "error", latestStreams, undefined, { sendEnd: nowEpoch() });
    (snap as Record<string, unknown>).error = msg;
    return snap;
  } finally {
    clearInterval(timer);
    stopStreams();
    await share?.close().catch(() => {});
    await admin?.close().catch(() => {});
  }
}

/**
 * Throws when a publisher's payload exceeds the server's `max_payload`. Config validation can only warn (it
 * does not know the server); here the server has told us, and every such publish would fail (nats.js refuses
 * it, and a raw frame over the limit makes the server close the connection), so the step ends in phase
 * `error` with one message before anything is created or sent, instead of one error per message.
 */
function checkMaxPayload(
  publishers: readonly { messageSize: number }[],
  maxPayload: number | undefined,
): void {
  if (maxPayload === undefined || publishers.length === 0) return;
  let size = 0;
  for (const p of publishers) size = Math.max(size, payloadBytes(p.messageSize));
  if (size <= maxPayload) return;
  throw new Error(
    `publishers.message_size_bytes ${size} exceeds the server's max_payload of ${maxPayload} bytes: lower message_size_bytes or raise max_payload in the nats-server config`,
  );
}

/**
 * Consumers catch up: with local publishers, until each consumer holds every message they got acknowledged;
 * without them, until JetStream says the consumers have nothing pending (`num_pending` 0), or, where that is
 * unknown (core NATS, info failing), until consumption stays flat for a second. Bounded by `timeoutMs`.
 */
async function waitCaughtUp(
  s: ShareGroup,
  local: boolean,
  timeoutMs: number,
  signal: AbortSignal,
  pending?: () => Promise<number | undefined>,
): Promise<void> {
  const deadline = nowEpoch() + timeoutMs;
  let last = -1;
  let flatSince = nowEpoch();
  let askedAt = 0;
  while (nowEpoch() < deadline && !signal.aborted) {
    const { caughtUp, consumed } = await s.progress();
    if (local && caughtUp) return;
    if (consumed !== last) {
      last = consumed;
      flatSince = nowEpoch();
    } else if (!local && nowEpoch() - flatSince > 1000) {
      if (!pending) return;
      if (nowEpoch() - askedAt > 500) {
        askedAt = nowEpoch();
        const n = await withTimeout(pending(), 1000).catch(() => undefined);
        if (n === undefined || n === 0) return;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Messages JetStream has not yet delivered to this step's consumers (sum of `num_pending`), or undefined. */
function consumerPending(
  jsm: JetStreamManager,
  consumers: readonly { stream: string; durableName: string }[],
): () => Promise<number | undefined> {
  return async () => {
    const infos = await Promise.all(consumers.map((c) => jsm.consumers.info(c.stream, c.durableName)));
    return infos.reduce((n, ci) => n + ci.num_pending, 0);
  };
}

/**
 * Keeps the latest figures of each stream: all of them once at start, then one stream per tick, the ticks
 * spread evenly over the stats interval (a stream is asked again once per interval, as before, but the
 * requests no longer arrive together). A stream whose request is still out is skipped for that tick.
 */
class StreamSampler {
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
    this.#tickMs = Math.max(5, Math.floor(intervalMs / Math.max(1, names.length)));
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

async function streamStats(jsm: JetStreamManager, names: readonly string[]): Promise<StreamStats[]> {
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

/**
 * `system.send_busy_pct`: how busy the busiest sending thread's event loop was while it sent (SendBusy), so a
 * verdict can tell a saturated load generator from one the server held back.
 */
function busyFigure(busy: number | undefined): Record<string, number> {
  return busy === undefined ? {} : { send_busy_pct: Math.round(busy * 1000) / 10 };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref()),
  ]);
}

function emptySample(): ShareSample {
  const h = newHistogram();
  const e = encodeHistogram(h);
  h.destroy();
  return { counters: zeroCounters(), errors: {}, hist: perKind(() => e) };
}

export { mergeSamples };
