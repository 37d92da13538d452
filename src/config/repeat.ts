import { scaleSizes } from "./expand-messages.ts";
import type { RepeatPolicy } from "./repeat-schema.ts";
import type { LoadTestSpec } from "./schema.ts";
import { MAX_RATE } from "./schema-count.ts";

/** `Math.trunc(value * m)`: the original multiplies and converts back to an int each iteration. */
function mul(value: number, m: number): number {
  return Math.trunc(value * m);
}

/**
 * The spec of the next repeat iteration: every multiplier applied once to the previous iteration's values, with
 * integer truncation after the multiply, so they compound (as in the original). The result is not validated:
 * the plan re-checks it and stops repeating when a value leaves its range.
 */
export function applyMultipliers(spec: LoadTestSpec, policy: RepeatPolicy): LoadTestSpec {
  const { streams: sm, publishers: pm, consumers: cm, behavior: bm } = policy;
  return {
    ...spec,
    streams: spec.streams.map((s) => ({
      ...s,
      count: mul(s.count, sm.count_multiplier),
      replicas: mul(s.replicas, sm.replicas_multiplier),
      messages_per_stream_per_second: mul(
        s.messages_per_stream_per_second,
        sm.messages_per_stream_per_second_multiplier,
      ),
    })),
    publishers: {
      ...spec.publishers,
      count_per_stream: mul(spec.publishers.count_per_stream, pm.count_per_stream_multiplier),
      // A closed loop ("max") has no rate to multiply.
      publish_rate_per_second:
        spec.publishers.publish_rate_per_second === MAX_RATE
          ? MAX_RATE
          : mul(spec.publishers.publish_rate_per_second, pm.publish_rate_multiplier),
      message_size_bytes: mul(spec.publishers.message_size_bytes, pm.message_size_bytes_multiplier),
      ...scaleSizes(spec.publishers, pm.message_size_bytes_multiplier),
    },
    consumers: {
      ...spec.consumers,
      count_per_stream: mul(spec.consumers.count_per_stream, cm.count_per_stream_multiplier),
      ack_wait_seconds: mul(spec.consumers.ack_wait_seconds, cm.ack_wait_multiplier),
      max_ack_pending: mul(spec.consumers.max_ack_pending, cm.max_ack_pending_multiplier),
      consume_delay_ms: mul(spec.consumers.consume_delay_ms, cm.consume_delay_multiplier),
    },
    behavior: {
      // Stages are kept as written: a multiplier stage follows publish_rate_per_second, a rate stage stays.
      ...spec.behavior,
      duration_seconds: mul(spec.behavior.duration_seconds, bm.duration_multiplier),
      ramp_up_seconds: mul(spec.behavior.ramp_up_seconds, bm.ramp_up_multiplier),
    },
  };
}
