// Cross-field rules of `message_count` and `publish_rate_per_second: "max"` (schema-count.ts); rules.ts calls
// them with the spec, paths here are relative to it. A closed loop has no rate, so nothing that shapes or caps
// a rate applies to it: those combinations are refused rather than silently ignored.
import type { ConfigIssue } from "./issues.ts";
import type { LoadTestSpec } from "./schema.ts";
import { MAX_RATE } from "./schema-count.ts";

export function checkCount(spec: LoadTestSpec): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const pub = spec.publishers;
  if (pub.publish_rate_per_second !== MAX_RATE) {
    const n = pub.message_count;
    const asked = pub.publish_rate_per_second * spec.behavior.duration_seconds;
    if (
      n !== undefined &&
      spec.behavior.stages === undefined &&
      spec.behavior.ramp_up_seconds === 0 &&
      n > asked
    ) {
      warnings.push(
        `publishers.message_count: ${n} messages at ${pub.publish_rate_per_second}/s take longer than duration_seconds (${spec.behavior.duration_seconds}s); each publisher sends about ${asked} before the step ends`,
      );
    }
    return { issues, warnings };
  }
  const why = 'publish_rate_per_second is "max" (a closed loop has no rate to';
  if (spec.behavior.ramp_up_seconds > 0) {
    issues.push({
      path: "behavior.ramp_up_seconds",
      message: `${spec.behavior.ramp_up_seconds}s while ${why} ramp): set ramp_up_seconds to 0, or give a number rate`,
    });
  }
  if (spec.behavior.stages !== undefined) {
    issues.push({
      path: "behavior.stages",
      message: `stages while ${why} shape): remove stages, or give a number rate`,
    });
  }
  if (pub.publish_pattern === "random") {
    issues.push({
      path: "publishers.publish_pattern",
      message: `"random" while ${why} draw arrivals from): use "steady", or give a number rate`,
    });
  }
  spec.streams.forEach((s, j) => {
    if (s.name_prefix === pub.stream_name_prefix && s.messages_per_stream_per_second > 0) {
      issues.push({
        path: `streams[${j}].messages_per_stream_per_second`,
        message: `${s.messages_per_stream_per_second} while ${why} cap): set it to 0, or give publishers a number rate`,
      });
    }
  });
  return { issues, warnings };
}
