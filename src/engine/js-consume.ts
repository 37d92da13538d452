// Starting one JetStream consumer of a share: a pull consumer runs the engine's own pull loop (pull-loop.ts)
// with its acks written as frames (ack-writer.ts) when the client has the internals for it; otherwise, and
// for push consumers, nats.js' consume() feeds the ConsumerState (acks through the AckWriter when there is
// one, else `m.ack()`), kept alive by ConsumeLoop.
import type {
  ConsumerInfo,
  ConsumerMessages,
  DeliverPolicy,
  JetStreamClient,
  JsMsg,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ExpandedConsumer } from "../config/index.ts";
import type { AckWriter } from "./ack-writer.ts";
import type { ConsumerState } from "./consumer.ts";
import { FetchLoop } from "./js-fetch.ts";
import { PULL_EXPIRES_MS, PULL_HEARTBEAT_MS, PULL_MAX_MESSAGES, PullLoop } from "./pull-loop.ts";

/** A running consumer: `close` stops it and hands its last acks to the client (flush after it). */
export interface ConsumeRun {
  /** True when it runs the engine's pull loop, false when nats.js' consume() or fetch(). */
  readonly fast: boolean;
  close(): Promise<void>;
  /** An ordered consumer's info (it has no durable to ask by name; gone once closed). */
  info?: () => Promise<ConsumerInfo>;
}

/** Consumer status events counted in `errors.consume` (nats.js' names, and the pull loop's). */
const CONSUME_TROUBLE = new Set([
  "heartbeats_missed",
  "consumer_not_found",
  "stream_not_found",
  "consumer_deleted",
  "restart_failed",
  "pull_refused",
  "no_responders",
  "subscription_lost",
  "fetch_failed",
]);

/** Messages asked for ahead: up to PULL_MAX_MESSAGES, and for explicit acks no more than max_ack_pending. */
export function pullBatch(c: ExpandedConsumer): number {
  return Math.max(
    1,
    Math.min(PULL_MAX_MESSAGES, c.ackPolicy === "none" ? PULL_MAX_MESSAGES : c.maxAckPending),
  );
}

export async function startJsConsumer(
  nc: NatsConnection,
  js: JetStreamClient,
  c: ExpandedConsumer,
  state: ConsumerState,
  o: {
    /** The connection's ack frames; without them (or forced public), nats.js' consume() and `m.ack()`. */
    acks: AckWriter | undefined;
    /** Every consumer status of CONSUME_TROUBLE (counted in errors.consume). */
    trouble: () => void;
  },
): Promise<ConsumeRun> {
  const onStatus = (type: string) => {
    if (CONSUME_TROUBLE.has(type)) o.trouble();
  };
  // A double ack needs nats.js' message (ackAck), so those consumers take consume(); fetch mode its own loop.
  if (c.type === "pull" && o.acks && !c.kind?.doubleAck && c.kind?.pullMode !== "fetch") {
    // The durable must exist: the same lookup consume() makes, so a missing consumer fails the step alike.
    await js.consumers.get(c.stream, c.durableName);
    const acks = o.acks;
    const loop = new PullLoop(nc, {
      stream: c.stream,
      consumer: c.durableName,
      maxMessages: pullBatch(c),
      onMessage: (data, reply) => state.onRaw(data, reply),
      onStatus,
    });
    return {
      fast: true,
      close: async () => {
        loop.close();
        acks.commit();
      },
    };
  }
  const callback = (m: JsMsg) => state.onJs(m);
  if (c.type === "ordered" || c.kind?.pullMode === "fetch") return startPulled(js, c, callback, o, onStatus);
  // Pull: short expiries and 1 s idle heartbeats, so a pull request lost with a consumer leader (failover)
  // is noticed after two missed heartbeats and re-issued, not after nats.js' default 2 x 15 s.
  const start = async () =>
    c.type === "push"
      ? await (await js.consumers.getPushConsumer(c.stream, c.durableName)).consume({ callback })
      : await (await js.consumers.get(c.stream, c.durableName)).consume({
          max_messages: pullBatch(c),
          expires: PULL_EXPIRES_MS,
          idle_heartbeat: PULL_HEARTBEAT_MS,
          callback,
        });
  const run = new ConsumeLoop(await start(), start, onStatus);
  return {
    fast: false,
    close: async () => {
      await run.close();
      o.acks?.commit();
    },
  };
}

/**
 * An ordered consumer (nats.js' ephemeral consumer, made here with the consumer's deliver policy, start and
 * filters; it re-creates itself on a gap, so messages still arrive once and in order) or a durable pull consumer
 * in fetch mode (js-fetch.ts). An ordered consume() that ends is resumed on the same object, which keeps its
 * position in the stream.
 */
async function startPulled(
  js: JetStreamClient,
  c: ExpandedConsumer,
  callback: (m: JsMsg) => void,
  o: { acks: AckWriter | undefined },
  onStatus: (type: string) => void,
): Promise<ConsumeRun> {
  const k = c.kind;
  const consumer =
    c.type === "ordered"
      ? await js.consumers.get(c.stream, {
          ...(k?.deliverPolicy === undefined ? {} : { deliver_policy: k.deliverPolicy as DeliverPolicy }),
          ...(k?.optStartSeq === undefined ? {} : { opt_start_seq: k.optStartSeq }),
          ...(k?.optStartTime === undefined ? {} : { opt_start_time: k.optStartTime }),
          ...(k?.filterSubjects === undefined ? {} : { filter_subjects: [...k.filterSubjects] }),
        })
      : await js.consumers.get(c.stream, c.durableName);
  const info = c.type === "ordered" ? () => consumer.info(false) : undefined;
  if (k?.pullMode === "fetch") {
    const loop = new FetchLoop(consumer, k, callback, onStatus);
    return {
      fast: false,
      ...(info ? { info } : {}),
      close: async () => {
        await loop.close();
        o.acks?.commit();
      },
    };
  }
  const start = () =>
    consumer.consume({
      max_messages: pullBatch(c),
      expires: PULL_EXPIRES_MS,
      idle_heartbeat: PULL_HEARTBEAT_MS,
      callback,
    });
  const run = new ConsumeLoop(await start(), start, onStatus);
  return {
    fast: false,
    ...(info ? { info } : {}),
    close: async () => {
      await run.close();
      o.acks?.commit();
    },
  };
}

/**
 * One consumer's `consume()`, kept alive: nats.js resumes a consume by itself after missed heartbeats or a
 * reconnect, but a consume that ends anyway (it stopped on an error) is started again after a short pause
 * until the share closes, so a consumer never silently stops during a failover.
 */
class ConsumeLoop {
  #messages: ConsumerMessages;
  #closing = false;
  readonly #start: () => Promise<ConsumerMessages>;
  readonly #onStatus: (type: string) => void;

  constructor(
    messages: ConsumerMessages,
    start: () => Promise<ConsumerMessages>,
    onStatus: (type: string) => void,
  ) {
    this.#messages = messages;
    this.#start = start;
    this.#onStatus = onStatus;
    this.#watch(messages);
  }

  #watch(messages: ConsumerMessages): void {
    (async () => {
      for await (const s of messages.status()) this.#onStatus(s.type);
    })().catch(() => {});
    messages.closed().then(
      () => this.#restart(),
      () => this.#restart(),
    );
  }

  async #restart(): Promise<void> {
    while (!this.#closing) {
      await new Promise((r) => setTimeout(r, RESTART_PAUSE_MS));
      if (this.#closing) return;
      try {
        const m = await this.#start();
        if (this.#closing) {
          await m.close().catch(() => {});
          return;
        }
        this.#messages = m;
        this.#onStatus("restarted");
        this.#watch(m);
        return;
      } catch {
        this.#onStatus("restart_failed");
      }
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#messages.close().catch(() => {});
  }
}

/** A consume() that ended is started again after this pause (long enough not to spin on a dead server). */
const RESTART_PAUSE_MS = 500;
