// Consumer kinds against a real nats-server (issue 14, section D): deliver policies, filters, max_deliver and
// backoff, workqueue streams. Every count is checked against the server's own consumer and stream state (/jsz):
// delivered, ack floor, num_pending, messages. A consumer not meant to receive every message (a filter, a late
// start) never reports loss.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { errorOf, run } from "./engine-helpers.ts";

interface ConsumerDetail {
  name: string;
  num_pending: number;
  num_ack_pending: number;
  num_redelivered: number;
  delivered: { consumer_seq: number; stream_seq: number };
  ack_floor: { consumer_seq: number; stream_seq: number };
}
interface StreamDetail {
  name: string;
  state: { messages: number; first_seq: number; last_seq: number };
  consumer_detail?: ConsumerDetail[];
}
interface Jsz {
  account_details?: { stream_detail?: StreamDetail[] }[];
}

type Over = { streams?: object; publishers?: object; consumers?: object; behavior?: object };

function spec(url: string, over: Over) {
  return {
    name: "kinds",
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: "lt-kinds",
    streams: [{ name_prefix: "K", count: 1, replicas: 1, subjects: ["k.{}.a", "k.{}.b"], ...over.streams }],
    publishers: {
      count_per_stream: 1,
      stream_name_prefix: "K",
      publish_rate_per_second: 100,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: true,
      ...over.publishers,
    },
    consumers: {
      stream_name_prefix: "K",
      type: "pull",
      count_per_stream: 1,
      durable_name_prefix: "kc",
      ack_wait_seconds: 5,
      max_ack_pending: 1000,
      ack_policy: "explicit",
      ...over.consumers,
    },
    behavior: { duration_seconds: 1, ramp_up_seconds: 0, ...over.behavior },
  };
}

async function stream(srv: { monitor<T>(path: string): Promise<T> }, name = "K_1"): Promise<StreamDetail> {
  const jsz = await srv.monitor<Jsz>("/jsz?consumers=true");
  const s = jsz.account_details?.[0]?.stream_detail?.find((d) => d.name === name);
  assert.ok(s, JSON.stringify(jsz));
  return s;
}

function consumer(s: StreamDetail, durable: string): ConsumerDetail {
  const c = s.consumer_detail?.find((d) => d.name === durable);
  assert.ok(c, `${durable} in ${JSON.stringify(s)}`);
  return c;
}

function done(f: Snapshot): void {
  assert.equal(f.phase, "done", errorOf(f));
  assert.ok(f.published > 0);
  assert.equal(f.acked, f.published, JSON.stringify(f.errors));
}

test("engine - a filter outside the publishers' subject receives nothing and reports no loss; one on it receives all", async () => {
  await using srv = await startServer();
  const off = (
    await run([spec(srv.url, { consumers: { filter_subjects: ["k.{}.b"], durable_name_prefix: "off" } })])
  ).finals[0]!;
  done(off);
  assert.equal(off.consumed, 0);
  assert.equal(off.lost, 0, "a filtered consumer is not meant to receive the other subject's messages");
  const offC = consumer(await stream(srv), "off_1_1");
  assert.equal(offC.delivered.consumer_seq, 0);
  assert.equal(offC.num_pending, 0);

  const on = (
    await run([spec(srv.url, { consumers: { filter_subjects: ["k.{}.a"], durable_name_prefix: "on" } })])
  ).finals[0]!;
  done(on);
  assert.equal(on.consumed, on.published);
  assert.equal(on.lost, 0);
  const s = await stream(srv);
  const onC = consumer(s, "on_1_1");
  assert.equal(onC.delivered.consumer_seq, on.consumed, "the server delivered what we counted");
  assert.equal(onC.ack_floor.consumer_seq, on.consumed, "and has every ack");
  assert.equal(onC.num_pending, 0);
  assert.equal(s.state.messages, off.published + on.published);
});

test("engine - deliver policies all, by_start_sequence and last replay what the stream held before the run", async () => {
  await using srv = await startServer();
  // 100 messages stored first (no consumers), then each policy on a fresh durable.
  const first = (await run([spec(srv.url, { consumers: { count_per_stream: 0 } })])).finals[0]!;
  done(first);
  assert.equal((await stream(srv)).state.last_seq, first.published);

  // What each policy replays of the `held` messages stored before its run (earlier cases add theirs).
  const cases: [string, object, (held: number) => number][] = [
    ["all", { deliver_policy: "all" }, (held) => held],
    ["seq", { deliver_policy: "by_start_sequence", opt_start_seq: 41 }, (held) => held - 40],
    ["last", { deliver_policy: "last" }, () => 1],
  ];
  for (const [durable, fields, replays] of cases) {
    const replayed = replays((await stream(srv)).state.last_seq);
    const f = (await run([spec(srv.url, { consumers: { durable_name_prefix: durable, ...fields } })]))
      .finals[0]!;
    done(f);
    assert.equal(f.consumed, replayed + f.published, `${durable}: the replayed messages and the live ones`);
    assert.equal(f.lost, 0, durable);
    assert.equal(f.duplicates, 0, durable);
    const s = await stream(srv);
    const c = consumer(s, `${durable}_1_1`);
    assert.equal(c.delivered.consumer_seq, f.consumed, durable);
    assert.equal(c.ack_floor.consumer_seq, f.consumed, durable);
    assert.equal(c.delivered.stream_seq, s.state.last_seq, durable);
    assert.equal(c.num_pending, 0, durable);
    assert.equal(c.num_redelivered, 0, durable);
  }
});

test("engine - max_deliver and backoff reach the server (ack_wait becomes the first delay), and a workqueue stream gets deliver all", async () => {
  await using srv = await startServer();
  const f = (
    await run([
      spec(srv.url, {
        streams: { retention: "workqueue" },
        consumers: { max_deliver: 3, backoff: ["1s", "2500ms"], durable_name_prefix: "wq" },
      }),
    ])
  ).finals[0]!;
  done(f);
  assert.equal(f.consumed, f.published);
  assert.equal(f.lost, 0);
  const s = await stream(srv);
  assert.equal(s.state.messages, 0, "a workqueue stream drops what was acked");
  assert.equal(consumer(s, "wq_1_1").ack_floor.stream_seq, s.state.last_seq);
  const nc = await connect({ servers: srv.url });
  try {
    const ci = await (await jetstreamManager(nc)).consumers.info("K_1", "wq_1_1");
    assert.equal(ci.config.deliver_policy, "all");
    assert.equal(ci.config.max_deliver, 3);
    assert.deepEqual(ci.config.backoff, [1e9, 2.5e9]);
    assert.equal(ci.config.ack_wait, 1e9);
  } finally {
    await nc.close();
  }
});

test("engine - a prefilled backlog is drained by deliver-all consumers: consumed = prefill + published, drain timed per consumer", async () => {
  await using srv = await startServer();
  const prefill = 3000;
  const f = (
    await run(
      [
        spec(srv.url, {
          streams: { count: 2, subjects: ["k.{}.a"] },
          consumers: { deliver_policy: "all", durable_name_prefix: "dr" },
          behavior: { prefill_messages: prefill },
        }),
      ],
      { workers: 2 },
    )
  ).finals[0]!;
  done(f);
  assert.equal(
    f.consumed,
    2 * prefill + f.published,
    "the backlog and the live load, not counted as published",
  );
  assert.equal(f.lost, 0);
  assert.equal(f.duplicates, 0);
  assert.equal(f.unconsumed, 0);
  const drain = f.latency_ms.drain;
  assert.ok(drain, "the drain latency kind is in the snapshot");
  assert.equal(drain.count, 2, "one drain sample per consumer");
  assert.ok(drain.min > 0, `drain ${JSON.stringify(drain)}`);
  assert.equal(f.latency_ms.end_to_end.count, f.published, "the backlog's age is not end-to-end latency");
  for (const name of ["K_1", "K_2"]) {
    const s = await stream(srv, name);
    const c = consumer(s, `dr_${name.slice(2)}_1`);
    assert.equal(s.state.messages, s.state.last_seq);
    assert.ok(s.state.last_seq > prefill, name);
    assert.equal(c.delivered.consumer_seq, s.state.last_seq, `${name}: every stored message delivered`);
    assert.equal(c.ack_floor.consumer_seq, s.state.last_seq, `${name}: and acked`);
    assert.equal(c.num_pending, 0, name);
  }
  const stored = (await stream(srv, "K_1")).state.messages + (await stream(srv, "K_2")).state.messages;
  assert.equal(stored, 2 * prefill + f.published, "the streams hold the backlog and the live messages");
});

test("engine - double ack: every ack confirmed by the server and timed (latency kind ack), on pull and push consumers", async () => {
  await using srv = await startServer();
  for (const type of ["pull", "push"]) {
    const durable = `da${type}`;
    const f = (
      await run([spec(srv.url, { consumers: { type, double_ack: true, durable_name_prefix: durable } })])
    ).finals[0]!;
    done(f);
    assert.equal(f.consumed, f.published, type);
    assert.equal(f.lost, 0, type);
    assert.equal(f.acks_sent, f.consumed, type);
    assert.equal(f.errors.consume ?? 0, 0, type);
    assert.equal(f.latency_ms.ack?.count, f.consumed, `${type}: one confirmation per ack`);
    assert.ok((f.latency_ms.ack?.max ?? 0) > 0, type);
    const c = consumer(await stream(srv), `${durable}_1_1`);
    assert.equal(c.delivered.consumer_seq, f.consumed, type);
    assert.equal(c.ack_floor.consumer_seq, f.consumed, `${type}: the server has every ack`);
    assert.equal(c.num_ack_pending, 0, type);
  }
});

test("engine - fetch mode and ordered consumers (consume and fetch) receive every message, counts equal the server's", async () => {
  await using srv = await startServer();
  const fetched = (
    await run([
      spec(srv.url, {
        consumers: { pull_mode: "fetch", fetch_batch: 10, fetch_expires_ms: 1000, durable_name_prefix: "fe" },
      }),
    ])
  ).finals[0]!;
  done(fetched);
  assert.equal(fetched.consumed, fetched.published);
  assert.equal(fetched.lost, 0);
  assert.equal(fetched.acks_sent, fetched.consumed);
  assert.equal(fetched.errors.consume ?? 0, 0);
  const fe = consumer(await stream(srv), "fe_1_1");
  assert.equal(fe.delivered.consumer_seq, fetched.consumed);
  assert.equal(fe.ack_floor.consumer_seq, fetched.consumed);
  assert.equal(fe.num_pending, 0);

  for (const fields of [{}, { pull_mode: "fetch", fetch_max_bytes: 4096 }]) {
    const before = (await stream(srv)).state.last_seq;
    const f = (await run([spec(srv.url, { consumers: { type: "ordered", ack_policy: "none", ...fields } })]))
      .finals[0]!;
    done(f);
    const what = `ordered ${JSON.stringify(fields)}`;
    assert.equal(f.consumed, f.published, what);
    assert.equal(f.lost, 0, what);
    assert.equal(f.duplicates, 0, what);
    assert.equal(f.out_of_order, 0, what);
    assert.equal(f.acks_sent, 0, `${what}: an ordered consumer never acks`);
    assert.equal(f.errors.consume ?? 0, 0, `${what}: a fetch by bytes that ends full is no failure`);
    assert.equal(f.unconsumed, 0, what);
    assert.equal((await stream(srv)).state.last_seq - before, f.published, `${what}: the stream stored them`);
  }
});
