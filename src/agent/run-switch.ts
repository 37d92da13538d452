// One run at a time: switching stops the current run (bounded), then starts the next, one switch after the
// other. A run joined late (the agent restarted, or the watch resumed) is run only while the fleet's is on.

import { type ExpandContext, loadConfig } from "../config/index.ts";
import type { AgentState, ConfigEntry } from "../control/index.ts";
import { JOIN_LEAD_MS } from "./join.ts";
import type { Output } from "./outputs.ts";
import type { AgentStatus } from "./presence.ts";
import { Run } from "./runner.ts";
import type { AgentDeps, AgentSettings } from "./settings.ts";
import { DEFAULT_DATA_DIR } from "./storage/index.ts";
import { RUN_STOP_TIMEOUT_MS, sleep } from "./timings.ts";

export type SwitchReason = "config" | "start" | "reload";

export interface RunSwitchContext {
  readonly settings: AgentSettings;
  readonly deps: AgentDeps;
  readonly incarnation: string;
  readonly status: AgentStatus;
  /** Aborted when the agent shuts down: no run starts after. */
  readonly signal: AbortSignal;
  /** Where every run's snapshots go (the run adds its own local storage). */
  readonly outputs: readonly Output[];
  /** Sets the status and announces it. */
  readonly setState: (state: AgentState, o?: { runId?: string; spec?: string }) => void;
}

export class RunSwitch {
  readonly #c: RunSwitchContext;
  #run: Run | undefined;
  #serial: Promise<unknown> = Promise.resolve();

  constructor(ctx: RunSwitchContext) {
    this.#c = ctx;
  }

  /** The run started last (it may have finished). */
  get current(): Run | undefined {
    return this.#run;
  }

  /** Runs `f` after every earlier run switch has finished (one switch at a time). */
  exclusive<T>(f: () => Promise<T>): Promise<T> {
    const p = this.#serial.then(f, f);
    this.#serial = p.catch(() => {});
    return p;
  }

  async switchTo(entry: ConfigEntry, why: SwitchReason, startAt?: number): Promise<void> {
    const { settings: s, deps: d, status } = this.#c;
    const log = d.log;
    if (this.#c.signal.aborted) return;
    await this.stopCurrent();
    const now = Date.now();
    const late = why === "config" && entry.start_at < now;
    if (late) {
      // Joining late (agent restarted, or the watch resumed): run only while the run is still meant to be on.
      const loaded = loadConfig(entry.config, this.#expandContext());
      // An invalid config is never "over": the run below reports what is wrong with it.
      const totalMs = loaded.ok ? loaded.plan.steps.reduce((t, st) => t + st.spec.durationMs, 0) : 0;
      if (loaded.ok && now > entry.start_at + totalMs) {
        log.info("the active run is already over; idle until the next push or `ltctl start`", {
          run_id: entry.run_id,
        });
        this.#c.setState("idle", { runId: entry.run_id, spec: "" });
        return;
      }
      log.info("joining the active run late", { run_id: entry.run_id, late_ms: now - entry.start_at });
    }
    // Joining late: a barrier of our own just ahead, and the plan cut to what the fleet has left from there.
    const at = startAt ?? (late ? now + JOIN_LEAD_MS : entry.start_at);
    status.runId = entry.run_id;
    status.error = undefined;
    // A new run has no spec running yet: presence must not keep the previous run's (an invalid config never
    // reports one).
    status.spec = "";
    const run = new Run(entry, at, {
      pod: s.pod,
      mode: s.mode,
      expand: this.#expandContext(),
      ownSecretFiles: s.ownSecretFiles ?? [],
      dataDir: s.dataDir ?? DEFAULT_DATA_DIR,
      runPlan: d.runPlan,
      ...(s.workers !== undefined ? { workers: s.workers } : {}),
      log,
      writeStdout: d.writeStdout,
      incarnation: this.#c.incarnation,
      ...(late ? { fleetStartAt: entry.start_at } : {}),
      outputs: this.#c.outputs,
      onState: (state, detail) => {
        if (this.#run !== run) return;
        if (detail?.error !== undefined) status.error = detail.error;
        this.#c.setState(state, { spec: detail?.spec ?? (state === "waiting" ? "" : status.spec) });
      },
    });
    this.#run = run;
    log.info("run started", { run_id: entry.run_id, start_at: new Date(at).toISOString(), why });
  }

  /** Stops the current run and waits for it, at most `timeoutMs` (a run that overstays is left to finish). */
  async stopCurrent(timeoutMs = RUN_STOP_TIMEOUT_MS): Promise<void> {
    const run = this.#run;
    if (!run) return;
    run.stop();
    const ok = await Promise.race([run.done.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!ok)
      this.#c.deps.log.warn("run did not stop in time; continuing", {
        run_id: run.runId,
        timeout_ms: timeoutMs,
      });
  }

  #expandContext(): ExpandContext {
    const s = this.#c.settings;
    return {
      pod: s.pod,
      env: s.env,
      ...(s.configVars ? { vars: s.configVars } : {}),
    };
  }
}
