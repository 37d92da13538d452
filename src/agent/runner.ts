// One run on this pod: loads the pushed config with this pod's environment, opens the storage sink, runs the
// engine to the start barrier and through the plan, and hands each snapshot to the agent's outputs and its sink.
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import {
  type ConfigIssue,
  type ExpandContext,
  formatIssues,
  loadConfig,
  type Plan,
} from "../config/index.ts";
import type { ConfigEntry } from "../control/index.ts";
import type { RunPlan } from "../engine/index.ts";
import type { Mode, Snapshot } from "../stats/index.ts";
import { joinPlan } from "./join.ts";
import type { AgentLogger } from "./log.ts";
import { type Output, SinkOutput } from "./outputs.ts";
import { confineStorage, openSink } from "./storage/index.ts";

export interface RunContext {
  readonly pod: string;
  readonly mode: Mode;
  /** Pod name, environment and the variables a config may read. */
  readonly expand: ExpandContext;
  /** The agent's own credential and key files, which a config may not name. */
  readonly ownSecretFiles: readonly string[];
  /** Local storage (`storage.path`) is confined to this folder; relative paths are taken from it. */
  readonly dataDir: string;
  readonly runPlan: RunPlan;
  readonly workers?: number;
  readonly log: AgentLogger;
  readonly writeStdout: (line: string) => void;
  /** This agent process's incarnation: stamped on every snapshot. */
  readonly incarnation?: string;
  /**
   * Joining a run already under way: the fleet's start barrier. The plan is cut to what remains of it at this
   * run's own barrier (`startAt`), so the pod ends with the fleet (join.ts).
   */
  readonly fleetStartAt?: number;
  /** Where every snapshot goes, in order, before this run's local storage (the outbox, the metrics cache). */
  readonly outputs: readonly Output[];
  /** State changes: waiting at the barrier, running (with the spec), finished. */
  readonly onState: (
    state: "waiting" | "running" | "done" | "error" | "stopped",
    detail?: { spec?: string; error?: string },
  ) => void;
}

export class Run {
  readonly runId: string;
  readonly startAt: number;
  readonly done: Promise<void>;
  readonly #abort = new AbortController();

  constructor(entry: ConfigEntry, startAt: number, ctx: RunContext) {
    this.runId = entry.run_id;
    this.startAt = startAt;
    // Started on the next microtask, never inside this constructor: `#run` reports states (an invalid config
    // at once), and the caller must hold this Run before its first state arrives.
    this.done = Promise.resolve()
      .then(() => this.#run(entry, ctx))
      .catch((e) => {
        ctx.log.error("run failed", { run_id: this.runId, error: e });
        ctx.onState("error", { error: e instanceof Error ? e.message : String(e) });
      });
  }

  get stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Stops the run cleanly (the engine drains and emits a final "stopped" snapshot). */
  stop(): void {
    this.#abort.abort();
  }

  async #run(entry: ConfigEntry, ctx: RunContext): Promise<void> {
    const log = ctx.log.child({ run_id: this.runId });
    const loaded = loadConfig(entry.config, ctx.expand);
    const confined = loaded.ok ? confineStorage(loaded.plan.storage, ctx.dataDir) : undefined;
    const issues = !loaded.ok
      ? loaded.issues
      : [
          ...(confined?.ok === false ? [confined.issue] : []),
          ...ownFileIssues(loaded.plan, ctx.ownSecretFiles),
        ];
    if (!loaded.ok || issues.length > 0 || !confined?.ok) {
      const error = formatIssues(issues);
      log.error("config is invalid on this pod", { issues });
      ctx.onState("error", { error });
      return;
    }
    for (const w of loaded.warnings) log.warn("config warning", { warning: w });
    const whole = { ...loaded.plan, storage: confined.storage };
    const plan = ctx.fleetStartAt === undefined ? whole : joinPlan(whole, ctx.fleetStartAt, this.startAt);
    if (ctx.fleetStartAt !== undefined) {
      const step = plan.steps[0];
      log.info("joining the fleet's schedule", {
        fleet_start_at: new Date(ctx.fleetStartAt).toISOString(),
        steps_left: plan.steps.length,
        ...(step ? { step: step.name, step_ms_left: step.spec.durationMs } : {}),
      });
      if (!step) {
        ctx.onState("done");
        return;
      }
    }
    let sink: SinkOutput | undefined;
    try {
      sink = new SinkOutput(await openSink(plan.storage, ctx.writeStdout), log);
    } catch (e) {
      log.error("cannot open local storage; snapshots still go to the control plane", {
        storage: plan.storage.type,
        path: plan.storage.path,
        error: e,
      });
    }
    ctx.onState("waiting");
    const barrier = setTimeout(
      () => {
        if (!this.stopping) ctx.onState("running", { spec: plan.steps[0]?.name ?? "" });
      },
      Math.max(0, this.startAt - Date.now()),
    );
    let lastSpec = "";
    let anyError = false;
    try {
      log.info("run scheduled", { start_at: new Date(this.startAt).toISOString(), steps: plan.steps.length });
      const result = await ctx.runPlan(plan, {
        runId: this.runId,
        pod: ctx.pod,
        mode: ctx.mode,
        signal: this.#abort.signal,
        log,
        startAt: this.startAt,
        ...(ctx.workers !== undefined ? { workers: ctx.workers } : {}),
        onSnapshot: (snap) => {
          const s = stamped(snap, ctx.incarnation);
          if (s.phase === "error") anyError = true;
          if (s.spec !== lastSpec && s.phase === "running") {
            lastSpec = s.spec;
            ctx.onState("running", { spec: s.spec });
          }
          for (const o of ctx.outputs) o.put(s);
          sink?.put(s);
        },
      });
      const state = result.stopped ? "stopped" : anyError ? "error" : "done";
      log.info("run finished", { state, steps: result.finals.length });
      ctx.onState(state);
    } finally {
      clearTimeout(barrier);
      await sink?.close();
    }
  }
}

/**
 * A config that points the engine at the agent's own control-plane credentials or key (literally or through a
 * variable) would lend them to whatever server the config names: refused, naming the field.
 */
function ownFileIssues(plan: Plan, own: readonly string[]): ConfigIssue[] {
  if (own.length === 0) return [];
  const mine = new Set(own.map(canonical));
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const step of plan.steps) {
    const at = `load_test_specs[${step.specIndex}]`;
    const files: Array<[string, string | undefined]> = [
      ["nats_creds_file", step.spec.credsFile],
      ["nats_nkey_file", step.spec.nkeyFile],
      ["tls.key_file", step.spec.tls?.keyFile],
    ];
    for (const [field, file] of files) {
      const path = `${at}.${field}`;
      if (file === undefined || seen.has(path) || !mine.has(canonical(file))) continue;
      seen.add(path);
      out.push({
        path,
        message: `${file} is this agent's own control-plane credential (--creds, --nkey or --tls-key); give the NATS under test its own`,
      });
    }
  }
  return out;
}

/** The file a path names, symlinks resolved where it exists. */
function canonical(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** The snapshot with this process's incarnation, placed after `pod` (local runs have none). */
function stamped(s: Snapshot, incarnation: string | undefined): Snapshot {
  if (incarnation === undefined) return s;
  const { v, run_id, pod, ...rest } = s;
  return { v, run_id, pod, incarnation, ...rest };
}
