// What an agent is given: its settings (from lt-agent's flags and environment) and its dependencies.
import type { VarPolicy } from "../config/index.ts";
import type { RunPlan } from "../engine/index.ts";
import type { HttpContext } from "../http/index.ts";
import type { Mode } from "../stats/index.ts";
import type { AgentLogger } from "./log.ts";

export interface AgentSettings {
  readonly pod: string;
  readonly mode: Mode;
  readonly prefix: string;
  /** Presence heartbeat (ms); presence entries expire after 10 heartbeats, read as stale after 3. */
  readonly heartbeatMs: number;
  /** Default config file, seeded into `active` only when no config exists yet. */
  readonly defaultConfig?: string;
  readonly workers?: number;
  readonly version: string;
  /** Environment used to expand `${VAR}` in pushed configs. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Which variables of `env` a config may read (`--config-env`), and secret values never to expand. */
  readonly configVars?: VarPolicy;
  /** The agent's own credential and key files: a config may not point the engine at them. */
  readonly ownSecretFiles?: readonly string[];
  /** Local storage of pushed configs is confined to this folder. @default /var/lib/lt */
  readonly dataDir?: string;
  readonly hostname: string;
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly token?: string;
    /** More Host names the shim answers to. */
    readonly allowedHosts?: readonly string[];
    /** POSTs without a token on a non-loopback address (loudly logged). */
    readonly insecureNoToken?: boolean;
  };
  /** Snapshots kept while the control plane is away. @default 10000 */
  readonly maxQueuedSnapshots?: number;
}

/** Starts the HTTP shim (src/http in production; injected so the agent runs without one in tests). */
export type StartHttp = (ctx: HttpContext) => Promise<{ port: number; close(): Promise<void> }>;

export interface AgentDeps {
  readonly runPlan: RunPlan;
  readonly log: AgentLogger;
  readonly writeStdout: (line: string) => void;
  /** The HTTP shim; absent = no HTTP port. */
  readonly startHttp?: StartHttp;
}
