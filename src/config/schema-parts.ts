// The field types every config schema is built from (schema.ts and the workload blocks in schema-*.ts): each
// bounded, each error message naming the bound and what was received.
import * as v from "valibot";
import { LIMITS, tooLong } from "./limits.ts";

/** An integer in [min, max]; `what` explains the lower bound in the message ("positive", "-1 = unlimited"). */
export function int(min: number, max: number, what = "") {
  const hint = what === "" ? "" : ` (${what})`;
  return v.pipe(
    v.number((i) => `expected an integer, got ${i.received}`),
    v.integer((i) => `expected an integer, got ${i.received}`),
    v.minValue(min, (i) => `expected >= ${min}${hint}, got ${i.received}`),
    v.maxValue(max, (i) => `expected <= ${max.toLocaleString("en-US")} (limit), got ${i.received}`),
  );
}

/** A string of at most `max` characters (every string of a config is bounded: see LIMITS). */
export function text(max: number) {
  return v.pipe(
    v.string((i) => `expected a string, got ${i.received}`),
    v.maxLength(max, (i) => tooLong(max, i.received)),
  );
}
export function nonEmpty(max: number) {
  return v.pipe(
    text(max),
    v.trim(),
    v.nonEmpty(() => "must not be empty"),
  );
}

export const bool = v.boolean((i) => `expected true or false, got ${i.received}`);

/** A non-negative number (fractions allowed) up to `max`. */
export function amount(max: number) {
  return v.pipe(
    v.number((i) => `expected a number, got ${i.received}`),
    v.finite((i) => `expected a finite number, got ${i.received}`),
    v.minValue(0, (i) => `expected >= 0, got ${i.received}`),
    v.maxValue(max, (i) => `expected <= ${max.toLocaleString("en-US")} (limit), got ${i.received}`),
  );
}

/** Names of streams and consumers: JetStream forbids these characters. */
export const natsName = v.pipe(
  nonEmpty(LIMITS.nameLength),
  v.regex(
    /^[^\s.*>/\\]+$/,
    (i) => `must not contain whitespace, ".", "*", ">", "/" or "\\", got ${i.received}`,
  ),
);
