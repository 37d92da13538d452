import type { ConfigIssue } from "./issues.ts";
import { LIMITS, tooMany } from "./limits.ts";
import { checkCount } from "./rules-count.ts";
import { checkJetStream } from "./rules-jetstream.ts";
import { checkMessages } from "./rules-messages.ts";
import { checkServices } from "./rules-services.ts";
import type { LoadTestSpec, RootConfig } from "./schema.ts";
import { rateOf } from "./schema-count.ts";
import { checkBuckets } from "./schema-kv.ts";
import { serverProblem, splitServers } from "./servers.ts";
import { stageFactor } from "./stages.ts";

/** Rules across fields that a schema of single fields cannot say; paths are prefixed with `at`. */
export function checkSpec(spec: LoadTestSpec, at: string): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const err = (path: string, message: string) => issues.push({ path: `${at}.${path}`, message });
  const { publishers: pub, consumers: con } = spec;

  const servers = splitServers(spec.nats_url);
  if (servers.length > LIMITS.servers) err("nats_url", tooMany(LIMITS.servers, "servers", servers.length));
  else
    servers.forEach((s) => {
      const problem = serverProblem(s);
      if (problem !== undefined) err("nats_url", problem);
    });

  if (spec.nats_creds_file !== "" && spec.nats_nkey_file !== "") {
    err(
      "nats_nkey_file",
      "nats_creds_file and nats_nkey_file are two ways to authenticate; set one of them (a .creds file already holds its nkey seed)",
    );
  }

  if (spec.tls !== undefined) {
    const { cert_file: cert, key_file: key } = spec.tls;
    if ((cert === "") !== (key === "")) {
      err(
        cert === "" ? "tls.cert_file" : "tls.key_file",
        `tls.cert_file and tls.key_file go together (a client certificate and its private key); ${cert === "" ? "cert_file" : "key_file"} is missing`,
      );
    }
  }

  if (pub.stream_name_prefix !== con.stream_name_prefix) {
    err(
      "consumers.stream_name_prefix",
      `publisher stream_name_prefix '${pub.stream_name_prefix}' must match consumer stream_name_prefix '${con.stream_name_prefix}'`,
    );
  }
  const prefixes = spec.streams.map((s) => s.name_prefix);
  if (!prefixes.includes(pub.stream_name_prefix)) {
    err(
      "publishers.stream_name_prefix",
      `'${pub.stream_name_prefix}' matches no stream name_prefix (streams: ${prefixes.map((p) => `'${p}'`).join(", ")})`,
    );
  }

  const seenPrefix = new Map<string, number>();
  const seenSubject = new Map<string, string>();
  let totalStreams = 0;
  spec.streams.forEach((s, j) => {
    const sp = `streams[${j}]`;
    totalStreams += s.count;
    const first = seenPrefix.get(s.name_prefix);
    if (first !== undefined)
      err(`${sp}.name_prefix`, `'${s.name_prefix}' is already used by streams[${first}]`);
    else seenPrefix.set(s.name_prefix, j);

    if (s.discard_new_per_subject && s.discard !== "new") {
      err(
        `${sp}.discard_new_per_subject`,
        `true requires discard "new" (discard is "${s.discard}"); the original's README shows true beside "old", its code and nats-server reject that`,
      );
    } else if (s.discard_new_per_subject && s.max_msgs_per_subject <= 0) {
      err(`${sp}.discard_new_per_subject`, "true requires max_msgs_per_subject > 0 (a nats-server rule)");
    }
    s.subjects.forEach((subject, k) => {
      if (s.count > 1 && !subject.includes("{}")) {
        err(
          `${sp}.subjects[${k}]`,
          `'${subject}' has no {} placeholder, so the ${s.count} streams would overlap (write e.g. '${subject}.{}')`,
        );
        return;
      }
      for (let i = 1; i <= s.count; i++) {
        const expanded = subject.replaceAll("{}", String(i));
        const owner = seenSubject.get(expanded);
        const me = `${s.name_prefix}_${i}`;
        if (owner !== undefined && owner !== me) {
          err(`${sp}.subjects[${k}]`, `subject '${expanded}' of stream ${me} overlaps stream ${owner}`);
          break;
        }
        seenSubject.set(expanded, me);
      }
    });
    const isTarget = s.name_prefix === pub.stream_name_prefix;
    if (
      isTarget &&
      pub.count_per_stream > 0 &&
      pub.subject === undefined &&
      /(^|\.)[*>](\.|$)/.test(s.subjects[0] ?? "")
    ) {
      err(
        `${sp}.subjects[0]`,
        'publishers send to the stream\'s first subject, which must not contain wildcards (or give publishers.subject, e.g. "orders.{key}")',
      );
    }
    if (s.name_prefix === con.stream_name_prefix && con.count_per_stream > 0) {
      if (s.max_consumers > 0 && s.max_consumers < con.count_per_stream) {
        err(
          `${sp}.max_consumers`,
          `${s.max_consumers} is below consumers.count_per_stream (${con.count_per_stream})`,
        );
      }
      if (s.retention === "workqueue" && con.count_per_stream > 1) {
        err(
          "consumers.count_per_stream",
          `a workqueue stream (${s.name_prefix}) accepts one unfiltered consumer, got ${con.count_per_stream}`,
        );
      }
    }
    if (s.retention === "interest" && isTarget && con.count_per_stream === 0) {
      warnings.push(`${at}.streams[${j}]: interest retention with no consumers keeps no messages`);
    }
  });

  if (totalStreams > LIMITS.streamsPerSpec) {
    err(
      "streams",
      `${totalStreams} streams in total, limit ${LIMITS.streamsPerSpec.toLocaleString("en-US")}`,
    );
  }
  const targets = spec.streams
    .filter((s) => s.name_prefix === pub.stream_name_prefix)
    .reduce((n, s) => n + s.count, 0);
  if (targets * pub.count_per_stream > LIMITS.publishersPerSpec) {
    err(
      "publishers.count_per_stream",
      `${targets * pub.count_per_stream} publishers in total (${targets} streams x ${pub.count_per_stream}), limit ${LIMITS.publishersPerSpec.toLocaleString("en-US")}`,
    );
  }
  if (targets * con.count_per_stream > LIMITS.consumersPerSpec) {
    err(
      "consumers.count_per_stream",
      `${targets * con.count_per_stream} consumers in total (${targets} streams x ${con.count_per_stream}), limit ${LIMITS.consumersPerSpec.toLocaleString("en-US")}`,
    );
  }
  if (pub.message_size_bytes > LIMITS.defaultMaxPayload) {
    warnings.push(
      `${at}.publishers.message_size_bytes: ${pub.message_size_bytes} bytes exceeds nats-server's default max_payload (1 MiB); the server must allow it`,
    );
  }
  const stages = spec.behavior.stages;
  if (stages !== undefined) {
    if (spec.behavior.ramp_up_seconds > 0) {
      err(
        "behavior.ramp_up_seconds",
        `${spec.behavior.ramp_up_seconds}s together with stages; a ramp is a stage: set ramp_up_seconds to 0 and start the stages with { "duration_seconds": ${spec.behavior.ramp_up_seconds}, "multiplier": 1 }`,
      );
    }
    const total = stages.reduce((n, s) => n + s.duration_seconds, 0);
    if (total > spec.behavior.duration_seconds) {
      err(
        "behavior.stages",
        `the stages last ${total}s, longer than duration_seconds (${spec.behavior.duration_seconds}s); shorten them or raise duration_seconds (the last stage's target holds until the step ends)`,
      );
    }
    stages.forEach((s, i) => {
      const base = rateOf(pub.publish_rate_per_second);
      const rate = stageFactor(s, base) * base;
      if (rate > LIMITS.publishRate) {
        err(
          `behavior.stages[${i}].multiplier`,
          `${s.multiplier} x publish_rate_per_second is ${rate} msg/s per publisher, over the limit ${LIMITS.publishRate.toLocaleString("en-US")}`,
        );
      }
    });
  }
  if (spec.behavior.ramp_up_seconds > spec.behavior.duration_seconds) {
    warnings.push(
      `${at}.behavior.ramp_up_seconds: ${spec.behavior.ramp_up_seconds}s is longer than duration_seconds (${spec.behavior.duration_seconds}s); the target rate is never reached`,
    );
  }
  const messages = checkMessages(spec);
  for (const i of messages.issues) err(i.path, i.message);
  for (const w of messages.warnings) warnings.push(`${at}.${w}`);
  const services = checkServices(spec);
  for (const i of services.issues) err(i.path, i.message);
  for (const w of services.warnings) warnings.push(`${at}.${w}`);
  const buckets = checkBuckets(spec);
  for (const i of buckets.issues) err(i.path, i.message);
  for (const w of buckets.warnings) warnings.push(`${at}.${w}`);
  const count = checkCount(spec);
  for (const i of count.issues) err(i.path, i.message);
  for (const w of count.warnings) warnings.push(`${at}.${w}`);
  const js = checkJetStream(spec);
  for (const i of js.issues) err(i.path, i.message);
  for (const w of js.warnings) warnings.push(`${at}.${w}`);
  return { issues, warnings };
}

/** Rules across specs plus every spec's own rules. */
export function checkConfig(config: RootConfig): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const names = new Map<string, number>();
  config.load_test_specs.forEach((spec, i) => {
    const at = `load_test_specs[${i}]`;
    const first = names.get(spec.name);
    if (first !== undefined) {
      issues.push({
        path: `${at}.name`,
        message: `'${spec.name}' is already the name of load_test_specs[${first}]`,
      });
    } else names.set(spec.name, i);
    const r = checkSpec(spec, at);
    issues.push(...r.issues);
    warnings.push(...r.warnings);
  });
  return { issues, warnings };
}
