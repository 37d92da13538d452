// JetStream publish modes against a real nats-server (issue 14, section D): sync (one in flight per publisher),
// batch (batch_size, then every ack) and async keep exact counts; de-duplication with Nats-Msg-Id makes retries
// stored once, and publish_duplicates equals what the server turned away. Counts are checked against /jsz.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { EngineOptions } from "../../src/engine/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { errorOf, run } from "./engine-helpers.ts";

type Over = { streams?: object; publishers?: object; consumers?: object; behavior?: object };

function spec(url: string, name: string, over: Over) {
  return {
    name,
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: `lt-${name}`,
    streams: [
      { name_prefix: name.toUpperCase(), count: 1, replicas: 1, subjects: [`${name}.{}`], ...over.streams },
    ],
    publishers: {
      count_per_stream: 2,
      stream_name_prefix: name.toUpperCase(),
      publish_rate_per_second: 200,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: true,
      ...over.publishers,
    },
    consumers: {
      stream_name_prefix: name.toUpperCase(),
      type: "pull",
      count_per_stream: 1,
      durable_name_prefix: name,
      ack_wait_seconds: 5,
      max_ack_pending: 1000,
      ack_policy: "explicit",
      ...over.consumers,
    },
    behavior: { duration_seconds: 1, ramp_up_seconds: 0, ...over.behavior },
  };
}

async function streamInfo(url: string, stream: string) {
  const nc = await connect({ servers: url });
  try {
    return await (await jetstreamManager(nc)).streams.info(stream);
  } finally {
    await nc.close();
  }
}

async function messages(url: string, stream: string): Promise<number> {
  return (await streamInfo(url, stream)).state.messages;
}

function exact(f: Snapshot, what: string): void {
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(f.published, 400, `${what}: 2 publishers x 200 msg/s x 1 s`);
  assert.equal(f.unsent ?? 0, 0, what);
  assert.equal(f.acked, f.published, `${what}: ${JSON.stringify(f.errors)}`);
  assert.equal(f.consumed, f.published, what);
  assert.equal(f.lost, 0, what);
  assert.equal(f.duplicates, 0, what);
}

test("engine - js_publish sync and batch (and dedupe without retries) keep exact counts; the stream holds each message once", async () => {
  await using srv = await startServer();
  const cases: [string, object][] = [
    ["sync", { js_publish: "sync" }],
    ["batch", { js_publish: "batch", batch_size: 16 }],
    ["dedupe", { dedupe: true }],
  ];
  for (const [name, publishers] of cases) {
    const streams = name === "dedupe" ? { duplicate_window: "30s" } : {};
    const f = (await run([spec(srv.url, name, { publishers, streams })])).finals[0]!;
    exact(f, name);
    assert.equal(f.publish_duplicates ?? 0, 0, name);
    assert.equal(await messages(srv.url, `${name.toUpperCase()}_1`), f.published, name);
  }
  assert.equal(
    (await streamInfo(srv.url, "DEDUPE_1")).config.duplicate_window,
    30e9,
    "duplicate_window reached the server",
  );
});

test("engine - dedupe: retries of a frozen server's publishes are stored once; publish_duplicates = what the server refused", async () => {
  await using srv = await startServer();
  let frozen: Promise<void> | undefined;
  const f = (
    await run([spec(srv.url, "dd", { publishers: { dedupe: true }, behavior: { duration_seconds: 3 } })], {
      // Attempts unanswered for 300 ms are sent again (same message, same Nats-Msg-Id) while the server is
      // frozen for 1.2 s; when it thaws it reads the originals and their copies.
      tuning: { publishAttemptTimeoutMs: 300, publishRetryWaitMs: 50 },
      onSnapshot: (s: Snapshot) => {
        if (frozen || s.phase !== "running" || s.published === 0) return;
        srv.pause();
        frozen = new Promise((r) => setTimeout(r, 1200)).then(() => srv.resume());
      },
    } as Partial<EngineOptions>)
  ).finals[0]!;
  await frozen;
  assert.equal(f.phase, "done", errorOf(f));
  assert.ok((f.publish_retries ?? 0) > 0, "the freeze made retries");
  assert.equal(f.acked, f.published, JSON.stringify(f.errors));
  const stored = await messages(srv.url, "DD_1");
  assert.equal(stored, f.published, "each message stored once, retries or not");
  // Every attempt reached the server: the first of each message was stored, every other one refused.
  assert.equal(f.publish_duplicates, f.published + (f.publish_retries ?? 0) - stored);
  assert.ok((f.publish_duplicates ?? 0) > 0);
  assert.equal(f.consumed, f.published);
  assert.equal(f.duplicates, 0, "no copy reached the consumer");
  assert.equal(f.lost, 0);
});
