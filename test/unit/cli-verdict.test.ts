// The target line and the verdict of `ltctl run`: who fell behind when a step missed its target.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTarget, targetLine, type VerdictFigures, verdict } from "../../src/cli/format/verdict.ts";
import { emptyPercentiles, type Percentiles } from "../../src/stats/index.ts";

const p99 = (ms: number, count = 1000): Percentiles => ({ ...emptyPercentiles(), count, p99: ms });

function figures(o: {
  target: number;
  achieved: number;
  sendDelayMs?: number;
  serviceMs?: number;
  busyPct?: number;
}): VerdictFigures {
  return {
    target_rate: o.target,
    publish_rate: o.achieved,
    published: o.achieved * 10,
    latency_ms: {
      publish_ack: emptyPercentiles(),
      end_to_end: emptyPercentiles(),
      send_delay: p99(o.sendDelayMs ?? 0),
      publish_service: o.serviceMs === undefined ? emptyPercentiles() : p99(o.serviceMs),
    },
    ...(o.busyPct === undefined ? {} : { system: { send_busy_pct: o.busyPct } }),
  };
}

test("verdict - the target line says what was asked and what was reached", () => {
  assert.equal(
    targetLine(figures({ target: 5_000_000, achieved: 124_000 })),
    "target 5,000,000 msg/s, achieved 124,000 (2.5%)",
  );
  assert.equal(
    targetLine(figures({ target: 0, achieved: 300 })),
    undefined,
    "a consume-only step asks no rate",
  );
});

test("verdict - a step that reached 99% of its target has no verdict", () => {
  assert.equal(verdict(figures({ target: 2000, achieved: 1985, sendDelayMs: 3000, busyPct: 99 })), undefined);
  assert.equal(
    renderTarget(figures({ target: 2000, achieved: 1999 })),
    "  target 2,000 msg/s, achieved 1,999 (100.0%)\n",
  );
});

test("verdict - a saturated generator is named, with its send delay and the server's fast acks", () => {
  const v = verdict(
    figures({ target: 5_000_000, achieved: 124_000, sendDelayMs: 2900, serviceMs: 1.2, busyPct: 98 }),
  );
  assert.equal(
    v,
    "verdict: the load generator fell behind (its event loop 98% busy while sending; send delay p99 2.9 s, server ack time p99 1.2 ms): add workers or pods",
  );
});

test("verdict - an idle client whose sends waited for slow acks names the server", () => {
  const v = verdict(
    figures({ target: 20_000, achieved: 5000, sendDelayMs: 7500, serviceMs: 48, busyPct: 30 }),
  );
  assert.match(
    v ?? "",
    /^verdict: the server fell behind \(server ack time p99 48 ms, its event loop 30% busy/,
  );
});

test("verdict - core NATS with an idle client names the server or the network (flushes paced it)", () => {
  const v = verdict(figures({ target: 20_000, achieved: 5000, sendDelayMs: 7500, busyPct: 20 }));
  assert.match(v ?? "", /^verdict: the server or the network fell behind/);
});

test("verdict - without the busy figure (older agents), ack time against send delay decides", () => {
  assert.match(
    verdict(figures({ target: 1000, achieved: 500, sendDelayMs: 3000, serviceMs: 2 })) ?? "",
    /load generator/,
  );
  assert.match(
    verdict(figures({ target: 1000, achieved: 500, sendDelayMs: 3000, serviceMs: 2500 })) ?? "",
    /the server fell behind/,
  );
  assert.match(verdict(figures({ target: 1000, achieved: 500, sendDelayMs: 3000 })) ?? "", /load generator/);
});

test("verdict - a step that published nothing says so", () => {
  assert.equal(
    verdict({ ...figures({ target: 1000, achieved: 0 }), published: 0 }),
    "verdict: nothing was published (see the errors)",
  );
});
