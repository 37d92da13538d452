// The object store workload (`object_store`) against a real nats-server: every put and get the schedule asked is
// done, its bytes counted, and the bucket's own figures (object info, stream state) agree.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { errorOf, run } from "./engine-helpers.ts";

const SECONDS = 2;

/** A spec whose only load is its `object_store` block (a stream without clients, as the seed requires one). */
function objSpec(url: string, name: string, os: Record<string, unknown>) {
  const prefix = name.toUpperCase();
  return {
    name,
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: `lt-${name}`,
    streams: [{ name_prefix: prefix, count: 1, replicas: 1, subjects: [`${name}.{}`] }],
    publishers: {
      count_per_stream: 0,
      stream_name_prefix: prefix,
      publish_rate_per_second: 1,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: false,
    },
    consumers: {
      stream_name_prefix: prefix,
      type: "pull",
      count_per_stream: 0,
      durable_name_prefix: name,
      ack_wait_seconds: 5,
      max_ack_pending: 100,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: SECONDS, ramp_up_seconds: 0 },
    object_store: os,
  };
}

const errorsOf = (f: Snapshot) => Object.values(f.errors).reduce((a, n) => a + n, 0);
const c = (f: Snapshot, name: string) => (f as unknown as Record<string, number>)[name] ?? 0;
const latencyCount = (f: Snapshot, kind: string) =>
  (f.latency_ms as Record<string, { count: number } | undefined>)[kind]?.count ?? 0;

test("engine objects - puts of every name count objects x size bytes, and the bucket holds exactly them", async () => {
  await using server = await startServer();
  const size = 300_000; // three chunks of 128 KiB, the last one partial
  const os = { bucket: "obj_put", object_size_bytes: size, objects: 10, clients: 1, rates: { put: 5 } };
  const { finals } = await run([objSpec(server.url, "objput", os)]);
  const f = finals[0]!;
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(errorsOf(f), 0, JSON.stringify(f.errors));
  // 5 objects/s for 2 s: each of the 10 names put once.
  assert.equal(c(f, "obj_puts"), 10);
  assert.equal(c(f, "obj_bytes_put"), 10 * size);
  assert.equal(latencyCount(f, "obj_put"), 10);
  const nc = await connect({ servers: server.url });
  try {
    const store = await new Objm(nc).open("obj_put");
    let stored = 0;
    for (let i = 0; i < 10; i++) {
      const info = await store.info(`obj-${i}`);
      assert.ok(info && !info.deleted, `obj-${i} is there`);
      assert.equal(info.chunks, 3);
      stored += info.size;
    }
    assert.equal(stored, c(f, "obj_bytes_put"), "the objects' sizes add up to the bytes put");
    const si = await (await jetstreamManager(nc)).streams.info("OBJ_obj_put");
    // 3 chunks and one metadata message per object; the stream's bytes hold the payloads and their subjects.
    assert.equal(si.state.messages, 10 * 4);
    assert.ok(si.state.bytes > stored, `${si.state.bytes} > ${stored}`);
    assert.equal((await store.status()).size, si.state.bytes);
  } finally {
    await nc.close();
  }
});

test("engine objects - gets read back whole objects, stored before the window when missing", async () => {
  await using server = await startServer();
  const size = 200_000;
  const os = {
    bucket: "obj_get",
    object_size_bytes: size,
    chunk_size_bytes: 65_536,
    objects: 3,
    clients: 2,
    rates: { put: 2, get: 10 },
  };
  const { finals } = await run([objSpec(server.url, "objget", os)]);
  const f = finals[0]!;
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(errorsOf(f), 0, JSON.stringify(f.errors));
  assert.equal(f.unsent ?? 0, 0);
  assert.equal(c(f, "obj_gets"), 2 * 10 * SECONDS);
  assert.equal(c(f, "obj_puts"), 2 * 2 * SECONDS);
  assert.equal(c(f, "obj_bytes_got"), c(f, "obj_gets") * size, "every get read the whole object");
  assert.equal(c(f, "obj_bytes_put"), c(f, "obj_puts") * size);
  assert.equal(latencyCount(f, "obj_get"), c(f, "obj_gets"));
  const nc = await connect({ servers: server.url });
  try {
    const store = await new Objm(nc).open("obj_get");
    for (let i = 0; i < 3; i++) {
      const info = await store.info(`obj-${i}`);
      assert.equal(info?.size, size);
      assert.equal(info?.chunks, 4);
    }
  } finally {
    await nc.close();
  }
});
