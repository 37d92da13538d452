// Reading the latest value of every key while keys keep changing (presence changes every heartbeat): no read
// may miss a key that exists.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { ControlClient, controlNames, ensureControlPlane } from "../../src/control/index.ts";
import { startServer } from "../harness/index.ts";

test("control - status lists every agent in every read while all of them heartbeat fast", async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  try {
    await ensureControlPlane(nc, "lt");
    const kv = await new Kvm(nc).open(controlNames("lt").agentsBucket);
    const pods = ["a", "b", "c", "d", "e"];
    const presence = (pod: string) =>
      JSON.stringify({
        v: 1,
        pod,
        mode: "both",
        state: "idle",
        run_id: "",
        spec: "",
        version: "test",
        started_at: Date.now(),
        last_seen: Date.now(),
        http: "",
      });
    for (const pod of pods) await kv.put(pod, presence(pod));
    let writing = true;
    const writer = (async () => {
      while (writing) {
        for (const pod of pods) await kv.put(pod, presence(pod));
      }
    })();
    const client = new ControlClient(nc);
    const sizes: number[] = [];
    for (let i = 0; i < 100; i++) sizes.push((await client.status()).length);
    writing = false;
    await writer;
    assert.deepEqual(
      sizes.filter((n) => n !== pods.length),
      [],
      "every read saw all five agents",
    );
  } finally {
    await nc.close();
  }
});
