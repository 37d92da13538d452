// Issue 12, finding 9, on a real nats-server and two real lt-agents: 50 identical POST /config at once, spread
// over both pods' shims, make one run. The config bucket's revision decides (compare-and-set): one answer is
// `queued: true`, every other one `queued: false` with the same run id, and the bucket holds one revision.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { faultConfig, SKIP_UNBUILT } from "../harness/agents.ts";
import { controlPlane, fetchWithin, shimAgent, stopAgent } from "./hardening-helpers.ts";

const POSTS = 50;

describe("hardening - duplicate POST race", { skip: SKIP_UNBUILT, timeout: 120_000 }, () => {
  const plane = controlPlane();

  it("hardening - 50 simultaneous identical POSTs to two pods give one run id and one revision", async () => {
    const [a, b] = await Promise.all([
      shimAgent(plane.server.url, "dup-a"),
      shimAgent(plane.server.url, "dup-b"),
    ]);
    try {
      const body = JSON.stringify(faultConfig(plane.server.url, { seconds: 30, name: "dup" }));
      const answers = await Promise.all(
        Array.from({ length: POSTS }, (_, i) =>
          fetchWithin(`${(i % 2 === 0 ? a : b).base}/config`, 30_000, {
            method: "POST",
            body,
            headers: { "content-type": "application/json" },
          }),
        ),
      );
      const parsed = answers.map((r) => {
        assert.equal(r.status, 200, r.text);
        return JSON.parse(r.text) as { queued: boolean; run_id: string; hash: string };
      });
      const runIds = new Set(parsed.map((p) => p.run_id));
      assert.equal(runIds.size, 1, `run ids: ${[...runIds].join(", ")}`);
      assert.equal(parsed.filter((p) => p.queued).length, 1, "one answer queued the run");
      assert.equal(new Set(parsed.map((p) => p.hash)).size, 1);
      const history = await plane.client.history(100);
      assert.equal(history.length, 1, `revisions: ${history.map((h) => h.run_id).join(", ")}`);
      assert.equal(history[0]?.run_id, [...runIds][0]);
      // Another config is a new run.
      const other = await fetchWithin(`${a.base}/config`, 30_000, {
        method: "POST",
        body: JSON.stringify(faultConfig(plane.server.url, { seconds: 30, name: "dup2" })),
        headers: { "content-type": "application/json" },
      });
      const o = JSON.parse(other.text) as { queued: boolean; run_id: string };
      assert.equal(o.queued, true);
      assert.notEqual(o.run_id, [...runIds][0]);
    } finally {
      await Promise.all([stopAgent(a.agent), stopAgent(b.agent)]);
    }
  });
});
