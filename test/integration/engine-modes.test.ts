// Split roles: a publish-only pod and a consume-only pod share a stream; the consumer runs the whole duration.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startServer } from "../harness/index.ts";
import { run } from "./engine-helpers.ts";

const spec = (url: string, durable: string) => ({
  name: "modes",
  nats_url: url,
  use_jetstream: true,
  streams: [{ name_prefix: "MODES", count: 1, replicas: 1, subjects: ["modes.{}"], storage: "memory" }],
  publishers: {
    count_per_stream: 2,
    stream_name_prefix: "MODES",
    publish_rate_per_second: 200,
    publish_pattern: "steady",
    message_size_bytes: 64,
    track_latency: true,
  },
  consumers: {
    stream_name_prefix: "MODES",
    type: "pull",
    count_per_stream: 1,
    durable_name_prefix: durable,
    ack_wait_seconds: 30,
    max_ack_pending: 1000,
    ack_policy: "explicit",
  },
  behavior: { duration_seconds: 3, ramp_up_seconds: 0 },
});

test("engine - a consume-only pod consumes for the whole duration what a publish-only pod sends", async () => {
  await using server = await startServer();
  const startAt = Date.now() + 1500;
  const [pub, con] = await Promise.all([
    run([spec(server.url, "pubpod")], { mode: "publish", pod: "pub", startAt }),
    run([spec(server.url, "conpod")], { mode: "consume", pod: "con", startAt }),
  ]);
  const p = pub.finals[0]!;
  const c = con.finals[0]!;
  assert.equal(p.phase, "done", `publish pod: ${(p as { error?: string }).error}`);
  assert.equal(c.phase, "done", `consume pod: ${(c as { error?: string }).error}`);
  assert.equal(p.consumed, 0, "the publish-only pod runs no consumer");
  assert.equal(c.published, 0, "the consume-only pod runs no publisher");
  assert.ok(p.acked >= 1100, `published ${p.published}, acked ${p.acked}`);
  assert.equal(c.consumed, p.acked, "every acknowledged message reaches the other pod's consumer");
  assert.equal(c.lost, 0);
  assert.equal(c.latency_ms.end_to_end.count, c.consumed);
  assert.equal(c.remote_latency, c.consumed, "every sample came from the other pod: tagged remote");
  assert.ok(c.elapsed_s >= 2.5, `the consumer ran the step's duration (elapsed ${c.elapsed_s} s)`);
});
