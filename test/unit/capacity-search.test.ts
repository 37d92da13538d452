// The capacity search without NATS: a judge function stands in for the steps.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bounds, nextStep, type SearchOptions, search } from "../../src/cli/capacity/search.ts";

const O: SearchOptions = { start: 1000, factor: 2, max: 1_000_000, precision: 0.05 };
const upTo = (limit: number) => async (rate: number) => ({ rate, passed: rate <= limit, generator: false });

test("capacity search - converges on a limit, its answer between the highest pass and the lowest fail within the precision", async () => {
  for (const limit of [1000, 1234, 4321, 77_777, 999_000]) {
    const r = await search(O, upTo(limit));
    assert.equal(r.end, "converged", `limit ${limit}`);
    const { pass, fail } = bounds(r.steps);
    assert.equal(r.max_rate, pass);
    assert.ok(pass! <= limit && limit < fail!, `limit ${limit} in [${pass}, ${fail})`);
    assert.ok((fail! - pass!) / fail! <= O.precision, `interval ${pass}..${fail}`);
    assert.ok(r.steps.length <= 30, `${r.steps.length} steps`);
  }
});

test("capacity search - rises geometrically from start by factor, capped at max", async () => {
  const r = await search({ ...O, max: 10_000 }, upTo(1e9));
  assert.deepEqual(
    r.steps.map((s) => s.rate),
    [1000, 2000, 4000, 8000, 10_000],
  );
  assert.equal(r.end, "max_passed");
  assert.equal(r.max_rate, 10_000);
});

test("capacity search - a first step that fails on the server has no answer; one the generator cannot serve stops at once", async () => {
  const none = await search(O, upTo(10));
  assert.equal(none.end, "start_failed");
  assert.equal(none.max_rate, null);
  const gen = await search(O, async (rate) => ({ rate, passed: rate < 8000, generator: rate >= 8000 }));
  assert.equal(gen.end, "generator");
  assert.deepEqual(
    gen.steps.map((s) => s.rate),
    [1000, 2000, 4000, 8000],
    "no bisection into the generator's own limit",
  );
  assert.equal(gen.max_rate, 4000);
});

test("capacity search - a noisy judge (a pass above a fail) still answers below the lowest fail", () => {
  const steps = [
    { rate: 1000, passed: true, generator: false },
    { rate: 2000, passed: false, generator: false },
    { rate: 1500, passed: false, generator: false },
    { rate: 1800, passed: true, generator: false },
  ];
  assert.deepEqual(bounds(steps), { pass: 1000, fail: 1500 });
  assert.deepEqual(nextStep(O, steps), { rate: 1250 });
});
