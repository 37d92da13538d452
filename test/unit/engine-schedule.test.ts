// The open-model schedule and the shared scheduler, without NATS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { plannedMessages, Schedule, seededRandom } from "../../src/engine/schedule.ts";
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

test("schedule - slots unsent at the end are counted exactly with their lateness, in groups", () => {
  const s = new Schedule(base);
  for (let i = 0; i < 2000; i++) s.advance();
  // Stopped at 10.5 s with slots 2000..9999 (intended 2000..9999 ms) never sent: each is late by 10,500 - k ms.
  const groups: { ms: number; n: number }[] = [];
  const unsent = s.unsentBefore(10_500, (ms, n) => groups.push({ ms, n }));
  assert.equal(unsent, 8000);
  assert.equal(
    groups.reduce((a, g) => a + g.n, 0),
    8000,
    "every unsent slot's lateness is handed out once",
  );
  const mean = groups.reduce((a, g) => a + g.ms * g.n, 0) / 8000;
  assert.ok(Math.abs(mean - (10_500 - 5999.5)) < 1, `mean lateness ${mean}, want 4500.5 ms`);
  assert.ok(Math.min(...groups.map((g) => g.ms)) >= 500, "the last slot (9,999 ms) is 501 ms late");
  assert.ok(Math.max(...groups.map((g) => g.ms)) <= 8500, "the first unsent (2,000 ms) is 8,500 ms late");
  assert.equal(s.nextMs, Number.POSITIVE_INFINITY, "the schedule is over");
});

test("schedule - a stop before the end counts only the slots already due as unsent", () => {
  const s = new Schedule(base);
  for (let i = 0; i < 100; i++) s.advance();
  // Stopped (a user's stop) at 300.5 ms: slots 100..300 were due and never sent; later ones were never due.
  assert.equal(
    s.unsentBefore(300.5, () => {}),
    201,
  );
  const idle = new Schedule(base);
  assert.equal(
    idle.unsentBefore(0, () => {}),
    0,
    "nothing was due at the start",
  );
});

test("schedule - 50 million unsent slots cost a bounded number of histogram records, their lateness exact to 0.1%", () => {
  const s = new Schedule({ ...base, ratePerSec: 5_000_000, durationMs: 10_000, rampUpMs: 2000 });
  for (let i = 0; i < 1000; i++) s.advance();
  let calls = 0;
  let total = 0;
  let worst = 0;
  let sum = 0;
  const unsent = s.unsentBefore(11_000, (ms, n) => {
    calls++;
    total += n;
    sum += ms * n;
    worst = Math.max(worst, ms);
  });
  // N(10 s) with a 2 s ramp: 5e6 x (1 + 8) = 45,000,000; 1,000 were sent.
  assert.equal(unsent, 45_000_000 - 1000);
  assert.equal(total, unsent);
  // Groups span at most 0.1% of their lateness (or 1 ms): ~1,000 below 1 s, ln(11 s / 1 s) / 0.001 above.
  assert.ok(calls < 5000, `${calls} records for ${unsent} slots`);
  assert.ok(worst <= 11_000 && worst > 10_900, `the earliest unsent slot is ~11 s late, got ${worst}`);
  // Mean lateness in closed form: [∫0..2s (11 s - t) r t/T dt + ∫2..10s (11 s - t) r dt] / N(10 s) = 5,518.5 ms
  // (the 1,000 sent slots move it by ~0.1 ms); the groups may shift it by their 0.1% width at most.
  const mean = sum / total;
  assert.ok(Math.abs(mean - 5518.5) < 5.5, `mean lateness ${mean} ms, want 5,518.5 ±0.1%`);
});

test("schedule - random unsent slots are the expected count (the next burst plus the mean rate up to the stop)", () => {
  const s = new Schedule({ ...base, pattern: "random", burstSize: 10, random: seededRandom(3) });
  let sent = 0;
  while (s.nextMs < 4000) {
    sent += s.perEvent;
    s.advance();
  }
  const unsent = s.unsentBefore(11_000, () => {});
  // The whole schedule is 10,000 messages on average: sent + unsent within the Poisson spread (±5%).
  assert.ok(Math.abs(sent + unsent - 10_000) < 500, `sent ${sent} + unsent ${unsent}`);
});

test("schedule - the planned count follows the ramp and stops at the duration", () => {
  // 1,000 msg/s after a 4 s ramp: 2,000 in the ramp, then 1,000 a second; nothing after 8 s.
  assert.equal(plannedMessages(1000, 4000, 8000, 2000), 500);
  assert.equal(plannedMessages(1000, 4000, 8000, 4000), 2000);
  assert.equal(plannedMessages(1000, 4000, 8000, 8000), 6000);
  assert.equal(plannedMessages(1000, 4000, 8000, 60_000), 6000);
  assert.equal(plannedMessages(1000, 0, 8000, -5), 0);
});

test("scheduler - publishers 5 s behind send every slot late, none skipped", async () => {
  const sched = new Scheduler();
  const gate: Gate = { ready: () => true, onReady: () => {} };
  // The schedule started 5 s ago: every one of its 500 slots is due, the first 5 s late.
  const start = performance.now() - 5000;
  const lateness: number[] = [];
  const s = new Schedule({ ...base, ratePerSec: 100, durationMs: 5000 });
  const p: Sendable = {
    due: start + s.nextMs,
    heapIndex: 0,
    gate,
    fire(now) {
      lateness.push(now - (start + s.nextMs));
      s.advance();
      this.due = start + s.nextMs;
      return 1;
    },
    abandon() {
      throw new Error("nothing is abandoned: the schedule ends on its own");
    },
  };
  sched.add(p);
  sched.start();
  await sched.finished;
  assert.equal(lateness.length, 500, "every slot is sent");
  assert.ok(lateness[0]! >= 4990, `the first slot goes out ~5 s late, got ${lateness[0]}`);
});

test("scheduler - a stop hands each publisher the moment sending stopped", () => {
  const sched = new Scheduler();
  const gate: Gate = { ready: () => false, onReady: () => {} };
  const stops: number[] = [];
  sched.add({
    due: performance.now() + 60_000,
    heapIndex: 0,
    gate,
    fire: () => 0,
    abandon: (now) => stops.push(now),
  });
  sched.start();
  const before = performance.now();
  sched.stop();
  assert.equal(stops.length, 1);
  assert.ok(stops[0]! >= before);
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
  const sched = new Scheduler();
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
