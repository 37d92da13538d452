// The interval histograms a snapshot carries: exactly the samples recorded since the previous snapshot.
import assert from "node:assert/strict";
import { test } from "node:test";
import { IntervalHists } from "../../src/engine/interval.ts";
import { perKind } from "../../src/engine/metrics.ts";
import {
  decodeHistogram,
  encodeHistogram,
  type LatencyKind,
  newHistogram,
  recordMs,
  summarize,
} from "../../src/stats/index.ts";

const summaryOf = (encoded: string) => {
  const h = decodeHistogram(encoded);
  const s = summarize(h);
  h.destroy();
  return s;
};

const valuesSummary = (values: readonly number[]) => {
  const h = newHistogram();
  for (const v of values) recordMs(h, v);
  const s = summarize(h);
  h.destroy();
  return s;
};

test("engine - each snapshot's interval histogram holds exactly the samples since the previous one, max included", () => {
  const cumulative = newHistogram();
  const intervals = new IntervalHists();
  const encodeAll = () => perKind(() => encodeHistogram(cumulative)) as Record<LatencyKind, string>;
  // Interval 1: a stall (slow samples); interval 2: fast again; interval 3: nothing; interval 4: one sample.
  const batches = [[500, 900, 1200], [1, 2, 2, 3], [], [7]];
  for (const batch of batches) {
    for (const v of batch) recordMs(cumulative, v);
    const out = intervals.next(encodeAll());
    const got = summaryOf(out.publish_ack);
    assert.deepEqual(got, valuesSummary(batch), `interval ${JSON.stringify(batch)}`);
  }
  assert.equal(cumulative.totalCount, 8, "the cumulative histogram still holds every sample");
  cumulative.destroy();
});

test("engine - an interval histogram after a cumulative one that restarted (the error path's empty sample) is kept whole", () => {
  const h = newHistogram();
  recordMs(h, 5);
  recordMs(h, 6);
  const intervals = new IntervalHists();
  intervals.next(perKind(() => encodeHistogram(h)));
  const empty = newHistogram();
  const out = intervals.next(perKind(() => encodeHistogram(empty)));
  assert.equal(summaryOf(out.end_to_end).count, 0, "no negative counts");
  h.destroy();
  empty.destroy();
});
