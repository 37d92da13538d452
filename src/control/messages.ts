// The versioned wire messages of the control plane (DESIGN.md, "Wire contract"). Every message carries `v: 1`;
// objects are loose so a newer agent can add fields an older CLI ignores. Times are epoch milliseconds.
import * as v from "valibot";
import { LIMITS } from "../config/index.ts";
import { INCARNATION_MAX } from "../stats/index.ts";

export const CONTROL_VERSION = 1;

const epochMs = v.pipe(v.number(), v.minValue(0));
/**
 * Every string of a message is bounded: anyone who can write a bucket or a subject can put a 1 MB run id
 * there, and an agent logs, redacts and republishes what it reads. A message over a bound is malformed.
 */
const str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const runId = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.runIdLength));
/** A run id where "" means none yet (presence before the first run). */
const runIdOrNone = str(LIMITS.runIdLength);
const pod = str(LIMITS.podLength);
/** Presence and replies carry an error message; the agent cuts its own at this length. */
export const MAX_ERROR_LENGTH = 2_000;

/** KV `<p>_config`, key `active`: one pushed config = one run. */
export const ConfigEntrySchema = v.looseObject({
  v: v.literal(CONTROL_VERSION),
  run_id: runId,
  /** When the config was written (epoch ms). */
  pushed_at: epochMs,
  /** Who pushed it: `ltctl@host`, `http@pod`, `default-config@pod`. */
  pushed_by: str(LIMITS.pushedByLength),
  /** Start barrier (epoch ms): every pod starts its first step at this instant. */
  start_at: epochMs,
  /** Hash of the raw config (sha256 of its canonical JSON), as the original's POST /config answered. */
  hash: v.optional(str(128)),
  /** The config exactly as pushed: each agent expands `${VAR}` and `{pod}` with its own environment. */
  config: v.unknown(),
});
export type ConfigEntry = v.InferOutput<typeof ConfigEntrySchema>;

export const ControlOpSchema = v.picklist(["start", "stop", "reload"]);
export type ControlOp = v.InferOutput<typeof ControlOpSchema>;

/** Subjects `<p>.control.all` / `<p>.control.pod.<pod>`. */
export const ControlCommandSchema = v.looseObject({
  v: v.literal(CONTROL_VERSION),
  op: ControlOpSchema,
  /** Only obey when this is the agent's current run (ignored when absent). */
  run_id: v.optional(runId),
  /** For start / reload: the start barrier (epoch ms); default now + 2 s. */
  start_at: v.optional(epochMs),
});
export type ControlCommand = v.InferOutput<typeof ControlCommandSchema>;

export const AgentStateSchema = v.picklist(["idle", "waiting", "running", "done", "error", "stopped"]);
export type AgentState = v.InferOutput<typeof AgentStateSchema>;

/** The answer to a control command that asked for a reply. */
export const ControlReplySchema = v.looseObject({
  v: v.literal(CONTROL_VERSION),
  pod,
  /** True when the agent did what was asked (or was already in that state). */
  ok: v.boolean(),
  /** The agent's state after the command. */
  state: AgentStateSchema,
  run_id: v.optional(runIdOrNone),
  error: v.optional(str(MAX_ERROR_LENGTH)),
});
export type ControlReply = v.InferOutput<typeof ControlReplySchema>;

export const ModeSchema = v.picklist(["publish", "consume", "both"]);

/** KV `<p>_agents`, key `<pod>`: written every heartbeat; the bucket's TTL removes dead agents. */
export const PresenceSchema = v.looseObject({
  v: v.literal(CONTROL_VERSION),
  pod,
  mode: ModeSchema,
  state: AgentStateSchema,
  /** The run the agent is on ("" before its first run). */
  run_id: runIdOrNone,
  /** Name of the spec running now ("" when none). */
  spec: str(LIMITS.nameLength),
  /** Agent software version. */
  version: str(64),
  /** When this agent process started (epoch ms). */
  started_at: epochMs,
  /** This agent process (a short id made at its start; its snapshots carry it). Optional: older agents. */
  incarnation: v.optional(str(INCARNATION_MAX)),
  /** When this entry was written (epoch ms). */
  last_seen: epochMs,
  /** URL of the agent's HTTP shim ("" when disabled). */
  http: str(LIMITS.urlLength),
  /** The agent's heartbeat interval (ms): readers call an entry stale after 3 missed heartbeats. */
  heartbeat_ms: v.optional(v.number()),
  /** Last error of the run, when state is "error". */
  error: v.optional(str(MAX_ERROR_LENGTH)),
});
export type Presence = v.InferOutput<typeof PresenceSchema>;

/** Presence as `status()` returns it: `stale` when last_seen is older than 3 heartbeats. */
export type PresenceView = Presence & { stale: boolean; age_ms: number };

export function parseMessage<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
): v.InferOutput<S> | undefined {
  const r = v.safeParse(schema, value);
  return r.success ? r.output : undefined;
}

/** JSON text as bytes-less string -> parsed value, or undefined for malformed JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Steps a capacity entry carries at most (a search of --max 1e9 from 1 by x1.01 stays far under it). */
export const CAPACITY_MAX_POINTS = 500;

/** One judged step of a capacity search, as the dashboard's knee chart draws it. */
export const CapacityPointSchema = v.looseObject({
  rate: v.pipe(v.number(), v.minValue(0)),
  achieved: v.pipe(v.number(), v.minValue(0)),
  passed: v.boolean(),
  /** p99 (ms) per latency kind; at most 32 kinds. */
  p99_ms: v.pipe(
    v.record(str(64), v.number()),
    v.check((r) => Object.keys(r).length <= 32),
  ),
});

/**
 * KV `<p>_config`, key `capacity`: the newest fleet capacity search (`ltctl capacity` without --local), written
 * after every step so the dashboard follows it live. Untrusted like every entry: bounded, validated on read.
 */
export const CapacityEntrySchema = v.looseObject({
  v: v.literal(CONTROL_VERSION),
  /** The search's id (one `ltctl capacity` invocation). */
  search_id: str(64),
  spec: str(LIMITS.nameLength),
  slos: v.pipe(v.array(str(LIMITS.thresholdLength + LIMITS.keyLength + 4)), v.maxLength(LIMITS.thresholds)),
  /** "running" while steps remain, else why the search ended (src/cli/capacity/search.ts SearchEnd). */
  end: str(32),
  answer: str(MAX_ERROR_LENGTH),
  max_rate: v.nullable(v.pipe(v.number(), v.minValue(0))),
  updated: epochMs,
  points: v.pipe(v.array(CapacityPointSchema), v.maxLength(CAPACITY_MAX_POINTS)),
});
export type CapacityEntry = v.InferOutput<typeof CapacityEntrySchema>;
