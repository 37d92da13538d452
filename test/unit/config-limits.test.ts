// Issue 12, finding 1 (bounded input): every string of a config has a length limit, checked at validation with
// the field's path and the limit in the message; long keys and a long run id in the config bucket are refused
// too, all in bounded time. The property-based part lives in fuzz-config.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LIMITS, loadConfig } from "../../src/config/index.ts";
import {
  ConfigEntrySchema,
  ControlCommandSchema,
  parseMessage,
  validateForPush,
} from "../../src/control/index.ts";
import { CTX, edited, root, spec } from "../fixtures/config.ts";
import { STRING_FIELDS } from "./config-string-fields.ts";

describe("config - string limits", () => {
  for (const [path, put, limit] of STRING_FIELDS) {
    it(`config - ${path} longer than ${limit} characters is refused at its path, naming the limit`, () => {
      const cfg = edited(root(), (c) => put(c, "a".repeat(limit + 1)));
      const r = loadConfig(cfg, CTX);
      assert.equal(r.ok, false);
      const issues = r.ok ? [] : r.issues;
      const mine = issues.find((i) => i.path === path);
      assert.ok(mine, `no issue at ${path}: ${JSON.stringify(issues).slice(0, 500)}`);
      assert.match(mine.message, new RegExp(`at most ${limit.toLocaleString("en-US")} characters`));
      assert.ok(mine.message.length < 300, "the message does not echo the value");
      // The push-side check refuses it too, with the same path.
      assert.ok(validateForPush(cfg).some((i) => i.path === path));
    });
  }

  it("config - a spec name of exactly the limit is accepted", () => {
    const r = loadConfig(root({}, [spec({ name: "n".repeat(LIMITS.nameLength) })]), CTX);
    assert.equal(r.ok, true, JSON.stringify(r.ok ? [] : r.issues));
  });

  it("config - lists are bounded: specs, stream configs, subjects, servers and thresholds", () => {
    const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
    const cases: Array<[string, Record<string, unknown>]> = [
      [
        "load_test_specs",
        root(
          {},
          many(LIMITS.specs + 1, (i) => spec({ name: `s${i}` })),
        ),
      ],
      [
        "load_test_specs[0].streams",
        root({}, [
          spec({
            streams: many(LIMITS.streamConfigs + 1, (i) => ({
              name_prefix: `s${i}`,
              count: 1,
              replicas: 1,
              subjects: [`x${i}.{}`],
            })),
          }),
        ]),
      ],
      [
        "load_test_specs[0].streams[0].subjects",
        root({}, [
          spec({
            streams: [
              {
                name_prefix: "s",
                count: 1,
                replicas: 1,
                subjects: many(LIMITS.subjectsPerStream + 1, (i) => `x.${i}`),
              },
            ],
          }),
        ]),
      ],
      [
        "load_test_specs[0].nats_url",
        root({}, [spec({ nats_url: many(LIMITS.servers + 1, (i) => `nats://h${i}:4222`) })]),
      ],
      [
        "thresholds",
        root({ thresholds: Object.fromEntries(many(LIMITS.thresholds + 1, (i) => [`errors.c${i}`, "< 1"])) }),
      ],
    ];
    for (const [path, cfg] of cases) {
      const r = loadConfig(cfg, CTX);
      assert.equal(r.ok, false, path);
      const issues = r.ok ? [] : r.issues;
      assert.ok(
        issues.some((i) => i.path === path && /at most/.test(i.message)),
        `${path}: ${JSON.stringify(issues).slice(0, 400)}`,
      );
    }
  });

  it("config - a 1 MB key or value is refused quickly, and no message echoes it", () => {
    const big = "k".repeat(1024 * 1024);
    for (const cfg of [
      edited(root(), (c) => (c.load_test_specs[0][big] = 1)),
      edited(root(), (c) => (c.storage = { [big]: "x" })),
      edited(root(), (c) => (c.load_test_specs[0].name = big)),
      edited(root(), (c) => (c.load_test_specs[0].nats_url = `\${${big}}`)),
    ]) {
      const t0 = performance.now();
      const r = loadConfig(cfg, CTX);
      const ms = performance.now() - t0;
      assert.equal(r.ok, false);
      // Generous: linear work on 1 MB takes milliseconds; the edit-distance hint on a 1 MB key took seconds.
      assert.ok(ms < 2_000, `${Math.round(ms)} ms`);
      const text = JSON.stringify(r.ok ? [] : r.issues);
      assert.ok(text.length < 5_000, `issues of ${text.length} characters`);
    }
  });

  it("control - a config entry or control command with a run id over the limit is malformed", () => {
    const entry = { v: 1, run_id: "r", pushed_at: 1, pushed_by: "me", start_at: 1, config: {} };
    assert.ok(parseMessage(ConfigEntrySchema, entry));
    assert.ok(parseMessage(ConfigEntrySchema, { ...entry, run_id: "r".repeat(LIMITS.runIdLength) }));
    assert.equal(
      parseMessage(ConfigEntrySchema, { ...entry, run_id: "r".repeat(LIMITS.runIdLength + 1) }),
      undefined,
    );
    assert.equal(parseMessage(ConfigEntrySchema, { ...entry, pushed_by: "p".repeat(100_000) }), undefined);
    assert.equal(
      parseMessage(ControlCommandSchema, { v: 1, op: "start", run_id: "r".repeat(100_000) }),
      undefined,
    );
  });
});
