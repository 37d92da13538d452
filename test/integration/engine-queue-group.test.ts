// Issue 14, section B: core NATS queue groups. The consumers of a stream join `consumers.queue_group`, so each
// message reaches exactly one member: the group as a whole receives every message (nothing lost, nothing
// twice), each member received some, the members' counts add up to what was published, and the server's
// /varz says the same (every publish in, every message out exactly once).
import assert from "node:assert/strict";
import { test } from "node:test";
import { startServer } from "../harness/index.ts";
import { errorOf, run } from "./engine-helpers.ts";

const spec = (url: string, extra: Record<string, unknown> = {}) => ({
  name: "qg",
  nats_url: url,
  use_jetstream: false,
  client_id_prefix: "lt-qg",
  streams: [{ name_prefix: "QG", count: 2, replicas: 1, subjects: ["qg.{}"] }],
  publishers: {
    count_per_stream: 2,
    stream_name_prefix: "QG",
    publish_rate_per_second: 300,
    publish_pattern: "steady",
    message_size_bytes: 64,
    track_latency: true,
  },
  consumers: {
    stream_name_prefix: "QG",
    type: "push",
    count_per_stream: 3,
    durable_name_prefix: "qg",
    ack_wait_seconds: 5,
    max_ack_pending: 1000,
    ack_policy: "none",
    queue_group: "workers",
  },
  behavior: { duration_seconds: 2, ramp_up_seconds: 0 },
  ...extra,
});

for (const workers of [1, 2]) {
  test(`engine - a core queue group receives every message once, spread over its members (workers ${workers})`, async () => {
    await using server = await startServer();
    const { finals } = await run([spec(server.url)], { workers });
    const f = finals[0]!;
    assert.equal(f.phase, "done", errorOf(f));
    assert.ok(f.published >= 2000, `published ${f.published}`);
    // Each message reached one member: the group as a whole received each exactly once.
    assert.equal(f.consumed, f.published, "consumed == published (one delivery per message)");
    assert.equal(f.lost, 0);
    assert.equal(f.duplicates, 0);
    assert.equal(f.unconsumed, 0);
    assert.equal(f.latency_ms.end_to_end.count, f.consumed);
    const groups = f.queue_groups ?? [];
    assert.deepEqual(groups.map((g) => g.stream).sort(), ["QG_1", "QG_2"]);
    let total = 0;
    for (const g of groups) {
      assert.equal(g.group, "workers");
      assert.equal(g.members, 3);
      const per = g.per_member ?? [];
      assert.equal(per.length, 3);
      assert.equal(
        per.reduce((a, n) => a + n, 0),
        g.received,
      );
      assert.ok(g.min > 0, `every member got some: ${JSON.stringify(per)}`);
      assert.equal(g.min, Math.min(...per));
      assert.equal(g.max, Math.max(...per));
      total += g.received;
    }
    assert.equal(total, f.published, "the members' counts add up to what was published");
    // The server's own counts: every publish in, every message delivered once (not once per member).
    const varz = await server.monitor<{ in_msgs: number; out_msgs: number }>("/varz");
    assert.equal(varz.in_msgs, f.published, "server in_msgs = published");
    assert.equal(varz.out_msgs, f.consumed, "server out_msgs = consumed: one delivery per message");
  });
}

test("engine - without a queue group every core subscriber gets every message (as before)", async () => {
  await using server = await startServer();
  const s = spec(server.url);
  delete (s.consumers as Record<string, unknown>).queue_group;
  const { finals } = await run([s]);
  const f = finals[0]!;
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(f.consumed, 3 * f.published);
  assert.equal(f.lost, 0);
  assert.equal(f.queue_groups, undefined);
});
