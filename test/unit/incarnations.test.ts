// A pod restarted mid-run is a second incarnation: its first process's figures stay in every total, it is
// marked as cut short, and the new process runs only what the fleet has left of the plan.
import assert from "node:assert/strict";
import { test } from "node:test";
import { joinPlan } from "../../src/agent/join.ts";
import { loadConfig } from "../../src/config/index.ts";
import { controlNames } from "../../src/control/index.ts";
import { buildRunReport } from "../../src/report/index.ts";
import { aggregate, latestPerPod, latestPerStep } from "../../src/stats/index.ts";
import { snapshot, T0 } from "../fixtures/snapshots.ts";
import { smallSpec } from "../integration/engine-helpers.ts";

/** Pod a's first process reported 3,000 messages and died; its second ran on to 2,000; pod b ran to 5,000. */
function restartedRun() {
  const at = (s: number) => new Date(T0 + s * 1000).toISOString();
  return [
    snapshot({
      pod: "a",
      incarnation: "first",
      ts: at(2),
      elapsed_s: 2,
      published: 2000,
      publish_rate: 1000,
    }),
    snapshot({
      pod: "a",
      incarnation: "first",
      ts: at(3),
      elapsed_s: 3,
      published: 3000,
      publish_rate: 1000,
    }),
    snapshot({
      pod: "a",
      incarnation: "second",
      ts: at(6),
      elapsed_s: 1,
      published: 1000,
      publish_rate: 1000,
    }),
    snapshot({
      pod: "a",
      incarnation: "second",
      ts: at(7),
      elapsed_s: 2,
      duration_s: 2,
      published: 2000,
      publish_rate: 1000,
      phase: "done",
    }),
    snapshot({
      pod: "b",
      ts: at(7),
      elapsed_s: 5,
      duration_s: 5,
      published: 5000,
      publish_rate: 1000,
      phase: "done",
    }),
  ];
}

test("incarnations - totals add every process of a pod, the one that died is marked cut short and adds no rate", () => {
  const snaps = restartedRun();
  const latest = latestPerPod(snaps);
  assert.equal(latest.length, 3, "one latest snapshot per (pod, incarnation)");
  const total = aggregate(latest);
  assert.equal(total.counters.published, 3000 + 2000 + 5000);
  assert.deepEqual(total.cut_short, ["a@first"]);
  assert.equal(total.counters.publish_rate, 2000, "the dead process sends nothing now");
  assert.deepEqual(total.pods, ["a", "b"]);
  assert.equal(latestPerStep(snaps).length, 3);
  const report = buildRunReport(snaps);
  assert.equal(report.cluster.metrics.published, 10_000);
  assert.equal(report.pods.find((p) => p.pod === "a")!.summary.metrics.published, 5000);
  assert.deepEqual(
    report.steps[0]!.pods.map((p) => `${p.pod}:${p.phase}`),
    ["a:running", "a:done", "b:done"],
    "the first process shows where it stopped",
  );
});

test("incarnations - each process has its own latest-snapshot key; older agents keep <run>.<pod>", () => {
  const n = controlNames("lt");
  assert.equal(n.statsKey("r1", "pod.a", "1a2b3c4d"), "r1.pod_a.1a2b3c4d");
  assert.equal(n.statsKey("r1", "pod.a"), "r1.pod_a");
  assert.equal(n.statsKeys("r1"), "r1.>", "one filter reads both layouts");
  assert.equal(n.statsSubject("r1", "pod.a"), "lt.stats.r1.pod_a", "the stream's subjects do not change");
});

test("incarnations - a pod joining 13 s into a 10 s + 10 s plan runs the second step's last 7 s only", () => {
  const loaded = loadConfig(
    {
      load_test_specs: [
        smallSpec("nats://127.0.0.1:4222", "one", { behavior: { duration_seconds: 10, ramp_up_seconds: 4 } }),
        smallSpec("nats://127.0.0.1:4222", "two", { behavior: { duration_seconds: 10, ramp_up_seconds: 4 } }),
      ],
    },
    { pod: "p", env: {} },
  );
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.issues));
  const plan = loaded.plan;
  const at = (s: number) => joinPlan(plan, 1_000_000, 1_000_000 + s * 1000);
  assert.deepEqual(
    at(13).steps.map((s) => [s.name, s.spec.durationMs, s.spec.rampUpMs, s.specIndex]),
    [["two", 7000, 1000, 1]],
  );
  assert.deepEqual(
    at(2.5).steps.map((s) => [s.name, s.spec.durationMs, s.spec.rampUpMs]),
    [
      ["one", 7500, 1500],
      ["two", 10_000, 4000],
    ],
  );
  assert.equal(at(0).steps[0], plan.steps[0], "on time: the plan as it is");
  assert.equal(at(20).steps.length, 0, "over: nothing left");
});
