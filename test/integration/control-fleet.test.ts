// Three lt-agent processes driven by ltctl over a real nats-server: push, stats, status, refusal, stop, crash.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { startServer } from "../harness/index.ts";
import {
  type AgentProc,
  ltctl,
  ltctlJson,
  SKIP,
  shortConfig,
  sleep,
  startAgent,
  tempDir,
  until,
} from "./agent-fleet.ts";

describe("control - a fleet of three agents", { skip: SKIP, timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let agents: AgentProc[] = [];
  let url = "";
  const dir = tempDir();
  const file = (name: string, cfg: unknown) => {
    const p = join(dir, `${name}.json`);
    writeFileSync(p, JSON.stringify(cfg));
    return p;
  };
  let nc: NatsConnection;
  let client: ControlClient;
  // Polling in-process (an ltctl start costs a second); the asserted outputs come from ltctl itself.
  const status = async () => await client.status();

  before(async () => {
    server = await startServer();
    url = server.url;
    nc = await connect({ servers: url });
    client = new ControlClient(nc);
    agents = ["a", "b", "c"].map((pod) => startAgent(url, pod));
    await until("three agents present", async () => (await status()).length === 3, 20_000);
  });

  after(async () => {
    await nc?.close();
    await Promise.all(agents.map((a) => a.kill("SIGKILL")));
    await server?.[Symbol.asyncDispose]();
  });

  it("control - a push of a 4 s config makes all three run it, and stats and status show all three", async () => {
    const push = await ltctlJson(["push", file("short", shortConfig(url, 4, dir)), "--server", url]);
    assert.equal(push.ok, true);
    assert.deepEqual([...push.acked_by].sort(), ["a", "b", "c"], JSON.stringify(push));
    await until(
      "all three done",
      async () => {
        const s = await status();
        return s.length === 3 && s.every((x) => x.run_id === push.run_id && x.state === "done");
      },
      20_000,
    );
    const stats = await ltctlJson(["stats", "--limit", "10", "--server", url]);
    assert.equal(stats.snapshots.length, 10);
    const pods = new Set(stats.snapshots.map((s: any) => s.pod));
    assert.deepEqual([...pods].sort(), ["a", "b", "c"]);
    for (const s of stats.snapshots) {
      assert.equal(s.run_id, push.run_id);
      assert.ok(
        s.published > 0 && s.consumed > 0,
        `${s.pod} published ${s.published} consumed ${s.consumed}`,
      );
    }
    assert.deepEqual(stats.cluster.pods, ["a", "b", "c"]);
    const st = await ltctlJson(["status", "--server", url]);
    assert.deepEqual(
      st.agents.map((x: any) => x.pod),
      ["a", "b", "c"],
    );
    const text = await ltctl(["stats", "--server", url]);
    assert.match(text.stdout, /cluster \(3 pods: a, b, c\)/);
  });

  it("control - a bad config is refused with the error path and the active run stays", async () => {
    const before = await ltctlJson(["status", "--server", url]);
    const bad = shortConfig(url, 4, dir) as any;
    bad.load_test_specs[0].publishers.publish_rate_per_second = -5;
    const r = await ltctl(["push", file("bad", bad), "--server", url]);
    assert.equal(r.code, 104, "invalid config");
    assert.match(r.stderr, /load_test_specs\[0\]\.publishers\.publish_rate_per_second/);
    const after = await ltctlJson(["status", "--server", url]);
    assert.equal(after.active_run, before.active_run);
    assert.ok(after.agents.every((a: any) => a.run_id === before.active_run));
  });

  it("control - stop --pod b stops only b, stop stops all, both say who obeyed, and reload --pod a restarts only a", async () => {
    const push = await ltctlJson([
      "push",
      file("long", shortConfig(url, 30, dir, "long")),
      "--server",
      url,
      "--start-in",
      "0.5",
    ]);
    await until("all running", async () =>
      (await status()).every((x) => x.run_id === push.run_id && x.state === "running"),
    );
    const one = await ltctlJson(["stop", "--pod", "b", "--server", url]);
    assert.deepEqual(one.obeyed, ["b"]);
    const st = await status();
    assert.deepEqual(
      st.map((x) => [x.pod, x.state]),
      [
        ["a", "running"],
        ["b", "stopped"],
        ["c", "running"],
      ],
    );
    const all = await ltctl(["stop", "--server", url]);
    assert.equal(all.code, 0);
    assert.match(all.stdout, /stop: 3 of 3 agents obeyed/);
    await until("all stopped", async () => (await status()).every((x) => x.state === "stopped"));
    const snaps = await ltctlJson([
      "stats",
      "--run",
      push.run_id,
      "--pod",
      "b",
      "--limit",
      "1",
      "--server",
      url,
    ]);
    assert.equal(snaps.snapshots[0]?.phase, "stopped");

    // reload --pod a: only a restarts the active config (same run), the others stay stopped.
    const reload = await ltctlJson(["reload", "--pod", "a", "--server", url]);
    assert.deepEqual(reload.obeyed, ["a"]);
    await until("a runs again", async () =>
      (await status()).some((x) => x.pod === "a" && x.state === "running" && x.run_id === push.run_id),
    );
    assert.deepEqual(
      (await status()).filter((x) => x.pod !== "a").map((x) => x.state),
      ["stopped", "stopped"],
    );
    assert.equal((await ltctl(["stop", "--server", url])).code, 0);
    await until("all stopped again", async () => (await status()).every((x) => x.state === "stopped"));
  });

  it("control - an agent killed with SIGKILL mid-run rejoins under its name and picks up the active run", async () => {
    const push = await ltctlJson([
      "push",
      file("crash", shortConfig(url, 20, dir, "crash")),
      "--server",
      url,
      "--start-in",
      "0.5",
    ]);
    await until("all running", async () =>
      (await status()).every((x) => x.run_id === push.run_id && x.state === "running"),
    );
    const c = agents[2] as AgentProc;
    await c.kill("SIGKILL");
    await sleep(500);
    c.restart();
    await until(
      "c running the active run again",
      async () => {
        const s = await status();
        const cs = s.filter((x) => x.pod === "c");
        return (
          cs.length === 1 &&
          cs[0]?.run_id === push.run_id &&
          cs[0]?.state === "running" &&
          cs[0]?.stale === false
        );
      },
      15_000,
    );
    const s = await ltctlJson(["status", "--server", url]);
    assert.deepEqual(
      s.agents.map((x: any) => x.pod),
      ["a", "b", "c"],
    );
    const stop = await ltctlJson(["stop", "--server", url]);
    assert.deepEqual(stop.obeyed, ["a", "b", "c"]);
  });
});
