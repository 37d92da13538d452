// Issue 14, section B: request/reply services. Responders answer in a queue group and show in `$SRV`
// discovery; requesters send on an open-model schedule. Every request ends as exactly one of a reply, a
// timeout or no responders; what the responders served equals what their `$SRV.STATS` replies say
// (num_requests summed over instances: the service's own truth) and the replies when nothing timed out; the
// server's /varz counts every request and every reply.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import type { EngineOptions } from "../../src/engine/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { errorOf, run } from "./engine-helpers.ts";

/** A core spec whose only workload is the services block (publishers and consumers 0), plus `extra`. */
const spec = (url: string, services: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: "svc",
  nats_url: url,
  use_jetstream: false,
  client_id_prefix: "lt-svc",
  streams: [{ name_prefix: "SVC", count: 1, replicas: 1, subjects: ["svcdata.{}"] }],
  publishers: {
    count_per_stream: 0,
    stream_name_prefix: "SVC",
    publish_rate_per_second: 100,
    publish_pattern: "steady",
    message_size_bytes: 64,
    track_latency: true,
  },
  consumers: {
    stream_name_prefix: "SVC",
    type: "push",
    count_per_stream: 0,
    durable_name_prefix: "svc",
    ack_wait_seconds: 5,
    max_ack_pending: 1000,
    ack_policy: "none",
  },
  behavior: { duration_seconds: 2, ramp_up_seconds: 0 },
  services: { name: "lt-echo", version: "1.2.3", subject: "svc.echo", ...services },
  ...extra,
});

/** Every request ends as exactly one of a reply, a timeout or no responders. */
function assertRequestsAccounted(f: Snapshot): void {
  assert.equal(f.phase, "done", errorOf(f));
  assert.ok((f.requests ?? 0) > 0, `requests ${f.requests}`);
  assert.equal(f.requests, (f.replies ?? 0) + (f.request_timeouts ?? 0) + (f.no_responders ?? 0));
  assert.equal(f.latency_ms.request?.count, f.replies, "one request latency per reply");
}

/** Sends one request to a `$SRV` subject and collects every reply for `ms` (one per service instance). */
async function discover(nc: NatsConnection, subject: string, ms = 500): Promise<Record<string, unknown>[]> {
  const inbox = createInbox();
  const out: Record<string, unknown>[] = [];
  const sub = nc.subscribe(inbox, {
    callback: (_e, m) => {
      out.push(m.json<Record<string, unknown>>());
    },
  });
  nc.publish(subject, new Uint8Array(0), { reply: inbox });
  await new Promise((r) => setTimeout(r, ms));
  sub.unsubscribe();
  return out;
}

// Requests leave as frames (the fast path), or through nc.publish on the public path (StepTuning.publicPath).
for (const [workers, publicPath] of [
  [1, false],
  [2, false],
  [1, true],
] as const) {
  const how = `workers ${workers}${publicPath ? ", public path" : ""}`;
  test(`engine - services in one engine: every request answered, served = replies, /varz agrees (${how})`, async () => {
    await using server = await startServer();
    // Two core streams with a publisher and a subscriber each beside the services: with two workers the
    // streams split over two shares, the services run in one of them.
    const s = spec(
      server.url,
      {
        responders: { count: 2, queue_group: "q" },
        requesters: { count: 4, rate_per_second: 200, timeout_ms: 2000, message_size_bytes: 128 },
      },
      { streams: [{ name_prefix: "SVC", count: 2, replicas: 1, subjects: ["svcdata.{}"] }] },
    );
    Object.assign(s.publishers, { count_per_stream: 1 });
    Object.assign(s.consumers, { count_per_stream: 1 });
    const { finals } = await run([s], { workers, tuning: { publicPath } } as Partial<EngineOptions>);
    const f = finals[0]!;
    assertRequestsAccounted(f);
    // The services ran in one share only: their schedule is sent once, not once per worker.
    assert.equal(f.requests, 4 * 200 * 2, "4 requesters x 200/s x 2 s, every slot sent");
    assert.equal(f.request_timeouts, 0);
    assert.equal(f.no_responders, 0);
    assert.equal(f.served, f.replies, "nothing timed out: every request served was answered in time");
    assert.equal(f.unsent, 0);
    assert.equal(f.consumed, f.published, "the streams' own traffic unaffected");
    assert.equal(f.lost, 0);
    // The server saw every publish, request and reply come in, and delivered each once.
    const varz = await server.monitor<{ in_msgs: number; out_msgs: number }>("/varz");
    assert.equal(
      varz.in_msgs,
      f.published + f.requests! + f.served!,
      "in_msgs = published + requests + served",
    );
    assert.equal(
      varz.out_msgs,
      f.consumed + f.served! + f.replies!,
      "out_msgs = consumed + requests delivered + replies delivered",
    );
  });
}

test("engine - responders and requesters in different engines; served = the $SRV stats' num_requests = replies", async () => {
  await using server = await startServer();
  const services = {
    responders: { count: 3, queue_group: "workers", service_time_ms: { min: 2, max: 6 } },
    requesters: { count: 2, rate_per_second: 300, timeout_ms: 2000, message_size_bytes: 64 },
  };
  const startAt = Date.now() + 1500;
  const stopResponders = new AbortController();
  // The responders' engine runs far longer than the requesters': it is stopped once $SRV was asked.
  const responders = run(
    [spec(server.url, services, { behavior: { duration_seconds: 60, ramp_up_seconds: 0 } })],
    {
      mode: "consume",
      pod: "srv",
      startAt,
      signal: stopResponders.signal,
    },
  );
  const requesters = await run([spec(server.url, services)], { mode: "publish", pod: "req", startAt });
  const q = requesters.finals[0]!;
  assertRequestsAccounted(q);
  assert.equal(q.served ?? 0, 0, "the publish-mode engine runs no responder");
  assert.equal(q.request_timeouts, 0);
  assert.equal(q.no_responders, 0);
  assert.ok(
    (q.latency_ms.request?.min ?? 0) >= 2,
    `every reply waited the 2 ms service time at least: ${q.latency_ms.request?.min}`,
  );

  const nc = await connect({ servers: server.url });
  try {
    const stats = await discover(nc, "$SRV.STATS.lt-echo");
    const pings = await discover(nc, "$SRV.PING");
    const infos = await discover(nc, "$SRV.INFO.lt-echo");
    assert.equal(stats.length, 3, "one STATS reply per responder");
    assert.equal(pings.length, 3);
    assert.equal(new Set(stats.map((s) => s.id)).size, 3, "each instance its own id");
    for (const s of stats) {
      assert.equal(s.type, "io.nats.micro.v1.stats_response");
      assert.equal(s.name, "lt-echo");
      assert.equal(s.version, "1.2.3");
    }
    const ping = pings[0]!;
    assert.equal(ping.type, "io.nats.micro.v1.ping_response");
    const byId = await discover(nc, `$SRV.STATS.lt-echo.${String(ping.id)}`);
    assert.equal(byId.length, 1, "the id suffix reaches one instance");
    const info = infos[0] as { type: string; endpoints: { subject: string; queue_group: string }[] };
    assert.equal(info.type, "io.nats.micro.v1.info_response");
    assert.deepEqual(
      info.endpoints.map((e) => [e.subject, e.queue_group]),
      [["svc.echo", "workers"]],
    );
    type Ep = { num_requests: number; num_errors: number; processing_time: number };
    const perInstance = stats.map((s) => (s.endpoints as Ep[])[0]!.num_requests);
    const total = perInstance.reduce((a, n) => a + n, 0);
    assert.equal(total, q.replies, "the services' own stats: every reply served once, by one instance");
    assert.ok(
      perInstance.every((n) => n > 0),
      `the queue group spread the load: ${perInstance}`,
    );
    for (const s of stats) assert.ok((s.endpoints as Ep[])[0]!.processing_time > 0);
    stopResponders.abort();
    const r = (await responders).finals[0]!;
    assert.equal(r.phase, "stopped", errorOf(r));
    assert.equal(r.requests ?? 0, 0, "the consume-mode engine runs no requester");
    assert.equal(r.served, total, "served = the $SRV stats' num_requests, summed");
  } finally {
    stopResponders.abort();
    await nc.close();
  }
});

test("engine - requesters follow behavior.stages like publishers: a ramp to 1x, then 3x", async () => {
  await using server = await startServer();
  // 0 -> 1x over 1 s (0.5 s worth), then a jump to 3x held 1 s (3 s worth): 3.5 x 100/s x 2 requesters = 700
  // requests, where the flat rate would send 400.
  const s = spec(
    server.url,
    { responders: { count: 1 }, requesters: { count: 2, rate_per_second: 100, timeout_ms: 2000 } },
    {
      behavior: {
        duration_seconds: 2,
        ramp_up_seconds: 0,
        stages: [
          { duration_seconds: 1, multiplier: 1 },
          { duration_seconds: 0, multiplier: 3 },
          { duration_seconds: 1, multiplier: 3 },
        ],
      },
    },
  );
  const { finals } = await run([s]);
  const f = finals[0]!;
  assertRequestsAccounted(f);
  // The schedule's integral, each requester's count rounded once.
  assert.ok(Math.abs(f.requests! - 700) <= 2, `requests ${f.requests}, want 700 (the stages' integral)`);
  assert.equal(f.unsent, 0);
});

test("engine - requests with no responder running count as no_responders, not a crash", async () => {
  await using server = await startServer();
  const { finals } = await run(
    [spec(server.url, { requesters: { count: 2, rate_per_second: 100, timeout_ms: 1000 } })],
    { mode: "publish" },
  );
  const f = finals[0]!;
  assertRequestsAccounted(f);
  assert.equal(f.no_responders, f.requests, "every request: no responders");
  assert.equal(typeof f.system?.send_busy_pct, "number", "the requesters' sending load is measured");
  assert.equal(f.replies, 0);
  assert.equal(f.request_timeouts, 0);
  assert.equal(f.served ?? 0, 0);
});

test("engine - requests over the server's max_payload end the step in phase error naming the field", async () => {
  await using server = await startServer({ extraConfig: "max_payload: 65536" });
  const { finals } = await run(
    [spec(server.url, { requesters: { count: 1, rate_per_second: 10, message_size_bytes: 70_000 } })],
    { mode: "publish" },
  );
  const f = finals[0]!;
  assert.equal(f.phase, "error");
  assert.match(
    errorOf(f),
    /services\.requesters\.message_size_bytes 70000 exceeds the server's max_payload of 65536/,
  );
  assert.equal(f.requests ?? 0, 0, "nothing sent");
});

test("engine - replies slower than timeout_ms count as request_timeouts, and their late replies as nothing", async () => {
  await using server = await startServer();
  const { finals } = await run([
    spec(server.url, {
      responders: { count: 2, service_time_ms: { min: 300, max: 300 } },
      requesters: { count: 2, rate_per_second: 50, timeout_ms: 100 },
    }),
  ]);
  const f = finals[0]!;
  assertRequestsAccounted(f);
  assert.equal(f.requests, 2 * 50 * 2, "every slot sent");
  assert.equal(f.request_timeouts, f.requests, "every request outlived its 100 ms timeout");
  assert.equal(f.replies, 0, "a reply after the timeout is not counted");
  assert.ok(
    (f.served ?? 0) > 0 && f.served! <= f.requests!,
    `served ${f.served}: the responders answered, late`,
  );
});
