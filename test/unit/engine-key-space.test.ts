// The key space of the KV workload: uniform and Zipf draws stay in range and follow their distribution.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeySpace } from "../../src/engine/key-space.ts";
import { seededRandom } from "../../src/engine/schedule.ts";

const DRAWS = 200_000;

function frequencies(ks: KeySpace): number[] {
  const f = new Array<number>(ks.count).fill(0);
  for (let i = 0; i < DRAWS; i++) {
    const k = ks.next();
    assert.ok(Number.isInteger(k) && k >= 0 && k < ks.count, `key ${k} out of range`);
    f[k]! += 1;
  }
  return f;
}

describe("engine - key space", () => {
  it("uniform draws every key about equally often", () => {
    const f = frequencies(new KeySpace({ count: 10, distribution: "uniform", random: seededRandom(1) }));
    for (const n of f) assert.ok(Math.abs(n / DRAWS - 0.1) < 0.01, `${n}`);
  });

  for (const s of [0.5, 1, 2]) {
    it(`zipf with exponent ${s} draws key k with weight 1/(k+1)^${s}`, () => {
      const count = 50;
      const f = frequencies(
        new KeySpace({ count, distribution: "zipf", exponent: s, random: seededRandom(7) }),
      );
      let norm = 0;
      for (let k = 1; k <= count; k++) norm += k ** -s;
      for (const k of [0, 1, 2, 9, 49]) {
        const expected = (k + 1) ** -s / norm;
        // 5 standard deviations of a binomial count, plus a little for the seeded source.
        const tol = 5 * Math.sqrt((expected * (1 - expected)) / DRAWS) + 0.001;
        assert.ok(Math.abs(f[k]! / DRAWS - expected) < tol, `key ${k}: ${f[k]! / DRAWS} vs ${expected}`);
      }
    });
  }

  it("zipf over ten million keys needs no table and stays in range", () => {
    const ks = new KeySpace({
      count: 10_000_000,
      distribution: "zipf",
      exponent: 1.1,
      random: seededRandom(3),
    });
    for (let i = 0; i < 10_000; i++) {
      const k = ks.next();
      assert.ok(k >= 0 && k < 10_000_000);
    }
  });

  it("one key, or exponent 0, is a plain draw", () => {
    assert.equal(new KeySpace({ count: 1, distribution: "zipf" }).next(), 0);
    const f = frequencies(
      new KeySpace({ count: 4, distribution: "zipf", exponent: 0, random: seededRandom(5) }),
    );
    for (const n of f) assert.ok(Math.abs(n / DRAWS - 0.25) < 0.01);
  });
});
