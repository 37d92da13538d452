// What a step asked and what it reached and, when it fell short, who fell behind: `ltctl run`'s closing lines
// of a step. The wording and the rules live in src/stats (achieved.ts), shared with ltctl stats / watch, the
// report and the dashboard (docs/engine.md, "Requested vs achieved").
import { snapshotVerdict, targetLine as targetOf, type VerdictFigures } from "../../stats/index.ts";

export { GENERATOR_SATURATED_PCT, TARGET_REACHED, type VerdictFigures } from "../../stats/index.ts";

/** `target 2,000 msg/s, achieved 1,987 (99.4%)`; undefined when the step asked no publish rate. */
export function targetLine(s: VerdictFigures): string | undefined {
  return targetOf({ target_rate: s.target_rate ?? 0, achieved_rate: s.publish_rate });
}

/** Who fell behind, in one line, when the step reached under TARGET_REACHED of its target; else undefined. */
export const verdict = snapshotVerdict;

/** The target line and, when the target was missed, the verdict: the closing lines of a step's block. */
export function renderTarget(s: VerdictFigures, indent = "  "): string {
  return [targetLine(s), verdict(s)].flatMap((l) => (l ? [`${indent}${l}\n`] : [])).join("");
}

/** The cluster's target line and verdict (`ltctl stats`, `ltctl watch`): `indent` before each line. */
export function renderAchieved(
  a: { target_rate: number; achieved_rate: number; verdict: string | null },
  indent = "  ",
): string {
  return [targetOf(a), a.verdict ?? undefined].flatMap((l) => (l ? [`${indent}${l}\n`] : [])).join("");
}
