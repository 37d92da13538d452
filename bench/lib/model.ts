// Shapes every bench script shares: one measurement (a rate plus the CPU it cost) and one table row
// comparing our tool, a bare-client baseline and the Go peer on the same scenario.
import * as v from "valibot";

export const Measurement = v.object({
  /** Messages that counted (acked, received, consumed...). */
  msgs: v.number(),
  /** Wall-clock seconds of the timed section. */
  seconds: v.number(),
  /** msgs / seconds. */
  rate: v.number(),
  /** user + sys CPU of the measuring process over the timed section, µs (the server is not included). */
  cpuUs: v.number(),
  /** cpuUs / msgs: holds across machines better than msgs/s. */
  cpuUsPerMsg: v.number(),
  /** Failed publishes / acks, when the scenario can fail per message. */
  errors: v.optional(v.number()),
});
export type Measurement = v.InferOutput<typeof Measurement>;

export const BenchRow = v.object({
  scenario: v.string(),
  /** What the rate counts, e.g. "msgs/s" or "received/s". */
  unit: v.optional(v.string()),
  ours: v.optional(Measurement),
  baseline: v.optional(Measurement),
  go: v.optional(Measurement),
  note: v.optional(v.string()),
});
export type BenchRow = v.InferOutput<typeof BenchRow>;

export const BenchReport = v.object({
  bench: v.string(),
  startedAt: v.string(),
  env: v.record(v.string(), v.union([v.string(), v.number()])),
  rows: v.array(BenchRow),
  notes: v.array(v.string()),
});
export type BenchReport = v.InferOutput<typeof BenchReport>;

/** A Measurement from a message count, wall seconds and CPU µs. */
export function measurement(msgs: number, seconds: number, cpuUs: number, errors?: number): Measurement {
  const m: Measurement = {
    msgs,
    seconds,
    rate: seconds > 0 ? msgs / seconds : 0,
    cpuUs,
    cpuUsPerMsg: msgs > 0 ? cpuUs / msgs : 0,
  };
  if (errors !== undefined && errors > 0) m.errors = errors;
  return m;
}

/** The measurement of median rate (the lower middle one for an even count): rate and CPU of one real run. */
export function medianMeasurement(ms: readonly Measurement[]): Measurement {
  if (ms.length === 0) throw new Error("medianMeasurement of nothing");
  const sorted = [...ms].sort((a, b) => a.rate - b.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * Measures every side `repeat` times, one round after another; each round starts with the next side (a
 * rotation: with two sides B A, A B, B A ...), so a machine getting busier or quieter during the bench weighs
 * on every side alike. A side answering undefined (e.g. the Go peer skipped) has no runs. Returns each side's
 * runs by round and its median (the run of median rate, with that run's CPU).
 */
export async function interleavedMedians<K extends string>(
  repeat: number,
  sides: Record<K, (i: number) => Promise<Measurement | undefined>>,
): Promise<{ median: Partial<Record<K, Measurement>>; runs: Record<K, (Measurement | undefined)[]> }> {
  const keys = Object.keys(sides) as K[];
  const runs = Object.fromEntries(keys.map((k) => [k, []])) as unknown as Record<
    K,
    (Measurement | undefined)[]
  >;
  for (let i = 0; i < repeat; i++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(j + i) % keys.length]!;
      runs[k][i] = await sides[k](i);
    }
  }
  const median: Partial<Record<K, Measurement>> = {};
  for (const k of keys) {
    const got = runs[k].filter((m): m is Measurement => m !== undefined);
    if (got.length > 0) median[k] = medianMeasurement(got);
  }
  return { median, runs };
}

/** Per-round rate ratios a / b (rounds where both sides ran). */
export function roundRatios(
  a: readonly (Measurement | undefined)[],
  b: readonly (Measurement | undefined)[],
) {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x && y && y.rate > 0) out.push(x.rate / y.rate);
  }
  return out;
}

/**
 * Measures `ours` and `baseline` `repeat` times, alternating which goes first (BA, AB, BA ...: see
 * interleavedMedians); returns the median of each side and the per-pair ratios (ours / baseline rate), whose
 * range says how much one run's ratio can be trusted.
 */
export async function pairedMedians(
  repeat: number,
  ours: (i: number) => Promise<Measurement>,
  baseline: (i: number) => Promise<Measurement>,
): Promise<{ ours: Measurement; baseline: Measurement; ratios: number[] }> {
  const { median, runs } = await interleavedMedians(repeat, { baseline, ours });
  return { ours: median.ours!, baseline: median.baseline!, ratios: roundRatios(runs.ours, runs.baseline) };
}
