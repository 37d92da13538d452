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
  /** `messages_per_stream_per_second`. */
  streamRate: 1_000_000_000,
  /** 64 MiB: nats-server's hard ceiling for max_payload (its default max_payload is 1 MiB). */
  messageSize: 64 * 1024 * 1024,
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
} as const;
