// The spec's `services` block (issue 14): request/reply services on core NATS. Responders answer on `subject` in
// a queue group and show in `$SRV` discovery (the NATS micro protocol); requesters send requests on an
// open-model schedule. Core NATS whatever `use_jetstream` says. Cross-field rules are in rules-services.ts.
import * as v from "valibot";
import { LIMITS } from "./limits.ts";
import { int, nonEmpty } from "./schema-parts.ts";

/** A subject to publish on: dot-separated tokens, no wildcards, no whitespace. */
export const plainSubject = v.pipe(
  nonEmpty(LIMITS.subjectLength),
  v.regex(
    /^[^\s.*>]+(\.[^\s.*>]+)*$/,
    (i) =>
      `expected a subject such as "svc.echo" (dot-separated tokens, no wildcards "*" or ">", no whitespace), got ${i.received}`,
  ),
);

/** A queue group name: nats-server takes any token without whitespace; wildcards would only confuse. */
export const queueName = v.pipe(
  nonEmpty(LIMITS.nameLength),
  v.regex(/^[^\s*>]+$/, (i) => `must not contain whitespace, "*" or ">", got ${i.received}`),
);

/** Service time of each request, drawn uniform in [min, max] ms; 0 and 0 answer at once (an echo). */
export const ServiceTimeSchema = v.pipe(
  v.strictObject({
    min: v.optional(int(0, LIMITS.serviceTimeMs, "0 = answer at once"), 0),
    max: v.optional(int(0, LIMITS.serviceTimeMs, "0 = answer at once"), 0),
  }),
  v.check((t) => t.min <= t.max, "min must not exceed max"),
);

export const RespondersSchema = v.strictObject({
  /** Service instances in this engine (each its own `$SRV` id); 0 = none here. */
  count: v.optional(int(0, LIMITS.responders, "0 = no responders"), 1),
  /** The micro protocol's default queue group is "q". */
  queue_group: v.optional(queueName, "q"),
  service_time_ms: v.optional(ServiceTimeSchema, { min: 0, max: 0 }),
});

export const RequestersSchema = v.strictObject({
  /** Requesters in this engine; 0 = none here. */
  count: v.optional(int(0, LIMITS.requesters, "0 = no requesters"), 1),
  /** Requests per second of each requester (open model: sent on schedule whatever the replies do). */
  rate_per_second: v.optional(int(1, LIMITS.publishRate, "positive"), 100),
  /** A request unanswered this long counts in request_timeouts. */
  timeout_ms: v.optional(int(1, LIMITS.requestTimeoutMs, "positive"), 2000),
  message_size_bytes: v.optional(int(0, LIMITS.messageSize, "0 = empty requests"), 128),
});

export const ServicesConfigSchema = v.strictObject({
  /** The micro service's name (`$SRV.PING.<name>`): letters, digits, "-" and "_" as the protocol requires. */
  name: v.optional(
    v.pipe(
      nonEmpty(LIMITS.nameLength),
      v.regex(/^[A-Za-z0-9_-]+$/, (i) => `expected letters, digits, "-" or "_" only, got ${i.received}`),
    ),
    "lt-echo",
  ),
  /** Semantic version, as the micro protocol requires. */
  version: v.optional(
    v.pipe(
      nonEmpty(LIMITS.nameLength),
      v.regex(
        /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
        (i) => `expected a semantic version such as "1.0.0", got ${i.received}`,
      ),
    ),
    "1.0.0",
  ),
  subject: plainSubject,
  responders: v.optional(RespondersSchema, {}),
  requesters: v.optional(RequestersSchema, {}),
});

export type ServicesConfig = v.InferOutput<typeof ServicesConfigSchema>;
