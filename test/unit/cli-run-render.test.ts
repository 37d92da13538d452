import assert from "node:assert/strict";
import { test } from "node:test";
import { renderResults } from "../../src/cli/commands/run.ts";
import { snapshot } from "../fixtures/snapshots.ts";

const worker = (id: number, published: number) => ({
  id,
  streams: 2,
  published,
  acked: published,
  publish_errors: 0,
  consumed: published,
  lost: 0,
  missed_sends: id,
  end_to_end_count: published,
  send_delay_count: published,
});

test("ltctl run - a step split over workers prints one row per worker under the totals", () => {
  const s = snapshot({ published: 3000, phase: "done", workers: [worker(0, 1000), worker(1, 2000)] });
  const out = renderResults([s]);
  const lines = out.split("\n");
  const head = lines.findIndex((l) => /^\s+worker\s+streams\s+published/i.test(l));
  assert.ok(head > 0, out);
  assert.match(lines[head + 1] ?? "", /^\s+#0\s+2\s+1,000\s+1,000\s+0\s+0\s+1,000\s+0\s+1,000$/);
  assert.match(lines[head + 2] ?? "", /^\s+#1\s+2\s+2,000\s+2,000\s+0\s+1\s+2,000\s+0\s+2,000$/);
});

test("ltctl run - a step on one thread prints no worker table", () => {
  assert.doesNotMatch(renderResults([snapshot({ phase: "done" })]), /worker/i);
  assert.doesNotMatch(renderResults([snapshot({ phase: "done", workers: [worker(0, 5)] })]), /worker/i);
});
