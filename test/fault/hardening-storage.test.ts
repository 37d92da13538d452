// Issue 12, finding 7, on a real nats-server and lt-agent: a pushed config writes its local storage only inside
// the agent's --data-dir. A path outside (absolute, through "..", or through a symlink inside the data dir
// that points out) puts the pod in `error` naming storage.path and --data-dir, and creates nothing; a relative
// path lands inside the data dir.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { PresenceView } from "../../src/control/index.ts";
import { faultConfig, SKIP_UNBUILT, startAgent } from "../harness/agents.ts";
import { controlPlane, stopAgent } from "./hardening-helpers.ts";

const root = mkdtempSync(join(tmpdir(), "lt-confine-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("hardening - storage confined to the data directory", {
  skip: SKIP_UNBUILT,
  timeout: 120_000,
}, () => {
  const plane = controlPlane();

  const presence = (f: (p: PresenceView) => boolean) => plane.presence("store", f);

  it("hardening - absolute, .. and symlinked paths outside --data-dir are refused naming the field; a relative one is written inside", async () => {
    const data = join(root, "data");
    const outside = join(root, "outside");
    mkdirSync(data);
    mkdirSync(outside);
    symlinkSync(outside, join(data, "link"));
    const agent = startAgent({ server: plane.server.url, pod: "store", args: ["--data-dir", data] });
    try {
      for (const path of [
        join(outside, "abs.log"),
        "../dotdot.log",
        "link/through-link.log",
        "/tmp/../etc/lt-x.log",
      ]) {
        const cfg = { ...faultConfig(plane.server.url, { seconds: 2 }), storage: { type: "file", path } };
        const run = await plane.client.push(cfg, { pushedBy: "test", startAt: Date.now() + 300 });
        const p = await presence(
          (x) => x.run_id === run.run_id && x.state !== "waiting" && x.state !== "idle",
        );
        assert.equal(p.state, "error", `${path}: ${JSON.stringify(p)}`);
        assert.match(p.error ?? "", /^storage\.path: .*outside the agent's data directory .*--data-dir/);
      }
      assert.ok(!existsSync(join(outside, "abs.log")), "nothing was written outside");
      assert.ok(!existsSync(join(root, "dotdot.log")));
      assert.ok(!existsSync(join(outside, "through-link.log")));

      const ok = {
        ...faultConfig(plane.server.url, { seconds: 2 }),
        storage: { type: "file", path: "runs/{pod}.log" },
      };
      const run = await plane.client.push(ok, { pushedBy: "test", startAt: Date.now() + 300 });
      await presence((x) => x.run_id === run.run_id && x.state === "done");
      const lines = readFileSync(join(data, "runs", "store.log"), "utf8")
        .trim()
        .split("\n");
      assert.ok(lines.length >= 2, `${lines.length} lines`);
      assert.equal((JSON.parse(lines.at(-1) as string) as { run_id: string }).run_id, run.run_id);
    } finally {
      await stopAgent(agent);
    }
  });
});
