// Where a capacity step runs: in this process (ltctl run's engine path) or on the fleet (pushed like
// `ltctl push`, every agent on the same start barrier, its pods' final snapshots read back over NATS). Both
// return the final snapshots of the pods that ran the step, or undefined when the search was interrupted.
import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Plan } from "../../config/index.ts";
import { type ControlClient, isNotFound } from "../../control/index.ts";
import { runPlan } from "../../engine/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { sleep } from "../demo/ports.ts";

export interface StepRunner {
  /** How many agents will run each step (every one runs the whole config: the total rate is theirs summed). */
  agents(): Promise<number>;
  /** Runs one step's plan; the finals of every pod that ran it, or undefined when `signal` ended the search. */
  run(plan: Plan, raw: unknown, seconds: number, signal: AbortSignal): Promise<Snapshot[] | undefined>;
}

/** A fleet step starts this long after its push, so every agent reads it before the barrier. */
export const FLEET_START_IN_MS = 3_000;
/** How long the agents have to acknowledge a step's push. */
export const FLEET_ACK_WAIT_MS = 5_000;
/** How often the step's stats are read while waiting for every pod's final snapshot. */
export const FLEET_POLL_MS = 500;
/** Beyond its seconds, how long a step may take to drain, catch up and report before it counts as failed. */
export const FLEET_STEP_GRACE_MS = 90_000;

const FINAL = new Set(["done", "error", "stopped"]);

/** A step that could not run at all (no agent took it, the fleet never reported): not a capacity figure. */
export class StepRunError extends Error {
  override readonly name = "StepRunError";
}

interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Steps in this process, with `workers` threads; each step's streams are deleted after it. */
export function localRunner(o: { pod: string; workers: number; log: Log }): StepRunner {
  const run = async (plan: Plan, _raw: unknown, _seconds: number, signal: AbortSignal) => {
    // A signal per run: the engine's listeners go with it instead of piling up on the search's.
    const step = new AbortController();
    const forward = () => step.abort();
    signal.addEventListener("abort", forward, { once: true });
    const result = await runPlan(plan, {
      runId: randomUUID().slice(0, 8),
      pod: o.pod,
      mode: "both",
      signal: step.signal,
      onSnapshot: () => {},
      log: o.log,
      statsIntervalMs: 1000,
      cleanup: true,
      workers: o.workers,
    }).finally(() => signal.removeEventListener("abort", forward));
    return result.stopped ? undefined : result.finals;
  };
  return { agents: async () => 1, run };
}

/**
 * Steps on the fleet: each is pushed as the active config (a new run), every agent that acknowledged it must
 * report a final snapshot. After the step its streams are deleted through the control plane's connection, so
 * one step's backlog never poisons the next; `onNotReset` hears of those it could not delete (not there: the
 * system under test is another cluster; or refused: the control-plane user may not delete them). Their
 * backlog then carries over.
 */
export function fleetRunner(o: {
  client: ControlClient;
  pushedBy: string;
  onPods: (pods: readonly string[]) => void;
  onNotReset: (streams: readonly string[]) => void;
  /** The step's plan as agent `pod` expands it (`{pod}` in stream names), for the streams to reset. */
  planFor: (raw: unknown, pod: string) => Plan | undefined;
}): StepRunner {
  const agents = async () => (await o.client.status()).filter((a) => !a.stale).length;
  const run = async (_plan: Plan, raw: unknown, seconds: number, signal: AbortSignal) => {
    const r = await o.client.push(raw, { pushedBy: o.pushedBy, startAt: Date.now() + FLEET_START_IN_MS });
    let pods: string[] = [];
    try {
      pods = await o.client.ackedBy(r.run_id, FLEET_ACK_WAIT_MS);
      if (pods.length === 0)
        throw new StepRunError(
          `no agent picked up the step's run ${r.run_id} (is any running? ltctl status)`,
        );
      o.onPods(pods);
      return await finalsOf(
        o.client,
        r.run_id,
        pods,
        r.start_at + seconds * 1000 + FLEET_STEP_GRACE_MS,
        signal,
      );
    } finally {
      if (signal.aborted) await o.client.command("stop", { runId: r.run_id }).catch(() => []);
      const plans = pods.flatMap((p) => o.planFor(raw, p) ?? []);
      await resetStreams(o.client, plans, o.onNotReset);
    }
  };
  return { agents, run };
}

/** Waits until every pod of `pods` reported a final snapshot of `runId`; undefined when `signal` ended it. */
async function finalsOf(
  client: ControlClient,
  runId: string,
  pods: readonly string[],
  deadline: number,
  signal: AbortSignal,
): Promise<Snapshot[] | undefined> {
  for (;;) {
    if (signal.aborted) return undefined;
    const latest = await client.latest(runId);
    const finals = latest.filter((s) => FINAL.has(s.phase));
    const reported = new Set(finals.map((s) => s.pod));
    if (pods.every((p) => reported.has(p))) return finals;
    if (Date.now() > deadline) {
      const missing = pods.filter((p) => !reported.has(p));
      throw new StepRunError(`run ${runId}: no final snapshot from ${missing.join(", ")} in time`);
    }
    await sleep(FLEET_POLL_MS, signal);
  }
}

async function resetStreams(
  client: ControlClient,
  plans: readonly Plan[],
  onNotReset: (streams: readonly string[]) => void,
): Promise<void> {
  const names = [
    ...new Set(
      plans.flatMap((p) =>
        p.steps.flatMap((s) => (s.spec.useJetStream ? s.spec.streams.map((x) => x.name) : [])),
      ),
    ),
  ];
  if (names.length === 0) return;
  const jsm = await jetstreamManager(client.nc);
  const missing: string[] = [];
  for (const name of names) {
    try {
      await jsm.streams.delete(name);
    } catch (e) {
      // Not there (another cluster), or not ours to delete (least privilege): the search goes on, warned.
      missing.push(isNotFound(e) ? name : `${name} (${(e as Error).message})`);
    }
  }
  if (missing.length > 0) onNotReset(missing);
}
