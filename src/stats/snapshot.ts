// The snapshot: what one agent (or one local run) measured for one spec iteration so far. This is the wire
// shape of DESIGN.md ("Snapshot"); every renderer and the cluster-wide merge read it. Its measurement fields
// come from the registry (src/measures): this file holds only the envelope.
import * as v from "valibot";
import {
  gauges,
  latencyKinds,
  MEASURES,
  type Measure,
  natsCounters,
  type Registry,
  snapshotCounters,
} from "../measures/index.ts";
import { PercentilesSchema } from "./percentiles.ts";

export const SNAPSHOT_VERSION = 1;
/** Longest incarnation id accepted (agents make 8 hex characters). */
export const INCARNATION_MAX = 32;

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

/** An entry's field: as given, or optional where older snapshots may lack it. */
type Field<E, S extends v.GenericSchema> = E extends { optional: true } ? v.OptionalSchema<S, undefined> : S;
/** One field per entry, named as the entry (`suffix` appended), typed by the entry's literal name. */
type Fields<E extends Measure, S extends v.GenericSchema, Suffix extends string = ""> = {
  [K in E as `${K["name"]}${Suffix}`]: Field<K, S>;
};

function fields<E extends Measure, S extends v.GenericSchema, Suffix extends string = "">(
  entries: readonly E[],
  schema: S,
  suffix = "" as Suffix,
): Fields<E, S, Suffix> {
  return Object.fromEntries(
    entries.map((e) => [`${e.name}${suffix}`, e.optional ? v.optional(schema) : schema]),
  ) as Fields<E, S, Suffix>;
}

type PerWorker<E> = Extract<E, { perWorker: true }>;
const perWorker = <E extends Measure>(entries: readonly E[]) =>
  entries.filter((e) => e.perWorker === true) as PerWorker<E>[];

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

/**
 * One core NATS queue group of a stream (`consumers.queue_group`): its members in this engine and what they
 * received, each message reaching one member (`received` is the group's total; `per_member` in member order,
 * listed up to 100 members).
 */
export const QueueGroupStatsSchema = v.looseObject({
  stream: v.string(),
  group: v.string(),
  members: v.number(),
  received: v.number(),
  min: v.number(),
  max: v.number(),
  per_member: v.optional(v.array(v.number())),
});
export type QueueGroupStats = v.InferOutput<typeof QueueGroupStatsSchema>;

/** The `nats` object: the engine's connection figures. */
function natsSchema<M extends Registry>(m: M) {
  return v.looseObject(fields(natsCounters(m), v.number()));
}

// Schemas nested in v.optional / v.array are typed by the default registry's fields: valibot cannot check a
// schema built from a still-generic registry there. Their runtime shape follows the registry given, and a
// registry that adds entries only adds fields (loose objects keep them).
const NatsSchema = natsSchema(MEASURES);

/** Encoded histograms, one per latency kind (`hist_interval`; `hist` is the same shape). */
function histSchema<M extends Registry>(m: M) {
  return v.object(fields(latencyKinds(m), v.string()));
}
const HistSchema = histSchema(MEASURES);

/** One worker thread's figures: the registry's `perWorker` counters and the counts of its latency kinds. */
export function workerStatsSchema<M extends Registry>(m: M) {
  return v.looseObject({
    id: v.number(),
    streams: v.number(),
    ...fields(perWorker(snapshotCounters(m)), count),
    /** Values in this worker's histograms (the snapshot's are their exact merge). */
    ...fields(perWorker(latencyKinds(m)), count, "_count"),
  });
}

export const WorkerStatsSchema = workerStatsSchema(MEASURES);
export type WorkerStats = v.InferOutput<typeof WorkerStatsSchema>;

/**
 * The snapshot schema for a registry of measurements: its counters, gauges, latency kinds (`latency_ms`,
 * `hist`) and connection figures (`nats`) are fields here; optional entries may be absent (older agents).
 */
export function snapshotSchema<M extends Registry>(m: M) {
  return v.looseObject({
    v: v.literal(SNAPSHOT_VERSION),
    run_id: v.string(),
    pod: v.string(),
    /**
     * The agent process that measured it (a short id made at its start): a pod restarted mid-run is a second
     * incarnation, and a run's totals add every incarnation's figures. Optional: older agents and local runs
     * are one incarnation.
     */
    incarnation: v.optional(v.pipe(v.string(), v.maxLength(INCARNATION_MAX))),
    mode: ModeSchema,
    spec: v.string(),
    spec_index: v.number(),
    iteration: v.number(),
    phase: PhaseSchema,
    /** ISO time this snapshot was taken. */
    ts: v.string(),
    elapsed_s: v.number(),
    duration_s: v.number(),
    /**
     * Seconds of linear ramp-up at the start of this step (0: none); with `elapsed_s` it tells how far the
     * ramp is (the original's `RampUp` in GET /stats). Optional: snapshots from before it was added parse.
     */
    ramp_up_s: v.optional(v.number()),
    /**
     * `publish_rate_per_second: "max"`: the publishers ran a closed loop, each message's intended time its send
     * time, so its latencies are service times (CLOSED_LOOP_LABEL). Absent: the open model.
     */
    closed_loop: v.optional(v.boolean()),
    /**
     * Seconds a final snapshot's means cover: from the start until sending ended (a `message_count` reached,
     * a stop) or the duration did. Absent on running snapshots and from older agents (then min(elapsed, duration)).
     */
    window_s: v.optional(v.number()),
    ...fields(snapshotCounters(m), count),
    ...fields(gauges(m), v.number()),
    /** Summaries (ms) of the histograms below. */
    latency_ms: v.object(fields(latencyKinds(m), PercentilesSchema)),
    /** Compressed base64 HDR histograms (microseconds): merge these, never average percentiles. */
    hist: v.object(fields(latencyKinds(m), v.string())),
    /**
     * Seconds this snapshot's interval covers: since the previous snapshot of its step (the first: since the
     * step's start). Running rates and `hist_interval` are over it. Optional: older agents lack it.
     */
    interval_s: v.optional(v.number()),
    /**
     * The interval's HDR histograms (the samples recorded in `interval_s`, exactly `hist` minus the previous
     * snapshot's), so charts over time need no predecessor. Optional: older agents lack it.
     */
    hist_interval: v.optional(histSchema(m) as unknown as typeof HistSchema),
    errors: v.record(v.string(), v.number()),
    system: v.optional(v.record(v.string(), v.number())),
    nats: v.optional(natsSchema(m) as unknown as typeof NatsSchema),
    streams: v.optional(v.array(StreamStatsSchema)),
    /** Core NATS queue groups and their members' shares (`consumers.queue_group`). */
    queue_groups: v.optional(v.array(QueueGroupStatsSchema)),
    /** Per worker thread, when a step ran on several (the totals above are their exact merge). */
    workers: v.optional(v.array(workerStatsSchema(m) as unknown as typeof WorkerStatsSchema)),
  });
}

export const SnapshotSchema = snapshotSchema(MEASURES);
export type Snapshot = v.InferOutput<typeof SnapshotSchema>;

export function parseSnapshot(value: unknown): Snapshot | undefined {
  const r = v.safeParse(SnapshotSchema, value);
  return r.success ? r.output : undefined;
}
