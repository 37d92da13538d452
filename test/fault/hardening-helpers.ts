// Shared by the issue-12 hardening tests: real lt-agents with their HTTP shim, every one killed after the file
// (even when a test times out while the agent is stuck), and fetches that give up instead of hanging.
import { after } from "node:test";
import { type AgentProcess, startAgent, until } from "../harness/agents.ts";
import { freePort } from "../harness/index.ts";

const started: AgentProcess[] = [];
after(async () => {
  await Promise.all(started.map((a) => a.kill("SIGKILL")));
});

/** SIGTERM, then SIGKILL when the agent has not ended within `graceMs`: a stuck agent never hangs a test. */
export async function stopAgent(agent: AgentProcess, graceMs = 10_000): Promise<number | string> {
  const exited = agent.exited();
  if (agent.alive) agent.proc.kill("SIGTERM");
  const timer = setTimeout(() => agent.proc.kill("SIGKILL"), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface ShimAgent {
  readonly agent: AgentProcess;
  readonly base: string;
  readonly port: number;
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

/**
 * A request whose answer, body included, must come within `ms`; rejects otherwise instead of waiting for a
 * stuck agent forever. Its own timer, not AbortSignal.timeout: fetch holds that signal weakly, and once it is
 * garbage-collected the timeout never fires.
 */
export async function fetchWithin(url: string, ms: number, init: RequestInit = {}): Promise<Answer> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no answer from ${url} within ${ms} ms`)), ms);
  try {
    const r = await fetch(url, { ...init, signal: ac.signal });
    return { status: r.status, text: await r.text(), headers: r.headers };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts an agent whose shim listens on `host` (127.0.0.1 unless told) and waits until `GET /healthz` answers
 * 200 within `readyMs`. Extra flags and environment go to the agent.
 */
export async function shimAgent(
  server: string,
  pod: string,
  o: { args?: readonly string[]; env?: Record<string, string>; host?: string; readyMs?: number } = {},
): Promise<ShimAgent> {
  const port = await freePort();
  const host = o.host ?? "127.0.0.1";
  const agent = startAgent({
    server,
    pod,
    args: ["--http-port", String(port), "--http-host", host, ...(o.args ?? [])],
    ...(o.env ? { env: o.env } : {}),
  });
  started.push(agent);
  const base = `http://127.0.0.1:${port}`;
  await until(
    `${pod}'s http shim on port ${port}`,
    async () => {
      if (!agent.alive) throw new Error(`agent ${pod} exited: ${agent.log.slice(-3_000)}`);
      return (await fetchWithin(`${base}/healthz`, 2_000)).status === 200;
    },
    o.readyMs ?? 20_000,
    100,
  );
  return { agent, base, port };
}
