// The loss rule over acknowledged messages: a failed publish that was stored all the same is counted as
// unconfirmed_delivered, never as loss, and never hides the loss of an acknowledged message.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FailLedger } from "../../src/engine/ledger.ts";
import { SeqTracker } from "../../src/engine/sequence.ts";

/** lost for one (consumer, publisher) as the share computes it at the end of a step. */
const lost = (sent: number, l: FailLedger, t: SeqTracker) =>
  Math.max(0, sent - l.count[0]! - (t.unique - t.failedArrived));

function setup() {
  const ledger = new FailLedger(1);
  const t = new SeqTracker();
  t.failed = ledger.seqs[0];
  ledger.trackersOf = () => [t];
  return { ledger, t };
}

test("ledger - a failed publish that arrived before it failed is unconfirmed_delivered, not acked", () => {
  const { ledger, t } = setup();
  for (const s of [0, 1, 2, 3]) t.observe(s, false);
  ledger.fail(0, 0);
  assert.equal(t.failedArrived, 1);
  // 5 sent, 0 failed: 1..4 acknowledged, 1..3 received: 4 is an acknowledged message lost.
  assert.equal(lost(5, ledger, t), 1);
});

test("ledger - a failed publish that arrives after it failed is unconfirmed_delivered and hides no loss", () => {
  const { ledger, t } = setup();
  t.observe(0, false);
  ledger.fail(0, 1);
  ledger.fail(0, 2);
  t.observe(1, false); // failed, stored all the same
  // 4 sent: 0 and 3 acked; 3 never arrived.
  assert.equal(t.failedArrived, 1);
  assert.equal(lost(4, ledger, t), 1, "sequence 3 was acknowledged and never received");
  t.observe(3, false);
  assert.equal(lost(4, ledger, t), 0);
});

test("ledger - a duplicate or a redelivery of a failed publish is counted once", () => {
  const { ledger, t } = setup();
  ledger.fail(0, 0);
  t.observe(0, false);
  t.observe(0, false);
  t.observe(0, true);
  assert.equal(t.failedArrived, 1);
  assert.equal(t.duplicates, 1);
  assert.equal(t.redelivered, 1);
  assert.equal(lost(1, ledger, t), 0);
});

test("ledger - a failed sequence older than the window is unknown to the tracker (has is false)", () => {
  const t = new SeqTracker();
  t.observe(0, false);
  t.observe(100_000, false);
  assert.equal(t.has(0), false);
  assert.equal(t.has(100_000), true);
  assert.equal(t.has(99_999), false);
});
