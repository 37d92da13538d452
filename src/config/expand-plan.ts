import * as v from "valibot";
import { formatDuration, parseDuration } from "./duration.ts";
import { type ExpandedSpec, expandSpec } from "./expand-spec.ts";
import { formatIssues } from "./issues.ts";
import { applyMultipliers } from "./repeat.ts";
import { checkSpec } from "./rules.ts";
import { LoadTestSpecSchema, type RootConfig, type StorageConfig } from "./schema.ts";

/** One spec run: the specs in order (iteration 0), then repeat iterations of the last spec (1, 2, ...). */
export interface PlanStep {
  /** Position in the plan, from 0. */
  index: number;
  /** Index in `load_test_specs`. */
  specIndex: number;
  /** 0 for the specs' own run; k for the k-th repeat of the last spec (multipliers applied k times). */
  iteration: number;
  name: string;
  spec: ExpandedSpec;
}

/** Everything a run does, finite: repeat iterations are bounded. */
export interface Plan {
  steps: PlanStep[];
  statsIntervalMs: number;
  storage: StorageConfig;
  repeat: { enabled: boolean; maxIterations: number; maxTotalMs?: number };
}

/** Builds the plan of a validated config; warnings explain caps and where repetition stops early. */
export function buildPlan(config: RootConfig): { plan: Plan; warnings: string[] } {
  const warnings: string[] = [];
  const steps: PlanStep[] = [];
  let totalMs = 0;
  const push = (
    specIndex: number,
    iteration: number,
    spec: RootConfig["load_test_specs"][number],
    where: string,
  ) => {
    const r = expandSpec(spec, where);
    warnings.push(...r.warnings);
    steps.push({ index: steps.length, specIndex, iteration, name: spec.name, spec: r.spec });
    totalMs += r.spec.durationMs;
  };
  config.load_test_specs.forEach((spec, i) => {
    push(i, 0, spec, `load_test_specs[${i}]`);
  });

  const policy = config.repeat_policy;
  const maxTotalMs =
    policy.max_total_duration === undefined ? undefined : parseDuration(policy.max_total_duration);
  const repeat: Plan["repeat"] = { enabled: policy.enabled, maxIterations: policy.max_iterations };
  if (maxTotalMs !== undefined) repeat.maxTotalMs = maxTotalMs;

  if (policy.enabled) {
    const lastIndex = config.load_test_specs.length - 1;
    let current = config.load_test_specs[lastIndex] as RootConfig["load_test_specs"][number];
    for (let k = 1; k <= policy.max_iterations; k++) {
      const where = `repeat iteration ${k} of load_test_specs[${lastIndex}]`;
      const parsed = v.safeParse(LoadTestSpecSchema, applyMultipliers(current, policy));
      const problems = parsed.success
        ? checkSpec(parsed.output, where).issues
        : parsed.issues.map((i) => ({ path: `${where}.${v.getDotPath(i) ?? ""}`, message: i.message }));
      if (!parsed.success || problems.length > 0) {
        warnings.push(
          `repeat stops after iteration ${k - 1}: iteration ${k} would be invalid:\n${formatIssues(problems)}`,
        );
        break;
      }
      current = parsed.output;
      const durationMs = current.behavior.duration_seconds * 1000;
      if (maxTotalMs !== undefined && totalMs + durationMs > maxTotalMs) {
        warnings.push(
          `repeat stops after iteration ${k - 1}: iteration ${k} would end after max_total_duration (${formatDuration(maxTotalMs)})`,
        );
        break;
      }
      push(lastIndex, k, current, where);
    }
  }
  return {
    plan: {
      steps,
      statsIntervalMs: config.stats_collection_interval_seconds * 1000,
      storage: config.storage,
      repeat,
    },
    warnings,
  };
}
