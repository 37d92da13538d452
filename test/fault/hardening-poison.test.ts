// Issue 12, finding 4, on a real nats-server and a real lt-agent: malformed snapshots in the stats stream (bad
// JSON, a schema mismatch, a schema-valid one whose histogram is not base64 HDR, one whose HDR payload is
// corrupt after a valid header) are skipped with a counted warning naming subject and sequence by every
// reader: GET /api/v1/stats, GET /stats, `ltctl stats`, `ltctl report`, the dashboard's WebSocket. With a
// dashboard connected while poison arrives, the agent still answers control commands at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { controlNames } from "../../src/control/index.ts";
import { ltctl, SKIP_UNBUILT, until } from "../harness/agents.ts";
import { makeSnapshot } from "../integration/http-fixtures.ts";
import { controlPlane, fetchWithin, shimAgent, stopAgent } from "./hardening-helpers.ts";

const RUN = "run-poison";
const ASK_MS = 15_000;

describe("hardening - stats readers survive poison", { skip: SKIP_UNBUILT, timeout: 180_000 }, () => {
  const plane = controlPlane({ plane: true });
  const names = controlNames("lt");

  /** Publishes good snapshots of pods a and b, then the four kinds of poison as pod "bad"; their sequences. */
  async function publishPoison(): Promise<number[]> {
    const { js } = await plane.client.plane();
    for (const pod of ["a", "b"])
      await js.publish(names.statsSubject(RUN, pod), JSON.stringify(makeSnapshot(RUN, pod, 3, [1, 2, 3])));
    const good = makeSnapshot(RUN, "bad", 2, [1, 2]);
    const corrupt = `${good.hist.publish_ack.slice(0, 12)}${"A".repeat(40)}`;
    const poison = [
      "{not json",
      JSON.stringify({ v: 1, run_id: RUN, pod: "bad" }),
      JSON.stringify({ ...good, hist: { ...good.hist, publish_ack: "not-base64-hdr!" } }),
      JSON.stringify({
        ...good,
        ts: new Date(Date.now() + 1_000).toISOString(),
        hist: { ...good.hist, end_to_end: corrupt },
      }),
    ];
    const seqs: number[] = [];
    for (const p of poison) seqs.push((await js.publish(names.statsSubject(RUN, "bad"), p)).seq);
    return seqs;
  }

  it("hardening - HTTP, ltctl stats and ltctl report skip malformed snapshots with warnings naming subject and sequence", async () => {
    const seqs = await publishPoison();
    const { agent, base } = await shimAgent(plane.server.url, "poison-http");
    try {
      const api = await fetchWithin(`${base}/api/v1/stats?limit=50&run=${RUN}`, ASK_MS);
      assert.equal(api.status, 200, api.text);
      const body = JSON.parse(api.text) as {
        snapshots: Array<{ pod: string }>;
        cluster: { pods?: number };
        warnings: string[];
        skipped: number;
      };
      assert.deepEqual(body.snapshots.map((s) => s.pod).sort(), ["a", "b"]);
      assert.ok(body.skipped >= 3, `skipped ${body.skipped}`);
      for (const seq of seqs.slice(0, 3)) {
        assert.ok(
          body.warnings.some((w) => w.includes(`lt.stats.${RUN}.bad`) && w.includes(`seq ${seq}`)),
          `no warning for seq ${seq}: ${JSON.stringify(body.warnings)}`,
        );
      }
      const orig = await fetchWithin(`${base}/stats?limit=50&run=${RUN}`, ASK_MS);
      assert.equal(orig.status, 200, orig.text);
      assert.ok(Number(orig.headers.get("x-lt-skipped")) >= 3, "GET /stats says how many it skipped");

      const stats = await ltctl(["stats", "--server", plane.server.url, "--run", RUN, "--limit", "50"]);
      assert.equal(stats.code, 0, stats.stdout + stats.stderr);
      assert.match(
        stats.stderr,
        new RegExp(`skipped \\d+ malformed[\\s\\S]*lt\\.stats\\.${RUN}\\.bad seq ${seqs[2]}`),
      );
      const json = await ltctl([
        "stats",
        "--server",
        plane.server.url,
        "--run",
        RUN,
        "--limit",
        "50",
        "--json",
      ]);
      assert.equal(json.code, 0, json.stderr);
      assert.equal((JSON.parse(json.stdout) as { snapshots: unknown[] }).snapshots.length, 2);
      const report = await ltctl([
        "report",
        "--server",
        plane.server.url,
        "--run",
        RUN,
        "--format",
        "json",
        "--no-thresholds",
      ]);
      assert.equal(report.code, 0, report.stdout + report.stderr);
      assert.ok(agent.alive);
    } finally {
      await stopAgent(agent);
    }
  });

  it("hardening - with a dashboard connected, poison arriving live leaves the WebSocket and control commands working", async () => {
    const { agent, base } = await shimAgent(plane.server.url, "poison-ws");
    const ws = new WebSocket(`${base.replace("http", "ws")}/ws`);
    const got: Array<{ type: string; snapshot?: { pod: string } }> = [];
    ws.on("message", (m) => got.push(JSON.parse(String(m)) as (typeof got)[number]));
    try {
      await new Promise((r, j) => {
        ws.once("open", r);
        ws.once("error", j);
      });
      await until("the dashboard's hello", () => got.some((m) => m.type === "hello"));
      await publishPoison();
      const { js } = await plane.client.plane();
      await js.publish(
        names.statsSubject(RUN, "after"),
        JSON.stringify(makeSnapshot(RUN, "after", 9, [4, 5])),
      );
      await until("the snapshot after the poison on the WebSocket", () =>
        got.some((m) => m.type === "snapshot" && m.snapshot?.pod === "after"),
      );
      // The agent answers a control command promptly (its control-plane connection is not blocked).
      const t0 = Date.now();
      const replies = await plane.client.command("stop", { pod: "poison-ws", timeoutMs: 3_000 });
      assert.equal(replies.length, 1, `no reply within ${Date.now() - t0} ms`);
      assert.equal(ws.readyState, WebSocket.OPEN);
      assert.equal((await fetchWithin(`${base}/healthz`, 3_000)).status, 200);
    } finally {
      ws.terminate();
      await stopAgent(agent);
    }
  });
});
