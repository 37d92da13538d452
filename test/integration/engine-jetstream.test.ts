// Engine JetStream behaviour against a real nats-server: redeliveries, full streams, push consumers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startServer } from "../harness/index.ts";
import { errorOf, run } from "./engine-helpers.ts";

function spec(
  url: string,
  over: { streams?: object; publishers?: object; consumers?: object; behavior?: object },
) {
  return {
    name: "js",
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: "lt-js",
    streams: [{ name_prefix: "J", count: 1, replicas: 1, subjects: ["j.{}"], ...over.streams }],
    publishers: {
      count_per_stream: 1,
      stream_name_prefix: "J",
      publish_rate_per_second: 20,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: true,
      ...over.publishers,
    },
    consumers: {
      stream_name_prefix: "J",
      type: "pull",
      count_per_stream: 1,
      durable_name_prefix: "jc",
      ack_wait_seconds: 30,
      max_ack_pending: 1000,
      ack_policy: "explicit",
      ...over.consumers,
    },
    behavior: { duration_seconds: 2, ramp_up_seconds: 0, ...over.behavior },
  };
}

test("engine - a consume delay beyond ack_wait counts redeliveries as redelivered, not lost nor duplicates", async () => {
  await using srv = await startServer();
  const { finals } = await run([
    spec(srv.url, { consumers: { ack_wait_seconds: 1, consume_delay_ms: 1500 } }),
  ]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.published, 40);
  assert.ok(f.redelivered > 0, `redelivered ${f.redelivered}`);
  assert.equal(f.lost, 0);
  assert.equal(f.duplicates, 0);
  assert.equal(f.consumed, f.published + f.redelivered);
  assert.equal(f.latency_ms.end_to_end.count, f.published, "latency of first deliveries only");
  assert.ok(f.latency_ms.end_to_end.p99 < 1000, "the delay is not latency");
});

test("engine - a stream that discards new messages reports stream_full errors and keeps running", async () => {
  await using srv = await startServer();
  const { finals } = await run([
    spec(srv.url, {
      streams: { discard: "new", max_msgs: 100 },
      publishers: { publish_rate_per_second: 500 },
      consumers: { count_per_stream: 0 },
    }),
  ]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.published, 1000);
  assert.equal(f.acked, 100);
  assert.equal(f.errors.stream_full, 900, JSON.stringify(f.errors));
  assert.equal(f.publish_errors, 900);
  assert.equal(f.streams?.[0]?.messages, 100);
});

test("engine - push consumers receive and ack every message", async () => {
  await using srv = await startServer();
  const { finals } = await run([spec(srv.url, { consumers: { type: "push", count_per_stream: 2 } })]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.published, 40);
  assert.equal(f.consumed, 80, "each of two durables receives every message");
  assert.equal(f.acks_sent, 80);
  assert.equal(f.lost, 0);
});

test("engine - an unreachable server ends the step with phase error and a counted error, no crash", async () => {
  const { finals } = await run([spec("nats://127.0.0.1:1", {})]);
  assert.equal(finals[0]!.phase, "error");
  assert.equal(finals[0]!.errors.connection_closed, 1);
});

test("engine - a message size over the server's max_payload ends the step in phase error naming the field before anything is published", async () => {
  await using srv = await startServer({ extraConfig: "max_payload: 65536" });
  const { finals } = await run([spec(srv.url, { publishers: { message_size_bytes: 100 * 1024 } })]);
  const f = finals[0]!;
  assert.equal(f.phase, "error");
  const msg = errorOf(f);
  assert.match(msg, /publishers\.message_size_bytes/);
  assert.match(msg, /102400/);
  assert.match(msg, /max_payload of 65536/);
  assert.equal(f.published, 0);
  assert.equal(f.publish_errors, 0, "no error per message");
  assert.equal(f.errors.other, 1, "one step error");
  const nc = await connect({ servers: srv.url });
  const names: string[] = [];
  for await (const n of (await jetstreamManager(nc)).streams.names()) names.push(n);
  await nc.close();
  assert.deepEqual(names, [], "no stream created either");
});
