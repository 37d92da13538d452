// Property-based bad input for the config validator: random documents, mutated examples and absurd values.
// Whatever comes in, loadConfig returns ok or a list of issues, each naming a path; it never throws.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type LoadResult, loadConfig, parseConfigText } from "../../src/config/index.ts";
import { edited, root } from "../fixtures/config.ts";
import { STRING_FIELDS } from "./config-string-fields.ts";

const ctx = {
  pod: "fuzz-0",
  env: { NATS_URL: "nats://127.0.0.1:4222", NATS_CREDS_MOUNT_PATH: "/creds" },
};
const examples = {
  seed: JSON.parse(readFileSync("examples/seed.json", "utf8")) as unknown,
  quick: JSON.parse(readFileSync("examples/quick.json", "utf8")) as unknown,
};
const runs = Number(process.env.LT_FUZZ_RUNS ?? 300);

/** The contract every input must meet. */
function wellFormed(r: LoadResult): void {
  if (r.ok) {
    assert.ok(r.plan.steps.length > 0, "an accepted config has a plan");
    return;
  }
  assert.ok(r.issues.length > 0, "a rejected config has at least one issue");
  for (const i of r.issues) {
    assert.equal(typeof i.path, "string");
    assert.ok(i.path.length > 0, `issue without a path: ${JSON.stringify(i)}`);
    assert.ok(i.message.length > 0, `issue without a message: ${JSON.stringify(i)}`);
  }
}

function safeLoad(raw: unknown): LoadResult {
  let r: LoadResult | undefined;
  assert.doesNotThrow(() => {
    r = loadConfig(raw, ctx);
  });
  wellFormed(r as LoadResult);
  return r as LoadResult;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Key = string | number;

/** Every path to a value inside a JSON document (objects and arrays included, root excluded). */
function paths(doc: Json, at: Key[] = []): Key[][] {
  const out: Key[][] = [];
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => {
      out.push([...at, i], ...paths(v, [...at, i]));
    });
  } else if (doc !== null && typeof doc === "object") {
    for (const [k, v] of Object.entries(doc)) out.push([...at, k], ...paths(v, [...at, k]));
  }
  return out;
}

function parentOf(doc: Json, path: Key[]): { parent: Record<Key, Json>; key: Key } {
  let cur: Json = doc;
  for (const k of path.slice(0, -1)) cur = (cur as Record<Key, Json>)[k] as Json;
  return { parent: cur as unknown as Record<Key, Json>, key: path[path.length - 1] as Key };
}

function deepNest(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}

/** A mutation: what it does to the value at a path. */
const mutation = fc.oneof(
  fc.constant({ kind: "delete" as const }),
  fc.record({ kind: fc.constant("replace" as const), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    kind: fc.constant("replace" as const),
    value: fc.constantFrom<Json>(
      1e9,
      -1,
      -1e9,
      1e308,
      -0,
      0.5,
      Number.MAX_SAFE_INTEGER,
      2 ** 53 + 1,
      1024 ** 3,
      "",
      "x".repeat(20_000),
      "$" + "{UNSET_VARIABLE}",
      "${",
      "{pod}{pod}{pod}",
      "\u0000\uffff\ud800",
      [],
      {},
      null,
      true,
      "1000",
    ),
  }),
  fc.record({ kind: fc.constant("nest" as const), depth: fc.integer({ min: 10, max: 200 }) }),
  fc.record({
    kind: fc.constant("extra" as const),
    key: fc.string({ minLength: 1, maxLength: 20 }),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(doc: Json, path: Key[], m: Mutation): { extraKey?: string; path: Key[] } {
  const { parent, key } = parentOf(doc, path);
  switch (m.kind) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return { path };
    case "replace":
      parent[key] = m.value as Json;
      return { path };
    case "nest":
      parent[key] = deepNest(m.depth);
      return { path };
    case "extra": {
      const target = parent[key];
      if (target !== null && typeof target === "object" && !Array.isArray(target) && !(m.key in target)) {
        (target as Record<string, Json>)[m.key] = m.value as Json;
        return { extraKey: m.key, path };
      }
      parent[key] = m.value as Json;
      return { path };
    }
  }
}

/** A document with one to three mutations at random paths, and what was done. */
const mutated = fc
  .tuple(
    fc.constantFrom("seed", "quick"),
    fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }),
  )
  .map(([name, muts]) => {
    const doc = structuredClone(examples[name as "seed" | "quick"]) as Json;
    const done: { extraKey?: string; path: Key[] }[] = [];
    for (const [pick, m] of muts) {
      const all = paths(doc);
      if (all.length === 0) break;
      done.push(mutate(doc, all[pick % all.length] as Key[], m));
    }
    return { doc, done };
  });

describe("fuzz - config validator", () => {
  it("fuzz - both examples load as they are", () => {
    for (const doc of Object.values(examples)) assert.equal(safeLoad(structuredClone(doc)).ok, true);
  });

  it("fuzz - any JSON value is accepted or rejected with issues that name a path, never a throw", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (raw) => {
        safeLoad(raw);
      }),
      { numRuns: runs },
    );
  });

  it("fuzz - random objects shaped like a config never crash the validator", () => {
    const spec = fc.record(
      {
        name: fc.oneof(fc.string(), fc.integer()),
        nats_url: fc.oneof(fc.string(), fc.array(fc.string()), fc.webUrl()),
        use_jetstream: fc.oneof(fc.boolean(), fc.string()),
        streams: fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }),
        publishers: fc.dictionary(
          fc.constantFrom(
            "count_per_stream",
            "stream_name_prefix",
            "publish_rate_per_second",
            "message_size_bytes",
            "publish_pattern",
            "publish_burst_size",
          ),
          fc.oneof(fc.integer(), fc.double(), fc.string()),
        ),
        consumers: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })),
        behavior: fc.record({ duration_seconds: fc.oneof(fc.integer(), fc.double(), fc.string()) }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            load_test_specs: fc.oneof(fc.array(spec, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
            repeat_policy: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })),
            stats_collection_interval_seconds: fc.oneof(fc.integer(), fc.double(), fc.string()),
          },
          { requiredKeys: [] },
        ),
        (raw) => {
          safeLoad(raw);
        },
      ),
      { numRuns: runs },
    );
  });

  it("fuzz - mutated examples are accepted or rejected with paths; an extra key is always rejected at its place", () => {
    fc.assert(
      fc.property(mutated, ({ doc, done }) => {
        const r = safeLoad(doc);
        const extra = done.at(-1)?.extraKey;
        if (extra !== undefined && done.length === 1) {
          assert.equal(r.ok, false, `extra key ${JSON.stringify(extra)} was accepted`);
        }
      }),
      { numRuns: Math.ceil(runs / 3) },
    );
  });

  it("fuzz - any text is either a config or issues with a path (JSON syntax errors at $)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 })), (text) => {
        let r: LoadResult | undefined;
        assert.doesNotThrow(() => {
          r = parseConfigText(text, ctx);
        });
        wellFormed(r as LoadResult);
      }),
      { numRuns: runs },
    );
  });

  it("fuzz - truncated example text is rejected with a line and column", () => {
    const text = readFileSync("examples/seed.json", "utf8");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.trimEnd().length - 1 }), (cut) => {
        const r = parseConfigText(text.slice(0, cut), ctx);
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.issues[0]?.path, "$");
      }),
      { numRuns: 100 },
    );
  });

  it("fuzz - 100,000-deep nesting is an issue, not a stack overflow", () => {
    const doc = structuredClone(examples.quick) as { load_test_specs: Json[] };
    (doc.load_test_specs[0] as Record<string, Json>).behavior = deepNest(100_000);
    const r = safeLoad(doc);
    assert.equal(r.ok, false);
    const text = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    wellFormed(parseConfigText(text, ctx));
  });
});

describe("fuzz - absurd values are rejected with a limit that names the field", () => {
  const S = "load_test_specs[0]";
  const cases: [string, (spec: Record<string, Record<string, unknown>>) => void, string, RegExp][] = [
    [
      "1e9 publishers",
      (s) => {
        (s.publishers as Record<string, unknown>).count_per_stream = 1e9;
      },
      `${S}.publishers.count_per_stream`,
      /limit|<=/,
    ],
    [
      "1e9 consumers",
      (s) => {
        (s.consumers as Record<string, unknown>).count_per_stream = 1e9;
      },
      `${S}.consumers.count_per_stream`,
      /limit|<=/,
    ],
    [
      "a 1 GiB message",
      (s) => {
        (s.publishers as Record<string, unknown>).message_size_bytes = 1024 ** 3;
      },
      `${S}.publishers.message_size_bytes`,
      /limit|<=|max_payload/,
    ],
    [
      "a negative message size",
      (s) => {
        (s.publishers as Record<string, unknown>).message_size_bytes = -1;
      },
      `${S}.publishers.message_size_bytes`,
      />=|negative|at least/,
    ],
    [
      "a negative max_bytes",
      (s) => {
        ((s.streams as unknown as Record<string, unknown>[])[0] as Record<string, unknown>).max_bytes = -5;
      },
      `${S}.streams[0].max_bytes`,
      /./,
    ],
    [
      "1e9 streams",
      (s) => {
        ((s.streams as unknown as Record<string, unknown>[])[0] as Record<string, unknown>).count = 1e9;
      },
      `${S}.streams[0].count`,
      /limit|<=/,
    ],
    [
      "a 1e12 publish rate",
      (s) => {
        (s.publishers as Record<string, unknown>).publish_rate_per_second = 1e12;
      },
      `${S}.publishers.publish_rate_per_second`,
      /limit|<=/,
    ],
    [
      "a century-long duration",
      (s) => {
        (s.behavior as Record<string, unknown>).duration_seconds = 100 * 365 * 86_400;
      },
      `${S}.behavior.duration_seconds`,
      /limit|<=/,
    ],
    [
      "replicas 1e9",
      (s) => {
        ((s.streams as unknown as Record<string, unknown>[])[0] as Record<string, unknown>).replicas = 1e9;
      },
      `${S}.streams[0].replicas`,
      /./,
    ],
    [
      "NaN-like string where a number belongs",
      (s) => {
        (s.publishers as Record<string, unknown>).publish_rate_per_second = "NaN";
      },
      `${S}.publishers.publish_rate_per_second`,
      /integer|number/,
    ],
  ];
  for (const [what, apply, path, message] of cases) {
    it(`fuzz - ${what} is rejected at ${path}`, () => {
      const doc = structuredClone(examples.quick) as {
        load_test_specs: Record<string, Record<string, unknown>>[];
      };
      apply(doc.load_test_specs[0] as Record<string, Record<string, unknown>>);
      const r = safeLoad(doc);
      assert.equal(r.ok, false, `${what} was accepted`);
      if (r.ok) return;
      const hit = r.issues.find((i) => i.path === path);
      assert.ok(hit, `no issue at ${path}: ${JSON.stringify(r.issues)}`);
      assert.match(hit.message, message);
    });
  }
});

describe("fuzz - string limits", () => {
  it("fuzz - any string field over its limit is refused at its path naming the limit; within it, no length issue", () => {
    const field = fc.integer({ min: 0, max: STRING_FIELDS.length - 1 });
    fc.assert(
      fc.property(field, fc.double({ min: 0, max: 3, noNaN: true }), fc.boolean(), (f, scale, over) => {
        const [path, put, limit] = STRING_FIELDS[f] as (typeof STRING_FIELDS)[number];
        // Over: limit+1 .. ~4x the limit (past the raw bound of LIMITS.rawString too). Within: 1 .. limit / 2.
        const length = over ? limit + 1 + Math.floor(scale * limit) : 1 + Math.floor((scale / 6) * limit);
        const cfg = edited(root(), (c) => put(c, "a".repeat(length)));
        const r = safeLoad(cfg);
        const lengthIssue = (r.ok ? [] : r.issues).find(
          (i) => i.path.startsWith(path) && /characters \(limit\)/.test(i.message),
        );
        if (over)
          assert.ok(lengthIssue, `${path} with ${length} characters: ${JSON.stringify(r).slice(0, 300)}`);
        else assert.equal(lengthIssue, undefined, `${path} with ${length} characters`);
      }),
      { numRuns: runs },
    );
  });
});
