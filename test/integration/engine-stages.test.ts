// behavior.stages against a real nats-server: each stage reaches its own target, and a spike shows in the
// per-interval rate and target of the running snapshots.
import assert from "node:assert/strict";
import { test } from "node:test";
import { perStage } from "../../src/cli/stages/per-stage.ts";
import { loadConfig } from "../../src/config/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { run, smallSpec } from "./engine-helpers.ts";

/** 400 msg/s per publisher for 3 s, a jump to 2,000/s (5x) for 2 s, back to 400/s for 3 s. */
const STAGES = [
  { duration_seconds: 0, rate: 400 },
  { duration_seconds: 3, rate: 400 },
  { duration_seconds: 0, multiplier: 5 },
  { duration_seconds: 2, multiplier: 5 },
  { duration_seconds: 0, rate: 400 },
  { duration_seconds: 3, rate: 400 },
];
const SPIKE = { from: 3, to: 5 };

/** Running snapshots whose interval lies wholly inside [from, to) seconds of the step. */
function inside(snaps: Snapshot[], from: number, to: number): Snapshot[] {
  return snaps.filter((s) => {
    if (s.phase !== "running" || s.interval_s === undefined || s.interval_s <= 0) return false;
    return s.elapsed_s - s.interval_s >= from && s.elapsed_s <= to;
  });
}

test("engine - stages reach each stage's target within the rate bounds, and a 5x spike shows in per-interval rate and target", async () => {
  await using srv = await startServer();
  const spec = smallSpec(srv.url, "stg", {});
  const s = spec as { publishers: Record<string, unknown>; behavior: Record<string, unknown> };
  s.publishers.publish_rate_per_second = 400;
  s.behavior = { duration_seconds: 8, ramp_up_seconds: 0, stages: STAGES };
  const { finals, snaps } = await run([spec]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  // Two publishers (smallSpec's two streams): 2 x (400 x 3 + 2,000 x 2 + 400 x 3) = 12,800 slots; the 2%
  // bound of the steady-rate test, every slot sent, every message acked and consumed.
  assert.ok(Math.abs(f.published - 12_800) <= 256, `published ${f.published}, want 12,800 ±2%`);
  assert.equal(f.unsent, 0);
  assert.equal(f.acked, f.published);
  assert.equal(f.consumed, f.published);
  assert.equal(f.lost, 0);
  // The final's target is the shape's mean over the step: 12,800 / 8 s.
  assert.ok(Math.abs((f.target_rate ?? 0) - 1600) <= 16, `final target ${f.target_rate}, want 1,600`);

  const running = snaps.filter((x) => x.spec_index === f.spec_index && x.iteration === f.iteration);
  for (const [from, to, want] of [
    [0, SPIKE.from, 800],
    [SPIKE.from, SPIKE.to, 4000],
    [SPIKE.to, 8, 800],
  ] as const) {
    const within = inside(running, from, to);
    assert.ok(
      within.length >= 1,
      `a snapshot interval inside [${from}, ${to}) s: ${running.map((x) => x.elapsed_s)}`,
    );
    for (const x of within) {
      // The target follows the stage exactly (what the shape asked in that interval).
      assert.ok(
        Math.abs((x.target_rate ?? 0) - want) <= want * 0.01,
        `target ${x.target_rate} at ${x.elapsed_s} s, want ${want}`,
      );
    }
    // Achieved over the stage's whole intervals: the counts sent against the counts asked, within 5% (an
    // interval of about a second shifts by the few slots a busy machine sends a little late across its edge).
    const sent = within.reduce((n, x) => n + x.publish_rate * x.interval_s!, 0);
    const asked = within.reduce((n, x) => n + (x.target_rate ?? 0) * x.interval_s!, 0);
    assert.ok(Math.abs(sent - asked) <= asked * 0.05 + 20, `[${from}, ${to}) s sent ${sent} of ${asked}`);
  }
  // ltctl run's per-stage figures: the shape's target per stage, achieved over the intervals inside it.
  const loaded = loadConfig({ load_test_specs: [spec] }, { pod: "p", env: {} });
  assert.ok(loaded.ok);
  const stages = perStage(loaded.plan.steps[0]!, running)!;
  assert.deepEqual(
    stages.map((x) => [x.from_s, x.to_s, x.target_rate]),
    [
      [0, 3, 800],
      [3, 5, 4000],
      [5, 8, 800],
    ],
  );
  for (const x of stages) {
    assert.ok(x.achieved_rate !== null && x.covered_s > 0, JSON.stringify(x));
    // A constant stage: the covered intervals asked the stage's own target.
    assert.ok(Math.abs(x.covered_target_rate! - x.target_rate) <= x.target_rate * 0.01, JSON.stringify(x));
    assert.ok(
      Math.abs(x.achieved_rate - x.target_rate) <= x.target_rate * 0.05 + 20 / x.covered_s,
      JSON.stringify(x),
    );
  }
  // The spike's intervals send at least 4x the calm ones' rate (5x asked).
  const calm = Math.max(...inside(running, 0, SPIKE.from).map((x) => x.publish_rate));
  const spike = Math.min(...inside(running, SPIKE.from, SPIKE.to).map((x) => x.publish_rate));
  assert.ok(spike >= 4 * calm, `spike ${spike}/s vs calm ${calm}/s`);
});
