// Cross-field rules of core NATS queue groups (`consumers.queue_group`) and the `services` block; rules.ts
// calls them with the spec, paths here are relative to it.
import type { ConfigIssue } from "./issues.ts";
import type { LoadTestSpec } from "./schema.ts";

export function checkServices(spec: LoadTestSpec): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  if (spec.consumers.queue_group !== undefined && spec.use_jetstream) {
    issues.push({
      path: "consumers.queue_group",
      message:
        'queue groups are for core NATS subscribers (use_jetstream false); a JetStream durable already shares its messages among the clients that pull from it: remove queue_group or set "use_jetstream": false',
    });
  }
  const svc = spec.services;
  if (svc === undefined) return { issues, warnings };
  for (const [j, s] of spec.streams.entries()) {
    for (const [k, pattern] of s.subjects.entries()) {
      // `{}` stands for the stream's index: any token matches it here.
      if (subjectMatches(pattern.replaceAll("{}", "*"), svc.subject)) {
        issues.push({
          path: "services.subject",
          message: `'${svc.subject}' falls inside streams[${j}].subjects[${k}] ('${pattern}'): the stream (or its core subscribers) would take the requests too; pick a subject outside every stream's subjects`,
        });
      }
    }
  }
  if (svc.responders.count === 0 && svc.requesters.count === 0) {
    warnings.push("services: responders.count and requesters.count are both 0; the block runs nothing");
  }
  if (svc.requesters.message_size_bytes > 1024 * 1024) {
    warnings.push(
      `services.requesters.message_size_bytes: ${svc.requesters.message_size_bytes} bytes exceeds nats-server's default max_payload (1 MiB); the server must allow it`,
    );
  }
  return { issues, warnings };
}

/** Whether subject pattern `p` (wildcards `*` and `>`) matches the literal subject `s`. */
export function subjectMatches(p: string, s: string): boolean {
  const pt = p.split(".");
  const st = s.split(".");
  for (let i = 0; i < pt.length; i++) {
    const t = pt[i];
    if (t === ">") return st.length > i;
    if (i >= st.length) return false;
    if (t !== "*" && t !== st[i]) return false;
  }
  return pt.length === st.length;
}
