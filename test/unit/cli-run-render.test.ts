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
  unsent: 2 * id,
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
  // worker, streams, published, publish errors, acked, consumed, lost, unconsumed, unsent, missed sends (an
  // older agent's figure, shown as one worker has some), end to end samples, send delay samples
  assert.match(lines[head]!, /unsent\s+missed sends\s+end to end samples\s+send delay samples$/i);
  assert.match(
    lines[head + 1] ?? "",
    /^\s+#0\s+2\s+1,000\s+0\s+1,000\s+1,000\s+0\s+0\s+0\s+0\s+1,000\s+1,000$/,
  );
  assert.match(
    lines[head + 2] ?? "",
    /^\s+#1\s+2\s+2,000\s+0\s+2,000\s+2,000\s+0\s+0\s+2\s+1\s+2,000\s+2,000$/,
  );
});

test("ltctl run - a step on one thread prints no worker table", () => {
  assert.doesNotMatch(renderResults([snapshot({ phase: "done" })]), /worker/i);
  assert.doesNotMatch(renderResults([snapshot({ phase: "done", workers: [worker(0, 5)] })]), /worker/i);
});

test("ltctl run - a quiet counter that is 0 on every worker gets no column, nor a row in the step's table", () => {
  const workers = [worker(0, 5), { ...worker(1, 5), missed_sends: 0 }];
  const out = renderResults([snapshot({ phase: "done", workers })]);
  assert.match(out, /^\s+worker\s+streams\s+published\s+publish errors/im);
  assert.doesNotMatch(out, /missed sends/i);
  assert.match(out, /^\s+unsent\s+0\s*$/m, "unsent is always shown: an honest run says it sent every slot");
});
