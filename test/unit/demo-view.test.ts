// The demo's pure parts: the live view (its progress line is the shared one of `ltctl run` / `watch`, led by
// the pods' states and the run's counts), the plan summary (from the config module's planSummary) and
// --duration's rewrite of the config. The whole demo runs in test/integration/demo*.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { ClusterView } from "../../src/cli/commands/watch.ts";
import { summarise, withDuration } from "../../src/cli/demo/plan.ts";
import { renderLive } from "../../src/cli/demo/view.ts";
import { palette, stripAnsi } from "../../src/cli/format/colour.ts";
import type { PresenceView } from "../../src/control/index.ts";
import { aggregate } from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";

const NOW = Date.parse("2024-05-01T12:00:10.000Z");
const env = { NO_COLOR: "1" };
const c = palette(false, env);

function agent(pod: string, state: string): PresenceView {
  return {
    pod,
    state,
    mode: "both",
    run_id: "r1",
    spec: "s",
    age_ms: 0,
    stale: false,
  } as unknown as PresenceView;
}

function viewOf(): ClusterView {
  const latest = [
    snapshot({
      pod: "a",
      published: 1_200,
      consumed: 1_100,
      publish_rate: 400,
      consume_rate: 380,
      elapsed_s: 3,
      duration_s: 15,
      e2e: [2, 3, 40],
    }),
    snapshot({
      pod: "b",
      published: 800,
      consumed: 0,
      publish_rate: 300,
      elapsed_s: 4,
      duration_s: 15,
      lost: 2,
    }),
  ];
  return {
    run: "r1",
    agents: [agent("a", "running"), agent("b", "running"), agent("c", "waiting")],
    latest,
    cluster: aggregate(latest),
    done: false,
  };
}

test("demo - before the start barrier the live line counts down to it", () => {
  const line = renderLive(viewOf(), { startAt: NOW + 1_500, header: "", isTTY: false, env, c }, NOW);
  assert.equal(line, "  starting: every pod begins in 2 s\n");
});

test("demo - a plain live line is the shared progress line, led by the pods' states and the run's counts", () => {
  const line = renderLive(viewOf(), { startAt: NOW - 4_000, header: "", isTTY: false, env, c }, NOW);
  assert.match(line, /^ {2}2 running, 1 waiting {2}published 2,000 {2}consumed 1,100 {2}lost 2 {2}/);
  // The shared fields: summed rates, the p99, the furthest pod's time against the step, the ETA.
  assert.match(line, / 700 msg\/s {2}in 380\/s {2}p99 \S+ ms {2}2 pods {2}4s\/15s {2}ETA 11s\n$/);
  assert.equal(line.split("\n").length, 2, "one line");
});

test("demo - on a terminal the screen is redrawn: header, cluster view, then the progress bar", () => {
  const text = stripAnsi(
    renderLive(viewOf(), { startAt: NOW - 4_000, header: "HEADER\n", isTTY: true, env, c }, NOW),
  );
  assert.ok(text.startsWith("\x1b[H\x1b[2Jltctl demo\nHEADER\n"), JSON.stringify(text.slice(0, 40)));
  assert.match(text, /run r1 · .* · 3 live agent\(s\)/);
  assert.match(text, /\n {2}\[[█░]+\] {2}26% {2}2 running, 1 waiting {2}700 msg\/s/);
});

test("demo - the summary line and detail come from the plan of the demo config", () => {
  const raw = JSON.parse(readFileSync("examples/demo.json", "utf8")) as unknown;
  withDuration(raw, 6);
  const s = summarise(raw, {}, "nats://127.0.0.1:4222", "/tmp/x");
  assert.equal(s.totalS, 6);
  assert.equal(
    s.line,
    "3 agents (publish, consume, both) load 2 JetStream streams for 6 s, then the cluster-wide report.",
  );
  assert.equal(
    s.detail,
    "2 streams, 4 publishers and 2 consumers per pod, ~800 msg/s per publishing pod, 6 s with a 3 s ramp",
  );
});

test("demo - --duration sets every spec's duration and cuts a longer ramp to half of it", () => {
  const raw = {
    load_test_specs: [{ behavior: { duration_seconds: 60, ramp_up_seconds: 10 } }, { name: "no behavior" }],
  };
  withDuration(raw, 8);
  assert.deepEqual(raw.load_test_specs, [
    { behavior: { duration_seconds: 8, ramp_up_seconds: 4 } },
    { name: "no behavior", behavior: { duration_seconds: 8 } },
  ]);
});
