// Real lt-agent children with their HTTP shim on: the harness starts agents with `--http-port 0`, which
// turns the shim off, so these get a free port (the last --http-port wins) and wait until it answers
// /healthz. Also `ltctl push` of a config object through a temp file, for the tests that drive real runs.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentProcess, ltctl, startAgent, until } from "./agents.ts";
import { freePort } from "./ports.ts";

export interface HttpAgent {
  readonly agent: AgentProcess;
  /** `http://127.0.0.1:<port>` of the agent's shim. */
  readonly base: string;
}

/** Starts an agent whose shim listens on 127.0.0.1 and resolves once `GET /healthz` answers 200. */
export async function startHttpAgent(
  server: string,
  pod: string,
  args: readonly string[] = [],
  timeoutMs = 20_000,
): Promise<HttpAgent> {
  const port = await freePort();
  const agent = startAgent({
    server,
    pod,
    args: ["--http-port", String(port), "--http-host", "127.0.0.1", ...args],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await until(
      `${pod}'s http shim on port ${port}`,
      async () => {
        if (!agent.alive) throw new Error(`agent ${pod} exited: ${agent.log}`);
        return (await fetch(`${base}/healthz`)).status === 200;
      },
      timeoutMs,
      100,
    );
  } catch (e) {
    await agent.kill();
    throw new Error(`${String(e)}\n${agent.log}`);
  }
  return { agent, base };
}

export interface Pushed {
  readonly run_id: string;
  readonly acked_by: string[];
}

/** `ltctl push <file> --json` of `config` (written to a temp file) to the control plane at `server`. */
export async function pushConfig(
  server: string,
  config: Record<string, unknown>,
  startIn = 0.5,
  waitS = 3,
): Promise<Pushed> {
  const dir = mkdtempSync(join(tmpdir(), "lt-push-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config));
  const r = await ltctl([
    "push",
    file,
    "--server",
    server,
    "--start-in",
    String(startIn),
    "--wait",
    String(waitS),
    "--json",
  ]);
  try {
    const out = JSON.parse(r.stdout) as Pushed & { ok: boolean };
    if (out.ok) return out;
  } catch {
    // reported below
  }
  throw new Error(`ltctl push exited ${r.code}: ${r.stdout}\n${r.stderr}`);
}
