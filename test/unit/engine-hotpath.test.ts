// The consume path's shortcuts give what the slow, general calls give: headers read through one view per
// buffer, the delivery count parsed from the ack subject, one-pass histogram summaries, cached encodings.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JsMsg } from "@nats-io/jetstream";
import { deliveryCount } from "../../src/engine/consumer.ts";
import { ShareMetrics } from "../../src/engine/metrics.ts";
import { HeaderReader, newHeader, PayloadFactory, readHeader } from "../../src/engine/payload.ts";
import { FallbackNotice } from "../../src/engine/wire.ts";
import { encodeHistogram, newHistogram, recordMs, summarize } from "../../src/stats/index.ts";
import { summarizeSlow } from "../../src/stats/percentiles.ts";

test("hot path - headers of messages sharing one buffer read the same through the reader as one by one", () => {
  const pf = new PayloadFactory(100, 4096);
  const slab = new Uint8Array(4096 + 7);
  const reader = new HeaderReader();
  for (let k = 0; k < 30; k++) {
    const p = pf.make(77, k, k * 3 + 0.5, 1_700_000_000_000.25 + k, k % 2 === 0);
    // Copy at an odd offset of one shared buffer, as a socket read holds several messages.
    const at = 7 + k * 100;
    if (at + 100 > slab.length) break;
    slab.set(p, at);
    const view = slab.subarray(at, at + 100);
    const a = newHeader();
    const b = newHeader();
    assert.ok(reader.read(view, a));
    assert.ok(readHeader(p, b));
    assert.deepEqual(a, b);
    assert.deepEqual(a, {
      source: 77,
      pub: k,
      seq: k * 3 + 0.5,
      intendedMs: 1_700_000_000_000.25 + k,
      trackLatency: k % 2 === 0,
    });
  }
  assert.equal(reader.read(new Uint8Array(10), newHeader()), false);
});

test("hot path - the delivery count from the ack subject equals nats.js' parse in both subject forms", () => {
  const msg = (reply: string, fallback = -1) =>
    ({ reply, info: { deliveryCount: fallback } }) as unknown as JsMsg;
  assert.equal(deliveryCount(msg("$JS.ACK.S.c.1.2.3.4.5")), 1);
  assert.equal(deliveryCount(msg("$JS.ACK.S.c.17.20.3.1700000000000000000.0")), 17);
  assert.equal(deliveryCount(msg("$JS.ACK._.HASH.S.c.3.9.9.1700000000.0.rand")), 3);
  assert.equal(deliveryCount(msg("$JS.ACK.dom.HASH.S.c.123.1.1.1.0")), 123);
  // Not a form it knows: nats.js' own info is asked.
  assert.equal(deliveryCount(msg("$JS.ACK.S.c.x.2.3.4.5", 9)), 9);
  assert.equal(deliveryCount(msg("$JS.ACK.S.c.2.3", 4)), 4);
  assert.equal(deliveryCount(msg("_INBOX.x", 5)), 5);
});

test("hot path - the one-pass summary equals the library's percentile calls on random histograms", () => {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let r = 0; r < 40; r++) {
    const h = newHistogram();
    const n = 1 + Math.floor(rnd() ** 3 * 20_000);
    for (let i = 0; i < n; i++)
      recordMs(h, r % 3 === 0 ? rnd() * 1000 : rnd() ** 4 * 50 + (r % 5 === 0 ? 3e6 : 0));
    assert.deepEqual(summarize(h), summarizeSlow(h));
    h.destroy();
  }
  const empty = newHistogram();
  assert.deepEqual(summarize(empty), summarizeSlow(empty));
});

test("hot path - a histogram's encoding is reused until it records again, and is then fresh", () => {
  const m = new ShareMetrics();
  const first = m.encode();
  assert.equal(m.encode().end_to_end, first.end_to_end);
  recordMs(m.hist.end_to_end, 3.5);
  const second = m.encode();
  assert.notEqual(second.end_to_end, first.end_to_end);
  assert.equal(second.end_to_end, encodeHistogram(m.hist.end_to_end));
  assert.equal(second.publish_ack, first.publish_ack);
  m.destroy();
});

test("hot path - a share says once that the fast path is missing, and not when the public path was asked for", () => {
  const warned: string[] = [];
  const log = { info() {}, warn: (msg: string) => warned.push(msg), error() {} };
  const notice = new FallbackNotice(log);
  notice.note(true, false);
  notice.note(false, true);
  assert.deepEqual(warned, [], "a fast lane, or a public path asked for, is not a fallback");
  notice.note(false, false);
  notice.note(false, false);
  assert.equal(warned.length, 1, "two lanes without the fast path: one warning");
  assert.match(warned[0]!, /fast path unavailable/);
});
