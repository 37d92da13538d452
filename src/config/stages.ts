// Load shapes (`behavior.stages`, our extension after k6's ramping arrival rate) as a curve the engine
// integrates: the rate as a share of each publisher's rate, linear between points, the last point's share held
// to the end of the step. The seed's `ramp_up_seconds` is the shape [0 at 0 ms, 1 at the ramp's end].
import type { BehaviorConfig, Stage } from "./schema.ts";

/** One corner of a load shape: at `ms` from the step start the rate is `factor` x the publisher's rate. */
export interface ShapePoint {
  readonly ms: number;
  readonly factor: number;
}

/** A stage's target as a share of `baseRate` (publish_rate_per_second). */
export function stageFactor(stage: Stage, baseRate: number): number {
  if (stage.multiplier !== undefined) return stage.multiplier;
  return baseRate > 0 ? (stage.rate ?? 0) / baseRate : 0;
}

/**
 * The shape of `behavior`: its stages from 0 msg/s at the start (k6's default start rate), each a linear move
 * to its target over its duration (0 s = a jump); undefined without stages (the engine then uses the ramp).
 */
export function shapeOf(behavior: BehaviorConfig, baseRate: number): ShapePoint[] | undefined {
  if (behavior.stages === undefined) return undefined;
  const points: ShapePoint[] = [{ ms: 0, factor: 0 }];
  let ms = 0;
  for (const s of behavior.stages) {
    ms += s.duration_seconds * 1000;
    points.push({ ms, factor: stageFactor(s, baseRate) });
  }
  return points;
}

/** The seed's ramp as a shape: linear from 0 to the full rate over `rampUpMs`, then held. */
export function rampShape(rampUpMs: number): ShapePoint[] {
  return rampUpMs > 0
    ? [
        { ms: 0, factor: 0 },
        { ms: rampUpMs, factor: 1 },
      ]
    : [{ ms: 0, factor: 1 }];
}

/** The share of the rate at `ms` (linear between points, the last one held, 0 before the start). */
export function factorAt(shape: readonly ShapePoint[], ms: number): number {
  if (shape.length === 0 || ms < 0) return 0;
  let i = 0;
  while (i + 1 < shape.length && shape[i + 1]!.ms <= ms) i++;
  const a = shape[i]!;
  const b = shape[i + 1];
  if (b === undefined || b.ms === a.ms) return a.factor;
  return a.factor + ((b.factor - a.factor) * (ms - a.ms)) / (b.ms - a.ms);
}

/** The shape seen by a step that starts `intoMs` late (a pod joining a run under way): the rest of it. */
export function shiftShape(shape: readonly ShapePoint[], intoMs: number): ShapePoint[] {
  if (intoMs <= 0) return [...shape];
  const rest = shape.filter((p) => p.ms > intoMs).map((p) => ({ ms: p.ms - intoMs, factor: p.factor }));
  return [{ ms: 0, factor: factorAt(shape, intoMs) }, ...rest];
}
