// A share's publishers made ready: a connection and a lane for each group of a stream's publishers (JetStream
// or core, fast path or `nc.publish`), a phase per connection, and one payload factory per message size. They
// start sending when the share starts (Share.start makes their Publisher and schedule).
import type { ExpandedPublisher } from "../config/index.ts";
import type { Logger } from "./api.ts";
import { CoreLane } from "./core-lane.ts";
import { JsLane } from "./js-lane.ts";
import type { Lane } from "./lanes.ts";
import type { FailLedger } from "./ledger.ts";
import { isShaped, type KeyTables, MessageShape } from "./message-shape.ts";
import type { ShareMetrics } from "./metrics.ts";
import { PayloadFactory } from "./payload.ts";
import { PayloadFills } from "./payload-fill.ts";
import { connectionGroups, type ShareConnections } from "./share-connections.ts";
import { FallbackNotice } from "./wire.ts";

/**
 * How far each next connection's phase moves in the schedule's period: the golden ratio's fractional part,
 * so any number of connections is spread about evenly over the period, without knowing the number first.
 */
const PHASE_STEP = 0.6180339887498949;

/** One publisher ready to start: its index in the spec, its lane, its payloads and its schedule's phase. */
export interface ReadyPublisher {
  readonly i: number;
  readonly lane: Lane;
  readonly payloads: PayloadFactory;
  readonly phase: number;
}

/** What opening a share's publishers needs of the share (the JetStream knobs are ShareSpec's). */
export interface PublishersContext {
  readonly clientIdPrefix: string;
  readonly useJetStream: boolean;
  readonly window?: number;
  readonly ackTimeoutMs?: number;
  readonly publishAttemptTimeoutMs?: number;
  readonly publishRetryWaitMs?: number;
  readonly publicPath?: boolean;
  readonly metrics: ShareMetrics;
  readonly ledger: FailLedger;
  readonly conns: ShareConnections;
  readonly log: Logger;
}

/**
 * Opens the connections and lanes of `publishers` (the share's, by index): each lane pushed onto `lanes` as
 * soon as it exists (so a failure part way leaves the share able to close what opened), each publisher onto
 * `ready`.
 */
export async function openPublishers(
  publishers: readonly ExpandedPublisher[],
  ctx: PublishersContext,
  lanes: Lane[],
  ready: ReadyPublisher[],
): Promise<void> {
  const m = ctx.metrics;
  /** Says once when the lanes cannot use the fast path (wire.ts). */
  const fallback = new FallbackNotice(ctx.log);
  // The publishers of one connection share their phase, so messages due together leave in one socket write
  // (the scale profile: 1,000 publishers with phases spread over 100 connections cost ~10,000 writes/s,
  // each a syscall, the largest block of event-loop time). Connections are spread over the period.
  let conn = 0;
  const indexOf = new Map(publishers.map((p, i) => [p, i] as const));
  /** One shape per stream (its connections share it), one zipf table per key space. */
  const shapes = new Map<string, MessageShape>();
  const tables: KeyTables = new Map();
  const fills = new PayloadFills();
  for (const { stream, n, items } of connectionGroups(publishers)) {
    let lane: Lane | undefined;
    /** Every JetStream lane of this connection (one, or one per publisher in js_publish sync and batch). */
    const jsLanes: JsLane[] = [];
    // A stream's publishers come from one spec's `publishers` block: the first one's message fields are theirs.
    const first = items[0]!;
    let shape = shapes.get(stream);
    if (shape === undefined && isShaped(first)) {
      shape = new MessageShape(first, tables);
      shapes.set(stream, shape);
    }
    const fill = fills.of(first.payload);
    const messages = { ...(fill ? { fill } : {}), ...(shape ? { shape } : {}) };
    const nc = await ctx.conns.open(`${ctx.clientIdPrefix}-pub-${stream}-${n}`, (subject, op) => {
      if (op === "publish") {
        if (jsLanes.length > 0) for (const l of jsLanes) l.deny();
        else m.publishError("permission");
      }
      ctx.log.warn("permission violation", { connection: stream, subject, op });
    });
    // js_publish "sync" and "batch" wait per publisher: each gets its own lane (window 1, or batch_size that
    // reopens only when empty) on the connection; "async" publishers share the connection's window.
    const jsLane = (window: number | undefined, lowWater?: number) => {
      const l = new JsLane(nc, m, ctx.ledger, {
        window,
        ...(lowWater === undefined ? {} : { lowWater }),
        ...(first.dedupe ? { dedupe: true } : {}),
        ackTimeoutMs: ctx.ackTimeoutMs,
        attemptTimeoutMs: ctx.publishAttemptTimeoutMs,
        retryWaitMs: ctx.publishRetryWaitMs,
        publicPath: ctx.publicPath,
        ...messages,
      });
      jsLanes.push(l);
      lanes.push(l);
      return l;
    };
    const waitsPerPublisher = ctx.useJetStream && first.jsPublish !== undefined;
    if (!ctx.useJetStream) {
      lane = new CoreLane(nc, m, ctx.ledger, { publicPath: ctx.publicPath, ...messages });
      lanes.push(lane);
    } else if (!waitsPerPublisher) lane = jsLane(ctx.window);
    fallback.note((lane ?? jsLanes[0])?.fast ?? true, ctx.publicPath === true);
    const phase = (conn++ * PHASE_STEP) % 1;
    const payloads = new Map<number, PayloadFactory>();
    for (const p of items) {
      let pf = payloads.get(p.messageSize);
      if (!pf) {
        pf = new PayloadFactory(p.messageSize, undefined, fill);
        payloads.set(p.messageSize, pf);
      }
      const own = waitsPerPublisher
        ? p.jsPublish === "sync"
          ? jsLane(1)
          : jsLane(p.batchSize, p.batchSize)
        : undefined;
      ready.push({ i: indexOf.get(p)!, lane: (own ?? lane)!, payloads: pf, phase });
    }
  }
}
