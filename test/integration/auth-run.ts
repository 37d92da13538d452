// The agent-over-auth flow the creds and nkey tests share: push a config with ltctl, see the agent in
// `ltctl status`, wait for its final snapshot in `ltctl stats`, read `ltctl history` — every ltctl output kept
// for the test's grep for secrets.
import assert from "node:assert/strict";
import type { Snapshot } from "../../src/stats/index.ts";
import { type AgentProcess, ltctl, until } from "../harness/agents.ts";
import { assertEveryMessage } from "./engine-helpers.ts";

export interface AuthRun {
  /** The config file to push. */
  readonly cfg: string;
  readonly agent: AgentProcess;
  /** `--server <url>` and the auth options for every ltctl command. */
  readonly auth: readonly string[];
  /** How `ltctl status` authenticates, when it should differ (e.g. through an environment variable). */
  readonly status?: { readonly args: readonly string[]; readonly env?: Record<string, string> };
  /** Every ltctl output (stdout and stderr) is appended here. */
  readonly outputs: string[];
}

/** Runs the flow; asserts each command worked and the agent's step was clean. Returns its final snapshot. */
export async function pushAndFollow(o: AuthRun): Promise<Snapshot> {
  const pod = o.agent.spec.pod;
  const push = await ltctl(["push", o.cfg, ...o.auth, "--start-in", "1", "--wait", "2"]);
  o.outputs.push(push.stdout, push.stderr);
  assert.equal(push.code, 0, `push: ${push.stdout}${push.stderr}\n${o.agent.log}`);
  const status = await until("the agent in ltctl status", async () => {
    const r = await ltctl([...(o.status?.args ?? ["status", ...o.auth]), "--json"], o.status?.env);
    const j = JSON.parse(r.stdout) as { agents: { pod: string; stale: boolean }[] };
    return j.agents.some((a) => a.pod === pod && !a.stale) ? r : undefined;
  });
  o.outputs.push(status.stdout, status.stderr);
  const final = await until(
    "the agent's final snapshot",
    async () => {
      const r = await ltctl(["stats", ...o.auth, "--json"]);
      const j = JSON.parse(r.stdout) as { snapshots: Snapshot[] };
      const s = j.snapshots.find((x) => x.pod === pod && x.phase !== "running");
      return s ? { r, s } : undefined;
    },
    30_000,
  );
  o.outputs.push(final.r.stdout, final.r.stderr);
  assertEveryMessage(final.s, o.agent.log);
  const history = await ltctl(["history", ...o.auth, "--json"]);
  o.outputs.push(history.stdout, history.stderr);
  assert.equal(history.code, 0, history.stderr);
  return final.s;
}
