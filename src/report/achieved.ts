// Requested vs achieved over a whole run: each step's figures come from src/stats (achievedOf, the sums of
// its pods' final target_rate and publish_rate); a run (or a pod over the run) weighs its steps by their
// measured time, and its verdict lists the steps that fell short.
import { type Achieved, achievedPct, targetLine } from "../stats/index.ts";

/** One step's figures, the time it measured, and how a verdict names it when the run has several steps. */
export interface StepAchieved {
  readonly achieved: Achieved;
  readonly duration_s: number;
  readonly label: string;
}

/**
 * The run's figures: the steps that asked a rate, weighted by their measured seconds (so a 60 s step counts
 * six times a 10 s one); the verdict is each short step's, labelled when there are several steps.
 */
export function combineAchieved(steps: readonly StepAchieved[]): Achieved {
  const asked = steps.filter((s) => s.achieved.target_rate > 0 && s.duration_s > 0);
  const time = asked.reduce((n, s) => n + s.duration_s, 0);
  const mean = (f: (a: Achieved) => number) =>
    time > 0 ? asked.reduce((n, s) => n + f(s.achieved) * s.duration_s, 0) / time : 0;
  const target = mean((a) => a.target_rate);
  const achieved = mean((a) => a.achieved_rate);
  const short = steps.filter((s) => s.achieved.verdict !== null);
  const verdict = short
    .map((s) => (steps.length > 1 ? `${s.label}: ${s.achieved.verdict}` : s.achieved.verdict))
    .join("\n");
  return {
    target_rate: target,
    achieved_rate: achieved,
    achieved_pct: achievedPct(target, achieved),
    verdict: verdict === "" ? null : verdict,
  };
}

/** How a run's verdict names a step: `step #1 burst iter 2` (the steps table's `#`, spec and iteration). */
export function stepLabel(specIndex: number, spec: string, iteration: number): string {
  return `step #${specIndex} ${spec} iter ${iteration}`;
}

/** The report's header lines: `target X msg/s, achieved Y (Z%)` (none without a target) and each verdict line. */
export interface AchievedLines {
  readonly target: string | undefined;
  readonly verdicts: string[];
}

export function achievedLines(a: Achieved): AchievedLines {
  return { target: targetLine(a), verdicts: a.verdict ? a.verdict.split("\n") : [] };
}

/** `99.4%` or `-` without a target (the steps table). */
export function pctCell(a: Achieved): string {
  return a.achieved_pct === null ? "-" : `${a.achieved_pct}%`;
}
