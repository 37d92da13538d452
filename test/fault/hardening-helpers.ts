// Shared by the issue-12 hardening tests: real lt-agents with their HTTP shim, every one killed after the file
// (even when a test times out while the agent is stuck), and fetches that give up instead of hanging.
import { after, afterEach, before, beforeEach } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient, type PresenceView } from "../../src/control/index.ts";
import { type AgentProcess, startAgent, until } from "../harness/agents.ts";
import { freePort, type NatsNode, startServer } from "../harness/index.ts";

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

export interface ControlPlane {
  readonly server: NatsNode;
  readonly nc: NatsConnection;
  readonly client: ControlClient;
  /** Waits (20 s) until `pod`'s presence satisfies `f`, and returns it. */
  presence(pod: string, f: (p: PresenceView) => boolean): Promise<PresenceView>;
}

/**
 * Called inside a describe: a fresh nats-server and a control client on it for that describe's tests, started
 * before them and closed after (`each`: one per test). `plane` creates the control plane's buckets and streams
 * up front. The fields are read when a test runs, after the before hook set them.
 */
export function controlPlane(o: { each?: boolean; plane?: boolean } = {}): ControlPlane {
  let server: NatsNode | undefined;
  let nc: NatsConnection | undefined;
  let client: ControlClient | undefined;
  (o.each ? beforeEach : before)(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url });
    client = new ControlClient(nc, "lt");
    if (o.plane) await client.plane();
  });
  (o.each ? afterEach : after)(async () => {
    await nc?.close();
    await server?.stop();
  });
  const set = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`controlPlane: ${what} is read before the before hook ran`);
    return x;
  };
  const plane: ControlPlane = {
    get server() {
      return set(server, "server");
    },
    get nc() {
      return set(nc, "nc");
    },
    get client() {
      return set(client, "client");
    },
    presence: (pod, f) =>
      until(
        `${pod}'s presence`,
        async () => (await plane.client.status()).find((p) => p.pod === pod && f(p)),
        20_000,
      ),
  };
  return plane;
}
