// The `services` block in one line for `ltctl validate` (summary.ts): what each side runs where its mode runs it.
import type { ServicesConfig } from "./schema-services.ts";

export function describeServices(s: ServicesConfig): string {
  const r = s.responders;
  const q = s.requesters;
  const time =
    r.service_time_ms.max === 0
      ? "echo at once"
      : `service time ${r.service_time_ms.min}..${r.service_time_ms.max} ms`;
  return (
    `${s.name} ${s.version} on ${s.subject}: ${r.count} responders in queue group ${r.queue_group} (${time}; --mode consume or both), ` +
    `${q.count} requesters x ${q.rate_per_second} req/s of ${q.message_size_bytes} B, timeout ${q.timeout_ms} ms (--mode publish or both)`
  );
}
