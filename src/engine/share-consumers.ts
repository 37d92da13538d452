// A share's consumers: opened on their connections (core subscriptions on the stream's subjects, or a JetStream
// consumer through js-consume.ts), and settled at the end of a step, when JetStream says what it still holds
// for each (the `unconsumed` of the loss rule, loss.ts).
import { type ConsumerInfo, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ExpandedConsumer } from "../config/index.ts";
import { ackWriter } from "./ack-writer.ts";
import type { Logger } from "./api.ts";
import { withTimeout } from "./clock.ts";
import { ConsumerState } from "./consumer.ts";
import { startJsConsumer } from "./js-consume.ts";
import type { LossRule } from "./loss.ts";
import type { ShareMetrics } from "./metrics.ts";
import type { PrefillSpec } from "./prefill.ts";
import { QueueGroupRun } from "./queue-group.ts";
import type { ShareConnections } from "./share-connections.ts";
import { connectionGroups } from "./share-connections.ts";
import { END_INFO_TIMEOUT_MS } from "./timings.ts";
import { FallbackNotice } from "./wire.ts";

export interface ConsumerRun {
  readonly spec: ExpandedConsumer;
  readonly state: ConsumerState;
  /** Its connection (JetStream consumer info at the end). */
  readonly nc: NatsConnection;
  close(): Promise<void>;
  /** An ordered consumer's info (js-consume.ts), asked before it closes: it has no durable name. */
  info?: () => Promise<ConsumerInfo>;
  /**
   * What the server still held for it when consumption ended (`settle`; undefined: not known): never delivered
   * (`num_pending`), and ack-pending beyond the messages it holds unacked (delivered, maybe never received).
   */
  held?: { pending: number; ackPending: number };
}

/** What opening a share's consumers needs of the share. */
export interface ConsumersContext {
  readonly clientIdPrefix: string;
  readonly useJetStream: boolean;
  /** Subjects of each stream (core subscriptions listen on them). */
  readonly subjects: Readonly<Record<string, readonly string[]>>;
  /** Consume only through nats.js' consume() and `m.ack()` (no ack frames). */
  readonly publicPath?: boolean;
  /** The step's backlog (prefill.ts): deliver-all consumers time its drain. */
  readonly prefill?: PrefillSpec;
  readonly source: number;
  readonly metrics: ShareMetrics;
  readonly loss: LossRule;
  readonly conns: ShareConnections;
  readonly log: Logger;
}

/**
 * Opens `consumers`, each pushed onto `into` as soon as it runs (so a failure part way leaves the share able
 * to close what opened).
 */
export async function openConsumers(
  consumers: readonly ExpandedConsumer[],
  ctx: ConsumersContext,
  into: ConsumerRun[],
): Promise<void> {
  const m = ctx.metrics;
  /** Says once when consumers cannot write their acks as frames (ack-writer.ts). */
  const ackFallback = new FallbackNotice(
    ctx.log,
    "consume fast path unavailable on this nats.js client: consuming through consume() and m.ack()",
  );
  /** Each stream's queue group (core NATS): its members count as one consumer for the loss rule. */
  const groups = new Map<string, QueueGroupRun>();
  for (const { stream, n, items } of connectionGroups(consumers)) {
    const nc = await ctx.conns.open(`${ctx.clientIdPrefix}-sub-${stream}-${n}`, (subject, op) => {
      m.publishError("consume");
      ctx.log.warn("permission violation", { connection: stream, subject, op });
    });
    const js = ctx.useJetStream ? jetstream(nc) : undefined;
    const acks = js && !ctx.publicPath ? ackWriter(nc) : undefined;
    if (js) ackFallback.note(acks !== undefined, ctx.publicPath === true);
    for (const c of items) {
      const state = new ConsumerState(stream, m, {
        source: ctx.source,
        ack: c.ackPolicy !== "none" && c.type !== "ordered",
        delayMs: c.consumeDelayMs,
        failedOf: (key) => ctx.loss.failedOf(key),
        ...drainOf(c, ctx.prefill),
        doubleAck: c.kind?.doubleAck === true,
        acks,
      });
      if (!js && c.queueGroup !== undefined) {
        const g = groups.get(stream) ?? new QueueGroupRun(c, c.queueGroup, state, nc);
        if (!groups.has(stream)) {
          groups.set(stream, g);
          into.push(g);
        }
        g.join(nc, ctx.subjects[stream] ?? []);
        continue;
      }
      if (!js) {
        const subs = (ctx.subjects[stream] ?? []).map((subj) =>
          nc.subscribe(subj, { callback: (_e, msg) => state.onData(msg.data) }),
        );
        into.push({
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
        trouble: () => m.publishError("consume"),
      });
      into.push({ spec: c, state, nc, close: () => run.close(), ...(run.info ? { info: run.info } : {}) });
    }
  }
}

/**
 * The backlog a consumer times the drain of: the whole prefill of its stream, for an unfiltered deliver-all
 * consumer (loss scope "known"); others may never receive all of it.
 */
function drainOf(
  c: ExpandedConsumer,
  p: PrefillSpec | undefined,
): { drain?: { source: number; expect: number } } {
  const expect = p?.counts[c.stream] ?? 0;
  if (!p || expect <= 0 || c.kind?.lossScope !== "known") return {};
  return { drain: { source: p.source, expect } };
}

/**
 * Ends consumption before the final count, so what was received and what the server still holds are read
 * at one point: every consumer stops (no more deliveries, no more delayed acks), its connection is flushed
 * so the server has every ack, then JetStream consumer info says what remains for it: `num_pending` (never
 * delivered) and the ack-pending messages beyond those received and still waiting for their
 * `consume_delay_ms` ack (the server would deliver them again), set as each run's `held`. A consumer whose
 * info cannot be read has them unknown (its backlog then counts as lost).
 */
export async function settleConsumers(
  consumers: readonly ConsumerRun[],
  useJetStream: boolean,
  log: Logger,
): Promise<void> {
  // An ordered consumer is asked before it closes (closing ends its ephemeral consumer on the server); it
  // acks nothing, so stopping first changes nothing the answer describes but what still arrives meanwhile.
  const early = new Map<ConsumerRun, ConsumerRun["held"]>();
  for (const r of consumers) {
    r.state.stop();
    if (r.info && useJetStream) {
      const ci = await withTimeout(r.info(), END_INFO_TIMEOUT_MS).catch(() => undefined);
      early.set(r, ci && { pending: ci.num_pending, ackPending: 0 });
    }
    await r.close().catch(() => {});
  }
  const ncs = [...new Set(consumers.map((r) => r.nc))];
  await Promise.all(ncs.map((nc) => nc.flush().catch(() => {})));
  if (!useJetStream) return;
  const jsms = new Map(ncs.map((nc) => [nc, jetstreamManager(nc, { checkAPI: false })] as const));
  await Promise.all(
    consumers.map(async (r) => {
      if (early.has(r)) {
        const held = early.get(r);
        if (held) r.held = held;
        else
          log.warn("ordered consumer info failed: its backlog cannot be told from loss", {
            stream: r.spec.stream,
          });
        return;
      }
      try {
        const jsm = await jsms.get(r.nc)!;
        const ci = await withTimeout(
          jsm.consumers.info(r.spec.stream, r.spec.durableName),
          END_INFO_TIMEOUT_MS,
        );
        r.held = {
          pending: ci.num_pending,
          ackPending: Math.max(0, ci.num_ack_pending - r.state.delayed),
        };
      } catch (err) {
        log.warn("consumer info failed: its backlog cannot be told from loss", {
          stream: r.spec.stream,
          consumer: r.spec.durableName,
          error: (err as Error).message,
        });
      }
    }),
  );
}
