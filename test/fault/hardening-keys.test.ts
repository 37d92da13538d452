// Issue 12, finding 5, through a real lt-agent's shim and the real ltctl: a config with a key named like a
// built-in object property is refused (400 naming the key, the active config and every pod untouched), and
// `ltctl validate` lists the problem instead of "invalid config, 0 problems".
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { faultConfig, ltctl, SKIP_UNBUILT } from "../harness/agents.ts";
import { controlPlane, fetchWithin, shimAgent, stopAgent } from "./hardening-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "lt-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("hardening - built-in property names as config keys", {
  skip: SKIP_UNBUILT,
  timeout: 120_000,
}, () => {
  const plane = controlPlane();

  it("hardening - POST /config refuses constructor, __proto__, toString and valueOf keys; ltctl validate names them", async () => {
    const { agent, base } = await shimAgent(plane.server.url, "keys-pod");
    try {
      const good = faultConfig(plane.server.url, { seconds: 20, name: "good" });
      const first = await fetchWithin(`${base}/config`, 10_000, {
        method: "POST",
        body: JSON.stringify(good),
        headers: { "content-type": "application/json" },
      });
      assert.equal(first.status, 200, first.text);
      const before = await plane.client.active();
      for (const key of ["constructor", "__proto__", "toString", "valueOf"]) {
        const text = JSON.stringify(good).replace('{"name"', `{"${key}": {"a": 1}, "name"`);
        const r = await fetchWithin(`${base}/config`, 10_000, {
          method: "POST",
          body: text,
          headers: { "content-type": "application/json" },
        });
        assert.equal(r.status, 400, `${key}: ${r.text}`);
        assert.match(r.text, new RegExp(`unknown key \\\\"${key}\\\\"`), r.text);
        const file = join(dir, `${key}.json`);
        writeFileSync(file, text);
        const v = await ltctl(["validate", file, "--pod", "p1"]);
        assert.equal(v.code, 104, v.stdout + v.stderr);
        assert.doesNotMatch(v.stderr, /0 problems/);
        assert.match(v.stderr, new RegExp(`unknown key "${key}"`));
      }
      const now = await plane.client.active();
      assert.equal(now?.revision, before?.revision, "the active config did not move");
      assert.ok(agent.alive);
    } finally {
      await stopAgent(agent);
    }
  });
});
