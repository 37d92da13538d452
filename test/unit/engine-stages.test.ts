// Load shapes (behavior.stages): the schedule integrates the piecewise-linear rate exactly, and the config
// validates stages with paths and keeps every seed config's meaning.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  factorAt,
  planSummary,
  rampShape,
  type ShapePoint,
  shapeOf,
  shiftShape,
} from "../../src/config/index.ts";
import { plannedMessages, Schedule, seededRandom } from "../../src/engine/schedule.ts";
import { CTX, edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

function times(o: ConstructorParameters<typeof Schedule>[0]): number[] {
  const s = new Schedule(o);
  const out: number[] = [];
  while (Number.isFinite(s.nextMs)) {
    for (let k = 0; k < s.perEvent; k++) out.push(s.nextMs);
    s.advance();
  }
  return out;
}
const count = (t: number[], from: number, to: number) => t.filter((x) => x >= from && x < to).length;
const base = { ratePerSec: 1000, pattern: "steady" as const, burstSize: 1, rampUpMs: 0, phase: 0 };

/** 1,000/s for 2 s, a ramp to 3,000/s over 2 s, a drop to 500/s for 2 s, then a ramp down to 0 over 2 s. */
const STAGES = [
  { duration_seconds: 0, rate: 1000 },
  { duration_seconds: 2, rate: 1000 },
  { duration_seconds: 2, multiplier: 3 },
  { duration_seconds: 0, rate: 500 },
  { duration_seconds: 2, rate: 500 },
  { duration_seconds: 2, rate: 0 },
];
const shape = shapeOf({ duration_seconds: 8, ramp_up_seconds: 0, stages: STAGES }, 1000)!;

describe("schedule with stages", () => {
  test("schedule - each stage sends its own integral of the rate, exact within one message", () => {
    const t = times({ ...base, durationMs: 8000, shape });
    assert.ok(Math.abs(count(t, 0, 2000) - 2000) <= 1, `hold ${count(t, 0, 2000)}`);
    // A ramp from 1,000 to 3,000/s over 2 s is 4,000 messages, 1,500 of them in its first half (a mean of 1,500/s).
    assert.ok(Math.abs(count(t, 2000, 4000) - 4000) <= 1, `ramp up ${count(t, 2000, 4000)}`);
    assert.ok(Math.abs(count(t, 2000, 3000) - 1500) <= 1, `ramp first half ${count(t, 2000, 3000)}`);
    assert.ok(Math.abs(count(t, 4000, 6000) - 1000) <= 1, `after the drop ${count(t, 4000, 6000)}`);
    // Down from 500/s to 0 over 2 s: 500 messages, 375 in the first second.
    assert.ok(Math.abs(count(t, 6000, 8000) - 500) <= 1, `ramp down ${count(t, 6000, 8000)}`);
    assert.ok(Math.abs(count(t, 6000, 7000) - 375) <= 1, `ramp down first half ${count(t, 6000, 7000)}`);
    assert.ok(Math.abs(t.length - 7500) <= 1, `total ${t.length}`);
    for (let i = 1; i < t.length; i++) assert.ok(t[i]! >= t[i - 1]!, `times rise at ${i}`);
  });

  test("schedule - plannedMessages follows the stages (target per interval), the last target held to the end", () => {
    assert.equal(plannedMessages(1000, 0, 8000, 2000, shape), 2000);
    assert.equal(plannedMessages(1000, 0, 8000, 4000, shape), 6000);
    assert.equal(plannedMessages(1000, 0, 8000, 20_000, shape), 7500);
    // A shape ending at a rate holds it: 2 s at 2,000/s after a 1 s jump-free hold.
    const hold: ShapePoint[] = [
      { ms: 0, factor: 2 },
      { ms: 1000, factor: 2 },
    ];
    assert.equal(plannedMessages(1000, 0, 3000, 3000, hold), 6000);
  });

  test("schedule - the seed's ramp as a shape schedules the same instants as ramp_up_seconds", () => {
    const old = times({ ...base, rampUpMs: 4000, durationMs: 8000, phase: 0.3 });
    const viaShape = times({ ...base, rampUpMs: 0, durationMs: 8000, phase: 0.3, shape: rampShape(4000) });
    assert.equal(viaShape.length, old.length);
    for (let i = 0; i < old.length; i++) assert.ok(Math.abs(old[i]! - viaShape[i]!) < 1e-6, `slot ${i}`);
    assert.equal(old.length, 6000);
  });

  test("schedule - a random pattern keeps each stage's mean within 5%", () => {
    const t = times({
      ...base,
      pattern: "random",
      burstSize: 5,
      durationMs: 8000,
      shape,
      random: seededRandom(3),
    });
    for (const [from, to, want] of [
      [0, 2000, 2000],
      [2000, 4000, 4000],
      [4000, 6000, 1000],
    ] as const) {
      const n = count(t, from, to);
      assert.ok(Math.abs(n - want) / want < 0.05, `[${from}, ${to}) ${n} vs ${want}`);
    }
  });

  test("schedule - slots unsent at the end of a staged step are counted from the stages", () => {
    const s = new Schedule({ ...base, durationMs: 8000, shape });
    let late = 0;
    assert.equal(
      s.unsentBefore(5000, (_ms, n) => {
        late += n;
      }),
      6500,
    );
    assert.equal(late, 6500);
  });

  test("shape - a pod joining late sees the rest of the shape from where the fleet is", () => {
    const rest = shiftShape(shape, 3000);
    assert.deepEqual(rest[0], { ms: 0, factor: 2 });
    assert.equal(factorAt(rest, 1000), factorAt(shape, 4000));
    assert.equal(factorAt(rest, 2000), 0.5);
  });
});

describe("behavior.stages in the config", () => {
  const withStages = (stages: unknown, behavior: Record<string, unknown> = {}) =>
    root({}, [spec({ behavior: { duration_seconds: 10, ramp_up_seconds: 0, stages, ...behavior } })]);

  test("config - a seed config without stages has no shape (the ramp keeps its meaning)", () => {
    const r = loadOk(root({}, [spec({ behavior: { duration_seconds: 10, ramp_up_seconds: 4 } })]));
    assert.equal(r.plan.steps[0]!.spec.shape, undefined);
    assert.equal(r.plan.steps[0]!.spec.rampUpMs, 4000);
  });

  test("config - stages become a shape of shares of publish_rate_per_second", () => {
    const r = loadOk(
      withStages([
        { duration_seconds: 2, rate: 50 },
        { duration_seconds: 0, multiplier: 10 },
        { duration_seconds: 3, multiplier: 10 },
      ]),
    );
    assert.deepEqual(r.plan.steps[0]!.spec.shape, [
      { ms: 0, factor: 0 },
      { ms: 2000, factor: 0.5 },
      { ms: 2000, factor: 10 },
      { ms: 5000, factor: 10 },
    ]);
  });

  test("config - a stage with both rate and multiplier, or neither, is refused at its path", () => {
    for (const stage of [{ duration_seconds: 1, rate: 5, multiplier: 2 }, { duration_seconds: 1 }]) {
      const issues = loadBad(withStages([stage]));
      assert.ok(
        issues.some(
          (i) => i.path.includes("behavior.stages[0]") && i.message.includes("exactly one of rate"),
        ),
        JSON.stringify(issues),
      );
    }
  });

  test("config - negative rates, unknown stage keys and empty lists are refused with their paths", () => {
    const neg = loadBad(withStages([{ duration_seconds: 1, rate: -1 }]));
    assert.ok(
      neg.some((i) => i.path.includes("behavior.stages[0].rate")),
      JSON.stringify(neg),
    );
    const unknown = loadBad(withStages([{ duration_seconds: 1, rate: 1, target: 5 }]));
    assert.ok(
      unknown.some((i) => i.path.includes("behavior.stages[0]")),
      JSON.stringify(unknown),
    );
    const empty = loadBad(withStages([]));
    assert.ok(
      empty.some((i) => i.path.includes("behavior.stages")),
      JSON.stringify(empty),
    );
  });

  test("config - stages longer than duration_seconds, or together with ramp_up_seconds, are refused", () => {
    const long = loadBad(withStages([{ duration_seconds: 11, rate: 1 }]));
    assert.ok(
      long.some(
        (i) => i.path.endsWith("behavior.stages") && i.message.includes("longer than duration_seconds"),
      ),
      JSON.stringify(long),
    );
    const ramp = loadBad(withStages([{ duration_seconds: 1, rate: 1 }], { ramp_up_seconds: 2 }));
    assert.ok(
      ramp.some((i) => i.path.endsWith("behavior.ramp_up_seconds")),
      JSON.stringify(ramp),
    );
  });

  test("config - repeat iterations keep the stages (a multiplier stage follows the multiplied rate)", () => {
    const cfg = edited(withStages([{ duration_seconds: 2, multiplier: 2 }]), (c) => {
      c.repeat_policy = { enabled: true, max_iterations: 2, publishers: { publish_rate_multiplier: 2 } };
    });
    const r = loadOk(cfg, CTX);
    assert.ok(r.plan.steps.length >= 2, `${r.plan.steps.length} steps`);
    for (const s of r.plan.steps) assert.deepEqual(s.spec.shape?.at(-1), { ms: 2000, factor: 2 });
    assert.equal(r.plan.steps[1]!.spec.publishers[0]!.ratePerSec, 200);
  });

  test("config - the plan summary (ltctl validate) counts a staged step's stages instead of a ramp", () => {
    const r = loadOk(
      withStages([
        { duration_seconds: 2, rate: 50 },
        { duration_seconds: 3, rate: 100 },
      ]),
    );
    assert.equal(planSummary(r.plan).steps[0]!.stages, 2);
    const seed = loadOk(root());
    assert.equal(planSummary(seed.plan).steps[0]!.stages, undefined);
  });
});
