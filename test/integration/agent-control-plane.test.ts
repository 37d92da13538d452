// lt-agent against its control plane: seeding the default config, and snapshots surviving an outage.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { connect } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { startServer } from "../harness/index.ts";
import { ltctlJson, SKIP, shortConfig, sleep, startAgent, tempDir, until } from "./agent-fleet.ts";

it("agent - --default-config seeds an empty control plane once; a second agent's default does not overwrite it", {
  skip: SKIP,
  timeout: 60_000,
}, async () => {
  await using server = await startServer();
  const dir = tempDir();
  const x = join(dir, "x.json");
  const y = join(dir, "y.json");
  writeFileSync(x, JSON.stringify(shortConfig(server.url, 3, dir, "seedx")));
  writeFileSync(y, JSON.stringify(shortConfig(server.url, 3, dir, "seedy")));
  const nc = await connect({ servers: server.url });
  const client = new ControlClient(nc);
  const a = startAgent(server.url, "a", ["--default-config", x]);
  let b: ReturnType<typeof startAgent> | undefined;
  try {
    const seeded = await until("a seeded its default", async () => await client.active(), 15_000);
    assert.equal(seeded.pushed_by, "default-config@a");
    await until("a runs the seeded run", async () =>
      (await client.status()).some(
        (p) => p.pod === "a" && p.run_id === seeded.run_id && p.spec === "seedx_a",
      ),
    );
    b = startAgent(server.url, "b", ["--default-config", y]);
    await until("b joins the seeded run", async () =>
      (await client.status()).some((p) => p.pod === "b" && p.run_id === seeded.run_id),
    );
    const active = await client.active();
    assert.equal(active?.run_id, seeded.run_id);
    assert.equal(active?.revision, seeded.revision);
    assert.equal((await client.history()).length, 1);
  } finally {
    await Promise.all([a.kill(), b?.kill()]);
    await nc.close();
  }
});

it("agent - snapshots taken while the control plane is down arrive after it returns, the final one too", {
  skip: SKIP,
  timeout: 90_000,
}, async () => {
  await using control = await startServer();
  await using target = await startServer();
  const dir = tempDir();
  const cfg = join(dir, "outage.json");
  writeFileSync(cfg, JSON.stringify(shortConfig(target.url, 9, dir, "outage")));
  const a = startAgent(control.url, "a");
  try {
    await sleep(1_500);
    const push = await ltctlJson(["push", cfg, "--server", control.url, "--start-in", "0.5", "--wait", "2"]);
    await sleep(2_500);
    const downAt = Date.now();
    await control.stop();
    await sleep(4_000);
    const upAt = Date.now();
    await control.start();
    const nc = await connect({ servers: control.url });
    try {
      const client = new ControlClient(nc);
      const snaps = await until(
        "the final snapshot of a",
        async () => {
          const s = await client.stats({ run: push.run_id, pod: "a", limit: 100 });
          return s.some((x) => x.phase === "done") ? s : undefined;
        },
        30_000,
      );
      const during = snaps.filter((s) => Date.parse(s.ts) > downAt + 500 && Date.parse(s.ts) < upAt - 500);
      assert.ok(
        during.length >= 2,
        `snapshots from the outage: ${during.length} of ${snaps.length}\n${a.log}`,
      );
      const seqs = snaps.map((s) => Date.parse(s.ts));
      assert.equal(new Set(seqs).size, seqs.length, "no snapshot stored twice");
      assert.ok((snaps[0]?.published ?? 0) > 0);
      await until("presence back", async () =>
        (await client.status()).some((p) => p.pod === "a" && !p.stale),
      );
    } finally {
      await nc.close();
    }
    // Graceful stop: exit 0.
    assert.equal(await a.kill("SIGTERM"), 0);
  } finally {
    await a.kill();
  }
});
