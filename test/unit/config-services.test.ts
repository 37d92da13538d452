// Issue 14, section B: `consumers.queue_group` and the `services` block validate with paths, default as
// documented, and expand into the ExpandedSpec the engine runs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planSummary } from "../../src/config/index.ts";
import { subjectMatches } from "../../src/config/rules-services.ts";
import { edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

const S = "load_test_specs[0]";
const core = (extra: Record<string, unknown> = {}) => spec({ use_jetstream: false, ...extra });
const svc = (services: unknown) => root({}, [core({ services })]);

describe("config: queue groups and services", () => {
  it("a core queue group expands onto every consumer", () => {
    const raw = root({}, [edited(core(), (c) => Object.assign(c.consumers, { queue_group: "workers" }))]);
    const plan = loadOk(raw).plan;
    const cons = plan.steps[0]!.spec.consumers;
    assert.ok(cons.length > 0);
    for (const c of cons) assert.equal(c.queueGroup, "workers");
  });

  it("no queue group: consumers expand as before", () => {
    const c = loadOk(root({}, [core()])).plan.steps[0]!.spec.consumers[0]!;
    assert.equal("queueGroup" in c, false);
  });

  it("services default every optional field", () => {
    const s = loadOk(svc({ subject: "svc.echo" })).plan.steps[0]!.spec.services;
    assert.deepEqual(s, {
      name: "lt-echo",
      version: "1.0.0",
      subject: "svc.echo",
      responders: { count: 1, queue_group: "q", service_time_ms: { min: 0, max: 0 } },
      requesters: { count: 1, rate_per_second: 100, timeout_ms: 2000, message_size_bytes: 128 },
    });
  });

  it("ltctl validate's summary describes the services in one line", () => {
    const block = {
      subject: "svc.echo",
      responders: { count: 2 },
      requesters: { count: 4, rate_per_second: 1000 },
    };
    const [step] = planSummary(loadOk(svc(block)).plan).steps;
    assert.equal(
      step!.services,
      "lt-echo 1.0.0 on svc.echo: 2 responders in queue group q (echo at once; --mode consume or both), 4 requesters x 1000 req/s of 128 B, timeout 2000 ms (--mode publish or both)",
    );
    assert.equal(planSummary(loadOk(root({}, [core()])).plan).steps[0]!.services, undefined);
  });

  it("the contract's example validates as written", () => {
    const block = {
      name: "lt-echo",
      version: "1.0.0",
      subject: "svc.echo",
      responders: { count: 2, queue_group: "q", service_time_ms: { min: 0, max: 0 } },
      requesters: { count: 4, rate_per_second: 1000, timeout_ms: 2000, message_size_bytes: 128 },
    };
    assert.deepEqual(loadOk(svc(block)).plan.steps[0]!.spec.services, block);
  });

  // Each row: a bad block and the path of its issue.
  const BAD: [string, unknown, string][] = [
    ["queue_group with JetStream", null, `${S}.consumers.queue_group`],
    ["queue_group with whitespace", null, `${S}.consumers.queue_group`],
    ["services not an object", "svc.echo", `${S}.services`],
    ["subject missing", {}, `${S}.services.subject`],
    ["subject with a wildcard", { subject: "svc.*" }, `${S}.services.subject`],
    ["subject with an empty token", { subject: "svc..echo" }, `${S}.services.subject`],
    ["subject inside a stream's subjects", { subject: "sub.1" }, `${S}.services.subject`],
    ["name with a dot", { subject: "a", name: "lt.echo" }, `${S}.services.name`],
    ["version not semver", { subject: "a", version: "1.0" }, `${S}.services.version`],
    ["unknown key", { subject: "a", responder: {} }, `${S}.services.responder`],
    [
      "responders.count negative",
      { subject: "a", responders: { count: -1 } },
      `${S}.services.responders.count`,
    ],
    [
      "responders.count over the limit",
      { subject: "a", responders: { count: 1e9 } },
      `${S}.services.responders.count`,
    ],
    [
      "responders.queue_group empty",
      { subject: "a", responders: { queue_group: " " } },
      `${S}.services.responders.queue_group`,
    ],
    [
      "service time min above max",
      { subject: "a", responders: { service_time_ms: { min: 5, max: 1 } } },
      `${S}.services.responders.service_time_ms`,
    ],
    [
      "service time over the limit",
      { subject: "a", responders: { service_time_ms: { max: 1e9 } } },
      `${S}.services.responders.service_time_ms.max`,
    ],
    [
      "requesters.rate_per_second 0",
      { subject: "a", requesters: { rate_per_second: 0 } },
      `${S}.services.requesters.rate_per_second`,
    ],
    [
      "requesters.timeout_ms 0",
      { subject: "a", requesters: { timeout_ms: 0 } },
      `${S}.services.requesters.timeout_ms`,
    ],
    [
      "requesters.message_size_bytes fractional",
      { subject: "a", requesters: { message_size_bytes: 1.5 } },
      `${S}.services.requesters.message_size_bytes`,
    ],
  ];
  for (const [what, block, path] of BAD) {
    it(`refuses ${what}, naming ${path}`, () => {
      let raw = svc(block);
      if (what === "queue_group with JetStream")
        raw = root({}, [
          edited(spec({ use_jetstream: true }), (c) => Object.assign(c.consumers, { queue_group: "q" })),
        ]);
      if (what === "queue_group with whitespace")
        raw = root({}, [edited(core(), (c) => Object.assign(c.consumers, { queue_group: "a b" }))]);
      const issues = loadBad(raw);
      assert.ok(
        issues.some((i) => i.path === path),
        `expected ${path}, got ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      );
    });
  }

  it("the JetStream refusal says what to do", () => {
    const raw = root({}, [
      edited(spec({ use_jetstream: true }), (c) => Object.assign(c.consumers, { queue_group: "q" })),
    ]);
    const [issue] = loadBad(raw);
    assert.match(issue!.message, /core NATS.*use_jetstream/);
  });

  it("the services' counters, rates and latency kind are threshold metrics", () => {
    loadOk(
      root({
        thresholds: {
          "request.p99_ms": "< 10",
          "request.count": "> 0",
          request_timeouts: "== 0",
          no_responders: "== 0",
          served: "> 0",
          request_rate: "> 900",
          reply_rate: "> 900",
        },
      }),
    );
  });

  it("subjectMatches honours * and >", () => {
    assert.equal(subjectMatches("a.*", "a.b"), true);
    assert.equal(subjectMatches("a.*", "a.b.c"), false);
    assert.equal(subjectMatches("a.>", "a.b.c"), true);
    assert.equal(subjectMatches("a.>", "a"), false);
    assert.equal(subjectMatches("a.b", "a.b"), true);
    assert.equal(subjectMatches("a.b", "a.c"), false);
  });
});
