import assert from "node:assert/strict";
import { test } from "node:test";
import { isKnownMetric, parseThresholds, validateThresholds } from "../../src/config/index.ts";
import { latencyKinds, MEASURES } from "../../src/measures/index.ts";
import { aggregate, evaluateThresholds, formatThresholdResult, runMetrics } from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";

test("thresholds - the issue's example block parses into metric, operator and number", () => {
  const { thresholds, issues } = parseThresholds({
    "end_to_end.p99_ms": "< 50",
    lost: "== 0",
    publish_rate: ">9500",
    "publish_ack.p999_ms": " <= 1.5e2 ",
    "errors.timeout": "!= 3",
  });
  assert.deepEqual(issues, []);
  assert.deepEqual(
    thresholds.map((t) => [t.metric, t.op, t.value]),
    [
      ["end_to_end.p99_ms", "<", 50],
      ["lost", "==", 0],
      ["publish_rate", ">", 9500],
      ["publish_ack.p999_ms", "<=", 150],
      ["errors.timeout", "!=", 3],
    ],
  );
});

test("thresholds - a bad expression is reported with its key path and the bad value", () => {
  const issues = validateThresholds({ lost: "= 0", "end_to_end.p99_ms": "< fast", published: 5 });
  assert.equal(issues.length, 3);
  assert.equal(issues[0]!.path, 'thresholds["lost"]');
  assert.match(issues[0]!.message, /got "= 0"/);
  assert.equal(issues[1]!.path, 'thresholds["end_to_end.p99_ms"]');
  assert.match(issues[1]!.message, /< fast/);
  assert.equal(issues[2]!.path, 'thresholds["published"]');
  assert.match(issues[2]!.message, /expected a string/);
});

test("thresholds - an unknown metric name is reported with its key", () => {
  const issues = validateThresholds({ "end_to_end.p98_ms": "< 5", latency: "< 5" });
  assert.deepEqual(
    issues.map((i) => i.path),
    ['thresholds["end_to_end.p98_ms"]', 'thresholds["latency"]'],
  );
  assert.match(issues[0]!.message, /unknown metric/);
  assert.ok(isKnownMetric("publish_ack.count"));
  assert.ok(isKnownMetric("publish_service.p99_ms"));
  assert.ok(isKnownMetric("send_delay.p99_ms"));
  assert.ok(isKnownMetric("send_delay.count"));
  assert.ok(!isKnownMetric("send_delay.p99"));
  // The message lists every latency kind a threshold may name.
  assert.ok(
    issues[0]!.message.includes(
      `<${latencyKinds(MEASURES)
        .map((e) => e.name)
        .join("|")}>.`,
    ),
    issues[0]!.message,
  );
  assert.ok(!isKnownMetric("publish_ack.count_ms"));
  assert.ok(isKnownMetric("errors.stream_full"));
});

test("thresholds - a block that is not an object is one issue at `thresholds`", () => {
  assert.deepEqual(validateThresholds(["< 5"]), [
    { path: "thresholds", message: "expected an object of metric: expression" },
  ]);
  assert.deepEqual(validateThresholds(undefined), []);
});

test("thresholds - evaluation over the cluster summary names the failing threshold and its measured value", () => {
  const total = aggregate([
    snapshot({ pod: "a", values: [1, 2, 3], published: 1000, lost: 2 }),
    snapshot({ pod: "b", values: [80, 90], published: 1000 }),
  ]);
  const metrics = runMetrics(total, 10);
  assert.equal(metrics.publish_rate, 200);
  const { thresholds } = parseThresholds({
    "publish_ack.p99_ms": "< 50",
    lost: "== 0",
    publish_rate: ">= 200",
    "errors.permission": "== 0",
    "end_to_end.p99_ms": "< 5",
  });
  const results = evaluateThresholds(thresholds, metrics);
  assert.deepEqual(
    results.map((r) => [r.metric, r.ok]),
    [
      ["publish_ack.p99_ms", false],
      ["lost", false],
      ["publish_rate", true],
      ["errors.permission", true],
      // No end-to-end samples: unmeasured fails rather than passing as 0 ms.
      ["end_to_end.p99_ms", false],
    ],
  );
  assert.match(formatThresholdResult(results[0]!), /^✗ publish_ack\.p99_ms < 50 \(measured 90\.\d+\)$/);
  assert.equal(formatThresholdResult(results[1]!), "✗ lost == 0 (measured 2)");
  assert.equal(formatThresholdResult(results[4]!), "✗ end_to_end.p99_ms < 5 (not measured)");
});

test("thresholds - send_delay.p99_ms gates on how late the load generator sent, unmeasured when no pod reported it", () => {
  const late = [...Array.from({ length: 98 }, () => 0.2), 40, 45];
  const total = aggregate([
    snapshot({ pod: "a", values: [1, 2], sendDelay: late }),
    snapshot({ pod: "b", values: [1, 2] }), // an older agent: no send_delay histogram
  ]);
  const metrics = runMetrics(total, 10);
  assert.equal(metrics["send_delay.count"], 100);
  assert.ok(metrics["send_delay.p99_ms"]! >= 40, `p99 ${metrics["send_delay.p99_ms"]} ms`);
  const { thresholds, issues } = parseThresholds({ "send_delay.p99_ms": "< 5", "send_delay.p50_ms": "< 5" });
  assert.deepEqual(issues, []);
  assert.deepEqual(
    evaluateThresholds(thresholds, metrics).map((r) => [r.metric, r.ok]),
    [
      ["send_delay.p99_ms", false],
      ["send_delay.p50_ms", true],
    ],
  );
  const older = runMetrics(aggregate([snapshot({ pod: "b", values: [1, 2] })]), 10);
  assert.equal(older["send_delay.count"], 0);
  assert.equal(
    formatThresholdResult(evaluateThresholds(thresholds, older)[0]!),
    "✗ send_delay.p99_ms < 5 (not measured)",
  );
});

test("thresholds - a bad expression fails config validation with its key path", async () => {
  const { loadConfig } = await import("../../src/config/index.ts");
  const { readFileSync } = await import("node:fs");
  const raw = JSON.parse(readFileSync("examples/quick.json", "utf8"));
  raw.thresholds = { "end_to_end.p99_ms": "below 50", lost: "== 0", nonsense: "< 1" };
  const r = loadConfig(raw, { pod: "p", env: {} });
  assert.equal(r.ok, false);
  const paths = r.ok ? [] : r.issues.map((i) => i.path);
  assert.deepEqual(paths.sort(), ['thresholds["end_to_end.p99_ms"]', 'thresholds["nonsense"]']);
});

test("thresholds - every snapshot counter (and the errors total) can be a threshold metric", async () => {
  const { COUNTER_METRICS } = await import("../../src/config/index.ts");
  const { SNAPSHOT_COUNTER_KEYS } = await import("../../src/stats/index.ts");
  // config cannot import stats (it sits below), so the two lists are kept equal by this test.
  assert.deepEqual([...COUNTER_METRICS].sort(), [...SNAPSHOT_COUNTER_KEYS, "errors"].sort());
});
