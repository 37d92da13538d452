// `ltctl capacity --local` on a real server: a search converges on a limit the server enforces, and an SLO
// only the load generator can break is reported as the generator's, never as NATS's capacity.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { ltctl as runLtctl } from "../harness/agents.ts";
import { startServer } from "../harness/index.ts";
import { smallSpec } from "./engine-helpers.ts";

// A search runs several warm-up and judged steps; give it the runner's per-test budget, not the harness's 20 s.
const SEARCH_MS = 240_000;
const ltctl = (args: string[]) => runLtctl(args, {}, SEARCH_MS);

interface CapacityJson {
  max_rate: number | null;
  limited_by: string;
  answer: string;
  steps: {
    rate: number;
    achieved: number;
    passed: boolean;
    failed: { slo: string }[];
    generator_saturated: boolean;
  }[];
}

/** Judged seconds per step: the server's limit below is a count per step, so any length works; short is cheap. */
const STEP_S = 2;
/** Each of the 2 streams holds at most this many messages and refuses more (discard new). */
const MAX_MSGS = 3000;

test("capacity - a search converges on the server's limit: its answer lies between the highest passing and the lowest failing step", async () => {
  await using srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "lt-cap-"));
  try {
    // A limit the server enforces exactly: a step of STEP_S s at R msg/s in total puts R x STEP_S / 2 messages
    // in each stream, refused past MAX_MSGS (stream_full), so errors==0 holds up to R = 3,000 msg/s and no
    // further, however busy the machine. Each step's streams are deleted after it, or every step after the
    // first would start full: a pass after a pass also shows that streams reset between steps.
    const spec = smallSpec(srv.url, "cap", {
      streams: [
        {
          name_prefix: "CAP",
          count: 2,
          replicas: 1,
          subjects: ["cap.{}"],
          storage: "memory",
          discard: "new",
          max_msgs: MAX_MSGS,
        },
      ],
    });
    const file = join(dir, "cap.json");
    writeFileSync(file, JSON.stringify({ load_test_specs: [spec] }));
    const args = ["capacity", file, "--local", "--slo", "errors==0", "--slo", "lost==0", "--start", "500"];
    const r = await ltctl([
      ...args,
      "--step-seconds",
      String(STEP_S),
      "--warmup-seconds",
      "1",
      "--workers",
      "1",
      "--json",
    ]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    const res = JSON.parse(r.stdout) as CapacityJson;
    assert.equal(res.limited_by, "slo", res.answer);
    const passes = res.steps.filter((s) => s.passed).map((s) => s.rate);
    const fails = res.steps.filter((s) => !s.passed).map((s) => s.rate);
    assert.ok(passes.length >= 2 && fails.length >= 1, JSON.stringify(res.steps));
    const lowestFail = Math.min(...fails);
    assert.equal(res.max_rate, Math.max(...passes.filter((p) => p < lowestFail)));
    assert.ok(res.max_rate! < lowestFail);
    // The server's limit lies in [answer, lowest fail), and the search narrowed it to the default 5%.
    const limit = (2 * MAX_MSGS) / STEP_S;
    assert.ok(
      res.max_rate! <= limit && limit < lowestFail,
      `limit ${limit} in [${res.max_rate}, ${lowestFail})`,
    );
    assert.ok((lowestFail - res.max_rate!) / lowestFail <= 0.05, `${res.max_rate}..${lowestFail}`);
    for (const s of res.steps.filter((x) => !x.passed)) {
      assert.ok(
        s.failed.some((f) => f.slo.startsWith("errors ")),
        JSON.stringify(s),
      );
      assert.equal(s.generator_saturated, false, "a refused publish is the server's doing");
    }
    assert.match(res.answer, /^max sustainable rate [\d,]+ msg\/s/);

    // A rerun lands within the same bracket: the limit is a count the server enforces, so each answer lies in
    // [limit x (1 - 5%), limit] whatever the machine's load, and two answers differ by at most 5% of it.
    const again = await ltctl([
      ...args,
      "--step-seconds",
      String(STEP_S),
      "--warmup-seconds",
      "0",
      "--workers",
      "1",
      "--json",
    ]);
    assert.equal(again.code, EXIT.ok, again.stderr);
    const rerun = (JSON.parse(again.stdout) as CapacityJson).max_rate!;
    assert.ok(rerun <= limit && rerun >= limit * 0.95, `rerun ${rerun} in [${limit * 0.95}, ${limit}]`);
    assert.ok(Math.abs(rerun - res.max_rate!) <= limit * 0.05, `answers ${res.max_rate} and ${rerun}`);

    // The table form says the same.
    const t = await ltctl([
      ...args,
      "--max",
      "1000",
      "--step-seconds",
      "1",
      "--warmup-seconds",
      "0",
      "--workers",
      "1",
    ]);
    assert.equal(t.code, EXIT.ok, t.stderr);
    assert.match(t.stdout, /TARGET\/S/i);
    assert.match(t.stdout, /max sustainable rate 1,000 msg\/s.* or more: every step up to --max passed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("capacity - an SLO only the load generator can break is reported as generator saturation, not as NATS's capacity", async () => {
  await using srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "lt-cap-"));
  try {
    const file = join(dir, "gen.json");
    writeFileSync(file, JSON.stringify({ load_test_specs: [smallSpec(srv.url, "capgen")] }));
    // No generator sends within a microsecond of its schedule (timers alone are coarser): the generator's own
    // lateness breaks this SLO at any rate, while the server keeps up with the target.
    const r = await ltctl([
      "capacity",
      file,
      "--local",
      "--slo",
      "send_delay.p99_ms<0.001",
      "--start",
      "200",
      "--step-seconds",
      "1",
      "--warmup-seconds",
      "0",
      "--workers",
      "1",
      "--json",
    ]);
    assert.equal(r.code, EXIT.thresholdsFailed, r.stderr);
    const res = JSON.parse(r.stdout) as CapacityJson;
    assert.equal(res.limited_by, "generator");
    assert.equal(res.max_rate, null);
    assert.equal(res.steps.length, 1, "no search past the generator's limit");
    assert.equal(res.steps[0]!.generator_saturated, true);
    assert.match(res.answer, /load generator saturated at 200 msg\/s/);
    assert.match(res.answer, /not NATS's capacity/);
    assert.match(res.answer, /add workers \(--workers\) or pods/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("capacity - a bad --slo names itself, a step that cannot run stops the search", async () => {
  const bad = await ltctl(["capacity", "examples/quick.json", "--local", "--slo", "p99<10"]);
  assert.equal(bad.code, EXIT.usage);
  assert.match(bad.stderr, /--slo "p99<10": unknown metric "p99"/);
  // A closed loop has no rate to search: said before anything runs.
  const maxDir = mkdtempSync(join(tmpdir(), "lt-cap-"));
  try {
    const spec = smallSpec("nats://127.0.0.1:1", "capmax");
    (spec.publishers as Record<string, unknown>).publish_rate_per_second = "max";
    const file = join(maxDir, "max.json");
    writeFileSync(file, JSON.stringify({ load_test_specs: [spec] }));
    const max = await ltctl(["capacity", file, "--local", "--slo", "lost==0"]);
    assert.equal(max.code, EXIT.usage, max.stderr);
    assert.match(max.stderr, /publish_rate_per_second is "max", a closed loop: .*give a number/);
  } finally {
    rmSync(maxDir, { recursive: true, force: true });
  }
  // A step that cannot run (nothing listens on port 1) ends the search at once: exit 4, one step.
  const dir = mkdtempSync(join(tmpdir(), "lt-cap-"));
  try {
    const file = join(dir, "down.json");
    writeFileSync(file, JSON.stringify({ load_test_specs: [smallSpec("nats://127.0.0.1:1", "capdown")] }));
    const down = await ltctl([
      "capacity",
      file,
      "--local",
      "--slo",
      "lost==0",
      "--step-seconds",
      "1",
      "--warmup-seconds",
      "0",
      "--workers",
      "1",
      "--json",
    ]);
    assert.equal(down.code, EXIT.stepFailed, down.stderr);
    assert.equal((JSON.parse(down.stdout) as CapacityJson).steps.length, 1);
    assert.match(down.stderr, /the step failed: .*connection refused/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
