// The capacity search, pure: given what the steps so far found, the next rate to try or why it is over.
// Geometric steps from `start` by `factor` up to `max` until a step fails, then bisection between the highest
// passing and the lowest failing rate until they are within `precision` of each other. A step the load
// generator itself could not serve ends the search: a higher rate would only measure the generator.

export interface SearchOptions {
  /** First rate, msg/s (> 0). */
  readonly start: number;
  /** Growth of the rising steps (> 1). */
  readonly factor: number;
  /** Highest rate tried, msg/s. */
  readonly max: number;
  /** Bisection stops when (lowest fail − highest pass) / lowest fail is at most this (e.g. 0.05). */
  readonly precision: number;
}

/** What one step found. */
export interface StepOutcome {
  readonly rate: number;
  /** Every SLO held. */
  readonly passed: boolean;
  /** It failed because the load generator fell behind, not the server. */
  readonly generator: boolean;
}

/** Why the search ended. */
export type SearchEnd =
  /** The interval between the highest passing and the lowest failing rate is within the precision. */
  | "converged"
  /** Every rate up to `max` passed: the capacity is at least `max`. */
  | "max_passed"
  /** The first rate already failed on the server: the capacity is below `start`. */
  | "start_failed"
  /** The load generator fell behind: no server limit found up to the highest passing rate. */
  | "generator";

export type Next = { readonly rate: number } | { readonly end: SearchEnd };

/** Rates are whole msg/s: a bisection that cannot split further in whole numbers has converged. */
function whole(r: number): number {
  return Math.max(1, Math.round(r));
}

/** The highest passing rate below the lowest failing one (undefined when none). */
export function bounds(steps: readonly StepOutcome[]): { pass?: number; fail?: number } {
  let fail: number | undefined;
  for (const s of steps) if (!s.passed && (fail === undefined || s.rate < fail)) fail = s.rate;
  let pass: number | undefined;
  for (const s of steps)
    if (s.passed && (fail === undefined || s.rate < fail) && (pass === undefined || s.rate > pass))
      pass = s.rate;
  return { ...(pass === undefined ? {} : { pass }), ...(fail === undefined ? {} : { fail }) };
}

/** The next rate to try after `steps`, or why the search is over. */
export function nextStep(o: SearchOptions, steps: readonly StepOutcome[]): Next {
  const last = steps.at(-1);
  if (last === undefined) return { rate: whole(Math.min(o.start, o.max)) };
  if (!last.passed && last.generator) return { end: "generator" };
  const { pass, fail } = bounds(steps);
  if (fail === undefined) {
    if (last.rate >= o.max) return { end: "max_passed" };
    return { rate: whole(Math.min(o.max, Math.max(last.rate + 1, last.rate * o.factor))) };
  }
  if (pass === undefined) return { end: "start_failed" };
  if ((fail - pass) / fail <= o.precision) return { end: "converged" };
  const mid = whole((pass + fail) / 2);
  if (mid <= pass || mid >= fail) return { end: "converged" };
  return { rate: mid };
}

/** Runs the search with `judge` deciding each step (a real run, or a function in tests). */
export async function search(
  o: SearchOptions,
  judge: (rate: number, index: number) => Promise<StepOutcome>,
  signal?: AbortSignal,
): Promise<{ steps: StepOutcome[]; end: SearchEnd | "stopped"; max_rate: number | null }> {
  const steps: StepOutcome[] = [];
  for (;;) {
    if (signal?.aborted) return { steps, end: "stopped", max_rate: bounds(steps).pass ?? null };
    const next = nextStep(o, steps);
    if ("end" in next) return { steps, end: next.end, max_rate: bounds(steps).pass ?? null };
    steps.push(await judge(next.rate, steps.length));
  }
}
