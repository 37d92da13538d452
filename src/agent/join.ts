// A pod that joins a run already under way (restarted, or started late) runs where the fleet's schedule is,
// not the plan from its first second: steps the fleet has finished are skipped and the current one is cut to
// what remains of it, so the pod ends with the fleet instead of replaying the step and finishing late.
import { type Plan, shiftShape } from "../config/index.ts";

/**
 * How far ahead of now a late joiner sets its own start barrier: time to connect and create its streams, so
 * its cut step starts on time and ends when the fleet's does (a slower setup starts and ends that much later).
 */
export const JOIN_LEAD_MS = 1_000;

/**
 * The part of `plan` left at `joinAt` for a fleet that started it at `fleetStartAt`. Step boundaries are the
 * planned ones (start plus the durations before): the fleet's drain after each step is not known here, so a
 * join in a later step of a multi-step plan is placed as if steps followed each other without a pause. A step
 * joined during its ramp-up ramps over what is left of it (from 0: the pod sends less than the fleet until
 * the ramp ends).
 */
export function joinPlan(plan: Plan, fleetStartAt: number, joinAt: number): Plan {
  const steps: Plan["steps"] = [];
  let start = fleetStartAt;
  for (const step of plan.steps) {
    const end = start + step.spec.durationMs;
    if (end > joinAt) {
      const into = Math.max(0, joinAt - start);
      steps.push(
        into === 0
          ? step
          : {
              ...step,
              spec: {
                ...step.spec,
                durationMs: end - joinAt,
                rampUpMs: Math.max(0, step.spec.rampUpMs - into),
                ...(step.spec.shape === undefined ? {} : { shape: shiftShape(step.spec.shape, into) }),
              },
            },
      );
    }
    start = end;
  }
  return { ...plan, steps };
}
