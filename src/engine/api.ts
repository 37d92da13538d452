// The engine's contract with its callers (the agent, `ltctl run`, benchmarks). The engine emits snapshots;
// it never prints, never reads process state, and stops when its signal aborts.
import type { Plan } from "../config/index.ts";
import type { Mode, Snapshot } from "../stats/index.ts";

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface EngineOptions {
  /** Identifies the run in every snapshot (the agent takes it from the config entry; `ltctl run` makes one). */
  readonly runId: string;
  /** Pod name written into snapshots (already used to expand `{pod}` in the plan). */
  readonly pod: string;
  /** publish: only publishers; consume: only consumers (streams are still created); both: all. */
  readonly mode: Mode;
  /** Aborting stops the run cleanly: in-flight publishes drain, a final snapshot has phase "stopped". */
  readonly signal: AbortSignal;
  /** Called every `plan.statsIntervalMs` (or `statsIntervalMs` when given) and once at the end of each step. */
  readonly onSnapshot: (snapshot: Snapshot) => void;
  readonly log: Logger;
  /** Override of the plan's stats interval, in ms (local runs use 1000 for a live progress line). */
  readonly statsIntervalMs?: number;
  /** Epoch ms at which the first step starts (start barrier shared by all pods); default: now. */
  readonly startAt?: number;
  /** Worker threads to split publishers and consumers across; default 1 (in-process). */
  readonly workers?: number;
  /** Delete the streams this run created when it ends. Default false: users inspect them. */
  readonly cleanup?: boolean;
}

export interface RunResult {
  /** The final snapshot of every step that ran (phase "done", "stopped" or "error"), in order. */
  readonly finals: Snapshot[];
  /** True when the signal stopped the run before its plan ended. */
  readonly stopped: boolean;
}

/** Runs the whole plan: steps in order, each step's streams, consumers and publishers, then its final snapshot. */
export type RunPlan = (plan: Plan, opts: EngineOptions) => Promise<RunResult>;
