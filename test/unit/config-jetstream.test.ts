import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatIssues } from "../../src/config/index.ts";
import { subjectWithin } from "../../src/config/rules-jetstream.ts";
import { edited, loadBad, loadOk, root } from "../fixtures/config.ts";

const S = "load_test_specs[0]";

// biome-ignore lint/suspicious/noExplicitAny: edits reach into untyped JSON
type Edit = (c: any) => void;
const con: (fields: Record<string, unknown>) => Edit = (fields) => (c) =>
  Object.assign(c.load_test_specs[0].consumers, fields);
const workqueue: Edit = (c) => Object.assign(c.load_test_specs[0].streams[0], { retention: "workqueue" });
const both =
  (...edits: Edit[]): Edit =>
  (c) => {
    for (const e of edits) e(c);
  };

/** Each row: a change to a valid config, and the exact path of the one issue it causes. */
const BAD: [string, Edit, string][] = [
  // Today's code validates this and the server refuses it at run time ("workqueue stream requires explicit ack").
  ["workqueue with ack_policy all", both(workqueue, con({ ack_policy: "all" })), `${S}.consumers.ack_policy`],
  [
    "workqueue with ack_policy none",
    both(workqueue, con({ ack_policy: "none" })),
    `${S}.consumers.ack_policy`,
  ],
  [
    "workqueue with deliver_policy new",
    both(workqueue, con({ deliver_policy: "new" })),
    `${S}.consumers.deliver_policy`,
  ],
  ["deliver_policy unknown", con({ deliver_policy: "first" }), `${S}.consumers.deliver_policy`],
  [
    "by_start_sequence without a sequence",
    con({ deliver_policy: "by_start_sequence" }),
    `${S}.consumers.opt_start_seq`,
  ],
  ["opt_start_seq without its policy", con({ opt_start_seq: 5 }), `${S}.consumers.opt_start_seq`],
  [
    "opt_start_seq 0",
    con({ deliver_policy: "by_start_sequence", opt_start_seq: 0 }),
    `${S}.consumers.opt_start_seq`,
  ],
  ["by_start_time without a time", con({ deliver_policy: "by_start_time" }), `${S}.consumers.opt_start_time`],
  [
    "opt_start_time not RFC 3339",
    con({ deliver_policy: "by_start_time", opt_start_time: "yesterday" }),
    `${S}.consumers.opt_start_time`,
  ],
  [
    "opt_start_time without a zone",
    con({ deliver_policy: "by_start_time", opt_start_time: "2026-12-01T15:00:00" }),
    `${S}.consumers.opt_start_time`,
  ],
  [
    "filter outside the stream",
    con({ filter_subjects: ["sub.1", "other.x"] }),
    `${S}.consumers.filter_subjects[1]`,
  ],
  ["filter wider than the stream", con({ filter_subjects: [">"] }), `${S}.consumers.filter_subjects[0]`],
  ["filter_subjects empty", con({ filter_subjects: [] }), `${S}.consumers.filter_subjects`],
  ["max_deliver 0", con({ max_deliver: 0 }), `${S}.consumers.max_deliver`],
  ["backoff without max_deliver", con({ backoff: ["1s", "2s"] }), `${S}.consumers.max_deliver`],
  [
    "backoff as long as max_deliver",
    con({ backoff: ["1s", "2s"], max_deliver: 2 }),
    `${S}.consumers.max_deliver`,
  ],
  ["backoff not a duration", con({ backoff: ["soon"], max_deliver: 3 }), `${S}.consumers.backoff[0]`],
  ["backoff of 0", con({ backoff: ["0s"], max_deliver: 3 }), `${S}.consumers.backoff[0]`],
  [
    "backoff without acks",
    con({ backoff: ["1s"], max_deliver: 3, ack_policy: "none" }),
    `${S}.consumers.backoff`,
  ],
  ["double_ack without acks", con({ double_ack: true, ack_policy: "none" }), `${S}.consumers.double_ack`],
  ["ordered with double_ack", con({ type: "ordered", double_ack: true }), `${S}.consumers.double_ack`],
  ["ordered with max_deliver", con({ type: "ordered", max_deliver: 3 }), `${S}.consumers.max_deliver`],
  ["ordered on a workqueue stream", both(workqueue, con({ type: "ordered" })), `${S}.consumers.type`],
  ["type unknown", con({ type: "queue" }), `${S}.consumers.type`],
  ["pull_mode on a push consumer", con({ type: "push", pull_mode: "fetch" }), `${S}.consumers.pull_mode`],
  ["pull_mode unknown", con({ pull_mode: "poll" }), `${S}.consumers.pull_mode`],
  ["fetch_batch without fetch", con({ fetch_batch: 10 }), `${S}.consumers.fetch_batch`],
  [
    "fetch_expires_ms below 1 s",
    con({ pull_mode: "fetch", fetch_expires_ms: 500 }),
    `${S}.consumers.fetch_expires_ms`,
  ],
  [
    "fetch_batch and fetch_max_bytes",
    con({ pull_mode: "fetch", fetch_batch: 10, fetch_max_bytes: 1024 }),
    `${S}.consumers.fetch_max_bytes`,
  ],
  [
    "batch_size without batch",
    (c) =>
      Object.assign(c.load_test_specs[0], {
        use_jetstream: true,
        publishers: { ...c.load_test_specs[0].publishers, batch_size: 10 },
      }),
    `${S}.publishers.batch_size`,
  ],
  [
    "js_publish without JetStream",
    (c) => Object.assign(c.load_test_specs[0].publishers, { js_publish: "sync" }),
    `${S}.publishers.js_publish`,
  ],
  [
    "dedupe without JetStream",
    (c) => Object.assign(c.load_test_specs[0].publishers, { dedupe: true }),
    `${S}.publishers.dedupe`,
  ],
  [
    "js_publish unknown",
    (c) => Object.assign(c.load_test_specs[0].publishers, { js_publish: "fire" }),
    `${S}.publishers.js_publish`,
  ],
  [
    "batch_size 0",
    (c) => Object.assign(c.load_test_specs[0].publishers, { js_publish: "batch", batch_size: 0 }),
    `${S}.publishers.batch_size`,
  ],
  [
    "duplicate_window beyond max_age",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { max_age: "1m", duplicate_window: "2m" }),
    `${S}.streams[0].duplicate_window`,
  ],
  [
    "duplicate_window not a duration",
    (c) => Object.assign(c.load_test_specs[0].streams[0], { duplicate_window: "soon" }),
    `${S}.streams[0].duplicate_window`,
  ],
  [
    "prefill without JetStream",
    (c) => Object.assign(c.load_test_specs[0].behavior, { prefill_messages: 10 }),
    `${S}.behavior.prefill_messages`,
  ],
  [
    "prefill negative",
    (c) =>
      Object.assign(c.load_test_specs[0], {
        use_jetstream: true,
        behavior: { duration_seconds: 1, ramp_up_seconds: 0, prefill_messages: -1 },
      }),
    `${S}.behavior.prefill_messages`,
  ],
];

describe("config - JetStream consumer kinds refused with their path", () => {
  for (const [what, edit, path] of BAD) {
    it(`${what} -> ${path}`, () => {
      const issues = loadBad(edited(root(), edit));
      assert.deepEqual(
        issues.map((i) => i.path),
        [path],
        formatIssues(issues),
      );
    });
  }
});

describe("config - JetStream consumer kinds that validate", () => {
  it("a workqueue stream with explicit acks and no deliver policy (it gets all)", () => {
    loadOk(edited(root(), workqueue));
  });
  it("filters inside the stream's subjects, with {} and wildcards", () => {
    loadOk(
      edited(root(), (c) => {
        c.load_test_specs[0].streams[0].subjects = ["sub.{}.x", "sub.{}.>"];
        c.load_test_specs[0].consumers.filter_subjects = ["sub.{}.a", "sub.{}.*.b"];
      }),
    );
  });
  it("every deliver policy, max_deliver with backoff, double ack, prefill", () => {
    loadOk(
      edited(root(), con({ deliver_policy: "by_start_time", opt_start_time: "2026-12-01T15:00:00.5+01:00" })),
    );
    loadOk(edited(root(), con({ deliver_policy: "by_start_sequence", opt_start_seq: 10 })));
    for (const dp of ["new", "all", "last", "last_per_subject"])
      loadOk(edited(root(), con({ deliver_policy: dp })));
    const r = loadOk(edited(root(), con({ backoff: ["1s", "2s"], max_deliver: 3, double_ack: true })));
    assert.ok(
      r.warnings.some((w) => w.includes("backoff[0]")),
      r.warnings.join("\n"),
    );
    const p = loadOk(
      edited(root(), (c) => {
        Object.assign(c.load_test_specs[0], { use_jetstream: true });
        Object.assign(c.load_test_specs[0].behavior, { prefill_messages: 100 });
      }),
    );
    assert.ok(
      p.warnings.some((w) => w.includes("prefilled")),
      p.warnings.join("\n"),
    );
  });
  it("ordered consumers (ack_policy not used: a warning) and fetch mode", () => {
    const r = loadOk(edited(root(), con({ type: "ordered", pull_mode: "fetch", fetch_max_bytes: 4096 })));
    assert.ok(
      r.warnings.some((w) => w.includes("never acks")),
      r.warnings.join("\n"),
    );
    loadOk(edited(root(), con({ pull_mode: "fetch", fetch_batch: 50, fetch_expires_ms: 2000 })));
  });
  it("publish modes with JetStream, and a duplicate window within max_age", () => {
    const js = (p: object, st: object = {}) =>
      edited(root(), (c) => {
        Object.assign(c.load_test_specs[0], { use_jetstream: true });
        Object.assign(c.load_test_specs[0].publishers, p);
        Object.assign(c.load_test_specs[0].streams[0], st);
      });
    loadOk(js({ js_publish: "sync" }));
    loadOk(
      js({ js_publish: "batch", batch_size: 500, dedupe: true }, { max_age: "1m", duplicate_window: "30s" }),
    );
    loadOk(js({ js_publish: "async" }, { max_age: "0", duplicate_window: "10m" }));
  });
  it("subjectWithin follows NATS wildcards", () => {
    assert.ok(subjectWithin("a.b", "a.*"));
    assert.ok(subjectWithin("a.*", "a.*"));
    assert.ok(subjectWithin("a.b.c", "a.>"));
    assert.ok(subjectWithin("a.>", "a.>"));
    assert.ok(subjectWithin("a.*.c", "a.>"));
    assert.ok(!subjectWithin("a.>", "a.*"));
    assert.ok(!subjectWithin("a", "a.>"));
    assert.ok(!subjectWithin("a.b", "a.b.c"));
    assert.ok(!subjectWithin("*.b", "a.b"));
  });
});
