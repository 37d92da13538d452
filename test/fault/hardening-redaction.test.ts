// Issue 12, findings 1 and 3, on a real nats-server and a real lt-agent: long strings written straight into
// the control plane (as anyone who can write the buckets could) never stall an agent, and a password of any
// characters never shows in GET /config, /api/v1/active, `ltctl history --show` or `ltctl validate`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CONTROL_VERSION, controlNames } from "../../src/control/index.ts";
import { faultConfig, ltctl, SKIP_UNBUILT } from "../harness/agents.ts";
import { makeSnapshot } from "../integration/http-fixtures.ts";
import { controlPlane, fetchWithin, shimAgent, stopAgent } from "./hardening-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "lt-redact-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Generous bounds for a busy 2-core machine; the quadratic redaction took minutes for these sizes. */
const HEALTHZ_MS = 3_000;
const STATS_MS = 15_000;

describe("hardening - redaction under long strings and odd passwords", {
  skip: SKIP_UNBUILT,
  timeout: 180_000,
}, () => {
  // Each test has its own server: the long snapshots of the first must not reach the second's agent.
  const plane = controlPlane({ each: true, plane: true });

  it("hardening - 100 kB names and run ids in the stats stream and the config bucket never stall an agent", async () => {
    const { js, config } = await plane.client.plane();
    const names = controlNames("lt");
    // Old snapshots a fresh agent reads before it listens, each with a long spec name and pod (no "://").
    const long = "n".repeat(100_000);
    for (let i = 0; i < 40; i++) {
      const s = {
        ...makeSnapshot("run-long", `pod-${i}`, i + 1, [1, 2, 3]),
        spec: long,
        pod: `p${i}${long}`,
      };
      await js.publish(names.statsSubject(s.run_id, `pod-${i}`), JSON.stringify(s));
    }
    // A config entry with a 100 kB run id and a URL-rich name, as a writer of the bucket could put it.
    await config.put(
      "active",
      JSON.stringify({
        v: CONTROL_VERSION,
        run_id: `r-${"a".repeat(100_000)}`,
        pushed_at: Date.now(),
        pushed_by: `x://${"b".repeat(50_000)}`,
        start_at: Date.now(),
        config: faultConfig(plane.server.url, { seconds: 2, name: `x${"c".repeat(100_000)}` }),
      }),
    );
    // The fresh agent reads those snapshots (for its dashboard) before it listens: it must be up in time.
    const { agent, base } = await shimAgent(plane.server.url, "redact-long");
    try {
      const health = await fetchWithin(`${base}/healthz`, HEALTHZ_MS);
      assert.equal(health.status, 200);
      const pending = fetchWithin(`${base}/stats?limit=40`, STATS_MS);
      pending.catch(() => {}); // awaited below; a failure of the health check first must not leave it unhandled
      // While a heavy read runs, the agent still answers its health check promptly.
      const during = await fetchWithin(`${base}/healthz`, HEALTHZ_MS);
      assert.equal(during.status, 200);
      const stats = await pending;
      assert.equal(stats.status, 200);
      assert.equal((JSON.parse(stats.text) as unknown[]).length, 40);
      const api = await fetchWithin(`${base}/api/v1/stats?limit=40`, STATS_MS);
      assert.equal(api.status, 200);
      assert.ok(agent.alive, agent.log.slice(-2_000));
    } finally {
      await stopAgent(agent);
    }
  });

  it("hardening - a password with quotes, spaces, <, > and a backtick never shows in GET /config, /api/v1/active, ltctl history --show or ltctl validate", async () => {
    const password = `p'w"d s<p>a\`ss`;
    const url = `nats://lt:${password}@127.0.0.1:${plane.server.port}`;
    const cfg = faultConfig(url, { seconds: 1, name: "oddpw" });
    const { agent, base } = await shimAgent(plane.server.url, "redact-odd");
    try {
      const post = await fetchWithin(`${base}/config`, STATS_MS, {
        method: "POST",
        body: JSON.stringify(cfg),
        headers: { "content-type": "application/json" },
      });
      assert.equal(post.status, 200, post.text);
      const posted = JSON.parse(post.text) as { run_id?: string };
      const outputs: Record<string, string> = {
        "GET /config": (await fetchWithin(`${base}/config`, STATS_MS)).text,
        "GET /api/v1/active": (await fetchWithin(`${base}/api/v1/active`, STATS_MS)).text,
      };
      const show = await ltctl(["history", "--server", plane.server.url, "--show", String(posted.run_id)]);
      assert.equal(show.code, 0, show.stderr);
      outputs["ltctl history --show"] = show.stdout + show.stderr;
      const showJson = await ltctl([
        "history",
        "--server",
        plane.server.url,
        "--show",
        String(posted.run_id),
        "--json",
      ]);
      outputs["ltctl history --show --json"] = showJson.stdout + showJson.stderr;
      const file = join(dir, "oddpw.json");
      writeFileSync(file, JSON.stringify(cfg));
      for (const args of [[], ["--json"]]) {
        const v = await ltctl(["validate", file, "--pod", "p1", ...args]);
        assert.equal(v.code, 0, v.stdout + v.stderr);
        outputs[`ltctl validate ${args.join(" ")}`] = v.stdout + v.stderr;
      }
      // An ordinary password, and one in a server entry that is invalid (its problem message echoes it).
      const plain = join(dir, "plain.json");
      writeFileSync(
        plain,
        JSON.stringify(faultConfig("nats://lt:plainS3cret@127.0.0.1:4222", { seconds: 1 })),
      );
      outputs["ltctl validate (plain)"] = (await ltctl(["validate", plain, "--pod", "p1"])).stdout;
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify(faultConfig("gopher://lt:badS3cret@h:1", { seconds: 1 })));
      const invalid = await ltctl(["validate", bad, "--pod", "p1"]);
      assert.equal(invalid.code, 104);
      outputs["ltctl validate (invalid)"] = invalid.stdout + invalid.stderr;
      for (const [where, text] of Object.entries(outputs)) {
        for (const secret of [password, "s<p>a", "plainS3cret", "badS3cret"])
          assert.ok(!text.includes(secret), `${where} shows ${secret}:\n${text.slice(0, 3_000)}`);
      }
      assert.match(outputs["GET /config"] ?? "", /lt:\*\*\*@127\.0\.0\.1/);
    } finally {
      await stopAgent(agent);
    }
  });
});
