// `ltctl watch --until-done` gates a fleet run on its SLO thresholds, so CI pipelines can fail on a load test.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startServer } from "../harness/index.ts";
import { type AgentProc, ltctl, ltctlJson, SKIP, shortConfig, startAgent, tempDir } from "./agent-fleet.ts";

describe("watch - thresholds decide the exit code of --until-done", { skip: SKIP, timeout: 90_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let agent: AgentProc;
  const dir = tempDir();

  before(async () => {
    server = await startServer();
    agent = startAgent(server.url, "w1");
  });
  after(async () => {
    await agent?.kill("SIGKILL");
    await server?.[Symbol.asyncDispose]();
  });

  async function runWith(thresholds: Record<string, string>) {
    const file = join(dir, `t${Date.now()}.json`);
    writeFileSync(file, JSON.stringify({ ...shortConfig(server.url, 2, dir, "gate"), thresholds }));
    await ltctlJson(["push", file, "--server", server.url, "--start-in", "1"]);
    return {
      watch: await ltctl(
        ["watch", "--until-done", "--timeout", "40", "--interval", "0.5", "--server", server.url],
        60_000,
      ),
    };
  }

  it("watch - a failing threshold exits 99 naming the threshold and the measured value", async () => {
    const { watch } = await runWith({ "end_to_end.p99_ms": "< 0.001", lost: "== 0" });
    assert.equal(watch.code, 99, watch.stderr);
    assert.match(watch.stderr, /✗ end_to_end\.p99_ms < 0\.001 \(measured [0-9.]+\)/);
    assert.match(watch.stderr, /✓ lost == 0 \(measured 0\)/);
  });

  it("watch - thresholds that hold exit 0", async () => {
    const { watch } = await runWith({ lost: "== 0", published: "> 0" });
    assert.equal(watch.code, 0, watch.stderr);
  });
});
