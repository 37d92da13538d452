// The consume fast path (pull-loop.ts, ack-writer.ts) on a real server: its ack frames are byte for byte what
// nats.js writes for m.ack(), every message is acked exactly once (the server's own counts, from /jsz), and
// the fallback (nats.js' consume() and m.ack()) is exact too.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AckPolicy,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import { connect, type Msg, type NatsConnection, type NatsConnectionImpl } from "@nats-io/transport-node";
import type { ExpandedConsumer } from "../../src/config/index.ts";
import { ackWriter, replyBytes } from "../../src/engine/ack-writer.ts";
import { ConsumerState } from "../../src/engine/consumer.ts";
import type { EngineOptions, StepTuning } from "../../src/engine/index.ts";
import { startJsConsumer } from "../../src/engine/js-consume.ts";
import { ShareMetrics } from "../../src/engine/metrics.ts";
import { PayloadFactory } from "../../src/engine/payload.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { recorder, run, smallSpec } from "./engine-helpers.ts";

/** What /jsz?consumers=true says of one consumer (the fields checked here). */
interface JszConsumer {
  name: string;
  delivered: { consumer_seq: number; stream_seq: number };
  ack_floor: { consumer_seq: number; stream_seq: number };
  num_ack_pending: number;
  num_redelivered: number;
  num_pending: number;
}

async function jszConsumer(srv: NatsNode, stream: string, consumer: string): Promise<JszConsumer> {
  const jsz = await srv.monitor<{
    account_details?: { stream_detail?: { name: string; consumer_detail?: JszConsumer[] }[] }[];
  }>("/jsz?consumers=true");
  for (const a of jsz.account_details ?? [])
    for (const s of a.stream_detail ?? [])
      if (s.name === stream) {
        const c = s.consumer_detail?.find((x) => x.name === consumer);
        if (c) return c;
      }
  throw new Error(`/jsz has no consumer ${stream}/${consumer}`);
}

/** The server acked every one of `n` deliveries once: nothing pending, nothing redelivered, nothing left. */
function assertAckedOnce(c: JszConsumer, n: number, what: string): void {
  assert.equal(c.delivered.consumer_seq, n, `${what}: delivered == published`);
  assert.equal(c.ack_floor.consumer_seq, n, `${what}: the ack floor reached the last delivery`);
  assert.equal(c.num_ack_pending, 0, `${what}: num_ack_pending`);
  assert.equal(c.num_redelivered, 0, `${what}: num_redelivered`);
  assert.equal(c.num_pending, 0, `${what}: num_pending`);
}

/** A memory stream `name` on `<name>.x` holding `n` engine payloads (publisher 0 of source 1, seq 0..n-1). */
async function filledStream(nc: NatsConnection, name: string, n: number, size = 256): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${name}.x`], storage: StorageType.Memory });
  const js = jetstream(nc);
  const pf = new PayloadFactory(size);
  for (let i = 0; i < n; i += 500) {
    const batch: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(n, i + 500); k++)
      batch.push(js.publish(`${name}.x`, pf.make(1, 0, k, Date.now(), true)));
    await Promise.all(batch);
  }
}

async function durable(
  nc: NatsConnection,
  stream: string,
  name: string,
  maxAckPending = 1000,
  ackWaitMs = 30_000,
): Promise<void> {
  await (await jetstreamManager(nc)).consumers.add(stream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: maxAckPending,
    ack_wait: ackWaitMs * 1_000_000,
  });
}

/** Longer than two heartbeat intervals (PULL_HEARTBEAT_MS 1 s) and the watchdog's tick after them. */
const FROZEN_MS = 3500;

const pullSpec = (stream: string, durableName: string, maxAckPending = 1000): ExpandedConsumer =>
  ({
    stream,
    durableName,
    type: "pull",
    ackPolicy: "explicit",
    maxAckPending,
    ackWaitMs: 30_000,
    consumeDelayMs: 0,
  }) as unknown as ExpandedConsumer;

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The same connection with the client's internals hidden, as a client whose internals changed would be. */
function withoutInternals(nc: NatsConnection): NatsConnection {
  return new Proxy(nc, {
    get(target, key) {
      if (key === "protocol") return undefined;
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Records every buffer the connection writes to its socket while `fn` runs and the connection flushes. */
async function wireBytes(nc: NatsConnection, fn: () => void): Promise<string> {
  const t = (nc as NatsConnectionImpl).protocol.transport;
  const send = t.send;
  const got: Uint8Array[] = [];
  t.send = (frame: Uint8Array) => {
    got.push(frame.slice());
    return send.call(t, frame);
  };
  try {
    fn();
    await new Promise((r) => setImmediate(r));
    await nc.flush();
  } finally {
    t.send = send;
  }
  // The flush's PING rides at the end of the last write (or alone in one): not part of the acks.
  return Buffer.concat(got)
    .toString("latin1")
    .replace(/PING\r\n$/, "");
}

test("engine - ack frames are byte for byte what nats.js writes for m.ack(), and count in the client's outMsgs", async () => {
  await using srv = await startServer();
  const nc = await connect({ servers: srv.url });
  try {
    await filledStream(nc, "FRAMES", 40, 64);
    await durable(nc, "FRAMES", "f");
    const c = await jetstream(nc).consumers.get("FRAMES", "f");
    const msgs: JsMsg[] = [];
    for await (const m of await c.fetch({ max_messages: 40, expires: 5000 })) msgs.push(m);
    assert.equal(msgs.length, 40);
    const w = ackWriter(nc);
    assert.ok(w, "the pinned client has the internals the ack writer needs");
    const out0 = nc.stats().outMsgs;
    const viaNatsJs = await wireBytes(nc, () => {
      for (const m of msgs) m.ack();
    });
    const out1 = nc.stats().outMsgs;
    const viaFrames = await wireBytes(nc, () => {
      for (const m of msgs) w.ack(replyBytes((m as unknown as { msg: Msg }).msg)!);
    });
    const out2 = nc.stats().outMsgs;
    assert.equal(
      viaNatsJs,
      msgs.map((m) => `PUB ${(m as unknown as { reply: string }).reply} 4\r\n+ACK\r\n`).join(""),
      "m.ack() writes PUB <reply> 4 +ACK",
    );
    assert.equal(viaFrames, viaNatsJs, "the frames are the same bytes");
    assert.equal(out2 - out1, out1 - out0, "both count one outMsg per ack");
    // The second round acked the same messages again: the server ignores it, and holds nothing pending.
    assertAckedOnce(await jszConsumer(srv, "FRAMES", "f"), 40, "after both rounds");
  } finally {
    await nc.close();
  }
});

for (const fast of [true, false]) {
  const path = fast
    ? "the engine's pull loop with ack frames"
    : "the fallback (nats.js consume() and m.ack())";
  test(`engine - ${path} acks each of 6,000 messages exactly once, as the server counts`, async () => {
    await using srv = await startServer();
    const nc = await connect({ servers: srv.url });
    const N = 6000;
    try {
      await filledStream(nc, "ONCE", N);
      await durable(nc, "ONCE", "once");
      const m = new ShareMetrics();
      // A client lacking the internals gets no writer: the share then consumes as the fallback does.
      const acks = fast ? ackWriter(nc) : ackWriter(withoutInternals(nc));
      assert.equal(acks !== undefined, fast);
      const state = new ConsumerState("ONCE", m, { ack: true, delayMs: 0, acks });
      const consumer = await startJsConsumer(nc, jetstream(nc), pullSpec("ONCE", "once"), state, {
        acks,
        trouble: () => m.publishError("consume"),
      });
      assert.equal(consumer.fast, fast);
      await until(() => m.counts.consumed >= N, `${N} messages`);
      // Nothing more arrives: consumption stays at N.
      await new Promise((r) => setTimeout(r, 300));
      state.stop();
      await consumer.close();
      await nc.flush();
      assert.equal(m.counts.consumed, N);
      assert.equal(m.counts.acks_sent, N);
      assert.equal(m.errors.consume, 0);
      const [t] = [...state.trackers.values()];
      assert.equal(t?.unique, N, "every sequence once");
      assert.equal(t?.duplicates, 0);
      assert.equal(t?.redelivered, 0);
      assertAckedOnce(await jszConsumer(srv, "ONCE", "once"), N, path);
      m.destroy();
    } finally {
      await nc.close();
    }
  });
}

test("engine - a frozen server: the pull loop notices two quiet heartbeats and asks afresh; every message still arrives and is acked once, and no request asks for more than its batch", async () => {
  await using srv = await startServer();
  const nc = await connect({ servers: srv.url });
  const watcher = await connect({ servers: srv.url });
  const N = 3000;
  const BATCH = 100;
  try {
    await filledStream(nc, "FROZEN", N);
    await durable(nc, "FROZEN", "r", BATCH);
    const batches: number[] = [];
    watcher.subscribe("$JS.API.CONSUMER.MSG.NEXT.FROZEN.r", {
      callback: (_e, msg) => {
        batches.push((msg.json() as { batch: number }).batch);
      },
    });
    await watcher.flush();
    const m = new ShareMetrics();
    const acks = ackWriter(nc);
    const state = new ConsumerState("FROZEN", m, { ack: true, delayMs: 0, acks });
    const consumer = await startJsConsumer(nc, jetstream(nc), pullSpec("FROZEN", "r", BATCH), state, {
      acks,
      trouble: () => m.publishError("consume"),
    });
    assert.ok(consumer.fast);
    const missed = () => m.errors.consume;
    await until(() => m.counts.consumed >= N / 5, "a fifth of the messages");
    // Frozen past two heartbeat intervals: the loop forgets its request and asks again. On waking the server
    // may still hold the old request and serve it beside the new one.
    srv.pause();
    await new Promise((r) => setTimeout(r, FROZEN_MS));
    srv.resume();
    const [t] = [...state.trackers.values()];
    await until(() => (t?.unique ?? 0) >= N, "every message after the reconnect");
    await until(() => m.counts.consumed === m.counts.acks_sent, "every delivery acked");
    await nc.flush();
    state.stop();
    await consumer.close();
    await nc.flush();
    assert.ok(missed() >= 1, "the quiet heartbeats were noticed (errors.consume)");
    assert.ok(batches.length > N / BATCH, `pull requests seen: ${batches.length}`);
    assert.ok(
      batches.every((b) => b >= 1 && b <= BATCH),
      `every request asks for 1..${BATCH}: ${batches.filter((b) => b > BATCH).join(",")}`,
    );
    assert.equal(t?.unique, N);
    assert.equal(t?.duplicates, 0);
    const c = await jszConsumer(srv, "FROZEN", "r");
    assert.equal(c.num_pending, 0);
    assert.equal(c.num_ack_pending, 0, "every delivery acked");
    assert.equal(c.num_redelivered, 0);
    m.destroy();
  } finally {
    await watcher.close();
    await nc.close();
  }
});

test("engine - a run's pull consumers take the fast path by default and the public path when asked, both acking exactly once (/jsz)", async () => {
  await using srv = await startServer();
  const rec = recorder();
  try {
    for (const publicPath of [false, true]) {
      const name = publicPath ? "cfpub" : "cffast";
      const tuning: StepTuning = { publicPath };
      // 2 streams x 1 publisher x 1,000 msg/s x 2 s.
      const { finals } = await run(
        [smallSpec(srv.url, name, { publishers: { ...publisherOf(name), publish_rate_per_second: 1000 } })],
        { log: rec.log, tuning } as Partial<EngineOptions>,
      );
      const f = finals[0]!;
      assert.equal(f.phase, "done", JSON.stringify(f.errors));
      assert.equal(f.acked, f.published);
      assert.equal(f.consumed, f.published, `${name}: consumed == published`);
      assert.equal(f.lost, 0);
      assert.equal(f.duplicates, 0);
      assert.equal(f.redelivered, 0);
      assert.equal(f.errors.consume ?? 0, 0, JSON.stringify(f.errors));
      let published = 0;
      for (const i of [1, 2]) {
        const stream = `${name.toUpperCase()}_${i}`;
        // Durables are named <durable_name_prefix>_<stream>_<consumer> (config expansion).
        const c = await jszConsumer(srv, stream, `${name}_${i}_1`);
        assert.equal(c.num_ack_pending, 0, `${stream}: num_ack_pending`);
        assert.equal(c.num_redelivered, 0, `${stream}: num_redelivered`);
        assert.equal(c.num_pending, 0, `${stream}: num_pending`);
        assert.equal(c.ack_floor.consumer_seq, c.delivered.consumer_seq, `${stream}: all acked`);
        published += c.delivered.stream_seq;
      }
      assert.equal(published, f.published, `${name}: delivered == published`);
    }
    assert.deepEqual(
      rec.lines.filter((l) => /fast path/.test(l.msg)),
      [],
      "the pinned client has both fast paths; the public path was asked for",
    );
    assert.deepEqual(rec.rejections, []);
  } finally {
    rec.done();
  }
});

function publisherOf(name: string): Record<string, unknown> {
  return (smallSpec("nats://x", name).publishers ?? {}) as Record<string, unknown>;
}
