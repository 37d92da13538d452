// Everything the demo starts and must stop again: its temp folder, the reaper (started first), the local
// nats-server (unless one was given) and the three agents; stopped in order (agents drain while their server
// still answers), killed at once on a second Ctrl-C, and handed to the reaper should ltctl itself be killed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentProcess, DEMO_PODS, startAgents } from "./agents.ts";
import type { Child } from "./child.ts";
import { type LocalServer, startLocalServer } from "./nats-server.ts";
import { Reaper } from "./reaper.ts";

/** Grace before SIGKILL: an agent drains its run and sends its last snapshot within a few seconds. */
const AGENT_GRACE_MS = 8_000;
/** Grace before SIGKILL for nats-server: it flushes its JetStream store to the temp folder in well under that. */
const SERVER_GRACE_MS = 5_000;
/**
 * What the reaper does when ltctl was killed: agents first (they drain while their server still answers), then
 * the server; shorter graces than a normal stop, since nobody waits for the results, and all within 15 s.
 */
const REAP_AGENTS = { wave: 0, graceMs: 5_000 } as const;
const REAP_SERVER = { wave: 1, graceMs: 3_000 } as const;
/** Agents' presence heartbeat: every second, so the demo sees them register (and go stale) quickly. */
const HEARTBEAT_MS = 1_000;

/** An error that ends the demo with its message (and exit code 1). */
export class DemoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DemoError";
  }
}

export class Fleet {
  readonly dir: string;
  readonly reaper: Reaper;
  server: LocalServer | undefined;
  agents: AgentProcess[] = [];

  private constructor(dir: string, reaper: Reaper) {
    this.dir = dir;
    this.reaper = reaper;
  }

  /**
   * The temp folder and the reaper, first of all: whatever the demo starts later is stopped even if ltctl is
   * SIGKILLed (no handler runs then). Throws (with the folder removed) when the reaper cannot start.
   */
  static async open(root: string, node: string): Promise<Fleet> {
    const dir = mkdtempSync(join(tmpdir(), "lt-demo-"));
    try {
      return new Fleet(dir, await Reaper.start({ root, node, dir }));
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Starts `nats-server -js` in the temp folder and returns its URL. */
  async startServer(env: Readonly<Record<string, string | undefined>>, signal: AbortSignal): Promise<string> {
    this.server = await startLocalServer({
      dir: this.dir,
      env,
      signal,
      onSpawn: (ch) => this.reaper.watch(ch, REAP_SERVER),
    });
    return this.server.url;
  }

  /** Starts the demo's three agents; demo-both serves its HTTP shim (the dashboard) on `dashboardPort`. */
  async startAgents(o: {
    root: string;
    node: string;
    server: string;
    prefix: string;
    env: Readonly<Record<string, string | undefined>>;
    dashboardPort: number;
  }): Promise<void> {
    this.agents = await startAgents(
      DEMO_PODS.map((p) => ({ ...p, httpPort: p.mode === "both" ? o.dashboardPort : 0 })),
      {
        root: o.root,
        node: o.node,
        server: o.server,
        prefix: o.prefix,
        dir: this.dir,
        env: o.env,
        heartbeatMs: HEARTBEAT_MS,
        onSpawn: (ch) => this.reaper.watch(ch, REAP_AGENTS),
      },
    );
  }

  children(): Child[] {
    return [...this.agents.map((a) => a.child), ...(this.server ? [this.server.child] : [])];
  }

  /** The second Ctrl-C: every child at once, no grace. */
  kill(): void {
    for (const ch of this.children()) ch.kill();
  }

  /** Throws a DemoError when an agent has exited (with the end of its log). */
  checkAlive(): void {
    const dead = this.agents.filter((x) => !x.child.running);
    if (dead.length === 0) return;
    const d = dead[0]!;
    const exit = d.child.exitInfo;
    throw new DemoError(
      `agent ${d.pod} exited (${exit?.code ?? exit?.signal ?? "?"}) unexpectedly${agentTails(dead)}`,
    );
  }

  /** What `stopping ...` names: "3 agents and the nats-server"; empty when nothing was started. */
  describe(): string {
    const n = this.agents.length;
    const parts = [];
    if (n > 0) parts.push(`${n} agent${n === 1 ? "" : "s"}`);
    if (this.server) parts.push("the nats-server");
    return parts.join(" and ");
  }

  /**
   * Stops the agents, then the server, removes the temp folder and releases the reaper (waiting for it, so
   * nothing outlives ltctl). Returns the pids it stopped and whether all went without SIGKILL.
   */
  async close(): Promise<{ pids: number[]; graceful: boolean }> {
    const pids = this.children().map((ch) => ch.pid);
    const agents = await Promise.all(this.agents.map((x) => x.child.stop(AGENT_GRACE_MS)));
    const server = this.server ? await this.server.child.stop(SERVER_GRACE_MS) : true;
    rmSync(this.dir, { recursive: true, force: true });
    await this.reaper.release();
    return { pids, graceful: agents.every(Boolean) && server };
  }
}

/** The last log lines of some agents, for an error message (their log files go away with the temp folder). */
export function agentTails(agents: readonly AgentProcess[]): string {
  const parts = agents
    .map((x) => ({ pod: x.pod, lines: x.child.tail(6) }))
    .filter((t) => t.lines.length > 0)
    .map((t) => `\n  last lines of ${t.pod}:\n${t.lines.map((l) => `    ${l.slice(0, 400)}`).join("\n")}`);
  return parts.join("");
}

/** The control-plane credentials the demo was given, as the agents' environment. */
export function authEnv(auth: {
  creds?: string | undefined;
  nkey?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
}): Record<string, string> {
  return {
    ...(auth.creds ? { NATS_CREDS_FILE: auth.creds } : {}),
    ...(auth.nkey ? { NATS_NKEY_FILE: auth.nkey } : {}),
    ...(auth.user ? { NATS_USER: auth.user } : {}),
    ...(auth.password ? { NATS_PASSWORD: auth.password } : {}),
    ...(auth.token ? { NATS_TOKEN: auth.token } : {}),
  };
}
