// The open-model schedule and the shared scheduler, without NATS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Schedule, seededRandom } from "../../src/engine/schedule.ts";
import { type Gate, Scheduler, type Sendable } from "../../src/engine/scheduler.ts";

function times(o: ConstructorParameters<typeof Schedule>[0]): number[] {
  const s = new Schedule(o);
  const out: number[] = [];
  while (Number.isFinite(s.nextMs)) {
    for (let k = 0; k < s.perEvent; k++) out.push(s.nextMs);
    s.advance();
  }
  return out;
}

const base = {
  ratePerSec: 1000,
  pattern: "steady" as const,
  burstSize: 1,
  rampUpMs: 0,
  durationMs: 10_000,
  phase: 0,
};

function gapStats(t: number[]) {
  const gaps: number[] = [];
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) gaps.push(t[i]! - t[i - 1]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const variance = gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length;
  return { mean, variance };
}

test("schedule - steady sends exactly rate x duration messages, evenly spaced", () => {
  const t = times(base);
  assert.equal(t.length, 10_000);
  assert.equal(t[1]! - t[0]!, 1);
  assert.ok(t.at(-1)! < 10_000);
});

test("schedule - random with bursts keeps the mean rate of steady within 5% over 10 s, with larger inter-arrival variance", () => {
  const steady = times(base);
  const random = times({ ...base, pattern: "random", burstSize: 10, random: seededRandom(7) });
  assert.ok(
    Math.abs(random.length - steady.length) / steady.length < 0.05,
    `random ${random.length} vs steady ${steady.length}`,
  );
  // A burst groups messages at one instant: 10 share each intended time.
  assert.equal(random[0], random[9]);
  const vs = gapStats(steady).variance;
  const vr = gapStats(random).variance;
  assert.ok(vr > 10 * vs + 1, `random variance ${vr} vs steady ${vs}`);
});

test("schedule - a linear ramp sends a quarter of full-rate messages in its first half", () => {
  const t = times({ ...base, rampUpMs: 4000, durationMs: 8000 });
  const firstHalf = t.filter((x) => x < 2000).length;
  const secondHalf = t.filter((x) => x >= 2000 && x < 4000).length;
  assert.ok(Math.abs(firstHalf - 500) <= 1, `first half ${firstHalf}, want 500 = 2000/4`);
  assert.ok(Math.abs(secondHalf - 1500) <= 1, `second half ${secondHalf}`);
  assert.equal(t.length, 2000 + 4000);
});

test("schedule - skipping counts every steady slot passed over and remaining counts the rest", () => {
  const s = new Schedule(base);
  const missed = s.skipTo(2000.5);
  assert.equal(missed, 2001);
  assert.ok(s.nextMs >= 2000.5);
  assert.equal(s.remaining(), 10_000 - 2001);
});

test("scheduler - one scheduler drives many publishers to their exact counts, parking on a closed gate", async () => {
  let open = true;
  let wake: (() => void) | undefined;
  const gate: Gate = {
    ready: () => open,
    onReady: (w) => {
      wake = w;
    },
  };
  const sched = new Scheduler({ maxLagMs: 10_000 });
  const start = performance.now();
  const counts: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = new Schedule({ ...base, ratePerSec: 50, durationMs: 400, phase: (i * 0.618) % 1 });
    counts.push(0);
    const p: Sendable = {
      due: start + s.nextMs,
      heapIndex: 0,
      gate,
      fire() {
        counts[i]!++;
        s.advance();
        this.due = start + s.nextMs;
        return 1;
      },
      skip() {
        throw new Error("no skips expected");
      },
      abandon() {},
    };
    sched.add(p);
  }
  sched.start();
  setTimeout(() => {
    open = false;
    setTimeout(() => {
      open = true;
      wake?.();
    }, 100);
  }, 100);
  await sched.finished;
  assert.deepEqual(new Set(counts), new Set([20]));
});
