// The `kv` and `object_store` blocks (issue 14, section C): defaults, expansion, and each bad block refused with
// its path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatIssues } from "../../src/config/index.ts";
import { edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

const S = "load_test_specs[0]";
const js = (extra: Record<string, unknown>) => root({}, [spec({ use_jetstream: true, ...extra })]);

// biome-ignore lint/suspicious/noExplicitAny: edits reach into untyped JSON
const BAD: [string, (c: any) => void, string][] = [
  [
    "kv without JetStream",
    (c) => Object.assign(c.load_test_specs[0], { use_jetstream: false, object_store: undefined }),
    `${S}.kv`,
  ],
  ["kv bucket with a dot", (c) => (c.load_test_specs[0].kv.bucket = "a.b"), `${S}.kv.bucket`],
  ["kv bucket too long", (c) => (c.load_test_specs[0].kv.bucket = "b".repeat(129)), `${S}.kv.bucket`],
  ["kv replicas 6", (c) => (c.load_test_specs[0].kv.replicas = 6), `${S}.kv.replicas`],
  ["kv storage disk", (c) => (c.load_test_specs[0].kv.storage = "disk"), `${S}.kv.storage`],
  ["kv history 65", (c) => (c.load_test_specs[0].kv.history = 65), `${S}.kv.history`],
  ["kv keys count 0", (c) => (c.load_test_specs[0].kv.keys = { count: 0 }), `${S}.kv.keys.count`],
  [
    "kv keys distribution pareto",
    (c) => (c.load_test_specs[0].kv.keys = { distribution: "pareto" }),
    `${S}.kv.keys.distribution`,
  ],
  [
    "kv zipf exponent negative",
    (c) => (c.load_test_specs[0].kv.keys = { distribution: "zipf", zipf_exponent: -1 }),
    `${S}.kv.keys.zipf_exponent`,
  ],
  ["kv value size 0", (c) => (c.load_test_specs[0].kv.value_size_bytes = 0), `${S}.kv.value_size_bytes`],
  ["kv clients 0", (c) => (c.load_test_specs[0].kv.clients = 0), `${S}.kv.clients`],
  ["kv rate negative", (c) => (c.load_test_specs[0].kv.rates = { put: -1 }), `${S}.kv.rates.put`],
  ["kv rate a string", (c) => (c.load_test_specs[0].kv.rates = { get: "10" }), `${S}.kv.rates.get`],
  ["kv unknown rate", (c) => (c.load_test_specs[0].kv.rates = { purge: 1 }), `${S}.kv.rates.purge`],
  ["kv all rates 0", (c) => (c.load_test_specs[0].kv.rates = { put: 0 }), `${S}.kv.rates`],
  ["kv watch a string", (c) => (c.load_test_specs[0].kv.watch = "yes"), `${S}.kv.watch`],
  [
    "kv bucket's stream is a stream of the spec",
    (c) => {
      const sp = c.load_test_specs[0];
      sp.streams[0].name_prefix = "KV_lt";
      sp.publishers.stream_name_prefix = "KV_lt";
      sp.consumers.stream_name_prefix = "KV_lt";
      sp.kv.bucket = "lt_1";
    },
    `${S}.kv.bucket`,
  ],
  [
    "object_store without JetStream",
    (c) => Object.assign(c.load_test_specs[0], { use_jetstream: false, kv: undefined }),
    `${S}.object_store`,
  ],
  [
    "object_store object size 0",
    (c) => (c.load_test_specs[0].object_store.object_size_bytes = 0),
    `${S}.object_store.object_size_bytes`,
  ],
  [
    "object_store object size over 1 GiB",
    (c) => (c.load_test_specs[0].object_store.object_size_bytes = 2 ** 30 + 1),
    `${S}.object_store.object_size_bytes`,
  ],
  [
    "object_store chunk size 0",
    (c) => (c.load_test_specs[0].object_store.chunk_size_bytes = 0),
    `${S}.object_store.chunk_size_bytes`,
  ],
  [
    "object_store objects 0",
    (c) => (c.load_test_specs[0].object_store.objects = 0),
    `${S}.object_store.objects`,
  ],
  [
    "object_store rates both 0",
    (c) => (c.load_test_specs[0].object_store.rates = { put: 0, get: 0 }),
    `${S}.object_store.rates`,
  ],
  [
    "object_store unknown field",
    (c) => (c.load_test_specs[0].object_store.chunk = 1),
    `${S}.object_store.chunk`,
  ],
];

describe("config - kv and object_store", () => {
  it("an empty block takes the defaults", () => {
    const s = loadOk(js({ kv: {}, object_store: {} })).plan.steps[0]!.spec;
    assert.deepEqual(s.kv, {
      bucket: "lt_kv",
      replicas: 1,
      storage: "memory",
      history: 1,
      keys: { count: 1000, distribution: "uniform", zipf_exponent: 1 },
      value_size_bytes: 128,
      clients: 1,
      rates: { put: 1000, get: 0, update: 0, delete: 0 },
      watch: false,
    });
    assert.deepEqual(s.objectStore, {
      bucket: "lt_obj",
      replicas: 1,
      storage: "memory",
      object_size_bytes: 1048576,
      chunk_size_bytes: 131072,
      objects: 10,
      clients: 1,
      rates: { put: 5, get: 0 },
    });
  });

  it("a rates object lists only the kinds it runs (the others are 0)", () => {
    const s = loadOk(js({ kv: { rates: { get: 5 } }, object_store: { rates: { get: 2 } } })).plan.steps[0]!
      .spec;
    assert.deepEqual(s.kv?.rates, { put: 0, get: 5, update: 0, delete: 0 });
    assert.deepEqual(s.objectStore?.rates, { put: 0, get: 2 });
  });

  it("a spec without the blocks has neither", () => {
    const s = loadOk(root()).plan.steps[0]!.spec;
    assert.equal(s.kv, undefined);
    assert.equal(s.objectStore, undefined);
  });

  it("a watcher alone is a valid kv block", () => {
    loadOk(js({ kv: { rates: { put: 0 }, watch: true } }));
  });

  for (const [what, edit, path] of BAD) {
    it(`${what} -> ${path}`, () => {
      const base = js({ kv: { bucket: "lt" }, object_store: {} });
      const issues = loadBad(edited(base, edit));
      assert.deepEqual(
        issues.map((i) => i.path),
        [path],
        formatIssues(issues),
      );
    });
  }

  it("the JetStream rule says what to do", () => {
    const issues = loadBad(root({}, [spec({ kv: {} })]));
    assert.match(issues[0]!.message, /use_jetstream": true/);
  });
});

describe("config - kv and object_store measurements in thresholds", () => {
  it("their counters, rates and latency kinds are threshold metrics", () => {
    loadOk(
      root({
        thresholds: {
          "kv_put.p99_ms": "< 5",
          kv_cas_conflicts: "== 0",
          kv_put_rate: "> 900",
          "obj_get.count": "> 0",
          obj_put_bytes_rate: "> 1000000",
        },
      }),
    );
  });
});
