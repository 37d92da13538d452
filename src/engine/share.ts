// A share: the publishers and consumers of some streams of one step, with their own connections, scheduler
// and metrics. A step runs one share in-process, or one per worker thread; shares split by whole streams,
// so a stream's publishers and consumers always live together and loss is counted against local
// publishers exactly. Everything in ShareSpec is plain data so it can cross a worker boundary.
//
// The parts: share-connections.ts (connections, their grouping and NATS figures), share-publishers.ts (lanes),
// share-consumers.ts (consumers opened and settled), loss.ts (the loss rule), the scheduler and SendBusy.
import { performance } from "node:perf_hooks";
import type { ExpandedConsumer, ExpandedPublisher, ServicesConfig, ShapePoint } from "../config/index.ts";
import type { Logger } from "./api.ts";
import { SendBusy } from "./busy.ts";
import type { ClosedLoopPublisher } from "./closed-loop.ts";
import type { ConnectTarget } from "./connections.ts";
import type { Lane } from "./lanes.ts";
import { FailLedger } from "./ledger.ts";
import { LossRule } from "./loss.ts";
import { type Counters, ShareMetrics, type ShareSample } from "./metrics.ts";
import { newSourceId } from "./payload.ts";
import type { PrefillSpec } from "./prefill.ts";
import type { Publisher } from "./publisher.ts";
import { publisherOf } from "./publisher-of.ts";
import { QueueGroupRun } from "./queue-group.ts";
import { Scheduler } from "./scheduler.ts";
import { ServicesRun } from "./services.ts";
import { type BucketsSpec, ShareBuckets, schedulesOps } from "./share-buckets.ts";
import { ShareConnections } from "./share-connections.ts";
import { type ConsumerRun, openConsumers, settleConsumers } from "./share-consumers.ts";
import { openPublishers, type ReadyPublisher } from "./share-publishers.ts";

/** Where to connect (servers, creds, TLS files, connect timeout) and what to run. */
export interface ShareSpec extends ConnectTarget, BucketsSpec {
  readonly clientIdPrefix: string;
  readonly useJetStream: boolean;
  readonly durationMs: number;
  readonly rampUpMs: number;
  /** The load shape (`behavior.stages`); absent = the ramp. */
  readonly shape?: readonly ShapePoint[];
  readonly publishers: readonly ExpandedPublisher[];
  readonly consumers: readonly ExpandedConsumer[];
  /** Subjects of each stream (core subscriptions listen on them). */
  readonly subjects: Readonly<Record<string, readonly string[]>>;
  /** JetStream in-flight window per publisher connection. @default JS_WINDOW (256) */
  readonly window?: number;
  /**
   * A JetStream publish not acknowledged this long after its first send fails (retries included).
   * @default PUBLISH_DEADLINE_MS (15000)
   */
  readonly ackTimeoutMs?: number;
  /**
   * One JetStream publish attempt unanswered this long is sent again (until ackTimeoutMs).
   * @default PUBLISH_ATTEMPT_TIMEOUT_MS (2000)
   */
  readonly publishAttemptTimeoutMs?: number;
  /**
   * Pause before a JetStream publish is sent again (no responders, attempt timeout).
   * @default PUBLISH_RETRY_WAIT_MS (250)
   */
  readonly publishRetryWaitMs?: number;
  /**
   * Publish only through `nc.publish` and consume only through nats.js' consume() and `m.ack()`, never the fast
   * paths (tests, checking a client upgrade). @default false
   */
  readonly publicPath?: boolean;
  /** The backlog stored before the step (prefill.ts): its source id and count per stream. */
  readonly prefill?: PrefillSpec;
  /** Request/reply services (services.ts), in this engine's mode; a split step gives them to one share. */
  readonly services?: ServicesConfig;
}

export class Share {
  readonly #spec: ShareSpec;
  readonly #log: Logger;
  readonly #m = new ShareMetrics();
  readonly #source = newSourceId();
  readonly #conns: ShareConnections;
  readonly #lanes: Lane[] = [];
  readonly #pubs: (Publisher | ClosedLoopPublisher)[] = [];
  /** Failed publishes (counts and sequences) per publisher index. */
  readonly #ledger: FailLedger;
  readonly #consumers: ConsumerRun[] = [];
  readonly #loss: LossRule;
  readonly #scheduler = new Scheduler();
  readonly #busy = new SendBusy();
  readonly #ready: ReadyPublisher[] = [];
  /** The KV and object store workloads (share-buckets.ts). */
  readonly #buckets = new ShareBuckets();
  #services: ServicesRun | undefined;

  private constructor(spec: ShareSpec, log: Logger) {
    this.#spec = spec;
    this.#log = log;
    this.#conns = new ShareConnections(spec);
    this.#ledger = new FailLedger(spec.publishers.length);
    this.#loss = new LossRule({
      source: this.#source,
      publishers: spec.publishers,
      ledger: this.#ledger,
      consumers: this.#consumers,
      sent: (pub) => this.#pubs[pub]?.seq ?? 0,
      prefillSource: spec.prefill?.source,
    });
    this.#ledger.trackersOf = (pub) => this.#loss.trackersOf(pub);
  }

  /** Connects, starts the consumers and prepares the publishers (they send from `spec.startEpoch`). */
  static async open(spec: ShareSpec, log: Logger): Promise<Share> {
    const s = new Share(spec, log);
    const parts = { metrics: s.#m, conns: s.#conns, log };
    try {
      await openConsumers(
        spec.consumers,
        { ...spec, ...parts, source: s.#source, loss: s.#loss },
        s.#consumers,
      );
      await openPublishers(spec.publishers, { ...spec, ...parts, ledger: s.#ledger }, s.#lanes, s.#ready);
      await s.#buckets.open(spec, { ...parts, clientIdPrefix: spec.clientIdPrefix });
      if (spec.services) {
        s.#services = new ServicesRun(spec.services, {
          ...parts,
          clientIdPrefix: spec.clientIdPrefix,
          publicPath: spec.publicPath,
        });
        await s.#services.open();
      }
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
    for (const { i, lane, payloads, phase } of this.#ready) {
      const pub = publisherOf(
        spec,
        spec.publishers[i]!,
        { i, lane, payloads, phase },
        { source: this.#source, startPerf, startEpoch, metrics: this.#m },
      );
      this.#pubs[i] = pub;
      this.#scheduler.add(pub);
    }
    if (this.#ready.length > 0 || schedulesOps(spec) || this.#services?.requests) {
      this.#busy.start(startEpoch);
      this.#scheduler.finished.then(() => this.#busy.end());
    }
    this.#services?.start(this.#scheduler, { ...spec, startEpoch, startPerf });
    this.#buckets.start(this.#scheduler, startPerf, spec);
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
    await Promise.all([
      ...this.#lanes.map((l) => l.drain(timeoutMs)),
      this.#buckets.drain(timeoutMs),
      this.#services?.drain(),
    ]);
  }

  /**
   * Ends consumption before the final count (settleConsumers): what was received and what the server still
   * holds are read at one point; `sample(true)` turns the latter into `unconsumed`.
   */
  async settle(): Promise<void> {
    await settleConsumers(this.#consumers, this.#spec.useJetStream, this.#log);
    await this.#buckets.settle();
    this.#services?.settle();
  }

  /** True when every consumer received every message its stream's local publishers got acknowledged. */
  caughtUp(): boolean {
    return this.#loss.caughtUp();
  }

  /** The share's measurements; `final` applies the end-of-step loss rule (LossRule.count). */
  sample(final: boolean): ShareSample {
    const m = this.#m;
    // Every counter the hot paths increment, by its registry name; the ones computed here start at 0.
    const c: Counters = { ...m.counts };
    c.publish_errors = m.publishErrors;
    this.#loss.count(c, final);
    this.#conns.count(c);
    const groups = this.#consumers.flatMap((r) => (r instanceof QueueGroupRun ? [r.stats()] : []));
    return {
      counters: c,
      errors: { ...m.errors },
      hist: m.encode(),
      ...(groups.length > 0 ? { queueGroups: groups } : {}),
    };
  }

  async close(): Promise<void> {
    this.#scheduler.stop();
    for (const r of this.#consumers) {
      r.state.stop();
      await r.close().catch(() => {});
    }
    for (const l of this.#lanes) l.close();
    this.#buckets.close();
    this.#services?.close();
    await this.#conns.close();
  }

  destroy(): void {
    this.#m.destroy();
  }
}
