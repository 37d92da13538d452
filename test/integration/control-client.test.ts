import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import {
  ControlClient,
  controlNames,
  ensureControlPlane,
  PushRejectedError,
} from "../../src/control/index.ts";
import { root, spec } from "../fixtures/config.ts";
import { snapshot } from "../fixtures/snapshots.ts";
import { startServer } from "../harness/index.ts";

test("control - ten pods creating the control plane at once all get the same buckets and stream", async () => {
  await using server = await startServer();
  const conns = await Promise.all(Array.from({ length: 10 }, () => connect({ servers: server.url })));
  try {
    const planes = await Promise.all(conns.map((nc) => ensureControlPlane(nc, "race")));
    assert.equal(planes.length, 10);
    const info = await planes[0]!.jsm.streams.info("RACE_STATS");
    assert.deepEqual(info.config.subjects, ["race.stats.>"]);
    assert.equal(info.config.max_bytes, 1024 * 1024 * 1024);
    assert.equal((await planes[0]!.agents.status()).ttl, 20_000);
    assert.equal((await planes[0]!.config.status()).history, 64);
  } finally {
    await Promise.all(conns.map((nc) => nc.close()));
  }
});

test("control - a bad push is refused with the path and the active config stays", async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  try {
    const client = new ControlClient(nc, "t1");
    const good = await client.push(root(), { pushedBy: "test" });
    assert.match(good.run_id, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const bad = root({}, [spec({ behavior: { duration_seconds: -1, ramp_up_seconds: 0 } })]);
    await assert.rejects(client.push(bad, { pushedBy: "test" }), (e: unknown) => {
      assert.ok(e instanceof PushRejectedError);
      assert.ok(
        e.issues.some((i) => i.path.includes("duration_seconds")),
        JSON.stringify(e.issues),
      );
      return true;
    });
    assert.equal((await client.active())?.run_id, good.run_id);
    const viaVar = root({}, [spec({ nats_url: "${TARGET_NATS}" })]);
    const second = await client.push(viaVar, { pushedBy: "test" });
    const hist = await client.history();
    assert.deepEqual(
      hist.map((h) => h.run_id),
      [second.run_id, good.run_id],
    );
    const seeded = await client.push(root(), { pushedBy: "seed", onlyIfEmpty: true });
    assert.equal(seeded.written, false);
    assert.equal((await client.active())?.run_id, second.run_id);
  } finally {
    await nc.close();
  }
});

test("control - stats come newest first, filtered by pod and run, from the stream", async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  try {
    const client = new ControlClient(nc, "t2");
    const { js, names } = await client.plane();
    for (let i = 0; i < 30; i++) {
      for (const pod of ["a", "b", "c"]) {
        const s = snapshot({ run_id: "r1", pod, at: i, published: i });
        await js.publish(names.statsSubject("r1", pod), JSON.stringify(s));
      }
    }
    const ten = await client.stats({ limit: 10 });
    assert.equal(ten.length, 10);
    assert.equal(ten[0]!.published, 29);
    assert.deepEqual(new Set(ten.slice(0, 3).map((s) => s.pod)), new Set(["a", "b", "c"]));
    const b = await client.stats({ limit: 5, pod: "b" });
    assert.deepEqual(
      b.map((s) => [s.pod, s.published]),
      [29, 28, 27, 26, 25].map((n) => ["b", n]),
    );
    assert.equal((await client.stats({ run: "nope" })).length, 0);
    assert.deepEqual(await client.command("stop"), []);
    assert.equal(controlNames("t2").statsStream, "T2_STATS");
  } finally {
    await nc.close();
  }
});
