// Bare nats.js v3 baselines, written the way a user would write a quick fast script, tuned as
// ../shared/NATSJS-NOTES.md describes: core publish flushing every 1,000; JetStream publish
// pipelined with a window of 256, topped up 64 at a time after acks, noAsyncTraces (run Node with
// --stack-trace-limit=0 too); pull consume() with max_messages 1000 and explicit ack.
// Each opens its own connections, times only the measured section and returns a Measurement.
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { measureCpu } from "./cpu.ts";
import { type Measurement, measurement } from "./model.ts";

export interface PublishLimits {
  /** Stop after this long (checked between batches). */
  readonly durationMs?: number;
  /** Stop after this many messages. */
  readonly msgs?: number;
}

function limitsOk(l: PublishLimits): void {
  if (!(l.durationMs && l.durationMs > 0) && !(l.msgs && l.msgs > 0))
    throw new Error("give durationMs or msgs");
}

async function open(url: string, name: string): Promise<NatsConnection> {
  return await connect({ servers: url, name, noAsyncTraces: true });
}

async function timed(fn: () => Promise<{ msgs: number; errors?: number }>): Promise<Measurement> {
  const { value, cpu } = await measureCpu(fn);
  return measurement(value.msgs, cpu.wallS, cpu.totalUs, value.errors);
}

/** Publishes 1,000 messages, flushes (one round trip), until the limits; the loop a user would write. */
async function publishLoop(nc: NatsConnection, subject: string, size: number, l: PublishLimits) {
  const payload = new Uint8Array(size);
  const end = l.durationMs ? performance.now() + l.durationMs : Number.POSITIVE_INFINITY;
  const max = l.msgs ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  while (sent < max && performance.now() < end) {
    const n = Math.min(1000, max - sent);
    for (let i = 0; i < n; i++) nc.publish(subject, payload);
    sent += n;
    await nc.flush();
  }
  return sent;
}

/** Core publish, one connection, flush every 1,000; rate = messages published and flushed per second. */
export async function bareCorePublish(
  url: string,
  o: PublishLimits & { subject: string; size: number },
): Promise<Measurement> {
  limitsOk(o);
  const nc = await open(url, "bare-pub");
  try {
    return await timed(async () => ({ msgs: await publishLoop(nc, o.subject, o.size, o) }));
  } finally {
    await nc.close();
  }
}

/**
 * Core publish → subscribe, two connections in this process; rate = messages received per second from
 * the first publish to the last receipt (waits for the rest, or 2 s without progress).
 */
export async function barePubSub(
  url: string,
  o: PublishLimits & { subject: string; size: number },
): Promise<Measurement> {
  limitsOk(o);
  const sc = await open(url, "bare-sub");
  const pc = await open(url, "bare-pub");
  try {
    let received = 0;
    sc.subscribe(o.subject, {
      callback: () => {
        received++;
      },
    });
    await sc.flush();
    return await timed(async () => {
      const sent = await publishLoop(pc, o.subject, o.size, o);
      let seen = received;
      let seenAt = performance.now();
      while (received < sent && performance.now() - seenAt < 2000) {
        await new Promise((r) => setTimeout(r, 1));
        if (received !== seen) {
          seen = received;
          seenAt = performance.now();
        }
      }
      return { msgs: received, errors: sent - received };
    });
  } finally {
    await pc.close();
    await sc.close();
  }
}

/** Deletes `stream` if present and creates it again as a memory stream on `subject`. */
export async function createMemoryStream(url: string, stream: string, subject: string): Promise<void> {
  const nc = await open(url, "bare-admin");
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => false);
    await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.Memory });
  } finally {
    await nc.close();
  }
}

/** Deletes a stream (absent is fine): a bench leaves the server as it found it for the next scenario. */
export async function deleteStream(url: string, stream: string): Promise<void> {
  const nc = await open(url, "bare-admin");
  try {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** Pipelined js.publish until the limits; resolves when every publish has its ack or error. */
function pipelined(
  nc: NatsConnection,
  o: PublishLimits & { subject: string; size: number; window: number; batch: number },
): Promise<{ msgs: number; errors: number }> {
  const js = jetstream(nc);
  const payload = new Uint8Array(o.size);
  const end = o.durationMs ? performance.now() + o.durationMs : Number.POSITIVE_INFINITY;
  const max = o.msgs ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve) => {
    let inflight = 0;
    let sent = 0;
    let acked = 0;
    let failed = 0;
    let stopping = false;
    const settle = () => {
      inflight--;
      if (!stopping && o.window - inflight >= o.batch) {
        if (performance.now() >= end) stopping = true;
        else top();
      }
      if (stopping && inflight === 0) resolve({ msgs: acked, errors: failed });
    };
    const ok = () => {
      acked++;
      settle();
    };
    const bad = () => {
      failed++;
      settle();
    };
    const top = () => {
      while (inflight < o.window && sent < max) {
        inflight++;
        sent++;
        js.publish(o.subject, payload).then(ok, bad);
      }
      if (sent >= max) stopping = true;
    };
    top();
  });
}

/**
 * JetStream publish, one connection, `window` (256) in flight, topped up `batch` (64) at a time as acks
 * return; rate = acked messages per second. The stream must exist (see createMemoryStream).
 */
export async function bareJsPublish(
  url: string,
  o: PublishLimits & { subject: string; size: number; window?: number; batch?: number },
): Promise<Measurement> {
  limitsOk(o);
  const nc = await open(url, "bare-jspub");
  try {
    return await timed(() => pipelined(nc, { window: 256, batch: 64, ...o }));
  } finally {
    await nc.close();
  }
}

/** Fills a stream with `msgs` messages of `size` bytes (untimed helper for consume scenarios). */
export async function fillStream(url: string, subject: string, size: number, msgs: number): Promise<void> {
  const nc = await open(url, "bare-fill");
  try {
    const r = await pipelined(nc, { subject, size, msgs, window: 256, batch: 64 });
    if (r.errors > 0) throw new Error(`fill: ${r.errors} of ${msgs} publishes failed`);
  } finally {
    await nc.close();
  }
}

/**
 * Pull consume with explicit ack of `msgs` messages through a fresh durable `consumer` (deliver all),
 * consume() with max_messages (1000) and a callback calling m.ack(); the clock stops after the last
 * message and a flush of the trailing acks (or after 5 s without a message).
 */
export async function bareJsConsume(
  url: string,
  o: {
    stream: string;
    consumer: string;
    msgs: number;
    maxMessages?: number;
    /** Called right before and after the timed section (a profiler's start and stop). */
    around?: { before(): Promise<void>; after(): Promise<void> };
  },
): Promise<Measurement> {
  const nc = await open(url, "bare-consume");
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(o.stream, o.consumer).catch(() => false);
    await jsm.consumers.add(o.stream, {
      durable_name: o.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const c = await jetstream(nc).consumers.get(o.stream, o.consumer);
    let iter: ConsumerMessages | undefined;
    await o.around?.before();
    const result = await timed(async () => {
      let got = 0;
      let lastAt = performance.now();
      let finish = () => {};
      const finished = new Promise<void>((r) => {
        finish = r;
      });
      iter = await c.consume({
        max_messages: o.maxMessages ?? 1000,
        callback: (m) => {
          m.ack();
          lastAt = performance.now();
          if (++got >= o.msgs) finish();
        },
      });
      const idle = setInterval(() => {
        if (performance.now() - lastAt > 5000) finish();
      }, 250);
      await finished;
      clearInterval(idle);
      await nc.flush();
      return { msgs: got };
    });
    await o.around?.after();
    await iter?.close();
    return result;
  } finally {
    await nc.close();
  }
}
