// The demo's three lt-agent processes: one per mode, each its own child process with its own log file.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Mode } from "../../stats/index.ts";
import { Child } from "./child.ts";

/** When a later agent fails to start, the ones already running have done no work yet: a short grace will do. */
const ABORT_START_GRACE_MS = 2_000;

export interface AgentSpec {
  readonly pod: string;
  readonly mode: Mode;
  /** HTTP shim port on 127.0.0.1; 0 disables it. */
  readonly httpPort: number;
}

/** The demo's pods: split roles, so one pod's messages are consumed by another. */
export const DEMO_PODS: readonly Omit<AgentSpec, "httpPort">[] = [
  { pod: "demo-publish", mode: "publish" },
  { pod: "demo-consume", mode: "consume" },
  { pod: "demo-both", mode: "both" },
];

export interface AgentProcess extends AgentSpec {
  readonly child: Child;
}

export interface StartAgentsOptions {
  readonly root: string;
  /** Node itself (process.execPath, passed in by the command). */
  readonly node: string;
  readonly server: string;
  readonly prefix: string;
  readonly dir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly heartbeatMs: number;
  /** Called with each agent process as soon as it runs (the demo hands it to its reaper). */
  readonly onSpawn?: (child: Child) => void;
}

/** Starts one lt-agent per spec. On a failure, the agents already started are stopped before it throws. */
export async function startAgents(
  specs: readonly AgentSpec[],
  o: StartAgentsOptions,
): Promise<AgentProcess[]> {
  const bin = join(o.root, "bin", "lt-agent");
  const built = join(o.root, "dist", "src", "agent", "index.js");
  if (!existsSync(built)) throw new Error(`${built} is missing: build first (npm run build, or make demo)`);
  const out: AgentProcess[] = [];
  try {
    for (const s of specs) {
      const child = await Child.start({
        label: `agent ${s.pod}`,
        command: o.node,
        args: [
          bin,
          "--server",
          o.server,
          "--pod",
          s.pod,
          "--mode",
          s.mode,
          "--prefix",
          o.prefix,
          "--http-port",
          String(s.httpPort),
          "--http-host",
          "127.0.0.1",
          "--heartbeat-ms",
          String(o.heartbeatMs),
          // The demo config's storage file goes to the demo folder: the agent may write only inside it.
          "--data-dir",
          o.dir,
        ],
        // NATS_URL: the demo config's nats_url is ${NATS_URL:-...}; LT_DEMO_DIR: where its storage file goes.
        env: { ...o.env, NATS_URL: o.server, LT_DEMO_DIR: o.dir, POD_NAME: s.pod, LT_MODE: s.mode },
        logFile: join(o.dir, `agent-${s.pod}.log`),
      });
      o.onSpawn?.(child);
      out.push({ ...s, child });
    }
  } catch (e) {
    await Promise.all(out.map((a) => a.child.stop(ABORT_START_GRACE_MS)));
    throw e;
  }
  return out;
}
