// Requested vs achieved cluster-wide (src/stats/achieved.ts): the sums, the verdict naming who fell behind, and
// the cluster lines of ltctl stats / watch that print them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderClusterView } from "../../src/cli/commands/watch.ts";
import { renderCluster } from "../../src/cli/format/cluster.ts";
import {
  achievedOf,
  aggregate,
  type Snapshot,
  targetLine,
  VERDICT_MAX_PODS,
  withAchieved,
} from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";

function pod(
  name: string,
  o: {
    target?: number;
    achieved: number;
    phase?: Snapshot["phase"];
    busy?: number;
    service?: number[];
    at?: number;
  },
): Snapshot {
  return snapshot({
    pod: name,
    phase: o.phase ?? "done",
    at: o.at ?? 10,
    published: Math.round(o.achieved * 10),
    publish_rate: o.achieved,
    ...(o.target === undefined ? {} : { target_rate: o.target }),
    ...(o.busy === undefined ? {} : { system: { send_busy_pct: o.busy } }),
    sendDelay: [5, 2900],
    ...(o.service ? { service: o.service } : {}),
  });
}

const summary = (parts: Snapshot[]) => withAchieved(aggregate(parts), parts);

test("achieved - the cluster's target and achieved are its pods' sums, the percentage rounded down", () => {
  const a = summary([pod("a", { target: 1000, achieved: 995 }), pod("b", { target: 1000, achieved: 1000 })]);
  assert.equal(a.target_rate, 2000);
  assert.equal(a.achieved_rate, 1995);
  assert.equal(a.achieved_pct, 99.75);
  assert.equal(a.verdict, null, "99.75% reached the target");
  assert.equal(targetLine(a), "target 2,000 msg/s, achieved 1,995 (99.8%)");
  // Just under 99% never reads as 99.0% beside a verdict.
  assert.equal(
    targetLine({ target_rate: 10_000, achieved_rate: 9_896 }),
    "target 10,000 msg/s, achieved 9,896 (98.96%)",
  );
  assert.equal(achievedOf([pod("a", { target: 10_000, achieved: 9_899.9 })], {}).achieved_pct, 98.99);
});

test("achieved - pods without a target (consume-only, older agents) are in neither sum", () => {
  const a = summary([pod("pub", { target: 500, achieved: 500 }), pod("old", { achieved: 800 })]);
  assert.equal(a.target_rate, 500);
  assert.equal(a.achieved_rate, 500);
  const none = summary([pod("old", { achieved: 800 })]);
  assert.equal(none.achieved_pct, null);
  assert.equal(none.verdict, null);
  assert.equal(targetLine(none), undefined);
});

test("achieved - no verdict while a pod of the step still runs: its rates are an interval's", () => {
  const parts = [
    pod("a", { target: 1000, achieved: 400, busy: 99 }),
    pod("b", { target: 1000, achieved: 400, phase: "running" }),
  ];
  const a = summary(parts);
  assert.equal(a.achieved_pct, 40);
  assert.equal(a.verdict, null);
});

test("achieved - a saturated generator is named with the pods that fell behind, not the ones that kept up", () => {
  const a = summary([
    pod("a", { target: 1000, achieved: 1000, busy: 40 }),
    pod("b", { target: 1000, achieved: 600, busy: 98, service: [1, 1.2] }),
  ]);
  assert.equal(a.achieved_pct, 80);
  assert.match(
    a.verdict ?? "",
    /^verdict: the load generator fell behind on b \(its event loop 98% busy while sending; send delay p99 2\.9 s, server ack time p99 1\.2 ms\): add workers or pods$/,
  );
});

test("achieved - idle clients waiting on slow acks name the server and the pods it held back", () => {
  const a = summary([
    pod("a", { target: 1000, achieved: 500, busy: 30, service: [48] }),
    pod("b", { target: 1000, achieved: 520, busy: 20, service: [40] }),
  ]);
  assert.equal(
    a.verdict,
    "verdict: the server fell behind (server ack time p99 48 ms, event loops up to 30% busy while sending; send delay p99 2.9 s): acks paced the sends of a, b",
  );
  const core = summary([pod("c", { target: 1000, achieved: 500, busy: 10 })]);
  assert.match(
    core.verdict ?? "",
    /^verdict: the server or the network fell behind .*flushes paced the sends of c$/,
  );
});

test("achieved - a fleet with both kinds names the saturated pods first and the others as held back", () => {
  const a = summary([
    pod("a", { target: 1000, achieved: 500, busy: 95, service: [1] }),
    pod("b", { target: 1000, achieved: 500, busy: 30, service: [1] }),
  ]);
  assert.match(
    a.verdict ?? "",
    /^verdict: the load generator fell behind on a \(.*\): add workers or pods; also behind, held back by the server: b$/,
  );
});

test("achieved - a step that published nothing says so and names the pods", () => {
  const parts = [pod("a", { target: 1000, achieved: 0 }), pod("b", { target: 1000, achieved: 0 })];
  assert.equal(summary(parts).verdict, "verdict: nothing was published by a, b (see the errors)");
});

test("achieved - a large fleet's verdict stays one line: at most a few pods named, then how many more", () => {
  const parts = Array.from({ length: VERDICT_MAX_PODS + 3 }, (_, i) =>
    pod(`p${i}`, { target: 100, achieved: 10, busy: 99 }),
  );
  const v = summary(parts).verdict ?? "";
  assert.match(v, / on p0, p1, p2, p3, p4 and 3 more \(/);
  assert.equal(v.includes("\n"), false);
});

test("achieved - a pod restarted mid-step counts once in the rates: its newest process", () => {
  // Two processes of pod a (incarnations, docs/control-plane.md): the first cut short while running.
  const first = Object.assign(pod("a", { target: 1000, achieved: 990, phase: "running", at: 4 }), {
    incarnation: "1111",
  });
  const second = Object.assign(pod("a", { target: 1000, achieved: 1000, at: 10 }), { incarnation: "2222" });
  const a = achievedOf([first, second, pod("b", { target: 1000, achieved: 1000 })], {});
  assert.equal(a.target_rate, 2000);
  assert.equal(a.achieved_rate, 2000);
});

test("achieved - the cluster line of ltctl stats and watch says target vs achieved and the verdict", () => {
  const parts = [pod("a", { target: 5_000_000, achieved: 124_000, busy: 99 })];
  const text = renderCluster(summary(parts));
  assert.match(text, /\n {2}target 5,000,000 msg\/s, achieved 124,000 \(2\.5%\)\n/);
  assert.match(text, /\n {2}verdict: the load generator fell behind on a \(/);
  const reached = renderCluster(summary([pod("a", { target: 2000, achieved: 2000 })]));
  assert.match(reached, /target 2,000 msg\/s, achieved 2,000 \(100\.0%\)/);
  assert.doesNotMatch(reached, /verdict/);
  assert.doesNotMatch(renderCluster(aggregate(parts)), /target/, "a bare total has no such line");
});

test("achieved - ltctl watch's view prints the line and the verdict under its cluster line", () => {
  const latest = [pod("a", { target: 1000, achieved: 300, busy: 20, service: [900] })];
  const text = renderClusterView({ run: "r1", agents: [], latest, cluster: summary(latest), done: true });
  assert.match(
    text,
    /\ncluster \(1 pod: a\).*\n {2}target 1,000 msg\/s, achieved 300 \(30\.0%\)\n {2}verdict: the server fell behind \(server ack time p99 900 ms, its event loop 20% busy while sending; send delay p99 2\.9 s\): acks paced the sends of a\n/,
  );
});
