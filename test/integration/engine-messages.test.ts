// Realistic messages (issue 14, section A): random and text payloads, per-message sizes, NATS headers and
// subjects over a key space, on JetStream and core NATS, through the fast path and the public path. Every
// count is the server's: stream messages, bytes and per-subject counts from JetStream, in_msgs and in_bytes
// from /varz for core NATS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { CoreLane } from "../../src/engine/core-lane.ts";
import type { EngineOptions, StepTuning } from "../../src/engine/index.ts";
import { FailLedger } from "../../src/engine/ledger.ts";
import { MessageShape } from "../../src/engine/message-shape.ts";
import { ShareMetrics } from "../../src/engine/metrics.ts";
import { newHeader, PayloadFactory, readHeader } from "../../src/engine/payload.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { assertEveryMessage, errorOf, recorder, run } from "./engine-helpers.ts";

const RATE = 200;
const SECONDS = 2;
const PUBLISHERS = 2;
const KEYS = 16;
const MIN = 100;
const MAX = 2000;
/** nats.js' encoding of 3 headers `lt-h<i>: <20 characters>`: NATS/1.0 CRLF, 3 x (k: v CRLF), CRLF. */
const HEADERS = { count: 3, value_bytes: 20 };
const HDR_BYTES = 10 + 3 * ("lt-h0: ".length + 20 + 2) + 2;

function messagesSpec(
  url: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const prefix = name.toUpperCase();
  return {
    name,
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: `lt-${name}`,
    streams: [{ name_prefix: prefix, count: 1, replicas: 1, subjects: [`${name}.{}.>`], storage: "memory" }],
    publishers: {
      count_per_stream: PUBLISHERS,
      stream_name_prefix: prefix,
      publish_rate_per_second: RATE,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: true,
      payload: "random",
      message_size_range: { min_bytes: MIN, max_bytes: MAX },
      headers: HEADERS,
      subject: `${name}.{}.{key}`,
      keys: { count: KEYS },
    },
    consumers: {
      stream_name_prefix: prefix,
      type: "pull",
      count_per_stream: 1,
      durable_name_prefix: name,
      ack_wait_seconds: 5,
      max_ack_pending: 1000,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: SECONDS, ramp_up_seconds: 0 },
    ...extra,
  };
}

/** Counts exact and equal: every slot sent or unsent, nothing failed, lost or duplicated. */
function assertExact(f: Snapshot): void {
  assert.equal(f.published + (f.unsent ?? 0), PUBLISHERS * RATE * SECONDS, `${f.spec}: the schedule`);
  assert.equal(f.publish_errors, 0, `${f.spec}: ${JSON.stringify(f.errors)}`);
  assert.equal(f.consumed, f.published, `${f.spec}: consumed == published`);
  assert.equal(f.lost, 0, f.spec);
  assert.equal(f.duplicates, 0, f.spec);
  assert.equal(
    f.out_of_order,
    0,
    `${f.spec}: one publisher's messages over 16 subjects still arrive in order`,
  );
  // Sizes drawn uniformly from [MIN, MAX]: every one in range, the mean near the middle (n >= 700: the
  // mean's standard deviation is ~21 bytes, the bound ~5 of them).
  const mean = f.bytes_out / f.published;
  assert.ok(mean >= MIN && mean <= MAX, `${f.spec}: mean size ${mean}`);
  assert.ok(Math.abs(mean - (MIN + MAX) / 2) < 100, `${f.spec}: mean size ${mean} near ${(MIN + MAX) / 2}`);
  assert.equal(f.bytes_in, f.bytes_out, `${f.spec}: the consumer read every payload byte published`);
}

/** Stream messages, bytes and per-subject counts from the server. */
async function streamState(url: string, stream: string) {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream, { subjects_filter: ">" });
    const first = await jsm.streams.getMessage(stream, { seq: info.state.first_seq });
    if (first === null) throw new Error(`${stream} has no message ${info.state.first_seq}`);
    return { state: info.state, subjects: info.state.subjects ?? {}, first };
  } finally {
    await nc.close();
  }
}

test("engine - random payloads of drawn sizes with headers over 16 subjects: JetStream counts equal the stream's, fast and public path", async () => {
  await using srv = await startServer();
  const rec = recorder();
  try {
    for (const publicPath of [false, true]) {
      const name = publicPath ? "msgpub" : "msgfast";
      const tuning: StepTuning = { publicPath };
      const { finals } = await run([messagesSpec(srv.url, name)], {
        log: rec.log,
        tuning,
      } as Partial<EngineOptions>);
      const f = finals[0]!;
      assertEveryMessage(f);
      assertExact(f);
      const stream = `${name.toUpperCase()}_1`;
      const { state, subjects, first } = await streamState(srv.url, stream);
      assert.equal(state.messages, f.acked, `${name}: the stream holds every acknowledged message`);
      const counts = Object.entries(subjects);
      assert.equal(
        counts.length,
        KEYS,
        `${name}: every key's subject got messages: ${JSON.stringify(subjects)}`,
      );
      for (const [subject] of counts) assert.match(subject, new RegExp(`^${name}\\.1\\.(\\d|1[0-5])$`));
      assert.equal(
        counts.reduce((n, [, c]) => n + c, 0),
        f.published,
        `${name}: per-subject counts sum to published`,
      );
      // A memory stream stores subject + headers + payload + 16 bytes per message.
      const expected = counts.reduce((n, [s, c]) => n + c * (s.length + HDR_BYTES + 16), 0) + f.bytes_out;
      assert.equal(state.bytes, expected, `${name}: stream bytes == subjects + headers + bytes_out`);
      // The stored message: our tracking header, then random bytes; the headers nats.js would write.
      assert.equal(first.data[0], 0xa7, "the tracking header leads the payload");
      const rest = first.data.subarray(28);
      const zeros = rest.filter((b) => b === 0).length;
      assert.ok(
        zeros < rest.length / 16,
        `${name}: random bytes after the header (${zeros} of ${rest.length} zero)`,
      );
      assert.equal(first.header?.get("lt-h0").length, HEADERS.value_bytes, `${name}: header lt-h0`);
      assert.equal(first.header?.get("lt-h2").length, HEADERS.value_bytes, `${name}: header lt-h2`);
    }
    assert.deepEqual(rec.rejections, []);
  } finally {
    rec.done();
  }
});

test("engine - core NATS with random payloads, headers and 16 subjects: counts equal /varz in_msgs and in_bytes, fast and public path", async () => {
  await using srv = await startServer({ jetstream: false });
  const rec = recorder();
  const watcher = await connect({ servers: srv.url });
  try {
    for (const publicPath of [false, true]) {
      const name = publicPath ? "corepub" : "corefast";
      const perSubject = new Map<string, number>();
      const sub = watcher.subscribe(`${name}.>`, {
        callback: (_e, m) => {
          perSubject.set(m.subject, (perSubject.get(m.subject) ?? 0) + 1);
        },
      });
      await watcher.flush();
      const before = await srv.monitor<{ in_msgs: number; in_bytes: number }>("/varz");
      const tuning: StepTuning = { publicPath };
      const { finals } = await run([messagesSpec(srv.url, name, { use_jetstream: false })], {
        log: rec.log,
        tuning,
      } as Partial<EngineOptions>);
      await watcher.flush();
      const after = await srv.monitor<{ in_msgs: number; in_bytes: number }>("/varz");
      sub.unsubscribe();
      const f = finals[0]!;
      assert.equal(f.phase, "done");
      assertExact(f);
      assert.equal(after.in_msgs - before.in_msgs, f.published, `${name}: /varz in_msgs == published`);
      assert.equal(
        after.in_bytes - before.in_bytes,
        f.bytes_out + f.published * HDR_BYTES,
        `${name}: /varz in_bytes == bytes_out + headers`,
      );
      assert.equal(perSubject.size, KEYS, `${name}: ${JSON.stringify([...perSubject])}`);
      assert.equal(
        [...perSubject.values()].reduce((a, b) => a + b, 0),
        f.published,
        `${name}: a subscriber on every subject saw every message`,
      );
    }
    assert.deepEqual(rec.rejections, []);
  } finally {
    await watcher.close();
    rec.done();
  }
});

test("engine - zipf keys skew the subjects: the hottest key takes several times uniform's share, text payloads of weighted sizes", async () => {
  await using srv = await startServer();
  const spec = messagesSpec(srv.url, "zipf");
  const pub = spec.publishers as Record<string, unknown>;
  pub.keys = { count: KEYS, distribution: "zipf", zipf_exponent: 1 };
  pub.payload = "text";
  delete pub.message_size_range;
  delete pub.headers;
  pub.message_sizes = [
    { bytes: 64, weight: 3 },
    { bytes: 1024, weight: 1 },
  ];
  const { finals } = await run([spec]);
  const f = finals[0]!;
  assertEveryMessage(f);
  const { subjects, first } = await streamState(srv.url, "ZIPF_1");
  const count = (k: number) => subjects[`zipf.1.${k}`] ?? 0;
  const n = f.published;
  // Zipf s=1 over 16 keys: key 0 has 1/H(16) = 29.6% of the messages (uniform: 6.25%), key 15 1.8%. With n ~800
  // the hottest key's count has a standard deviation of ~13: bounds well outside it.
  assert.ok(count(0) > (n / KEYS) * 3, `key 0: ${count(0)} of ${n}`);
  assert.ok(count(0) < n * 0.4, `key 0: ${count(0)} of ${n}`);
  for (let k = 1; k < KEYS; k++)
    assert.ok(count(k) < count(0), `key ${k}: ${count(k)} < key 0's ${count(0)}`);
  assert.ok(count(15) < n / KEYS, `key 15: ${count(15)} below uniform's ${n / KEYS}`);
  assert.equal(
    Object.values(subjects).reduce((a, b) => a + b, 0),
    n,
    "per-subject counts sum to published",
  );
  // Weighted sizes: 3/4 of 64 bytes, 1/4 of 1024; the mean is 304 (its standard deviation ~14 at n ~800).
  const mean = f.bytes_out / n;
  assert.ok(Math.abs(mean - 304) < 70, `mean size ${mean}`);
  assert.ok(first.data.length === 64 || first.data.length === 1024, `size ${first.data.length}`);
  const text = first.data.subarray(28);
  assert.ok(
    text.every((b) => b === 10 || (b >= 32 && b < 127)),
    "text payloads are printable ASCII after the tracking header",
  );
});

test("engine - shaped messages over 2 worker threads: each stream's subjects, sizes and headers, counts equal the streams'", async () => {
  await using srv = await startServer();
  const spec = messagesSpec(srv.url, "msgwk");
  (spec.streams as Record<string, unknown>[])[0]!.count = 2;
  const { finals } = await run([spec], { workers: 2 });
  const f = finals[0]!;
  assertEveryMessage(f);
  assert.equal(f.workers?.length, 2, "two workers reported");
  let published = 0;
  for (const i of [1, 2]) {
    const { state, subjects } = await streamState(srv.url, `MSGWK_${i}`);
    const counts = Object.entries(subjects);
    assert.equal(counts.length, KEYS, `stream ${i}: ${JSON.stringify(subjects)}`);
    for (const [subject] of counts) assert.ok(subject.startsWith(`msgwk.${i}.`), subject);
    assert.equal(
      counts.reduce((n, [, c]) => n + c, 0),
      state.messages,
    );
    published += state.messages;
  }
  assert.equal(published, f.published, "the streams hold every message the workers published");
  assert.equal(f.lost, 0);
  assert.equal(f.duplicates, 0);
});

test("engine - headers count against the server's max_payload: a largest message over it ends the step in phase error naming both", async () => {
  await using srv = await startServer({ extraConfig: "max_payload: 2048" });
  // The largest payload (2000) fits alone; with the 3 headers (99 bytes) it does not.
  const { finals } = await run([messagesSpec(srv.url, "msgmax")]);
  const f = finals[0]!;
  assert.equal(f.phase, "error");
  assert.match(
    errorOf(f),
    new RegExp(
      `publishers\\.message_size_range\\.max_bytes ${MAX} with ${HDR_BYTES} bytes of headers exceeds the server.s max_payload of 2048`,
    ),
  );
  assert.equal(f.published, 0);
  assert.equal(f.publish_errors, 0, "no error per message");
});

test("engine - the shaped fast path writes HPUB frames nats.js decodes: subjects, sizes, headers and tracking header arrive, nc.publish never called", async () => {
  await using srv = await startServer({ jetstream: false });
  const nc = await connect({ servers: srv.url });
  // The same connection, whose public publish throws: a message that took it would count as an error.
  const fastOnly = new Proxy(nc, {
    get(target, key) {
      if (key === "publish")
        return () => {
          throw new Error("nc.publish called");
        };
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as NatsConnection;
  const got: Msg[] = [];
  const sub = nc.subscribe("hp.>", {
    callback: (_e, msg) => {
      got.push(msg);
    },
  });
  await nc.flush();
  const m = new ShareMetrics();
  try {
    const shape = new MessageShape({
      id: "HP_1-p1",
      stream: "HP_1",
      subject: "hp.0",
      ratePerSec: 1,
      pattern: "steady",
      burstSize: 1,
      trackLatency: true,
      messageSize: 300,
      sizes: { kind: "range", min: 40, max: 300 },
      headers: { count: 2, valueBytes: 7 },
      keys: { template: "hp.{key}", count: 5, zipfExponent: 0 },
    });
    const lane = new CoreLane(fastOnly, m, new FailLedger(1), { shape });
    assert.equal(lane.fast, true);
    const payloads = new PayloadFactory(300);
    const t = { pub: 0, subject: "hp.0", size: payloads.size, source: 9, track: true, payloads };
    const before = nc.stats().outBytes;
    const N = 200;
    for (let seq = 0; seq < N; seq++) lane.send(t, seq, 1_700_000_000_000 + seq);
    await lane.drain(5000);
    await nc.flush();
    await sub.drain();
    assert.equal(m.counts.publish_errors ?? 0, 0, JSON.stringify(m.counts));
    assert.equal(got.length, N);
    const h = newHeader();
    let bytes = 0;
    got.forEach((msg, seq) => {
      shape.pick(0, seq);
      assert.equal(msg.subject, `hp.${shape.key}`, `message ${seq}'s subject`);
      assert.equal(msg.data.length, shape.size, `message ${seq}'s size`);
      assert.ok(
        readHeader(msg.data, h) && h.seq === seq && h.source === 9,
        `message ${seq}'s tracking header`,
      );
      assert.equal(msg.headers?.get("lt-h1").length, 7);
      bytes += shape.size;
    });
    assert.equal(m.counts.bytes_out, bytes, "bytes_out is the payload bytes");
    assert.equal(nc.stats().outBytes - before, bytes + N * shape.hdrBytes, "the client counts headers too");
  } finally {
    m.destroy();
    await nc.close();
  }
});
