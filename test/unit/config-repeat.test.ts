import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

/** A spec with round numbers to multiply: 3 publishers at 100/s, 10 s. */
const base = edited(spec(), (c) => {
  c.publishers.count_per_stream = 3;
  c.behavior = { duration_seconds: 10, ramp_up_seconds: 4 };
});

describe("config - repeat policy", () => {
  it("disabled: the plan is the specs once, in order", () => {
    const r = loadOk(root({}, [spec({ name: "a" }), spec({ name: "b" })]));
    assert.deepEqual(
      r.plan.steps.map((s) => [s.index, s.specIndex, s.iteration, s.name]),
      [
        [0, 0, 0, "a"],
        [1, 1, 0, "b"],
      ],
    );
    assert.deepEqual(r.plan.repeat, { enabled: false, maxIterations: 10 });
  });

  it("enabled: the last spec repeats max_iterations times (default 10)", () => {
    const r = loadOk(root({ repeat_policy: { enabled: true } }, [spec({ name: "a" }), spec({ name: "b" })]));
    assert.equal(r.plan.steps.length, 12);
    assert.deepEqual(
      r.plan.steps.slice(1).map((s) => [s.specIndex, s.iteration]),
      Array.from({ length: 11 }, (_, k) => [1, k]),
    );
  });

  it("multipliers compound per iteration with int truncation after each multiply", () => {
    const repeat_policy = {
      enabled: true,
      max_iterations: 3,
      publishers: { count_per_stream_multiplier: 1.5, publish_rate_multiplier: 1.5 },
      behavior: { duration_multiplier: 1.1 },
    };
    const steps = loadOk(root({ repeat_policy }, [base])).plan.steps;
    assert.deepEqual(
      steps.map((s) => [
        s.spec.raw.publishers.count_per_stream,
        s.spec.raw.publishers.publish_rate_per_second,
      ]),
      [
        [3, 100],
        [4, 150],
        [6, 225],
        [9, 337],
      ],
    );
    assert.deepEqual(
      steps.map((s) => s.spec.durationMs),
      [10_000, 11_000, 12_000, 13_000],
    );
    assert.deepEqual(
      steps.map((s) => s.spec.publishers.length),
      [3, 4, 6, 9],
    );
  });

  it("every multiplier key of the original applies to its field", () => {
    const s = edited(base, (c) => {
      c.streams[0].messages_per_stream_per_second = 1000;
      c.consumers.consume_delay_ms = 10;
    });
    const repeat_policy = {
      enabled: true,
      max_iterations: 1,
      streams: { count_multiplier: 2, replicas_multiplier: 3, messages_per_stream_per_second_multiplier: 2 },
      publishers: {
        count_per_stream_multiplier: 2,
        publish_rate_multiplier: 2,
        message_size_bytes_multiplier: 2,
      },
      consumers: {
        count_per_stream_multiplier: 2,
        ack_wait_multiplier: 2,
        max_ack_pending_multiplier: 2,
        consume_delay_multiplier: 2,
      },
      behavior: { duration_multiplier: 2, ramp_up_multiplier: 2 },
    };
    const raw = loadOk(root({ repeat_policy }, [s])).plan.steps[1]!.spec.raw;
    const st = raw.streams[0]!;
    assert.deepEqual([st.count, st.replicas, st.messages_per_stream_per_second], [2, 3, 2000]);
    const p = raw.publishers;
    assert.deepEqual([p.count_per_stream, p.publish_rate_per_second, p.message_size_bytes], [6, 200, 256]);
    const c = raw.consumers;
    assert.deepEqual(
      [c.count_per_stream, c.ack_wait_seconds, c.max_ack_pending, c.consume_delay_ms],
      [2, 60, 200, 20],
    );
    assert.deepEqual(raw.behavior, { duration_seconds: 20, ramp_up_seconds: 8 });
  });

  it("a multiplier <= 0 means 1.0; ramp_up_multiplier 0 is allowed and removes the ramp", () => {
    const repeat_policy = {
      enabled: true,
      max_iterations: 1,
      publishers: { publish_rate_multiplier: 0, count_per_stream_multiplier: -2 },
      behavior: { ramp_up_multiplier: 0 },
    };
    const r = loadOk(root({ repeat_policy }, [base]));
    assert.equal(r.config.repeat_policy.publishers.publish_rate_multiplier, 1);
    assert.equal(r.config.repeat_policy.publishers.count_per_stream_multiplier, 1);
    const raw = r.plan.steps[1]!.spec.raw;
    assert.equal(raw.publishers.publish_rate_per_second, 100);
    assert.equal(raw.publishers.count_per_stream, 3);
    assert.equal(raw.behavior.ramp_up_seconds, 0);
  });

  it("a negative ramp_up_multiplier is an error", () => {
    assert.deepEqual(loadBad(root({ repeat_policy: { behavior: { ramp_up_multiplier: -1 } } })), [
      {
        path: "repeat_policy.behavior.ramp_up_multiplier",
        message: "expected >= 0 (0 = no ramp-up), got -1",
      },
    ]);
  });

  it("max_total_duration stops iterations that would end after it, and says so", () => {
    const repeat_policy = {
      enabled: true,
      max_total_duration: "30s",
      behavior: { duration_multiplier: 1.1 },
    };
    const r = loadOk(root({ repeat_policy }, [base]));
    // 10 s + 11 s = 21 s; a third step of 12 s would end at 33 s.
    assert.deepEqual(
      r.plan.steps.map((s) => s.spec.durationMs),
      [10_000, 11_000],
    );
    assert.equal(r.plan.repeat.maxTotalMs, 30_000);
    assert.match(
      r.warnings.join("\n"),
      /repeat stops after iteration 1: iteration 2 would end after max_total_duration \(30s\)/,
    );
  });

  it("repetition stops, with a warning naming the field, when a value would leave its range", () => {
    const repeat_policy = { enabled: true, streams: { replicas_multiplier: 2 } };
    const r = loadOk(root({ repeat_policy }, [base]));
    assert.deepEqual(
      r.plan.steps.map((s) => s.spec.streams[0]!.replicas),
      [1, 2, 4],
    );
    assert.match(r.warnings.join("\n"), /iteration 3 would be invalid[\s\S]*replicas/);
  });

  it("a shrinking multiplier stops before a count truncates to zero", () => {
    const repeat_policy = { enabled: true, streams: { count_multiplier: 0.5 } };
    const r = loadOk(root({ repeat_policy }, [base]));
    assert.equal(r.plan.steps.length, 1);
    assert.match(r.warnings[0]!, /repeat stops after iteration 0/);
  });

  it("max_iterations and max_total_duration are checked", () => {
    const paths = (repeat_policy: object) => loadBad(root({ repeat_policy })).map((i) => i.path);
    assert.deepEqual(paths({ max_iterations: -1 }), ["repeat_policy.max_iterations"]);
    assert.deepEqual(paths({ max_iterations: 1.5 }), ["repeat_policy.max_iterations"]);
    assert.deepEqual(paths({ max_iterations: 100_000 }), ["repeat_policy.max_iterations"]);
    assert.deepEqual(paths({ max_total_duration: "forever" }), ["repeat_policy.max_total_duration"]);
    assert.deepEqual(paths({ max_total_duration: "0s" }), ["repeat_policy.max_total_duration"]);
  });

  it("max_iterations 0 keeps the specs' own run only", () => {
    const r = loadOk(root({ repeat_policy: { enabled: true, max_iterations: 0 } }));
    assert.equal(r.plan.steps.length, 1);
  });
});
