// Loss is what the server no longer holds: a slow consumer on a small stream loses what the stream discarded
// before delivering it, and what the stream still holds for it at the end is `unconsumed`, never `lost`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startServer } from "../harness/index.ts";
import { run } from "./engine-helpers.ts";

interface Jsz {
  account_details?: {
    stream_detail?: {
      name: string;
      state: { messages: number; first_seq: number; last_seq: number };
      consumer_detail?: {
        name: string;
        num_pending: number;
        num_ack_pending: number;
        num_redelivered: number;
        delivered: { consumer_seq: number; stream_seq: number };
      }[];
    }[];
  }[];
}

test("engine - a slow consumer on a small stream: lost is what the server discarded before delivery, unconsumed its num_pending", async () => {
  await using srv = await startServer();
  const { finals } = await run([
    {
      name: "slow",
      nats_url: srv.url,
      use_jetstream: true,
      client_id_prefix: "lt-slow",
      // 3,000 messages into a stream that keeps the newest 500: 2,500 are discarded, most before delivery.
      streams: [
        {
          name_prefix: "SLOW",
          count: 1,
          replicas: 1,
          subjects: ["slow.{}"],
          storage: "memory",
          max_msgs: 500,
          discard: "old",
        },
      ],
      publishers: {
        count_per_stream: 1,
        stream_name_prefix: "SLOW",
        publish_rate_per_second: 1000,
        publish_pattern: "steady",
        message_size_bytes: 64,
        track_latency: true,
      },
      // Two messages in hand at a time, each acked 100 ms after it arrived: ~20 msg/s, so the consumer is far
      // behind at the end. ack_wait 5 s (well over the 100 ms hold: no redelivery) also sets the 5 s grace.
      consumers: {
        stream_name_prefix: "SLOW",
        type: "pull",
        count_per_stream: 1,
        durable_name_prefix: "slow",
        ack_wait_seconds: 5,
        max_ack_pending: 2,
        ack_policy: "explicit",
        consume_delay_ms: 100,
      },
      behavior: { duration_seconds: 3, ramp_up_seconds: 0 },
    },
  ]);
  const f = finals[0]!;
  assert.equal(f.phase, "done", JSON.stringify(f.errors));
  assert.equal(f.acked, 3000, `acked ${f.acked}, errors ${JSON.stringify(f.errors)}`);
  const jsz = await srv.monitor<Jsz>("/jsz?consumers=true");
  const stream = jsz.account_details?.[0]?.stream_detail?.find((s) => s.name === "SLOW_1");
  const ci = stream?.consumer_detail?.[0];
  assert.ok(stream && ci, JSON.stringify(jsz));
  assert.equal(ci.num_redelivered, 0, "no redelivery: every delivery is a distinct message");
  assert.equal(stream.state.messages, 500, "the stream kept its newest 500");
  // Every message the server stored was delivered, is still pending for the consumer, or was discarded
  // before it could be delivered: the last is what the consumer can never receive.
  const discardedUndelivered = stream.state.last_seq - ci.delivered.consumer_seq - ci.num_pending;
  // (A pending message the stream discards frees its ack-pending slot, so the consumer gets far more than
  // 20 msg/s while the stream slides; the counts below hold whatever the pace.)
  assert.ok(discardedUndelivered > 0, `some discards came before delivery: ${JSON.stringify(stream)}`);
  assert.equal(f.unconsumed, ci.num_pending, "unconsumed = the consumer's num_pending");
  assert.equal(f.lost, discardedUndelivered, "lost = what the server discarded before delivering it");
  assert.ok(f.unconsumed! > 0, "the backlog is not loss");
  // Every acknowledged message is received, lost or still held: nothing counted twice, nothing missing.
  assert.equal(f.consumed + f.lost + f.unconsumed!, f.acked);
  // The stream figures of the final snapshot were read after consumption ended: they agree.
  assert.equal(f.streams?.[0]?.num_pending, ci.num_pending);
});
