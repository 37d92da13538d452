import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { jetstream, jetstreamManager, type PubAck, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { freePort, NatsNode, startCluster, startServer } from "../harness/index.ts";

test("harness - a single server accepts a JetStream publish and survives a restart", async () => {
  await using server = await startServer();
  let nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "H1", subjects: ["h1.>"], storage: StorageType.File });
  await jetstream(nc).publish("h1.a", "one");
  await nc.close();
  await server.restart();
  nc = await connect({ servers: server.url });
  const info = await (await jetstreamManager(nc)).streams.info("H1");
  assert.equal(info.state.messages, 1);
  await nc.close();
});

test("harness - a server whose port another server holds fails to start instead of passing for that one", async () => {
  await using first = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "lt-clash-"));
  const monitor = await freePort();
  const config = `listen: "127.0.0.1:${first.port}"\nhttp: "127.0.0.1:${monitor}"\n`;
  const second = new NatsNode(dir, "clash", first.port, 0, monitor, config);
  try {
    await assert.rejects(second.start(), /address already in use/i);
  } finally {
    await second.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("harness - an R3 stream on the three-node cluster accepts and returns a message", async () => {
  await using cluster = await startCluster(3);
  const nc = await connect({ servers: cluster.urls.split(",") });
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.add({ name: "SMOKE", subjects: ["smoke.>"], num_replicas: 3 });
  assert.equal(info.config.num_replicas, 3);
  const ack = await jetstream(nc).publish("smoke.1", "hello");
  assert.equal(ack.seq, 1);
  const msg = await jsm.streams.getMessage("SMOKE", { seq: 1 });
  assert.equal(msg?.string(), "hello");
  const after = await jsm.streams.info("SMOKE");
  assert.equal(after.cluster?.replicas?.length, 2, "two followers beside the leader");
  await nc.close();
});

test("harness - killing one node of three leaves the R3 stream writable", async () => {
  await using cluster = await startCluster(3);
  const nc = await connect({ servers: cluster.urls.split(","), reconnectTimeWait: 100 });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "KILL", subjects: ["kill.>"], num_replicas: 3 });
  const leader = (await jsm.streams.info("KILL")).cluster?.leader;
  assert.ok(leader);
  const js = jetstream(nc, { timeout: 5_000 });
  await cluster.node(leader).kill();
  let ack: PubAck | undefined;
  const deadline = Date.now() + 60_000;
  while (!ack && Date.now() < deadline) {
    try {
      ack = await js.publish("kill.1", "after");
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  assert.ok(ack, "publish succeeds after the leader died");
  await cluster.node(leader).start();
  await nc.close();
});
