// Sequence tracking in a fixed window: duplicates, reordering, redeliveries, loss.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HEADER_BYTES, newHeader, PayloadFactory, readHeader } from "../../src/engine/payload.ts";
import { SeqTracker, WINDOW_BITS } from "../../src/engine/sequence.ts";

test("sequence - in order, a duplicate and a reordered message are told apart", () => {
  const t = new SeqTracker();
  for (const s of [0, 1, 3, 2, 3]) t.observe(s, false);
  assert.equal(t.unique, 4);
  assert.equal(t.duplicates, 1);
  assert.equal(t.outOfOrder, 1);
  assert.equal(t.openGaps(), 0);
});

test("sequence - a redelivery is counted as redelivered, never as duplicate, and fills a gap", () => {
  const t = new SeqTracker();
  t.observe(0, false);
  t.observe(0, true);
  t.observe(2, false);
  t.observe(1, true);
  assert.equal(t.redelivered, 2);
  assert.equal(t.duplicates, 0);
  assert.equal(t.outOfOrder, 0);
  assert.equal(t.unique, 3);
  assert.equal(t.openGaps(), 0);
});

test("sequence - gaps that leave the window are lost, memory stays one window", () => {
  const t = new SeqTracker();
  for (let s = 0; s < 100_000; s++) if (s % 10 !== 5) t.observe(s, false);
  const expectedSlid = Math.floor((100_000 - WINDOW_BITS) / 10) + 1;
  assert.ok(Math.abs(t.slidLost - expectedSlid) <= 1, `slid ${t.slidLost} vs ${expectedSlid}`);
  assert.equal(t.slidLost + t.openGaps(), 10_000);
  assert.equal(t.duplicates, 0);
});

test("sequence - a consumer joining late does not count what came before it as lost", () => {
  const t = new SeqTracker();
  for (let s = 50_000; s < 50_100; s++) t.observe(s, false);
  assert.equal(t.slidLost + t.openGaps(), 0);
});

test("payload - the header round-trips and the payload has the configured size", () => {
  const f = new PayloadFactory(1024);
  const p = f.make(77, 3, 123_456, 1_700_000_000_123.25, true);
  assert.equal(p.length, 1024);
  const h = newHeader();
  assert.ok(readHeader(p, h));
  assert.deepEqual(h, {
    source: 77,
    pub: 3,
    seq: 123_456,
    intendedMs: 1_700_000_000_123.25,
    trackLatency: true,
  });
  assert.equal(new PayloadFactory(8).make(1, 1, 1, 1, false).length, HEADER_BYTES);
});
