import * as v from "valibot";
import { parseDuration } from "./duration.ts";
import { LIMITS, tooLong } from "./limits.ts";

/** A multiplier as in the original: absent or <= 0 means 1.0. */
const multiplier = v.pipe(
  v.optional(
    v.number((i) => `expected a number, got ${i.received}`),
    1,
  ),
  v.finite((i) => `expected a finite number, got ${i.received}`),
  v.transform((m) => (m <= 0 ? 1 : m)),
);

/** `ramp_up_multiplier`: absent means 1.0, 0 is allowed (no ramp), negative is an error. */
const rampMultiplier = v.pipe(
  v.optional(
    v.number((i) => `expected a number, got ${i.received}`),
    1,
  ),
  v.finite((i) => `expected a finite number, got ${i.received}`),
  v.minValue(0, (i) => `expected >= 0 (0 = no ramp-up), got ${i.received}`),
);

export const RepeatPolicySchema = v.strictObject({
  enabled: v.optional(
    v.boolean((i) => `expected true or false, got ${i.received}`),
    false,
  ),
  streams: v.optional(
    v.strictObject({
      count_multiplier: multiplier,
      replicas_multiplier: multiplier,
      messages_per_stream_per_second_multiplier: multiplier,
    }),
    {},
  ),
  publishers: v.optional(
    v.strictObject({
      count_per_stream_multiplier: multiplier,
      publish_rate_multiplier: multiplier,
      message_size_bytes_multiplier: multiplier,
    }),
    {},
  ),
  consumers: v.optional(
    v.strictObject({
      count_per_stream_multiplier: multiplier,
      ack_wait_multiplier: multiplier,
      max_ack_pending_multiplier: multiplier,
      consume_delay_multiplier: multiplier,
    }),
    {},
  ),
  behavior: v.optional(
    v.strictObject({
      duration_multiplier: multiplier,
      ramp_up_multiplier: rampMultiplier,
    }),
    {},
  ),
  /** Our extension: repeat iterations of the last spec after the specs ran once. Default 10. */
  max_iterations: v.optional(
    v.pipe(
      v.number((i) => `expected an integer, got ${i.received}`),
      v.integer((i) => `expected an integer, got ${i.received}`),
      v.minValue(0, (i) => `expected >= 0, got ${i.received}`),
      v.maxValue(
        LIMITS.repeatIterations,
        (i) => `expected <= ${LIMITS.repeatIterations} (limit), got ${i.received}`,
      ),
    ),
    10,
  ),
  /** Our extension: no repeat iteration starts that would end after this much time from the plan's start. */
  max_total_duration: v.optional(
    v.pipe(
      v.string((i) => `expected a Go duration string, got ${i.received}`),
      v.maxLength(LIMITS.durationLength, (i) => tooLong(LIMITS.durationLength, i.received)),
      v.check(
        (s) => (parseDuration(s) ?? -1) > 0,
        (i) => `expected a positive Go duration such as "1h" or "90m", got ${i.received}`,
      ),
    ),
  ),
});

export type RepeatPolicy = v.InferOutput<typeof RepeatPolicySchema>;
