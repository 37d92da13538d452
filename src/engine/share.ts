// A share: the publishers and consumers of some streams of one step, with their own connections, scheduler
// and metrics. A step runs one share in-process, or one per worker thread; shares split by whole streams,
// so a stream's publishers and consumers always live together and loss is counted against local
// publishers exactly. Everything in ShareSpec is plain data so it can cross a worker boundary.
import { performance } from "node:perf_hooks";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ExpandedConsumer, ExpandedPublisher } from "../config/index.ts";
import { ackWriter } from "./ack-writer.ts";
import type { Logger } from "./api.ts";
import { SendBusy } from "./busy.ts";
import { type ConnectTarget, open, PER_CONNECTION, watchStatus } from "./connections.ts";
import { ConsumerState } from "./consumer.ts";
import { CoreLane } from "./core-lane.ts";
import { startJsConsumer } from "./js-consume.ts";
import { JsLane } from "./js-lane.ts";
import type { Lane } from "./lanes.ts";
import { FailLedger } from "./ledger.ts";
import { type Counters, ShareMetrics, type ShareSample } from "./metrics.ts";
import { newSourceId, PayloadFactory, trackerKey } from "./payload.ts";
import { Publisher } from "./publisher.ts";
import { Schedule } from "./schedule.ts";
import { Scheduler } from "./scheduler.ts";
import type { SeqTracker } from "./sequence.ts";
import { FallbackNotice } from "./wire.ts";

/** Where to connect (servers, creds, TLS files, connect timeout) and what to run. */
export interface ShareSpec extends ConnectTarget {
  readonly clientIdPrefix: string;
  readonly useJetStream: boolean;
  readonly durationMs: number;
  readonly rampUpMs: number;
  readonly publishers: readonly ExpandedPublisher[];
  readonly consumers: readonly ExpandedConsumer[];
  /** Subjects of each stream (core subscriptions listen on them). */
  readonly subjects: Readonly<Record<string, readonly string[]>>;
  /** JetStream in-flight window per publisher connection. @default 256 */
  readonly window?: number;
  /** A JetStream publish not acknowledged this long after its first send fails (retries included). @default 15000 */
  readonly ackTimeoutMs?: number;
  /** One JetStream publish attempt unanswered this long is sent again (until ackTimeoutMs). @default 2000 */
  readonly publishAttemptTimeoutMs?: number;
  /** Pause before a JetStream publish is sent again (no responders, attempt timeout). @default 250 */
  readonly publishRetryWaitMs?: number;
  /**
   * Publish only through `nc.publish` and consume only through nats.js' consume() and `m.ack()`, never the fast
   * paths (tests, checking a client upgrade). @default false
   */
  readonly publicPath?: boolean;
}

interface ConsumerRun {
  readonly spec: ExpandedConsumer;
  readonly state: ConsumerState;
  /** Its connection (JetStream consumer info at the end). */
  readonly nc: NatsConnection;
  close(): Promise<void>;
  /**
   * What the server still held for it when consumption ended (`settle`; undefined: not known): never delivered
   * (`num_pending`), and ack-pending beyond the messages it holds unacked (delivered, maybe never received).
   */
  held?: { pending: number; ackPending: number };
}

export class Share {
  readonly #spec: ShareSpec;
  readonly #log: Logger;
  readonly #m = new ShareMetrics();
  readonly #source = newSourceId();
  readonly #conns: NatsConnection[] = [];
  readonly #lanes: Lane[] = [];
  readonly #pubs: Publisher[] = [];
  /** Failed publishes (counts and sequences) per publisher index. */
  readonly #ledger: FailLedger;
  readonly #consumers: ConsumerRun[] = [];
  readonly #scheduler: Scheduler;
  readonly #busy = new SendBusy();
  readonly #pending: Array<{ i: number; lane: Lane; payloads: PayloadFactory; phase: number }> = [];
  /** Publisher indexes per stream (caughtUp and the final loss count walk a stream's publishers only). */
  readonly #pubsOf = new Map<string, number[]>();
  #reconnects = 0;
  /** Says once when the lanes cannot use the fast path (wire.ts). */
  readonly #fallback: FallbackNotice;
  /** Says once when consumers cannot write their acks as frames (ack-writer.ts). */
  readonly #ackFallback: FallbackNotice;
  #closedStats = { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0 };

  private constructor(spec: ShareSpec, log: Logger) {
    this.#spec = spec;
    this.#log = log;
    this.#fallback = new FallbackNotice(log);
    this.#ackFallback = new FallbackNotice(
      log,
      "consume fast path unavailable on this nats.js client: consuming through consume() and m.ack()",
    );
    this.#ledger = new FailLedger(spec.publishers.length);
    this.#ledger.trackersOf = (pub) => this.#trackersOf(pub);
    this.#scheduler = new Scheduler();
    spec.publishers.forEach((p, i) => {
      const list = this.#pubsOf.get(p.stream);
      if (list) list.push(i);
      else this.#pubsOf.set(p.stream, [i]);
    });
  }

  /** Connects, starts the consumers and prepares the publishers (they send from `spec.startEpoch`). */
  static async open(spec: ShareSpec, log: Logger): Promise<Share> {
    const s = new Share(spec, log);
    try {
      await s.#openConsumers();
      await s.#openPublishers();
    } catch (err) {
      await s.close();
      throw err;
    }
    return s;
  }

  get metrics(): ShareMetrics {
    return this.#m;
  }

  /** Resolves when every publisher has sent its schedule (or the share was stopped). */
  get finished(): Promise<void> {
    return this.#scheduler.finished;
  }

  /** Publishers send from `startEpoch` (epoch ms; the scheduler waits for it). */
  start(startEpoch: number): void {
    const spec = this.#spec;
    const startPerf = startEpoch - performance.timeOrigin;
    for (const { i, lane, payloads, phase } of this.#pending) {
      const p = spec.publishers[i]!;
      const pub = new Publisher({
        idx: i,
        source: this.#source,
        subject: p.subject,
        schedule: new Schedule({
          ratePerSec: p.ratePerSec,
          pattern: p.pattern,
          burstSize: p.burstSize,
          rampUpMs: spec.rampUpMs,
          durationMs: spec.durationMs,
          phase,
        }),
        lane,
        payloads,
        trackLatency: p.trackLatency,
        startPerf,
        startEpoch,
        metrics: this.#m,
      });
      this.#pubs[i] = pub;
      this.#scheduler.add(pub);
    }
    if (this.#pending.length > 0) {
      this.#busy.start(startEpoch);
      this.#scheduler.finished.then(() => this.#busy.end());
    }
    this.#scheduler.start();
  }

  /** Stops sending; slots due by now and not sent are counted unsent, with their lateness. */
  stop(): void {
    this.#scheduler.stop();
    this.#busy.end();
  }

  /** How busy this thread was while sending, in [0, 1] (SendBusy); undefined until sending ended. */
  get sendBusy(): number | undefined {
    return this.#busy.share;
  }

  async drainPublishes(timeoutMs: number): Promise<void> {
    await Promise.all(this.#lanes.map((l) => l.drain(timeoutMs)));
  }

  /**
   * Ends consumption before the final count, so what was received and what the server still holds are read
   * at one point: every consumer stops (no more deliveries, no more delayed acks), its connection is flushed
   * so the server has every ack, then JetStream consumer info says what remains for it: `num_pending` (never
   * delivered) and the ack-pending messages beyond those received and still waiting for their
   * `consume_delay_ms` ack (the server would deliver them again). `sample(true)` turns these into
   * `unconsumed`. A consumer whose info cannot be read has them unknown (its backlog then counts as lost).
   */
  async settle(): Promise<void> {
    for (const r of this.#consumers) {
      r.state.stop();
      await r.close().catch(() => {});
    }
    const ncs = [...new Set(this.#consumers.map((r) => r.nc))];
    await Promise.all(ncs.map((nc) => nc.flush().catch(() => {})));
    if (!this.#spec.useJetStream) return;
    const jsms = new Map(ncs.map((nc) => [nc, jetstreamManager(nc, { checkAPI: false })] as const));
    await Promise.all(
      this.#consumers.map(async (r) => {
        try {
          const jsm = await jsms.get(r.nc)!;
          const ci = await withTimeout(
            jsm.consumers.info(r.spec.stream, r.spec.durableName),
            INFO_TIMEOUT_MS,
          );
          r.held = {
            pending: ci.num_pending,
            ackPending: Math.max(0, ci.num_ack_pending - r.state.delayed),
          };
        } catch (err) {
          this.#log.warn("consumer info failed: its backlog cannot be told from loss", {
            stream: r.spec.stream,
            consumer: r.spec.durableName,
            error: (err as Error).message,
          });
        }
      }),
    );
  }

  /** True when every consumer received every message its stream's local publishers got acknowledged. */
  caughtUp(): boolean {
    const failed = this.#ledger.count;
    for (const c of this.#consumers) {
      if (c.state.delayed > 0) return false;
      for (const i of this.#pubsOf.get(c.spec.stream) ?? []) {
        const t = c.state.trackers.get(trackerKey(this.#source, i));
        const acked = (this.#pubs[i]?.seq ?? 0) - failed[i]!;
        if ((t?.unique ?? 0) - (t?.failedArrived ?? 0) < acked) return false;
      }
    }
    return true;
  }

  /** The trackers that follow local publisher `pub` (one per consumer of its stream that heard from it). */
  *#trackersOf(pub: number): Iterable<SeqTracker> {
    const stream = this.#spec.publishers[pub]?.stream;
    const key = trackerKey(this.#source, pub);
    for (const c of this.#consumers) {
      if (c.spec.stream !== stream) continue;
      const t = c.state.trackers.get(key);
      if (t) yield t;
    }
  }

  /**
   * The share's measurements. `final` applies the end-of-step loss rule (docs/engine.md, "What we count and
   * how"): for local publishers, the acknowledged messages (sent and not failed) a consumer never received,
   * less what the server still holds for that consumer (`unconsumed`, from `settle`: a backlog, not loss);
   * for others, unfilled gaps up to the highest seen. While running only gaps that left the window count (the
   * rest may still arrive), less, for local publishers, the failed publishes that did not arrive (a failed
   * publish is not loss).
   */
  sample(final: boolean): ShareSample {
    const m = this.#m;
    // Every counter the hot paths increment, by its registry name; the ones computed here start at 0.
    const c: Counters = { ...m.counts };
    c.publish_errors = m.publishErrors;
    const failed = this.#ledger.count;
    for (const run of this.#consumers) {
      for (const [key, t] of run.state.trackers) {
        c.redelivered += t.redelivered;
        c.duplicates += t.duplicates;
        c.out_of_order += t.outOfOrder;
        c.unconfirmed_delivered += t.failedArrived;
        const local = Math.floor(key / 0x1_0000_0000) === this.#source;
        if (!local) c.lost += t.slidLost + (final ? t.openGaps() : 0);
        else if (!final) {
          const failedUnseen = failed[key % 0x1_0000_0000]! - t.failedArrived;
          c.lost += Math.max(0, t.slidLost - failedUnseen);
        }
      }
      if (!final) continue;
      let missing = 0;
      for (const i of this.#pubsOf.get(run.spec.stream) ?? []) {
        const t = run.state.trackers.get(trackerKey(this.#source, i));
        const acked = (this.#pubs[i]?.seq ?? 0) - failed[i]!;
        missing += Math.max(0, acked - ((t?.unique ?? 0) - (t?.failedArrived ?? 0)));
      }
      // An ack-pending message may have been received all the same (its ack was lost, e.g. in a failover):
      // with local publishers only what is missing can be unreceived, so that part is capped by it.
      const pending = run.held?.pending ?? 0;
      const ackPending = run.held?.ackPending ?? 0;
      const hasLocal = (this.#pubsOf.get(run.spec.stream)?.length ?? 0) > 0;
      const held = pending + (hasLocal ? Math.min(ackPending, Math.max(0, missing - pending)) : ackPending);
      c.unconsumed += held;
      c.lost += Math.max(0, missing - held);
    }
    c.reconnects = this.#reconnects;
    const st = { ...this.#closedStats };
    for (const nc of this.#conns) {
      if (nc.isClosed()) continue;
      const s = nc.stats();
      st.inMsgs += s.inMsgs;
      st.outMsgs += s.outMsgs;
      st.inBytes += s.inBytes;
      st.outBytes += s.outBytes;
    }
    c.in_msgs = st.inMsgs;
    c.out_msgs = st.outMsgs;
    c.in_bytes = st.inBytes;
    c.out_bytes = st.outBytes;
    return { counters: c, errors: { ...m.errors }, hist: m.encode() };
  }

  async close(): Promise<void> {
    this.#scheduler.stop();
    for (const r of this.#consumers) {
      r.state.stop();
      await r.close().catch(() => {});
    }
    for (const l of this.#lanes) l.close();
    for (const nc of this.#conns) {
      if (nc.isClosed()) continue;
      const s = nc.stats();
      await nc.flush().catch(() => {});
      this.#closedStats.inMsgs += s.inMsgs;
      this.#closedStats.outMsgs += s.outMsgs;
      this.#closedStats.inBytes += s.inBytes;
      this.#closedStats.outBytes += s.outBytes;
      await nc.close().catch(() => {});
    }
  }

  destroy(): void {
    this.#m.destroy();
  }

  async #connect(name: string): Promise<NatsConnection> {
    const nc = await open(this.#spec, name);
    this.#conns.push(nc);
    return nc;
  }

  async #openPublishers(): Promise<void> {
    const spec = this.#spec;
    const byStream = groupBy(spec.publishers, (p) => p.stream);
    // The publishers of one connection share their phase, so messages due together leave in one socket write
    // (the scale profile: 1,000 publishers with phases spread over 100 connections cost ~10,000 writes/s,
    // each a syscall, the largest block of event-loop time). Connections are spread over the period.
    let conn = 0;
    const indexOf = new Map(spec.publishers.map((p, i) => [p, i] as const));
    for (const [stream, pubs] of byStream) {
      for (let g = 0; g < pubs.length; g += PER_CONNECTION) {
        const group = pubs.slice(g, g + PER_CONNECTION);
        const nc = await this.#connect(`${spec.clientIdPrefix}-pub-${stream}-${g / PER_CONNECTION + 1}`);
        const lane: Lane = spec.useJetStream
          ? new JsLane(nc, this.#m, this.#ledger, {
              window: spec.window,
              ackTimeoutMs: spec.ackTimeoutMs,
              attemptTimeoutMs: spec.publishAttemptTimeoutMs,
              retryWaitMs: spec.publishRetryWaitMs,
              publicPath: spec.publicPath,
            })
          : new CoreLane(nc, this.#m, this.#ledger, { publicPath: spec.publicPath });
        this.#fallback.note(lane.fast, spec.publicPath === true);
        watchStatus(nc, {
          reconnect: () => this.#reconnects++,
          permission: (subject, op) => {
            if (op === "publish") {
              if (lane instanceof JsLane) lane.deny();
              else this.#m.publishError("permission");
            }
            this.#log.warn("permission violation", { connection: stream, subject, op });
          },
        });
        this.#lanes.push(lane);
        const phase = (conn++ * 0.6180339887498949) % 1;
        const payloads = new Map<number, PayloadFactory>();
        for (const p of group) {
          let pf = payloads.get(p.messageSize);
          if (!pf) {
            pf = new PayloadFactory(p.messageSize);
            payloads.set(p.messageSize, pf);
          }
          this.#pending.push({
            i: indexOf.get(p)!,
            lane,
            payloads: pf,
            phase,
          });
        }
      }
    }
  }

  async #openConsumers(): Promise<void> {
    const spec = this.#spec;
    const byStream = groupBy(spec.consumers, (c) => c.stream);
    for (const [stream, cons] of byStream) {
      for (let g = 0; g < cons.length; g += PER_CONNECTION) {
        const nc = await this.#connect(`${spec.clientIdPrefix}-sub-${stream}-${g / PER_CONNECTION + 1}`);
        watchStatus(nc, {
          reconnect: () => this.#reconnects++,
          permission: (subject, op) => {
            this.#m.publishError("consume");
            this.#log.warn("permission violation", { connection: stream, subject, op });
          },
        });
        const js = spec.useJetStream ? jetstream(nc) : undefined;
        const acks = js && !spec.publicPath ? ackWriter(nc) : undefined;
        if (js) this.#ackFallback.note(acks !== undefined, spec.publicPath === true);
        for (const c of cons.slice(g, g + PER_CONNECTION)) {
          const state = new ConsumerState(stream, this.#m, {
            source: this.#source,
            ack: c.ackPolicy !== "none",
            delayMs: c.consumeDelayMs,
            failedOf: (key) =>
              Math.floor(key / 0x1_0000_0000) === this.#source
                ? this.#ledger.seqs[key % 0x1_0000_0000]
                : undefined,
            acks,
          });
          if (!js) {
            const subs = (spec.subjects[stream] ?? []).map((subj) =>
              nc.subscribe(subj, { callback: (_e, msg) => state.onData(msg.data) }),
            );
            this.#consumers.push({
              spec: c,
              state,
              nc,
              close: async () => {
                for (const sub of subs) sub.unsubscribe();
              },
            });
            continue;
          }
          const run = await startJsConsumer(nc, js, c, state, {
            acks,
            trouble: () => this.#m.publishError("consume"),
          });
          this.#consumers.push({ spec: c, state, nc, close: () => run.close() });
        }
      }
    }
  }
}

/**
 * How long the end-of-step consumer info may take: a healthy server answers in milliseconds; one in a leader
 * election may not answer at all, and the step must still end.
 */
const INFO_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}
