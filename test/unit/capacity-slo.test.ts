// ltctl capacity's --slo expressions: the threshold vocabulary of docs/reports.md, typed without spaces.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSlos } from "../../src/cli/capacity/judge.ts";

test("capacity slo - command-line expressions become a thresholds block, spaces optional", () => {
  assert.deepEqual(
    parseSlos(["publish_ack.p99_ms<10", "lost==0", "end_to_end.p999_ms <= 25.5", "unsent == 0"]),
    {
      block: { "publish_ack.p99_ms": "< 10", lost: "== 0", "end_to_end.p999_ms": "<= 25.5", unsent: "== 0" },
    },
  );
});

test("capacity slo - an unknown metric, a bad operator or a metric given twice is refused naming the expression", () => {
  const e = (x: ReturnType<typeof parseSlos>) => ("error" in x ? x.error : "");
  assert.match(e(parseSlos(["p99<10"])), /--slo "p99<10": unknown metric "p99"/);
  assert.match(e(parseSlos(["lost=0"])), /--slo "lost=0": expected <metric><operator><number>/);
  assert.match(e(parseSlos(["lost<fast"])), /--slo "lost<fast": expected "<operator> <number>"/);
  assert.match(e(parseSlos(["lost==0", "lost<1"])), /lost is given twice/);
});
