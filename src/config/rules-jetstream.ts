// Cross-field rules of the JetStream consumer fields (schema-jetstream.ts), each the nats-server rule it
// anticipates (measured on nats-server 2.9.10: the error a server would give at run time is given here, with
// the field's path): a workqueue stream takes only explicit acks and deliver policy "all"; a start sequence or
// time goes with its deliver policy; a filter falls inside the stream's subjects; a backoff needs max_deliver
// above its length and acks. Interest retention accepts every ack policy. rules.ts calls checkJetStream with
// the spec; paths here are relative to it.
import { parseDuration } from "./duration.ts";
import type { ConfigIssue } from "./issues.ts";
import type { LoadTestSpec } from "./schema.ts";

export function checkJetStream(spec: LoadTestSpec): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const err = (path: string, message: string) => issues.push({ path: `consumers.${path}`, message });
  const con = spec.consumers;
  const dp = con.deliver_policy;

  if (dp === "by_start_sequence" && con.opt_start_seq === undefined)
    err(
      "opt_start_seq",
      'deliver_policy "by_start_sequence" needs opt_start_seq (the first stream sequence)',
    );
  if (con.opt_start_seq !== undefined && dp !== "by_start_sequence")
    err(
      "opt_start_seq",
      'applies to deliver_policy "by_start_sequence" only: set it, or remove opt_start_seq',
    );
  if (dp === "by_start_time" && con.opt_start_time === undefined)
    err(
      "opt_start_time",
      'deliver_policy "by_start_time" needs opt_start_time (RFC 3339, e.g. "2026-12-01T15:00:00Z")',
    );
  if (con.opt_start_time !== undefined && dp !== "by_start_time")
    err("opt_start_time", 'applies to deliver_policy "by_start_time" only: set it, or remove opt_start_time');

  const backoff = con.backoff;
  if (backoff !== undefined) {
    const md = con.max_deliver ?? -1;
    if (md === -1 || md <= backoff.length) {
      err(
        "max_deliver",
        `backoff has ${backoff.length} durations, so max_deliver must be above ${backoff.length} (nats-server's rule; got ${md === -1 ? "unlimited" : md})`,
      );
    }
    if (con.ack_policy === "none") {
      err("backoff", 'times redeliveries, and ack_policy "none" never redelivers: remove backoff or ack');
    } else {
      warnings.push(
        `consumers.ack_wait_seconds: with backoff the server waits backoff[0] (${backoff[0]}) for the first ack, not ack_wait_seconds (${con.ack_wait_seconds}s)`,
      );
    }
  }
  if (con.double_ack === true && con.ack_policy === "none")
    err("double_ack", 'waits for the confirmation of an ack; ack_policy "none" sends none');
  if (con.type === "ordered") {
    // An ordered consumer is nats.js' ephemeral consumer without acks: what needs acks or a durable is refused.
    for (const [field, set] of [
      ["double_ack", con.double_ack === true],
      ["backoff", backoff !== undefined],
      ["max_deliver", (con.max_deliver ?? -1) !== -1],
    ] as const) {
      if (set) err(field, 'an ordered consumer never acks nor redelivers: remove it, or use type "pull"');
    }
    if (con.ack_policy !== "none")
      warnings.push(`consumers.ack_policy: an ordered consumer never acks; "${con.ack_policy}" is not used`);
  }
  if (con.pull_mode !== undefined && con.type === "push")
    err(
      "pull_mode",
      'applies to type "pull" or "ordered": a push consumer is delivered to, it does not fetch',
    );
  if (con.fetch_batch !== undefined && con.fetch_max_bytes !== undefined)
    err(
      "fetch_max_bytes",
      "a fetch asks for fetch_batch messages or fetch_max_bytes bytes (nats.js takes one): give one of them",
    );
  for (const f of ["fetch_batch", "fetch_max_bytes", "fetch_expires_ms"] as const) {
    if (con[f] !== undefined && con.pull_mode !== "fetch")
      err(f, 'applies to pull_mode "fetch" only: set it, or remove the field');
  }

  const pub = spec.publishers;
  const perr = (path: string, message: string) => issues.push({ path: `publishers.${path}`, message });
  if (pub.batch_size !== undefined && pub.js_publish !== "batch")
    perr("batch_size", 'applies to js_publish "batch" only: set it, or remove batch_size');
  if (!spec.use_jetstream) {
    if (pub.js_publish !== undefined)
      perr("js_publish", "is how JetStream publishes wait for acks: needs use_jetstream true");
    if (pub.dedupe === true) perr("dedupe", "is JetStream's de-duplication: needs use_jetstream true");
  }
  for (const [j, sc] of spec.streams.entries()) {
    const window = parseDuration(sc.duplicate_window ?? "") ?? 0;
    const maxAge = parseDuration(sc.max_age) ?? 0;
    if (window > 0 && maxAge > 0 && window > maxAge) {
      issues.push({
        path: `streams[${j}].duplicate_window`,
        message: `${sc.duplicate_window} is longer than max_age (${sc.max_age}); nats-server refuses a window beyond max_age`,
      });
    }
  }

  const prefill = spec.behavior.prefill_messages ?? 0;
  if (prefill > 0 && !spec.use_jetstream)
    issues.push({
      path: "behavior.prefill_messages",
      message: "stores messages in streams: needs use_jetstream true",
    });

  if (con.count_per_stream === 0) return { issues, warnings };
  if (prefill > 0 && (dp ?? "new") !== "all") {
    warnings.push(
      `consumers.deliver_policy: "${dp ?? "new"}" skips the ${prefill} prefilled messages per stream (behavior.prefill_messages); "all" drains them`,
    );
  }
  for (const [j, sc] of spec.streams.entries()) {
    if (sc.name_prefix !== con.stream_name_prefix) continue;
    if (sc.retention === "workqueue") {
      if (con.type === "ordered") {
        err(
          "type",
          `a workqueue stream (streams[${j}], ${sc.name_prefix}) needs acks; an ordered consumer has none`,
        );
      } else if (con.ack_policy !== "explicit") {
        err(
          "ack_policy",
          `a workqueue stream (streams[${j}], ${sc.name_prefix}) requires ack_policy "explicit" (nats-server refuses "${con.ack_policy}")`,
        );
      }
      if (dp !== undefined && dp !== "all") {
        err(
          "deliver_policy",
          `a workqueue stream (streams[${j}], ${sc.name_prefix}) requires deliver_policy "all" (nats-server refuses "${dp}"); leave it out for "all"`,
        );
      }
    }
    con.filter_subjects?.forEach((f, k) => {
      for (let i = 1; i <= sc.count; i++) {
        const filter = f.replaceAll("{}", String(i));
        const subjects = sc.subjects.map((s) => s.replaceAll("{}", String(i)));
        if (subjects.some((s) => subjectWithin(filter, s))) continue;
        err(
          `filter_subjects[${k}]`,
          `'${filter}' is not inside the subjects of stream ${sc.name_prefix}_${i} (${subjects.map((s) => `'${s}'`).join(", ")}); nats-server refuses such a filter`,
        );
        return;
      }
    });
  }
  return { issues, warnings };
}

/** Whether every subject `filter` matches is matched by `pattern` (NATS wildcards `*` and `>`). */
export function subjectWithin(filter: string, pattern: string): boolean {
  const f = filter.split(".");
  const p = pattern.split(".");
  for (let i = 0; i < p.length; i++) {
    const pt = p[i];
    if (pt === ">") return i < f.length;
    const ft = f[i];
    if (ft === undefined) return false;
    if (pt === "*") {
      if (ft === ">") return false;
      continue;
    }
    if (ft !== pt) return false;
  }
  return f.length === p.length;
}

/** The deliver policy a consumer of a stream with `retention` gets: as set, else "all" on workqueue, else "new". */
export function effectiveDeliverPolicy(
  set: LoadTestSpec["consumers"]["deliver_policy"],
  retention: LoadTestSpec["streams"][number]["retention"],
): NonNullable<LoadTestSpec["consumers"]["deliver_policy"]> {
  return set ?? (retention === "workqueue" ? "all" : "new");
}
