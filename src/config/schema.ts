import * as v from "valibot";
import { parseDuration } from "./duration.ts";
import { LIMITS, tooMany } from "./limits.ts";
import { RepeatPolicySchema } from "./repeat-schema.ts";
import { PUBLISH_COUNT_FIELDS, PublishRateSchema } from "./schema-count.ts";
import {
  BEHAVIOR_BACKLOG_FIELDS,
  CONSUMER_KIND_FIELDS,
  PUBLISH_MODE_FIELDS,
  STREAM_DEDUPE_FIELDS,
} from "./schema-jetstream.ts";
import { KvConfigSchema } from "./schema-kv.ts";
import { MESSAGE_FIELDS } from "./schema-messages.ts";
import { ObjectStoreConfigSchema } from "./schema-objects.ts";
import { amount, bool, int, natsName, nonEmpty, text } from "./schema-parts.ts";
import { queueName, ServicesConfigSchema } from "./schema-services.ts";

export { int } from "./schema-parts.ts";

// ---- building blocks (the field types are in schema-parts.ts, shared with the blocks in schema-*.ts) ------

const limit = v.optional(int(-1, Number.MAX_SAFE_INTEGER, "-1 = unlimited"), -1);

/** A Go duration string, kept as written; its milliseconds are read with `parseDuration`. */
export const DurationString = v.pipe(
  text(LIMITS.durationLength),
  v.check(
    (s) => parseDuration(s) !== undefined,
    (i) => `expected a Go duration such as "30s", "5m", "2h30m", "1.5s", "300ms", got ${i.received}`,
  ),
);

// ---- the seed's tables ------------------------------------------------------------------------------------

export const StreamConfigSchema = v.pipe(
  v.strictObject({
    name_prefix: natsName,
    count: int(1, LIMITS.streamsPerSpec, "positive"),
    replicas: int(1, LIMITS.replicas, "positive; JetStream allows 1..5"),
    subjects: v.pipe(
      v.array(nonEmpty(LIMITS.subjectLength), (i) => `expected an array of subjects, got ${i.received}`),
      v.minLength(1, () => "expected at least one subject"),
      v.maxLength(LIMITS.subjectsPerStream, (i) => tooMany(LIMITS.subjectsPerStream, "subjects", i.received)),
    ),
    /** Cap on the stream's total publish rate; 0 or absent = no cap (our extension). */
    messages_per_stream_per_second: v.optional(int(0, LIMITS.streamRate, "0 = no cap"), 0),
    retention: v.optional(v.picklist(["limits", "interest", "workqueue"]), "limits"),
    max_age: v.optional(
      v.pipe(
        DurationString,
        v.check(
          (s) => (parseDuration(s) ?? 0) >= 0,
          () => "must not be negative (0 = unlimited)",
        ),
      ),
      "1m",
    ),
    storage: v.optional(v.picklist(["memory", "file"]), "memory"),
    /** Default: true when discard is "new" and max_msgs_per_subject > 0, else false (as the original's code). */
    discard_new_per_subject: v.optional(bool),
    discard: v.optional(v.picklist(["old", "new"]), "old"),
    max_msgs: limit,
    max_bytes: limit,
    max_msgs_per_subject: limit,
    max_consumers: limit,
    /** The de-duplication window (schema-jetstream.ts). */
    ...STREAM_DEDUPE_FIELDS,
  }),
  v.transform((s) => ({
    ...s,
    discard_new_per_subject: s.discard_new_per_subject ?? (s.discard === "new" && s.max_msgs_per_subject > 0),
  })),
);

export const PublisherConfigSchema = v.strictObject({
  /** 0 = no publishers (our extension; the original requires > 0). */
  count_per_stream: int(0, LIMITS.countPerStream, "0 = no publishers"),
  stream_name_prefix: nonEmpty(LIMITS.nameLength),
  /** A positive integer, or "max": a closed loop (schema-count.ts). */
  publish_rate_per_second: PublishRateSchema,
  /** Each publisher stops after this many messages (schema-count.ts). */
  ...PUBLISH_COUNT_FIELDS,
  publish_pattern: v.picklist(["steady", "random"]),
  /** Messages sent together in a burst of the random pattern; the mean rate stays publish_rate_per_second. */
  publish_burst_size: v.optional(int(1, LIMITS.publishBurstSize, "positive"), 1),
  message_size_bytes: int(1, LIMITS.messageSize, "positive; 64 MiB is the server's ceiling"),
  track_latency: bool,
  /** JetStream publish mode, batch size, de-duplication (schema-jetstream.ts). */
  ...PUBLISH_MODE_FIELDS,
  /** Payload kind, size distributions, headers, subject template and keys (schema-messages.ts). */
  ...MESSAGE_FIELDS,
});

export const ConsumerConfigSchema = v.strictObject({
  stream_name_prefix: nonEmpty(LIMITS.nameLength),
  type: v.picklist(["push", "pull", "ordered"]),
  /** 0 = no consumers (our extension; the original requires > 0). */
  count_per_stream: int(0, LIMITS.countPerStream, "0 = no consumers"),
  durable_name_prefix: natsName,
  ack_wait_seconds: int(1, LIMITS.ackWaitSeconds, "positive"),
  max_ack_pending: int(1, LIMITS.maxAckPending, "positive"),
  consume_delay_ms: v.optional(int(0, LIMITS.consumeDelayMs, "0 = none"), 0),
  ack_policy: v.picklist(["explicit", "none", "all"]),
  /** Deliver policy, filters, redelivery limits, double ack (schema-jetstream.ts). */
  ...CONSUMER_KIND_FIELDS,
  /** Core NATS only (rules.ts): the consumers of a stream join this queue group, each message reaching one. */
  queue_group: v.optional(queueName),
});

/**
 * One stage of a load shape (our extension, k6's ramping arrival rate): the rate moves linearly from the
 * previous stage's target (0 before the first) to this one's over `duration_seconds` (0 = a jump). The
 * target is `rate` (messages per second per publisher, like publish_rate_per_second) or `multiplier` of
 * publish_rate_per_second, exactly one of them. See src/config/stages.ts.
 */
export const StageSchema = v.pipe(
  v.strictObject({
    duration_seconds: int(0, LIMITS.durationSeconds, "0 = jump to the target at once"),
    rate: v.optional(amount(LIMITS.publishRate)),
    multiplier: v.optional(amount(LIMITS.stageMultiplier)),
  }),
  v.check(
    (s) => (s.rate === undefined) !== (s.multiplier === undefined),
    "give exactly one of rate (msg/s per publisher) or multiplier (of publish_rate_per_second)",
  ),
);

export const BehaviorConfigSchema = v.strictObject({
  duration_seconds: int(1, LIMITS.durationSeconds, "positive"),
  ramp_up_seconds: int(0, LIMITS.durationSeconds, "0 = no ramp"),
  /** Our extension: a load shape; absent = the seed's ramp (see StageSchema). */
  stages: v.optional(
    v.pipe(
      v.array(StageSchema, (i) => `expected an array of stages, got ${i.received}`),
      v.minLength(1, () => "expected at least one stage (or leave stages out)"),
      v.maxLength(LIMITS.stages, (i) => tooMany(LIMITS.stages, "stages", i.received)),
    ),
  ),
  /** A backlog stored before the measured window (schema-jetstream.ts). */
  ...BEHAVIOR_BACKLOG_FIELDS,
});

export const LogLimitsSchema = v.strictObject({
  max_lines: v.optional(int(-1, Number.MAX_SAFE_INTEGER, "-1 = unlimited")),
  max_bytes: v.optional(int(-1, Number.MAX_SAFE_INTEGER, "-1 = unlimited")),
});

/** One server URL or a comma-separated list; a JSON array of strings is our extension. */
export const NatsUrlSchema = v.union(
  [
    nonEmpty(LIMITS.urlLength),
    v.pipe(
      v.array(nonEmpty(LIMITS.urlLength)),
      v.minLength(1, () => "expected at least one server"),
      v.maxLength(LIMITS.servers, (i) => tooMany(LIMITS.servers, "servers", i.received)),
    ),
  ],
  (i) => `expected a URL string (comma-separated for several) or an array of URL strings, got ${i.received}`,
);

/**
 * TLS to the NATS under test (our extension): PEM files of a private CA to trust and of a client certificate
 * (mutual TLS). Any `tls` object, even `{}`, requires TLS, also with `nats://` URLs. An empty string means
 * absent (so `"${NATS_CA:-}"` can switch a file off); cert_file and key_file go together (rules.ts).
 */
export const TlsConfigSchema = v.strictObject({
  /** CA bundle trusted for the server's certificate, in place of Node's default CAs. */
  ca_file: v.optional(v.pipe(text(LIMITS.pathLength), v.trim()), ""),
  /** Client certificate (mutual TLS). */
  cert_file: v.optional(v.pipe(text(LIMITS.pathLength), v.trim()), ""),
  /** The client certificate's private key. */
  key_file: v.optional(v.pipe(text(LIMITS.pathLength), v.trim()), ""),
});

export const LoadTestSpecSchema = v.strictObject({
  name: nonEmpty(LIMITS.nameLength),
  nats_url: NatsUrlSchema,
  nats_creds_file: v.optional(text(LIMITS.pathLength), ""),
  /**
   * Our extension: a file holding a user nkey seed (`SU...`) for servers that list the user by its public key
   * (`authorization { users: [ { nkey: "U..." } ] }`). Empty means none; not together with nats_creds_file.
   */
  nats_nkey_file: v.optional(v.pipe(text(LIMITS.pathLength), v.trim()), ""),
  tls: v.optional(TlsConfigSchema),
  use_jetstream: v.optional(bool, false),
  client_id_prefix: v.optional(text(LIMITS.nameLength), "load-tester"),
  streams: v.pipe(
    v.array(StreamConfigSchema, (i) => `expected an array of stream configs, got ${i.received}`),
    v.minLength(1, () => "expected at least one stream config"),
    v.maxLength(LIMITS.streamConfigs, (i) => tooMany(LIMITS.streamConfigs, "stream configs", i.received)),
  ),
  publishers: PublisherConfigSchema,
  consumers: ConsumerConfigSchema,
  behavior: BehaviorConfigSchema,
  log_limits: v.optional(LogLimitsSchema),
  /** Request/reply services (schema-services.ts). */
  services: v.optional(ServicesConfigSchema),
  /** A key-value workload on a KV bucket (schema-kv.ts). */
  kv: v.optional(KvConfigSchema),
  /** An object store workload (schema-objects.ts). */
  object_store: v.optional(ObjectStoreConfigSchema),
});

const STORAGE_PATHS = {
  badger: "./load_test_stats.db",
  file: "./load_test_stats.log",
  stdout: "/dev/stdout",
};

export const StorageSchema = v.pipe(
  v.strictObject({
    type: v.optional(v.picklist(["file", "badger", "stdout"]), "badger"),
    path: v.optional(nonEmpty(LIMITS.pathLength)),
  }),
  v.transform((s) => ({ type: s.type, path: s.path ?? STORAGE_PATHS[s.type] })),
);

export const RootConfigSchema = v.strictObject({
  load_test_specs: v.pipe(
    v.array(LoadTestSpecSchema, (i) => `expected an array of load test specs, got ${i.received}`),
    v.minLength(1, () => "expected at least one load test spec"),
    v.maxLength(LIMITS.specs, (i) => tooMany(LIMITS.specs, "load test specs", i.received)),
  ),
  repeat_policy: v.optional(RepeatPolicySchema, { enabled: false }),
  storage: v.optional(StorageSchema, { type: "badger" }),
  stats_collection_interval_seconds: v.optional(int(1, LIMITS.statsIntervalSeconds, "positive"), 5),
  /** SLO thresholds (our extension): metric -> "< 50"; checked by src/stats thresholds (docs/reports.md). */
  thresholds: v.optional(
    v.pipe(
      v.record(text(LIMITS.keyLength), text(LIMITS.thresholdLength)),
      v.check(
        (t) => Object.keys(t).length <= LIMITS.thresholds,
        (i) => tooMany(LIMITS.thresholds, "thresholds", Object.keys(i.input).length),
      ),
    ),
  ),
});

export type RootConfig = v.InferOutput<typeof RootConfigSchema>;
export type LoadTestSpec = v.InferOutput<typeof LoadTestSpecSchema>;
export type StreamConfig = v.InferOutput<typeof StreamConfigSchema>;
export type PublisherConfig = v.InferOutput<typeof PublisherConfigSchema>;
export type ConsumerConfig = v.InferOutput<typeof ConsumerConfigSchema>;
export type BehaviorConfig = v.InferOutput<typeof BehaviorConfigSchema>;
export type Stage = v.InferOutput<typeof StageSchema>;
export type LogLimits = v.InferOutput<typeof LogLimitsSchema>;
export type TlsConfig = v.InferOutput<typeof TlsConfigSchema>;
export type StorageConfig = v.InferOutput<typeof StorageSchema>;
