// Engine publish patterns on a real nats-server: `random` with bursts keeps the mean rate of `steady`, and its
// messages reach a subscriber with a much larger inter-arrival variance.
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { newHeader, readHeader } from "../../src/engine/payload.ts";
import { until } from "../harness/agents.ts";
import { startServer } from "../harness/index.ts";
import { run } from "./engine-helpers.ts";

// 50 publishers per pattern (one per subject) at 100 msg/s for 10 s: 50,000 messages each. Random sends bursts
// of 5, so its count is 5 x Poisson(10,000 bursts): a standard deviation of 1%, and 5% is 5 sigma.
// Per publisher the gaps are 10 ms (steady) or 4 zero gaps then Exp(50 ms) (random: CV sqrt(2·5 − 1) = 3).
// This process both sends and watches, so on a busy 2-core host (CI) its stalls put long gaps into both
// patterns (uncut steady CV reached 2.4 at load 12); those stalls are cut out of the timeline (`awake`),
// which leaves steady at 0.3-0.8 and random at 3.0-3.5 even with two extra busy loops on the host.
const PUBLISHERS = 50;
const RATE = 100;
const BURST = 5;
const SECONDS = 10;
const TARGET = PUBLISHERS * RATE * SECONDS;
const STALL_MS = 5;

function spec(url: string, pattern: "steady" | "random") {
  const prefix = pattern.toUpperCase();
  return {
    name: pattern,
    nats_url: url,
    use_jetstream: false,
    client_id_prefix: `lt-${pattern}`,
    streams: [{ name_prefix: prefix, count: PUBLISHERS, replicas: 1, subjects: [`${pattern}.{}`] }],
    publishers: {
      count_per_stream: 1,
      stream_name_prefix: prefix,
      publish_rate_per_second: RATE,
      publish_pattern: pattern,
      publish_burst_size: BURST,
      message_size_bytes: 64,
      track_latency: true,
    },
    consumers: {
      stream_name_prefix: prefix,
      type: "pull",
      count_per_stream: 0,
      durable_name_prefix: pattern,
      ack_wait_seconds: 5,
      max_ack_pending: 1000,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: SECONDS, ramp_up_seconds: 0 },
  };
}

/** Arrival times (performance.now()) and intended send times (from the payload) of one subject's messages. */
interface Arrivals {
  at: number[];
  intended: number[];
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

/**
 * Maps arrival times to "awake time": the gaps longer than STALL_MS in the arrivals of all subjects together
 * (10,000 msg/s, so naturally under a millisecond) are times this process was not running (descheduled on a
 * busy host, or collecting garbage) and are cut out of the timeline. Nothing arrives inside such a gap, so a
 * subject's gap spanning it just loses the stalled time.
 */
function awake(all: Arrivals[]): { tau: (t: number) => number; stalledMs: number } {
  const merged = all.flatMap((a) => a.at).sort((x, y) => x - y);
  const ends: number[] = [];
  const stalled: number[] = [];
  let total = 0;
  for (let i = 1; i < merged.length; i++) {
    const g = merged[i]! - merged[i - 1]!;
    if (g > STALL_MS) {
      total += g;
      ends.push(merged[i]!);
      stalled.push(total);
    }
  }
  const tau = (t: number): number => {
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return t - (lo > 0 ? stalled[lo - 1]! : 0);
  };
  return { tau, stalledMs: total };
}

/** Coefficient of variation (standard deviation / mean) of all gaps, pooled over subjects. */
function cv(all: number[][]): number {
  const g = all.flat();
  const mean = g.reduce((s, x) => s + x, 0) / g.length;
  const variance = g.reduce((s, x) => s + (x - mean) ** 2, 0) / g.length;
  return Math.sqrt(variance) / mean;
}

test("engine - random bursts keep steady's mean rate within 5% over 10 s, with visibly larger inter-arrival variance on the wire", async (ctx) => {
  await using srv = await startServer();
  const nc = await connect({ servers: srv.url, name: "patterns-watcher" });
  const seen = { steady: new Map<string, Arrivals>(), random: new Map<string, Arrivals>() };
  const h = newHeader();
  for (const pattern of ["steady", "random"] as const) {
    nc.subscribe(`${pattern}.*`, {
      callback: (err, m) => {
        if (err) return;
        const at = performance.now();
        const a = seen[pattern].get(m.subject) ?? { at: [], intended: [] };
        if (a.at.length === 0) seen[pattern].set(m.subject, a);
        a.at.push(at);
        a.intended.push(readHeader(m.data, h) ? h.intendedMs : Number.NaN);
      },
    });
  }
  try {
    await nc.flush();
    // Side by side from one start barrier (both open their connections first), so the two schedules run
    // over the same seconds and a stall of this process hits both alike.
    const startAt = Date.now() + 2000;
    const [steady, random] = await Promise.all([
      run([spec(srv.url, "steady")], { startAt }),
      run([spec(srv.url, "random")], { startAt }),
    ]);
    const s = steady.finals[0]!;
    const r = random.finals[0]!;
    assert.equal(s.phase, "done");
    assert.equal(r.phase, "done");
    // Slots a stalled process could not send by the step's end are counted unsent, in both.
    const sm = s.unsent ?? 0;
    const rm = r.unsent ?? 0;
    assert.equal(s.published + sm, TARGET, "steady's sent and unsent add up to rate x duration");
    assert.ok(
      Math.abs(r.published + rm - TARGET) <= TARGET * 0.05,
      `random sent ${r.published} + unsent ${rm}, want ${TARGET} ±5%`,
    );
    assert.ok(
      Math.abs(r.published - s.published) <= TARGET * 0.05,
      `random published ${r.published}, steady ${s.published}: want the same ±5% of ${TARGET}`,
    );

    const received = (m: Map<string, Arrivals>) => [...m.values()].reduce((n, a) => n + a.at.length, 0);
    await until(
      "the watcher to receive every message",
      () => received(seen.steady) >= s.published && received(seen.random) >= r.published,
      5000,
      50,
    ).catch(() => {});
    assert.equal(received(seen.steady), s.published, "the watcher saw every steady message");
    assert.equal(received(seen.random), r.published, "the watcher saw every random message");
    assert.equal(seen.steady.size, PUBLISHERS);
    assert.equal(seen.random.size, PUBLISHERS);

    // The payloads carry the schedule: steady every 10 ms; random in bursts of 5 sharing one intended time.
    const intendedGaps = (m: Map<string, Arrivals>) => [...m.values()].map((a) => gaps(a.intended));
    const steadyIntended = intendedGaps(seen.steady).flat();
    assert.ok(
      steadyIntended.every((g) => Math.abs(g - 1000 / RATE) < 0.01),
      "every steady gap is 10 ms in the schedule",
    );
    for (const a of seen.random.values()) {
      // Runs of equal intended times: one per burst (two bursts closer than the
      // float's resolution at epoch ms, 0.2 µs, merge: a few percent of runs see one).
      const runs: number[] = [];
      for (const [i, at] of a.intended.entries()) {
        if (i > 0 && at === a.intended[i - 1]) runs[runs.length - 1]! += 1;
        else runs.push(1);
      }
      assert.ok(
        runs.every((n) => n % BURST === 0),
        "random sends whole bursts of 5 messages that share one intended time",
      );
    }

    // On the wire: the gaps between arrivals at the watcher, in the time this process was running.
    const { tau, stalledMs } = awake([...seen.steady.values(), ...seen.random.values()]);
    const cvOf = (m: Map<string, Arrivals>, f: (t: number) => number) =>
      cv([...m.values()].map((a) => gaps(a.at.map(f))));
    const steadyCv = cvOf(seen.steady, tau);
    const randomCv = cvOf(seen.random, tau);
    const detail =
      `inter-arrival CV: steady ${steadyCv.toFixed(2)}, random ${randomCv.toFixed(2)} ` +
      `(${(stalledMs / 1000).toFixed(1)} s of stalls cut; uncut: steady ${cvOf(seen.steady, (t) => t).toFixed(2)}, ` +
      `random ${cvOf(seen.random, (t) => t).toFixed(2)})`;
    ctx.diagnostic(
      `published (unsent): steady ${s.published} (${sm}), random ${r.published} (${rm}); ${detail}`,
    );
    assert.ok(randomCv > 2, `random is bursty (Poisson bursts of 5: CV ~3): ${detail}`);
    assert.ok(randomCv > 2 * steadyCv, `random varies visibly more than steady: ${detail}`);
  } finally {
    await nc.close();
  }
});
