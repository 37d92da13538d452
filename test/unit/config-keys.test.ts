// Issue 12, finding 5: keys named like built-in object properties (`constructor`, `__proto__`, `toString`,
// `valueOf`, ...) are unknown keys like any other: refused, each named, never "invalid with 0 problems".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { validateForPush } from "../../src/control/index.ts";
import { CTX, root, spec } from "../fixtures/config.ts";

export const BUILTIN_KEYS = [
  "constructor",
  "__proto__",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "__defineGetter__",
];

/** JSON text with `key` added first to the object that starts with `where`: JSON.parse makes it an own key. */
function withKey(base: unknown, where: string, key: string): unknown {
  const text = JSON.stringify(base);
  assert.ok(text.includes(where), where);
  return JSON.parse(text.replace(where, `${where.slice(0, 1)}"${key}": {"x": 1}, ${where.slice(1)}`));
}

describe("config - keys named like built-in properties", () => {
  for (const key of BUILTIN_KEYS) {
    it(`config - "${key}" at the root, in a spec and in storage is an unknown key naming it`, () => {
      for (const [where, path] of [
        ['{"load_test_specs"', key],
        ['{"name"', `load_test_specs[0].${key}`],
        ['{"type"', `storage.${key}`],
      ] as const) {
        const cfg = withKey(root({ storage: { type: "stdout" } }, [spec()]), where, key);
        const r = loadConfig(cfg, CTX);
        assert.equal(r.ok, false, `${key} at ${where} was accepted`);
        const issues = r.ok ? [] : r.issues;
        assert.ok(issues.length > 0, "never invalid with no issue");
        const wanted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? path : path.replace(`.${key}`, `["${key}"]`);
        assert.ok(
          issues.some((i) => i.path === wanted && i.message.includes(`unknown key "${key}"`)),
          `${key}: ${JSON.stringify(issues)}`,
        );
        assert.ok(validateForPush(cfg).length > 0, "the push refuses it too");
      }
    });
  }
});
