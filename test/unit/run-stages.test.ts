// ltctl run's per-stage figures, from a plan step and running snapshots.
import assert from "node:assert/strict";
import { test } from "node:test";
import { perStage, renderStages } from "../../src/cli/stages/per-stage.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { loadOk, root, spec } from "../fixtures/config.ts";

/** A running snapshot covering (at - 1, at] s that published `rate` and was asked `target`. */
const snap = (at: number, rate: number, target: number) =>
  ({
    phase: "running",
    spec_index: 0,
    iteration: 0,
    elapsed_s: at,
    interval_s: 1,
    publish_rate: rate,
    target_rate: target,
  }) as unknown as Snapshot;

test("run stages - a ramp stage's target is its mean, and achieved compares with what its measured intervals asked", () => {
  // publish_rate_per_second 100, one publisher: hold 100/s for 2 s, ramp to 300/s over 2 s, hold to 6 s.
  const cfg = root({}, [
    spec({
      behavior: {
        duration_seconds: 6,
        ramp_up_seconds: 0,
        stages: [
          { duration_seconds: 0, rate: 100 },
          { duration_seconds: 2, rate: 100 },
          { duration_seconds: 2, rate: 300 },
        ],
      },
    }),
  ]);
  const step = loadOk(cfg).plan.steps[0]!;
  const snaps = [
    snap(1, 100, 100),
    snap(2, 98, 100),
    snap(3, 150, 150),
    snap(4, 250, 250),
    snap(5, 300, 300),
  ];
  const st = perStage(step, snaps)!;
  assert.deepEqual(
    st.map((s) => [s.from_s, s.to_s, s.target_rate, s.achieved_rate, s.covered_target_rate, s.covered_s]),
    [
      [0, 2, 100, 99, 100, 2],
      [2, 4, 200, 200, 200, 2],
      [4, 6, 300, 300, 300, 1],
    ],
  );
  assert.match(renderStages(st), /2-4 s +200 +200 +100\.0%/);
  assert.equal(perStage(loadOk(root()).plan.steps[0]!, snaps), undefined, "a step without stages has none");
});
