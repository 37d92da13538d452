// The consume fast path's pure parts: ack frames leave in one hand-over per socket read, whole and in order
// across slabs, counted in the client's figures; the delivery count read from the ack subject's bytes.
// (Byte identity with nats.js' m.ack() and exactly-once acking are checked on a real server in
// test/integration/engine-consume-fast.test.ts.)
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { AckWriter } from "../../src/engine/ack-writer.ts";
import { DeliveryCounter } from "../../src/engine/delivery.ts";
import type { RawProtocol } from "../../src/engine/wire.ts";

/** The protocol handler's parts the writer uses, recording what it is handed. */
function recordingProtocol() {
  const chunks: Uint8Array[] = [];
  const proto = {
    outMsgs: 0,
    outBytes: 0,
    noMorePublishing: false,
    info: undefined,
    sendCommand(cmd: string | Uint8Array) {
      chunks.push(typeof cmd === "string" ? new TextEncoder().encode(cmd) : cmd.slice());
    },
  };
  return { proto: proto as unknown as RawProtocol & typeof proto, chunks };
}

const connection = (closed = () => false) => ({ isClosed: closed }) as unknown as NatsConnection;
const te = new TextEncoder();
// After a macrotask every queued microtask has run (the writer hands over in one).
const turn = () => new Promise((r) => setImmediate(r));
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString("latin1");

test("ack frames - the acks written in one go (one socket read) leave in one hand-over, as PUB <reply> 4 +ACK, counted in outMsgs and outBytes", async () => {
  const { proto, chunks } = recordingProtocol();
  const w = new AckWriter(connection(), proto);
  const replies = ["$JS.ACK.S.c.1.1.1.1.0", "$JS.ACK.S.c.1.2.2.1.0", "$JS.ACK._.H.S.c.2.3.3.1.0.x"];
  for (const r of replies) w.ack(te.encode(r));
  assert.equal(chunks.length, 0, "nothing is handed over synchronously");
  await turn();
  assert.equal(chunks.length, 1, "one hand-over for the acks of one read");
  assert.equal(text(chunks), replies.map((r) => `PUB ${r} 4\r\n+ACK\r\n`).join(""));
  assert.equal(proto.outMsgs, 3);
  assert.equal(proto.outBytes, 12, "payload bytes, as nats.js counts them");
  w.ack(te.encode(replies[0]!));
  await turn();
  assert.equal(chunks.length, 2, "a later ack is its own hand-over");
  await turn();
  assert.equal(chunks.length, 2, "nothing more to hand over");
});

test("ack frames - thousands of acks at once span slabs and arrive whole and in order", async () => {
  const { proto, chunks } = recordingProtocol();
  const w = new AckWriter(connection(), proto);
  const n = 5000;
  const expected: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = `$JS.ACK.ORDERS_STREAM.consumer_${i % 7}.1.${i + 1}.${i + 1}.1733051234567890123.${n - i}`;
    expected.push(`PUB ${r} 4\r\n+ACK\r\n`);
    w.ack(te.encode(r));
  }
  await turn();
  assert.ok(chunks.length >= 2, `more than one 256 KiB slab (${chunks.length} chunks)`);
  assert.equal(text(chunks), expected.join(""));
  assert.equal(proto.outMsgs, n);
});

test("ack frames - a commit before a flush hands over at once; on a closed connection acks are dropped like m.ack()'s", async () => {
  const { proto, chunks } = recordingProtocol();
  let closed = false;
  const w = new AckWriter(
    connection(() => closed),
    proto,
  );
  w.ack(te.encode("$JS.ACK.S.c.1.1.1.1.0"));
  w.commit();
  assert.equal(chunks.length, 1, "commit hands over at once");
  await turn();
  assert.equal(chunks.length, 1, "and nothing twice");
  closed = true;
  w.ack(te.encode("$JS.ACK.S.c.1.2.2.1.0"));
  await turn();
  assert.equal(chunks.length, 1);
  assert.equal(proto.outMsgs, 1, "a dropped ack is not counted as sent");
});

test("delivery count - read from the ack subject's bytes in both forms, through the prefix cache and past it", () => {
  const d = new DeliveryCounter();
  const old = (stream: string, con: string, n: number, s: number) =>
    te.encode(`$JS.ACK.${stream}.${con}.${n}.${s}.${s}.1733051234567890123.0`);
  const neu = (stream: string, con: string, n: number, s: number) =>
    te.encode(`$JS.ACK._.ACCHASH.${stream}.${con}.${n}.${s}.${s}.1733051234567890123.0.tok`);
  let seed = 7;
  const rnd = (m: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % m);
  };
  for (let i = 0; i < 2000; i++) {
    const n = rnd(i % 10 === 0 ? 100_000 : 3);
    // Two consumers of two forms share the counter: each switch misses the cached prefix.
    const subject = i % 3 === 0 ? neu("S", "c1", n, i + 1) : old(`S${i % 2}`, "c2", n, i + 1);
    assert.equal(d.ofBytes(subject), n, new TextDecoder().decode(subject));
  }
  for (const bad of [
    "$JS.ACK.S.c.x.2.3.4.5",
    "$JS.ACK.S.c.2.3",
    "_INBOX.abc.def",
    "$JS.ACK.S.c..2.3.4.5",
    "$JS.ACK.S",
  ])
    assert.equal(d.ofBytes(te.encode(bad)), -1, bad);
  // After the bad ones, the cached prefix still serves.
  assert.equal(d.ofBytes(old("S0", "c2", 4, 9)), 4);
});
