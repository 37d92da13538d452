// The snapshot: what one agent (or one local run) measured for one spec iteration so far. This is the wire
// shape of DESIGN.md ("Snapshot"); every renderer and the cluster-wide merge read it.
import * as v from "valibot";
import { PercentilesSchema } from "./percentiles.ts";

export const SNAPSHOT_VERSION = 1;

export const PhaseSchema = v.picklist(["starting", "running", "done", "stopped", "error"]);
export type Phase = v.InferOutput<typeof PhaseSchema>;

export const ModeSchema = v.picklist(["publish", "consume", "both"]);
export type Mode = v.InferOutput<typeof ModeSchema>;

/** Publish / consume failures by category; every failure lands in exactly one. */
export const ERROR_CATEGORIES = [
  "timeout",
  "no_responders",
  "stream_full",
  "connection_closed",
  "permission",
  "consume",
  "other",
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

const count = v.pipe(v.number(), v.minValue(0));

/**
 * The snapshot's cumulative counters (per step), in display order, with what each counts. Everything that
 * sums across pods, renders as a Prometheus counter or lands in a report column comes from this one table.
 */
export const SNAPSHOT_COUNTERS = {
  published: "Messages published (sent to the server).",
  publish_errors: "Publishes that failed, in any category (see errors).",
  publish_retries: "JetStream publish attempts repeated after no responders or a silent attempt.",
  acked: "Publishes acknowledged by JetStream.",
  consumed: "Messages consumed.",
  acks_sent: "Acks sent by consumers.",
  redelivered: "Redeliveries (JetStream delivery count above one).",
  duplicates: "Deliveries of a publisher sequence already received.",
  lost: "Acknowledged (core NATS: sent) messages that never arrived.",
  unconfirmed_delivered: "Publishes counted as failed that were stored and delivered anyway.",
  out_of_order: "Messages received below the highest sequence seen of their publisher.",
  missed_sends: "Send slots the publisher could not serve on time.",
  negative_latency: "End-to-end samples received before their send time (cross-host clocks).",
  remote_latency:
    "End-to-end samples of messages another pod (or worker) published: exact only where clocks are in sync.",
  bytes_out: "Payload bytes published.",
  bytes_in: "Payload bytes consumed.",
} as const;
export type SnapshotCounter = keyof typeof SNAPSHOT_COUNTERS;
export const SNAPSHOT_COUNTER_KEYS = Object.keys(SNAPSHOT_COUNTERS) as SnapshotCounter[];

export const StreamStatsSchema = v.looseObject({
  name: v.string(),
  messages: v.optional(v.number()),
  bytes: v.optional(v.number()),
  consumers: v.optional(v.number()),
  num_pending: v.optional(v.number()),
  num_ack_pending: v.optional(v.number()),
  leader: v.optional(v.string()),
  replicas_current: v.optional(v.number()),
  replicas_total: v.optional(v.number()),
});
export type StreamStats = v.InferOutput<typeof StreamStatsSchema>;

export const WorkerStatsSchema = v.looseObject({
  id: v.number(),
  streams: v.number(),
  published: count,
  acked: count,
  publish_errors: count,
  consumed: count,
  lost: count,
  missed_sends: count,
  /** Values in this worker's end-to-end and send-delay histograms (the snapshot's are their exact merge). */
  end_to_end_count: count,
  send_delay_count: count,
});
export type WorkerStats = v.InferOutput<typeof WorkerStatsSchema>;

export const SnapshotSchema = v.looseObject({
  v: v.literal(SNAPSHOT_VERSION),
  run_id: v.string(),
  pod: v.string(),
  mode: ModeSchema,
  spec: v.string(),
  spec_index: v.number(),
  iteration: v.number(),
  phase: PhaseSchema,
  /** ISO time this snapshot was taken. */
  ts: v.string(),
  elapsed_s: v.number(),
  duration_s: v.number(),
  /** Messages per second the plan asks of this pod right now (after ramp-up). */
  target_rate: v.optional(v.number()),
  /**
   * Seconds of linear ramp-up at the start of this step (0: none); with `elapsed_s` it tells how far the ramp
   * is (the original's `RampUp` in GET /stats). Optional: snapshots from before it was added still parse.
   */
  ramp_up_s: v.optional(v.number()),
  published: count,
  publish_errors: count,
  acked: count,
  consumed: count,
  acks_sent: count,
  redelivered: count,
  duplicates: count,
  lost: count,
  out_of_order: count,
  /** Send slots the client could not serve on time (open model: counted, never silently skipped). */
  missed_sends: v.optional(count),
  /** End-to-end samples whose receive time was before the send time (cross-host clocks). */
  negative_latency: v.optional(count),
  /**
   * End-to-end samples whose publisher is another pod (or worker thread): their latency compares two clocks,
   * so it is exact only on one host or with synchronised clocks (tagged, not hidden).
   */
  remote_latency: v.optional(count),
  /** JetStream publishes sent again after no responders or an unanswered attempt (same message). */
  publish_retries: v.optional(count),
  /**
   * Deliveries of messages whose publish was counted as failed (no PubAck before the deadline) but that were
   * stored all the same: neither lost nor acked (summed over consumers, like consumed).
   */
  unconfirmed_delivered: v.optional(count),
  publish_rate: v.number(),
  consume_rate: v.number(),
  bytes_out: count,
  bytes_in: count,
  latency_ms: v.object({
    publish_ack: PercentilesSchema,
    end_to_end: PercentilesSchema,
    send_delay: v.optional(PercentilesSchema),
    /** JetStream ack − the acknowledged attempt's send (service time); absent in older snapshots. */
    publish_service: v.optional(PercentilesSchema),
  }),
  /** Compressed base64 HDR histograms (microseconds): merge these, never average percentiles. */
  hist: v.object({
    publish_ack: v.string(),
    end_to_end: v.string(),
    send_delay: v.optional(v.string()),
    publish_service: v.optional(v.string()),
  }),
  errors: v.record(v.string(), v.number()),
  system: v.optional(v.record(v.string(), v.number())),
  nats: v.optional(
    v.looseObject({
      reconnects: v.number(),
      in_msgs: v.number(),
      out_msgs: v.number(),
      in_bytes: v.number(),
      out_bytes: v.number(),
    }),
  ),
  streams: v.optional(v.array(StreamStatsSchema)),
  /** Per worker thread, when a step ran on several (the totals above are their exact merge). */
  workers: v.optional(v.array(WorkerStatsSchema)),
});
export type Snapshot = v.InferOutput<typeof SnapshotSchema>;

export function parseSnapshot(value: unknown): Snapshot | undefined {
  const r = v.safeParse(SnapshotSchema, value);
  return r.success ? r.output : undefined;
}
