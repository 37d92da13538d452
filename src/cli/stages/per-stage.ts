// Target and achieved per stage of a staged step (behavior.stages), for `ltctl run`'s result. Pure.
// The target is the shape's mean over the stage; achieved comes from the running snapshots whose interval
// lies wholly inside the stage (their counts over their seconds), so it is exact for what it covers and says
// how many seconds that is; a stage shorter than a snapshot interval has no achieved figure.
import type { PlanStep, ShapePoint } from "../../config/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { formatNumber, renderTable } from "../format/table.ts";

export interface StageFigures {
  /** 1-based, counting the stages that take time (a 0 s jump is not a stage of its own here). */
  readonly stage: number;
  readonly from_s: number;
  readonly to_s: number;
  /** Mean msg/s the shape asked over the stage. */
  readonly target_rate: number;
  /** Mean msg/s published over the covered seconds; null when no snapshot interval lies inside. */
  readonly achieved_rate: number | null;
  /** Mean msg/s the shape asked over those same seconds (what achieved compares with; a ramp's differs). */
  readonly covered_target_rate: number | null;
  readonly covered_s: number;
}

/** The stages of `step` (undefined when it has none) with what its snapshots `snaps` measured in each. */
export function perStage(step: PlanStep, snaps: readonly Snapshot[]): StageFigures[] | undefined {
  const shape: readonly ShapePoint[] | undefined = step.spec.shape;
  if (shape === undefined) return undefined;
  const base = step.spec.publishers.reduce((n, p) => n + p.ratePerSec, 0);
  const end = step.spec.durationMs;
  const spans: { from: number; to: number; fa: number; fb: number }[] = [];
  for (let i = 0; i + 1 < shape.length; i++) {
    const a = shape[i]!;
    const b = shape[i + 1]!;
    if (b.ms > a.ms && a.ms < end) {
      const to = Math.min(b.ms, end);
      // Cut at the step's end: the share there, on the same line.
      spans.push({
        from: a.ms,
        to,
        fa: a.factor,
        fb: a.factor + ((b.factor - a.factor) * (to - a.ms)) / (b.ms - a.ms),
      });
    }
  }
  const last = shape.at(-1)!;
  if (last.ms < end) spans.push({ from: last.ms, to: end, fa: last.factor, fb: last.factor });
  const own = snaps.filter(
    (s) =>
      s.phase === "running" &&
      s.spec_index === step.specIndex &&
      s.iteration === step.iteration &&
      (s.interval_s ?? 0) > 0,
  );
  return spans.map((sp, i) => {
    const inside = own.filter(
      (s) => (s.elapsed_s - s.interval_s!) * 1000 >= sp.from && s.elapsed_s * 1000 <= sp.to,
    );
    const covered = inside.reduce((n, s) => n + s.interval_s!, 0);
    const sent = inside.reduce((n, s) => n + s.publish_rate * s.interval_s!, 0);
    const asked = inside.reduce((n, s) => n + (s.target_rate ?? 0) * s.interval_s!, 0);
    return {
      stage: i + 1,
      from_s: sp.from / 1000,
      to_s: sp.to / 1000,
      // Linear over the span: its mean is the mean of its two ends.
      target_rate: (base * (sp.fa + sp.fb)) / 2,
      achieved_rate: covered > 0 ? sent / covered : null,
      covered_target_rate: covered > 0 ? asked / covered : null,
      covered_s: Math.round(covered * 100) / 100,
    };
  });
}

/**
 * `ltctl run`'s table of stages: the stage's mean target, achieved over the intervals inside it, and achieved
 * as a share of what the shape asked over those same intervals.
 */
export function renderStages(stages: readonly StageFigures[]): string {
  const rows = stages.map((s) => [
    String(s.stage),
    `${formatNumber(s.from_s)}-${formatNumber(s.to_s)} s`,
    formatNumber(Math.round(s.target_rate)),
    s.achieved_rate === null ? "-" : formatNumber(Math.round(s.achieved_rate)),
    s.achieved_rate === null || !((s.covered_target_rate ?? 0) > 0)
      ? "-"
      : `${((100 * s.achieved_rate) / s.covered_target_rate!).toFixed(1)}%`,
    `${formatNumber(s.covered_s)} s`,
  ]);
  return renderTable(
    ["stage", "time", "target/s", "achieved/s", "of target", "measured over"].map((h, i) => ({
      header: h,
      align: i < 2 ? "left" : "right",
    })),
    rows,
    2,
  );
}
