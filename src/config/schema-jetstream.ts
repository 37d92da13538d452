// Issue 14, section D: the JetStream consumer kinds, deliver policies and backlog fields, as valibot entries
// spread into the seed's tables (schema.ts), so the seed's objects stay strict and every field is optional
// with a default that keeps today's behaviour.
import * as v from "valibot";
import { parseDuration } from "./duration.ts";
import { LIMITS, tooMany } from "./limits.ts";
import { bool, int, nonEmpty, text } from "./schema-parts.ts";

/** RFC 3339 with a zone (`2026-12-01T15:00:00Z`, `...+01:00`, fractions allowed), as nats-server parses it. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** JetStream deliver policies by their wire names (nats-server's `deliver_policy`). */
export const DELIVER_POLICIES = [
  "new",
  "all",
  "last",
  "last_per_subject",
  "by_start_sequence",
  "by_start_time",
] as const;
export type DeliverPolicyName = (typeof DELIVER_POLICIES)[number];

/** Consumer fields (the `consumers` table). */
export const CONSUMER_KIND_FIELDS = {
  /**
   * Where a new durable starts. Absent: "new" (the seed's behaviour), except on a workqueue stream, which
   * nats-server accepts only with "all".
   */
  deliver_policy: v.optional(v.picklist(DELIVER_POLICIES)),
  /** The first stream sequence of `by_start_sequence`. */
  opt_start_seq: v.optional(int(1, Number.MAX_SAFE_INTEGER, "a stream sequence, from 1")),
  /** The start time of `by_start_time`, RFC 3339 with a zone. */
  opt_start_time: v.optional(
    v.pipe(
      text(LIMITS.durationLength),
      v.check(
        (s) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)),
        (i) => `expected an RFC 3339 time such as "2026-12-01T15:00:00Z", got ${i.received}`,
      ),
    ),
  ),
  /** Subjects the consumer takes (each inside the stream's subjects; `{}` is the stream's index). */
  filter_subjects: v.optional(
    v.pipe(
      v.array(nonEmpty(LIMITS.subjectLength), (i) => `expected an array of subjects, got ${i.received}`),
      v.minLength(1, () => "expected at least one subject (or leave filter_subjects out)"),
      v.maxLength(LIMITS.subjectsPerStream, (i) => tooMany(LIMITS.subjectsPerStream, "subjects", i.received)),
    ),
  ),
  /** Deliveries of one message at most; absent or -1 = unlimited (the server's default). */
  max_deliver: v.optional(
    v.pipe(
      int(-1, LIMITS.maxDeliver, "-1 = unlimited"),
      v.check(
        (n) => n !== 0,
        () => "expected -1 (unlimited) or a count >= 1, got 0",
      ),
    ),
  ),
  /** Redelivery delays (Go durations), one per delivery; the server then ignores ack_wait. */
  backoff: v.optional(
    v.pipe(
      v.array(
        v.pipe(
          text(LIMITS.durationLength),
          v.check(
            (s) => (parseDuration(s) ?? 0) > 0,
            (i) => `expected a positive Go duration such as "1s", "500ms", got ${i.received}`,
          ),
        ),
        (i) => `expected an array of Go durations, got ${i.received}`,
      ),
      v.minLength(1, () => "expected at least one duration (or leave backoff out)"),
      v.maxLength(LIMITS.backoffSteps, (i) => tooMany(LIMITS.backoffSteps, "durations", i.received)),
    ),
  ),
  /** How a pull (or ordered) consumer asks for messages: a continuous `consume()`, or a loop of `fetch()`. */
  pull_mode: v.optional(v.picklist(["consume", "fetch"])),
  /** Messages one fetch asks for at most. */
  fetch_batch: v.optional(int(1, LIMITS.fetchBatch, "positive")),
  /** Bytes one fetch asks for at most, instead of fetch_batch (nats.js takes one of the two). */
  fetch_max_bytes: v.optional(int(1, LIMITS.messageSize, "positive")),
  /** How long one fetch waits for its batch before it ends with what it has. */
  fetch_expires_ms: v.optional(int(1_000, LIMITS.fetchExpiresMs, "at least 1 s (nats.js' minimum)")),
  /** Each ack waits for the server's confirmation (nats.js `ackAck`; latency kind `ack`). */
  double_ack: v.optional(bool),
};

/** Behavior fields (the `behavior` table). */
export const BEHAVIOR_BACKLOG_FIELDS = {
  /**
   * Messages stored per stream (by each pod that publishes) before the measured window; consumers with
   * deliver_policy "all" drain them (latency kind `drain`). Absent or 0 = none.
   */
  prefill_messages: v.optional(int(0, LIMITS.prefillMessages, "0 = none")),
};

/** How JetStream publishers wait for their acks (docs/workloads.md, "JetStream publish"). */
export const JS_PUBLISH_MODES = ["async", "sync", "batch"] as const;

/** Publisher fields (the `publishers` table). */
export const PUBLISH_MODE_FIELDS = {
  /**
   * "async": pipelined on the connection's window (today's); "sync": one publish in flight per publisher;
   * "batch": batch_size publishes, then wait until every one is acknowledged. Absent = "async".
   */
  js_publish: v.optional(v.picklist(JS_PUBLISH_MODES)),
  /** Publishes of one batch (js_publish "batch"). Absent = 100. */
  batch_size: v.optional(int(1, LIMITS.publishBatch, "positive")),
  /** Each message carries `Nats-Msg-Id` (unique per publisher and sequence; a retry reuses it). */
  dedupe: v.optional(bool),
};

/** Stream fields (the `streams` table). */
export const STREAM_DEDUPE_FIELDS = {
  /** The window in which the server refuses a repeated `Nats-Msg-Id`; absent = the server's (2m, capped by max_age). */
  duplicate_window: v.optional(
    v.pipe(
      text(LIMITS.durationLength),
      v.check(
        (s) => (parseDuration(s) ?? 0) > 0,
        (i) => `expected a positive Go duration such as "2m", "30s", got ${i.received}`,
      ),
    ),
  ),
};
