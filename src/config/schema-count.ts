// Count and maximum (issue 14): a publisher that stops after `message_count` messages, and
// `publish_rate_per_second: "max"`, a closed loop bounded by the JetStream window or core flushes instead of
// a schedule. The rules that tie them to the rest of a spec are in rules-count.ts.
import * as v from "valibot";
import { LIMITS } from "./limits.ts";
import { int } from "./schema-parts.ts";

/** The closed loop's value of `publish_rate_per_second`. */
export const MAX_RATE = "max";

/** `publish_rate_per_second`: the seed's positive integer, or "max" (a closed loop). */
export const PublishRateSchema = v.union(
  [int(1, LIMITS.publishRate, "positive"), v.literal(MAX_RATE)],
  (i) =>
    `expected a positive integer (messages per second per publisher) or "max" (a closed loop: as fast as the server acknowledges), got ${i.received}`,
);

/** The publisher fields of this block, spread into PublisherConfigSchema. */
export const PUBLISH_COUNT_FIELDS = {
  /** Each publisher sends this many messages, then is done; absent = the duration alone ends it. */
  message_count: v.optional(
    int(1, LIMITS.messageCount, "positive; leave it out to publish for the duration"),
  ),
};

/** An expanded publisher's `messageCount` and `closedLoop`, present only when set (seed configs unchanged). */
export function countFields(pub: {
  publish_rate_per_second: number | typeof MAX_RATE;
  message_count?: number;
}): {
  messageCount?: number;
  closedLoop?: boolean;
} {
  return {
    ...(pub.message_count === undefined ? {} : { messageCount: pub.message_count }),
    ...(pub.publish_rate_per_second === MAX_RATE ? { closedLoop: true } : {}),
  };
}

/** The rate of `publish_rate_per_second` as a number: 0 for "max" (a closed loop has no target). */
export function rateOf(rate: number | typeof MAX_RATE): number {
  return rate === MAX_RATE ? 0 : rate;
}
