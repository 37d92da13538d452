// runPlan: the plan's steps one after another, a final snapshot per step, streams kept unless cleanup.

import { jetstreamManager } from "@nats-io/jetstream";
import type { Plan } from "../config/index.ts";
import type { Snapshot } from "../stats/index.ts";
import type { EngineOptions, RunResult } from "./api.ts";
import { type ConnectTarget, open } from "./connections.ts";
import { runStep, type StepTuning } from "./step.ts";
import { SystemSampler } from "./system.ts";

export async function runPlan(plan: Plan, opts: EngineOptions & { tuning?: StepTuning }): Promise<RunResult> {
  const finals: Snapshot[] = [];
  const system = new SystemSampler();
  const created = new Map<string, ConnectTarget>();
  try {
    for (const [i, step] of plan.steps.entries()) {
      if (opts.signal.aborted) break;
      const snap = await runStep(step, {
        plan,
        opts,
        tuning: opts.tuning ?? {},
        system,
        created,
        first: i === 0,
      });
      opts.onSnapshot(snap);
      finals.push(snap);
    }
  } finally {
    system.stop();
    if (opts.cleanup) await cleanup(created, opts);
  }
  return { finals, stopped: opts.signal.aborted };
}

async function cleanup(created: Map<string, ConnectTarget>, opts: EngineOptions) {
  for (const [name, where] of created) {
    try {
      const nc = await open(where, "lt-cleanup");
      try {
        await (await jetstreamManager(nc)).streams.delete(name);
      } finally {
        await nc.close();
      }
    } catch (err) {
      opts.log.warn("could not delete stream", { stream: name, error: (err as Error).message });
    }
  }
}
