// The agent's local storage sinks (the config's `storage` block, src/agent/storage): an lt-agent process runs a
// 3 s test with `file` (JSON lines, appended) or `badger` (LevelDB through classic-level), is stopped with
// SIGTERM, and the store read back afterwards holds every snapshot the agent sent to the control plane, the
// step's final (phase done) last, with the counts `ltctl stats --json` shows for that pod.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { ClassicLevel } from "classic-level";
import { parseSnapshot, SNAPSHOT_COUNTER_KEYS, type Snapshot } from "../../src/stats/index.ts";
import { snapshot as fixtureSnapshot } from "../fixtures/snapshots.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { ltctlJson, SKIP, shortConfig, startAgent, tempDir, until } from "./agent-fleet.ts";

/** A temp folder removed when the test ends. */
function scratch(): { dir: string } & Disposable {
  const dir = tempDir();
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Stored {
  runId: string;
  /** Every snapshot of the run for pod "a" on the control plane (the stats stream), oldest first. */
  sent: Snapshot[];
}

/** Pushes a 3 s run with `storage`, waits for pod a's final snapshot, stops the agent with SIGTERM. */
async function runAgent(server: NatsNode, dir: string, storage: Record<string, unknown>): Promise<Stored> {
  const cfg = join(dir, "cfg.json");
  writeFileSync(cfg, JSON.stringify({ ...shortConfig(server.url, 3, dir, "stor", 100), storage }));
  const a = startAgent(server.url, "a", ["--data-dir", dir]);
  try {
    const at = ["--server", server.url];
    await until("agent a is present", async () => {
      const s = await ltctlJson<{ agents: { pod: string }[] }>(["status", ...at]);
      return s.agents.some((x) => x.pod === "a");
    });
    const push = await ltctlJson<{ run_id: string }>([
      "push",
      cfg,
      ...at,
      "--start-in",
      "0.5",
      "--wait",
      "2",
    ]);
    const stats = (): Promise<{ snapshots: Snapshot[] }> =>
      ltctlJson(["stats", ...at, "--run", push.run_id, "--pod", "a", "--limit", "100"]);
    await until(
      "a's final snapshot",
      async () => (await stats()).snapshots.some((s) => s.phase === "done"),
      30_000,
    );
    assert.equal(await a.kill("SIGTERM"), 0, `graceful stop exits 0\n${a.log}`);
    // Read after the agent is gone: everything it queued has been sent by then.
    const sent = (await stats()).snapshots.reverse();
    return { runId: push.run_id, sent };
  } finally {
    await a.kill();
  }
}

/** The run's snapshots in the store match the control plane's: the same ones, the final last and equal. */
function assertSameAsSent(stored: Snapshot[], { runId, sent }: Stored): void {
  assert.ok(sent.length >= 3, `a 3 s run at 1 s intervals sends a few snapshots: ${sent.length}`);
  assert.ok(
    stored.every((s) => s.run_id === runId && s.pod === "a"),
    "only this run's snapshots of pod a",
  );
  assert.deepEqual(
    stored.map((s) => `${s.ts} ${s.phase}`),
    sent.map((s) => `${s.ts} ${s.phase}`),
    "every snapshot sent to the control plane is stored, in order",
  );
  const last = stored.at(-1)!;
  assert.equal(last.phase, "done");
  assert.equal(last.spec, "stor_a");
  assert.ok(
    last.published > 0 && last.consumed > 0,
    `published ${last.published}, consumed ${last.consumed}`,
  );
  const final = sent.at(-1)!;
  for (const k of SNAPSHOT_COUNTER_KEYS)
    assert.equal(last[k], final[k], `${k}: stored ${last[k]}, ltctl stats ${final[k]}`);
  assert.deepEqual(last, final, "the stored final is the snapshot ltctl stats shows");
}

it("agent storage - file: every JSON line appended at path is a snapshot, the step's final is done and matches ltctl stats", {
  skip: SKIP,
  timeout: 60_000,
}, async () => {
  await using server = await startServer();
  using tmp = scratch();
  const dir = tmp.dir;
  const path = join(dir, "a.log");
  // A line from an earlier run: the sink appends after it.
  const earlier = fixtureSnapshot({ run_id: "earlier", pod: "a", phase: "done" });
  writeFileSync(path, `${JSON.stringify(earlier)}\n`);
  const run = await runAgent(server, dir, { type: "file", path: join(dir, "{pod}.log") });

  const text = readFileSync(path, "utf8");
  assert.ok(text.endsWith("\n"), "the file ends with a whole line");
  const lines = text.slice(0, -1).split("\n");
  const parsed = lines.map((l, i) => {
    const s = parseSnapshot(JSON.parse(l));
    assert.ok(s, `line ${i + 1} is a snapshot: ${l.slice(0, 200)}`);
    return s;
  });
  assert.equal(parsed[0]!.run_id, "earlier", "the earlier line is kept (appended, not truncated)");
  assertSameAsSent(parsed.slice(1), run);
});

it("agent storage - badger: LevelDB at path holds every snapshot under <run_id>/<pod>/<ts>[/<phase>], the final done and matching ltctl stats", {
  skip: SKIP,
  timeout: 60_000,
}, async () => {
  await using server = await startServer();
  using tmp = scratch();
  const dir = tmp.dir;
  const run = await runAgent(server, dir, { type: "badger", path: join(dir, "{pod}.db") });

  // The agent has exited, so its lock on the folder is released.
  const db = new ClassicLevel<string, string>(join(dir, "a.db"), { valueEncoding: "utf8" });
  await db.open();
  const stored: Snapshot[] = [];
  const keys: string[] = [];
  try {
    for await (const [key, value] of db.iterator()) {
      if (key === "_sync") continue; // the synced write that flushes the log at each step end
      const s = parseSnapshot(JSON.parse(value));
      assert.ok(s, `${key} holds a snapshot: ${value.slice(0, 200)}`);
      const final = s.phase !== "running" && s.phase !== "starting";
      assert.equal(key, `${s.run_id}/${s.pod}/${s.ts}${final ? `/${s.phase}` : ""}`, "the documented key");
      keys.push(key);
      stored.push(s);
    }
  } finally {
    await db.close();
  }
  assert.ok(keys.length > 0, "the store is not empty");
  // Keys sort by run, pod, then time (ISO ts), so iteration order is the order the snapshots were made.
  assertSameAsSent(stored, run);
});
