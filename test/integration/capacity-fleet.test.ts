// `ltctl capacity` on a fleet: each step pushed to two agents over NATS, judged on their merged finals, the
// streams reset between steps through the control plane; the knee chart page written with --report.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { ControlClient } from "../../src/control/index.ts";
import { ltctl as runLtctl, SKIP_UNBUILT, startAgent, until } from "../harness/agents.ts";
import { startServer } from "../harness/index.ts";
import { smallSpec } from "./engine-helpers.ts";

/** A fleet search pushes warm-up and judged runs one after another, each with a start barrier. */
const SEARCH_MS = 300_000;
const ltctl = (args: string[]) => runLtctl(args, {}, SEARCH_MS);
const STEP_S = 2;
/** Each pod's 2 streams hold at most this many messages and refuse more (discard new). */
const MAX_MSGS = 1500;

interface CapacityJson {
  max_rate: number | null;
  limited_by: string;
  answer: string;
  steps: { rate: number; passed: boolean; pods: string[]; failed: { slo: string }[]; achieved: number }[];
}

test("capacity fleet - two agents run each step; the answer lies between the highest pass and the lowest fail, on the fleet's total rate", {
  skip: SKIP_UNBUILT,
  timeout: SEARCH_MS + 30_000,
}, async () => {
  await using srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "lt-capfleet-"));
  const nc = await connect({ servers: srv.url });
  const client = new ControlClient(nc);
  await client.plane();
  const agents = ["a", "b"].map((pod) => startAgent({ server: srv.url, pod }));
  try {
    await until(
      "two agents present",
      async () => (await client.status()).filter((a) => !a.stale).length === 2,
      30_000,
    );
    // Per pod: streams of its own ({pod}), 2 of them, each refusing past MAX_MSGS. The fleet's total R splits
    // over 2 pods x 2 streams, so a step of STEP_S s passes errors==0 up to R = 4 x MAX_MSGS / STEP_S and no
    // further. Passing after a pass also shows the streams were reset between steps (else they start full).
    const spec = smallSpec(
      srv.url,
      "capfleet",
      {
        streams: [
          {
            name_prefix: "CAPF_{pod}",
            count: 2,
            replicas: 1,
            subjects: ["capf.{pod}.{}"],
            storage: "memory",
            discard: "new",
            max_msgs: MAX_MSGS,
          },
        ],
      },
      "CAPF_{pod}",
    );
    const file = join(dir, "capf.json");
    writeFileSync(file, JSON.stringify({ load_test_specs: [spec] }));
    const report = join(dir, "knee.html");
    const r = await ltctl([
      "capacity",
      file,
      "--server",
      srv.url,
      "--slo",
      "errors==0",
      "--slo",
      "lost==0",
      "--start",
      "1000",
      "--precision",
      "10",
      "--step-seconds",
      String(STEP_S),
      "--warmup-seconds",
      "0",
      "--report",
      report,
      "--json",
    ]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    assert.match(r.stderr, /2 agents share each step's rate/);
    const res = JSON.parse(r.stdout) as CapacityJson;
    assert.equal(res.limited_by, "slo", res.answer);
    for (const s of res.steps) assert.deepEqual(s.pods, ["a", "b"], "every step judged on both pods' finals");
    const passes = res.steps.filter((s) => s.passed).map((s) => s.rate);
    const fails = res.steps.filter((s) => !s.passed).map((s) => s.rate);
    assert.ok(passes.length >= 2 && fails.length >= 1, JSON.stringify(res.steps));
    const lowestFail = Math.min(...fails);
    const limit = (4 * MAX_MSGS) / STEP_S;
    assert.ok(
      res.max_rate! <= limit && limit < lowestFail,
      `limit ${limit} in [${res.max_rate}, ${lowestFail})`,
    );
    assert.ok((lowestFail - res.max_rate!) / lowestFail <= 0.1, `${res.max_rate}..${lowestFail}`);
    // A passing step's achieved rate is the fleet's sum, near the rate asked (not one pod's half).
    for (const s of res.steps.filter((x) => x.passed))
      assert.ok(s.achieved > 0.9 * s.rate && s.achieved < 1.1 * s.rate, JSON.stringify(s));
    // The knee page: both charts, a point per step, the answer, no script but its data.
    const html = readFileSync(report, "utf8");
    assert.match(html, /Knee: p99 latency by rate asked/);
    assert.match(html, /Rate achieved by rate asked/);
    const data = JSON.parse(
      /<script type="application\/json" id="capacity-data">(.*)<\/script>/.exec(html)![1]!,
    ) as {
      points: { rate: number }[];
    };
    assert.equal(data.points.length, res.steps.length);
    assert.ok(html.includes(res.answer.replace(/&/g, "&#38;").slice(0, 30)));
    // The control plane holds the search for the dashboard's knee chart: every step, the same answer.
    const entry = await client.capacity();
    assert.ok(entry, "the capacity entry was written");
    assert.equal(entry.end, "converged");
    assert.equal(entry.answer, res.answer);
    assert.equal(entry.max_rate, res.max_rate);
    assert.deepEqual(
      entry.points.map((p) => p.rate),
      res.steps.map((s) => s.rate),
    );
  } finally {
    await Promise.all(agents.map((a) => a.kill("SIGKILL")));
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("capacity fleet - with no agent alive the search does not start: exit 4, and it says how to search here instead", {
  skip: SKIP_UNBUILT,
}, async () => {
  await using srv = await startServer();
  const r = await ltctl(["capacity", "examples/quick.json", "--server", srv.url, "--slo", "lost==0"]);
  assert.equal(r.code, EXIT.stepFailed, r.stderr);
  assert.match(r.stderr, /no live agents to run the steps .*--local/);
});
