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
