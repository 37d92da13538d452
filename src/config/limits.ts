/** Upper limits that make absurd configs fail up front, each named in its error message. See docs/config.md. */
export const LIMITS = {
  /** Streams of one StreamConfig (`count`) and streams of one spec in total. */
  streamsPerSpec: 10_000,
  /** JetStream allows replicas 1..5. */
  replicas: 5,
  /** Publishers of one spec (streams x publishers.count_per_stream). */
  publishersPerSpec: 100_000,
  /** Consumers of one spec (streams x consumers.count_per_stream). */
  consumersPerSpec: 100_000,
  /** `count_per_stream` of publishers or consumers. */
  countPerStream: 100_000,
  /** Messages per second of one publisher. */
  publishRate: 10_000_000,
  /** `publishers.message_count`: messages of one publisher (a trillion: days at the largest rates). */
  messageCount: 1_000_000_000_000,
  /** `messages_per_stream_per_second`. */
  streamRate: 1_000_000_000,
  /** 64 MiB: nats-server's hard ceiling for max_payload (its default max_payload is 1 MiB). */
  messageSize: 64 * 1024 * 1024,
  /** Entries of `publishers.message_sizes`, and the largest `weight` of one. */
  messageSizes: 1_000,
  sizeWeight: 1_000_000_000,
  /** `publishers.headers`: headers per message and bytes per value. */
  headers: 1_000,
  headerValueBytes: 65_536,
  /** `publishers.keys.count`: subjects one stream's publishers spread over (each precomputed per stream). */
  keys: 100_000,
  /** Keys times the streams publishers send to: the subjects a spec precomputes in all. */
  keySubjects: 1_000_000,
  /** `publishers.keys.zipf_exponent`. */
  zipfExponent: 10,
  /** nats-server's default max_payload: larger messages warn. */
  defaultMaxPayload: 1024 * 1024,
  publishBurstSize: 1_000_000,
  maxAckPending: 10_000_000,
  /** Seconds: one day. */
  ackWaitSeconds: 86_400,
  /** Milliseconds: one hour. */
  consumeDelayMs: 3_600_000,
  /** Seconds: 30 days. */
  durationSeconds: 30 * 86_400,
  /** Seconds: one hour. */
  statsIntervalSeconds: 3_600,
  /** Repeat iterations (`repeat_policy.max_iterations`). */
  repeatIterations: 10_000,
  /** Stages of one spec's `behavior.stages`. */
  stages: 1_000,
  /** A stage's `multiplier` of publish_rate_per_second. */
  stageMultiplier: 10_000,
  /** `kv`: keys of the key space, clients (each keeps the revisions it saw), history (nats-server's 64). */
  kvKeys: 10_000_000,
  kvClients: 10_000,
  kvHistory: 64,
  /** `kv.keys.zipf_exponent`. */
  kvZipfExponent: 10,
  /** `object_store`: an object's bytes (1 GiB), object names, clients, objects per second per client. */
  objectSize: 1024 * 1024 * 1024,
  objects: 100_000,
  objectClients: 1_000,
  objectRate: 100_000,
  /** A consumer's `max_deliver`. */
  maxDeliver: 1_000_000,
  /** Durations of a consumer's `backoff`. */
  backoffSteps: 100,
  /** `behavior.prefill_messages` per stream. */
  prefillMessages: 100_000_000,
  /** A consumer's `fetch_batch`, and `fetch_expires_ms` (one hour). */
  fetchBatch: 1_000_000,
  fetchExpiresMs: 3_600_000,
  /** `publishers.batch_size` (js_publish "batch"). */
  publishBatch: 100_000,
  /** `services`: responder and requester instances of one spec (each a few subscriptions). */
  responders: 10_000,
  requesters: 100_000,
  /** Milliseconds: a responder's service time, and a request's timeout (one minute each). */
  serviceTimeMs: 60_000,
  requestTimeoutMs: 60_000,

  // Strings and lists (issue 12: a config is untrusted input, and every string of it is printed, logged,
  // redacted and sent around; none may be long enough to stall an agent). Lengths are in characters, checked
  // after `${VAR}` and `{pod}` expansion; `rawString` and `keyLength` bound the document before expansion.
  /** Spec names and every name or prefix that JetStream names derive from (streams, durables, client ids). */
  nameLength: 128,
  /** One subject of a stream (nats-server has no hard limit; long subjects only cost bandwidth). */
  subjectLength: 256,
  /** File paths (creds, nkey seed, TLS files, storage): Linux's PATH_MAX. */
  pathLength: 4_096,
  /** `nats_url` as written (all servers together), and each server of an array. */
  urlLength: 8_192,
  /** Go duration strings (`max_age`, `max_total_duration`). */
  durationLength: 64,
  /** A threshold expression (`"< 50"`). */
  thresholdLength: 64,
  /** Any string before expansion: the largest field limit. */
  rawString: 8_192,
  /** Any object key: known keys are under 60 characters; longer ones are refused without a "did you mean". */
  keyLength: 128,
  /** Run ids in the config bucket and control commands (ours are 23 characters). */
  runIdLength: 128,
  /** Pod names (Kubernetes allows 253). */
  podLength: 253,
  /** `pushed_by` of a config entry (`ltctl@host`, `http@pod`). */
  pushedByLength: 512,
  /** Specs of one config. */
  specs: 100,
  /** Stream configs of one spec (each may still count up to streamsPerSpec streams). */
  streamConfigs: 1_000,
  /** Subjects of one stream config. */
  subjectsPerStream: 100,
  /** Servers of one `nats_url`. */
  servers: 64,
  /** Entries of `thresholds`. */
  thresholds: 100,
} as const;

/** The message of a string over its limit: the length, never the value. */
export function tooLong(max: number, length: number | string): string {
  return `at most ${max.toLocaleString("en-US")} characters (limit), got ${length}`;
}

/** The message of a list over its limit. */
export function tooMany(max: number, what: string, count: number | string): string {
  return `at most ${max.toLocaleString("en-US")} ${what} (limit), got ${count}`;
}
