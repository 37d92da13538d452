// The message fields of `publishers` (issue 14, section A): bad blocks refused with their path, good ones
// expanded for the engine, and the engine's per-message draw (message-shape.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatIssues, planSummary } from "../../src/config/index.ts";
import { uncoveredKey } from "../../src/config/rules-messages.ts";
import { AliasTable, MessageShape } from "../../src/engine/message-shape.ts";
import { edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

const P = "load_test_specs[0].publishers";

/**
 * A root config whose publishers get `fields` and whose one stream config has `count` streams on `subjects`
 * (default: `sub.{}.>` with a subject template, else `sub.{}`, the first subject publishers then send to).
 */
function withMessages(fields: Record<string, unknown>, stream: { subjects?: string[]; count?: number } = {}) {
  const subjects = stream.subjects ?? (fields.subject === undefined ? ["sub.{}"] : ["sub.{}.>"]);
  return edited(root({}, [spec()]), (c) => {
    Object.assign(c.load_test_specs[0].publishers, fields);
    c.load_test_specs[0].streams[0].subjects = subjects;
    c.load_test_specs[0].streams[0].count = stream.count ?? 1;
  });
}

const BAD: [string, Record<string, unknown>, string, { subjects?: string[]; count?: number }?][] = [
  ["payload unknown", { payload: "json" }, `${P}.payload`],
  [
    "range and list together",
    { message_size_range: { min_bytes: 1, max_bytes: 2 }, message_sizes: [{ bytes: 1, weight: 1 }] },
    `${P}.message_sizes`,
  ],
  [
    "range upside down",
    { message_size_range: { min_bytes: 200, max_bytes: 100 } },
    `${P}.message_size_range.max_bytes`,
  ],
  [
    "range max over 64 MiB",
    { message_size_range: { min_bytes: 1, max_bytes: 2 ** 27 } },
    `${P}.message_size_range.max_bytes`,
  ],
  [
    "range unknown key",
    { message_size_range: { min_bytes: 1, max_bytes: 2, mean: 3 } },
    `${P}.message_size_range.mean`,
  ],
  ["sizes empty", { message_sizes: [] }, `${P}.message_sizes`],
  ["sizes all weight 0", { message_sizes: [{ bytes: 10, weight: 0 }] }, `${P}.message_sizes`],
  ["size weight negative", { message_sizes: [{ bytes: 10, weight: -1 }] }, `${P}.message_sizes[0].weight`],
  ["size bytes 0", { message_sizes: [{ bytes: 0, weight: 1 }] }, `${P}.message_sizes[0].bytes`],
  [
    "too many sizes",
    { message_sizes: Array.from({ length: 1001 }, () => ({ bytes: 10, weight: 1 })) },
    `${P}.message_sizes`,
  ],
  ["headers count over the limit", { headers: { count: 1001 } }, `${P}.headers.count`],
  [
    "header values over the limit",
    { headers: { count: 1, value_bytes: 65_537 } },
    `${P}.headers.value_bytes`,
  ],
  [
    "headers and payload over 64 MiB",
    { message_size_bytes: 2 ** 26, headers: { count: 1, value_bytes: 100 } },
    `${P}.headers`,
  ],
  ["subject with a wildcard", { subject: "sub.1.*" }, `${P}.subject`],
  ["subject with an empty token", { subject: "sub..{key}" }, `${P}.subject`],
  ["subject with whitespace", { subject: "sub.1 .{key}" }, `${P}.subject`],
  ["subject with {key} twice", { subject: "sub.{key}.{key}", keys: { count: 2 } }, `${P}.subject`],
  ["subject too long", { subject: `sub.${"x".repeat(300)}` }, `${P}.subject`],
  ["keys without a subject", { keys: { count: 4 } }, `${P}.keys`],
  ["keys but no {key}", { subject: "sub.1.x", keys: { count: 4 } }, `${P}.subject`],
  ["keys count 0", { subject: "sub.{}.{key}", keys: { count: 0 } }, `${P}.keys.count`],
  ["keys count over the limit", { subject: "sub.{}.{key}", keys: { count: 100_001 } }, `${P}.keys.count`],
  [
    "keys distribution unknown",
    { subject: "sub.{}.{key}", keys: { count: 2, distribution: "normal" } },
    `${P}.keys.distribution`,
  ],
  [
    "zipf exponent without zipf",
    { subject: "sub.{}.{key}", keys: { count: 2, zipf_exponent: 1 } },
    `${P}.keys.zipf_exponent`,
  ],
  [
    "zipf exponent over the limit",
    { subject: "sub.{}.{key}", keys: { count: 2, distribution: "zipf", zipf_exponent: 11 } },
    `${P}.keys.zipf_exponent`,
  ],
  ["subject outside the stream", { subject: "other.{key}", keys: { count: 2 } }, `${P}.subject`],
  [
    "some keys outside the stream",
    { subject: "sub.{}.{key}", keys: { count: 3 } },
    `${P}.subject`,
    { subjects: ["sub.{}.0", "sub.{}.1"] },
  ],
  [
    "subject of stream 1 for stream 2",
    { subject: "sub.1.{key}", keys: { count: 2 } },
    `${P}.subject`,
    { subjects: ["sub.{}.*"], count: 2 },
  ],
];

describe("config - publishers' message fields refused with their path", () => {
  for (const [what, fields, path, stream] of BAD) {
    it(`${what} -> ${path}`, () => {
      const c = withMessages(fields, stream);
      const issues = loadBad(c);
      assert.deepEqual(
        issues.map((i) => i.path),
        [path],
        formatIssues(issues),
      );
    });
  }

  it("a subject outside the stream names the subject it gives, the stream and a subject that would take it", () => {
    const issues = loadBad(withMessages({ subject: "orders.{key}", keys: { count: 8 } }));
    assert.match(
      formatIssues(issues),
      /'orders\.\{key\}' gives 'orders\.0' \(key 0\) for stream s_1, outside its subjects \('sub\.1\.>'; streams\[0\]\).*'orders\.\*'/,
    );
  });
});

describe("config - publishers' message fields expanded", () => {
  it("a seed config's publishers are what they were: no message fields", () => {
    const p = loadOk(root()).plan.steps[0]!.spec.publishers[0]!;
    assert.deepEqual(
      Object.keys(p).sort(),
      ["burstSize", "id", "messageSize", "pattern", "ratePerSec", "stream", "subject", "trackLatency"].filter(
        (k) => k in p,
      ),
    );
    assert.equal(p.subject, "sub.1");
    assert.equal(p.payload, undefined);
    assert.equal(p.sizes, undefined);
    assert.equal(p.headers, undefined);
    assert.equal(p.keys, undefined);
  });

  it("every field, with {} the stream's index and the largest size as messageSize", () => {
    const c = withMessages(
      {
        payload: "random",
        message_sizes: [
          { bytes: 100, weight: 2 },
          { bytes: 5000, weight: 0 },
          { bytes: 700, weight: 1 },
        ],
        headers: { count: 2 },
        subject: "sub.{}.k{key}x",
        keys: { count: 10, distribution: "zipf" },
      },
      { count: 2 },
    );
    const ps = loadOk(c).plan.steps[0]!.spec.publishers;
    const p = ps[1]!;
    assert.equal(p.subject, "sub.2.k0x");
    assert.equal(p.payload, "random");
    assert.equal(p.messageSize, 700, "a size of weight 0 is left out");
    assert.deepEqual(p.sizes, { kind: "weighted", bytes: [100, 700], weights: [2, 1] });
    assert.deepEqual(p.headers, { count: 2, valueBytes: 16 });
    assert.deepEqual(p.keys, { template: "sub.2.k{key}x", count: 10, zipfExponent: 1 });
  });

  it("repeat_policy's message_size_bytes_multiplier scales the size range and list too", () => {
    const c = withMessages({ message_size_range: { min_bytes: 100, max_bytes: 1000 } });
    c.repeat_policy = {
      enabled: true,
      max_iterations: 2,
      publishers: { message_size_bytes_multiplier: 1.5 },
    };
    const steps = loadOk(c).plan.steps;
    assert.deepEqual(
      steps.map((s) => s.spec.publishers[0]!.sizes),
      [
        { kind: "range", min: 100, max: 1000 },
        { kind: "range", min: 150, max: 1500 },
        { kind: "range", min: 225, max: 2250 },
      ],
    );
    const w = withMessages({ message_sizes: [{ bytes: 10, weight: 1 }] });
    w.repeat_policy = { enabled: true, max_iterations: 1, publishers: { message_size_bytes_multiplier: 3 } };
    assert.deepEqual(
      loadOk(w).plan.steps.map((s) => s.spec.publishers[0]!.sizes),
      [
        { kind: "weighted", bytes: [10], weights: [1] },
        { kind: "weighted", bytes: [30], weights: [1] },
      ],
    );
  });

  it("ltctl validate's summary says what the messages carry, and the sizes' range", () => {
    const c = withMessages({
      payload: "text",
      message_size_range: { min_bytes: 100, max_bytes: 2000 },
      headers: { count: 3 },
      subject: "sub.{}.{key}",
      keys: { count: 1000, distribution: "zipf" },
    });
    const step = planSummary(loadOk(c).plan).steps[0]!;
    assert.equal(
      step.messages,
      "text payload, sizes 100..2000 B uniform, 3 headers of 16 B, 1000 keys (zipf 1) on sub.1.{key}",
    );
    assert.deepEqual(step.messageSizeRange, { min: 100, max: 2000 });
    const seed = planSummary(loadOk(root()).plan).steps[0]!;
    assert.equal(seed.messages, undefined, "the seed's messages need no line");
    assert.equal(seed.messageSizeRange, undefined);
  });

  it("stream subjects with wildcards take a template once it is given", () => {
    loadOk(withMessages({ subject: "sub.{}.{key}", keys: { count: 100 } }, { subjects: ["sub.{}.*"] }));
    loadOk(withMessages({ subject: "sub.{}.a.{key}", keys: { count: 100 } }, { subjects: ["sub.{}.>"] }));
    loadOk(
      withMessages(
        { subject: "sub.{}.{key}.a", keys: { count: 2 } },
        { subjects: ["sub.{}.0.a", "sub.{}.1.*"] },
      ),
    );
  });
});

describe("config - subject templates inside stream subjects (symbolic, no enumeration)", () => {
  it("wildcards take every key; literals one; '>' needs a token", () => {
    assert.equal(uncoveredKey("a.{key}", ["a.*"], 1_000), undefined);
    assert.equal(uncoveredKey("a.{key}", ["a.>"], 1_000), undefined);
    assert.equal(uncoveredKey("a.{key}", [">"], 1_000), undefined);
    assert.equal(uncoveredKey("a.{key}", ["a"], 3), 0);
    assert.equal(uncoveredKey("a.{key}", ["a.0", "a.2"], 3), 1);
    assert.equal(uncoveredKey("a.{key}", ["a.0", "a.1", "a.2"], 3), undefined);
    assert.equal(uncoveredKey("a.k{key}", ["a.k0", "a.k01"], 2), 1, "k01 is not key 1");
    assert.equal(uncoveredKey("a.{key}.b", ["a.*.c"], 2), 0);
    assert.equal(uncoveredKey("a.b", ["a.b"], 1), undefined);
    assert.equal(uncoveredKey("a.b", ["a.*.>"], 1), 0);
  });
});

describe("engine - the per-message draw", () => {
  const base = {
    id: "S_1-p1",
    stream: "S_1",
    subject: "s.0",
    ratePerSec: 1,
    pattern: "steady" as const,
    burstSize: 1,
    trackLatency: false,
  };

  it("sizes lie in the range, are the same for the same (publisher, sequence), and cover it", () => {
    const shape = new MessageShape({
      ...base,
      messageSize: 200,
      sizes: { kind: "range", min: 10, max: 200 },
    });
    const seen = new Set<number>();
    const first: number[] = [];
    for (let seq = 0; seq < 20_000; seq++) {
      shape.pick(3, seq);
      assert.ok(shape.size >= 28 && shape.size <= 200, `size ${shape.size}: raised to the tracking header`);
      seen.add(shape.size);
      if (seq < 100) first.push(shape.size);
    }
    assert.equal(seen.size, 200 - 28 + 1, "every size of [28, 200] drawn");
    for (let seq = 0; seq < 100; seq++) {
      shape.pick(3, seq);
      assert.equal(shape.size, first[seq], "a retry draws the same size");
    }
    shape.pick(4, 0);
    const other = shape.size;
    let differs = other !== first[0];
    for (let seq = 1; seq < 10 && !differs; seq++) {
      shape.pick(4, seq);
      differs = shape.size !== first[seq];
    }
    assert.ok(differs, "another publisher draws other sizes");
  });

  it("keys: uniform within 10% of their share, zipf in proportion to 1/(k+1)^s", () => {
    const n = 160_000;
    const count = (zipf: number) => {
      const shape = new MessageShape({
        ...base,
        messageSize: 64,
        keys: { template: "s.{key}", count: 16, zipfExponent: zipf },
      });
      assert.equal(shape.subjects[15], "s.15");
      const c = new Array<number>(16).fill(0);
      for (let seq = 0; seq < n; seq++) {
        shape.pick(0, seq);
        c[shape.key]!++;
      }
      return c;
    };
    for (const c of count(0)) assert.ok(Math.abs(c - n / 16) < n / 160, `uniform ${c}`);
    const z = count(1.5);
    let h = 0;
    for (let k = 1; k <= 16; k++) h += k ** -1.5;
    z.forEach((c, k) => {
      const expected = (n * (k + 1) ** -1.5) / h;
      assert.ok(Math.abs(c - expected) < Math.max(expected * 0.05, 100), `key ${k}: ${c} vs ${expected}`);
    });
  });

  it("an alias table draws each outcome in proportion to its weight", () => {
    const t = new AliasTable([1, 0, 3]);
    const c = [0, 0, 0];
    const u = () => Math.floor(Math.random() * 2 ** 32);
    for (let i = 0; i < 40_000; i++) c[t.draw(u(), u())]!++;
    // Binomial standard deviations: ~87 for both; bounds of ~7 of them.
    assert.equal(c[1], 0, "weight 0 is never drawn");
    assert.ok(Math.abs(c[0]! - 10_000) < 600, `weight 1: ${c[0]}`);
    assert.ok(Math.abs(c[2]! - 30_000) < 600, `weight 3: ${c[2]}`);
  });

  it("the header block is what nats.js encodes", () => {
    const shape = new MessageShape({ ...base, messageSize: 64, headers: { count: 2, valueBytes: 5 } });
    const text = new TextDecoder().decode(shape.hdr);
    assert.match(text, /^NATS\/1\.0\r\nlt-h0: [a-z0-9]{5}\r\nlt-h1: [a-z0-9]{5}\r\n\r\n$/);
    assert.equal(shape.hdrBytes, shape.hdr!.length);
    assert.equal(shape.hdrs?.get("lt-h1"), text.split("\r\n")[2]!.slice(7));
  });
});
