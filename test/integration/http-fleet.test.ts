// The compatibility shim across pods: a POST /config to one agent reaches every agent (it only writes the
// config KV), and GET /stats on any agent returns every pod's records, read from the stats stream.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { freePort, startServer } from "../harness/index.ts";
import { type AgentProc, SKIP, shortConfig, startAgent, tempDir, until } from "./agent-fleet.ts";

describe("http - the shim on one pod drives and reads every pod", { skip: SKIP, timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let agents: AgentProc[] = [];
  let ports: Record<string, number> = {};
  let nc: NatsConnection;
  let client: ControlClient;
  const dir = tempDir();
  const base = (pod: string) => `http://127.0.0.1:${ports[pod]}`;
  const runOf = async (pod: string) => (await client.status()).find((p) => p.pod === pod)?.run_id;

  before(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url });
    client = new ControlClient(nc);
    ports = { a: await freePort(), b: await freePort(), c: await freePort() };
    agents = Object.entries(ports).map(([pod, port]) =>
      startAgent(server.url, pod, ["--http-port", String(port), "--http-host", "127.0.0.1"]),
    );
    await until("three agents present", async () => (await client.status()).length === 3, 20_000);
    await until("every shim answers /healthz", async () => {
      for (const pod of Object.keys(ports))
        if ((await fetch(`${base(pod)}/healthz`)).status !== 200) return false;
      return true;
    });
  });

  after(async () => {
    await nc?.close();
    await Promise.all(agents.map((a) => a.kill("SIGKILL")));
    await server?.[Symbol.asyncDispose]();
  });

  it("http - POST /config to agent a makes agents b and c run it, and GET /stats on c returns a, b and c", async () => {
    const body = JSON.stringify(shortConfig(server.url, 3, dir, "shim"));
    const res = await fetch(`${base("a")}/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assert.equal(res.status, 200, await res.clone().text());
    const posted = (await res.json()) as { queued: boolean; hash: string; run_id: string };
    assert.equal(posted.queued, true);
    assert.match(posted.hash, /^[0-9a-f]{16,}$/);
    for (const pod of ["b", "c"])
      await until(`${pod} runs ${posted.run_id}`, async () => (await runOf(pod)) === posted.run_id);
    await until(
      "every pod done",
      async () => (await client.status()).every((p) => p.run_id === posted.run_id && p.state === "done"),
      30_000,
    );

    const stats = await fetch(`${base("c")}/stats?limit=10`);
    assert.equal(stats.status, 200);
    const records = (await stats.json()) as Array<Record<string, unknown>>;
    assert.ok(records.length > 0 && records.length <= 10);
    const pods = new Set(records.map((r) => r["Pod"]));
    // Newest first: the last records of a 3 s run at 1 s intervals come from every pod.
    assert.deepEqual(
      [...pods].sort(),
      ["a", "b", "c"],
      JSON.stringify(records.map((r) => [r["Pod"], r["Timestamp"]])),
    );
    for (const r of records) {
      assert.equal(r["RunID"], posted.run_id);
      assert.equal(typeof r["Published"], "number");
      assert.ok((r["Latency"] as Record<string, unknown>)["P99"] !== undefined);
    }
    const times = records.map((r) => Date.parse(String(r["Timestamp"])));
    assert.deepEqual(
      times,
      [...times].sort((x, y) => y - x),
      "newest first",
    );

    // The same body again is not queued twice (the original's hash rule).
    const again = await fetch(`${base("b")}/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assert.equal(((await again.json()) as { queued: boolean }).queued, false);
  });

  it("http - a bad config posted to one pod is refused with its path and no pod changes run", async () => {
    const before = await client.active();
    const bad = shortConfig(server.url, 3, dir, "bad") as { load_test_specs: Array<Record<string, any>> };
    bad.load_test_specs[0]!.consumers.ack_policy = "manual";
    const res = await fetch(`${base("c")}/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bad),
    });
    assert.equal(res.status, 400);
    const err = (await res.json()) as { issues: Array<{ path: string }> };
    assert.ok(
      err.issues.some((i) => i.path === "load_test_specs[0].consumers.ack_policy"),
      JSON.stringify(err),
    );
    assert.equal((await client.active())?.run_id, before?.run_id);
    for (const pod of ["a", "b", "c"]) assert.equal(await runOf(pod), before?.run_id);
  });
});
