// Names of every bucket, stream and subject of one fleet's control plane. `<p>` is the prefix (default `lt`) so
// several fleets can share one NATS; see docs/control-plane.md.

/** Characters allowed in one subject token / KV key token; everything else becomes `_`. */
const UNSAFE = /[^A-Za-z0-9_-]/g;

/** A pod name or run id made safe as one subject token (`pod.a:1` -> `pod_a_1`); the payload keeps the real name. */
export function subjectToken(name: string): string {
  const t = name.replace(UNSAFE, "_");
  return t === "" ? "_" : t;
}

export interface ControlNames {
  readonly prefix: string;
  /** KV bucket holding the active config under key `active` (history = earlier configs). */
  readonly configBucket: string;
  /** KV bucket of presence entries, key = pod token, TTL of a few heartbeats. */
  readonly agentsBucket: string;
  /**
   * KV bucket of the latest snapshot per run, pod and agent process: key `<run_id>.<pod>.<incarnation>`
   * (snapshots without an incarnation, from older agents: `<run_id>.<pod>`).
   */
  readonly statsBucket: string;
  /** Stream of every snapshot (history), subjects `<p>.stats.<run_id>.<pod>`. */
  readonly statsStream: string;
  /** Subject one snapshot is published on. */
  statsSubject(runId: string, pod: string): string;
  /** Filter subject for the stats stream: one run and/or one pod, or everything. */
  statsFilter(runId?: string, pod?: string): string;
  /**
   * KV key of the latest snapshot of a run, pod and incarnation: a restarted pod's new process writes beside
   * its first one's last snapshot instead of over it. Without an incarnation: `<run_id>.<pod>`.
   */
  statsKey(runId: string, pod: string, incarnation?: string): string;
  /** KV key filter of every latest snapshot of a run (both key layouts). */
  statsKeys(runId: string): string;
  /** Subject every agent listens on for control commands. */
  readonly controlAll: string;
  /** Subject one agent listens on for control commands. */
  controlPod(pod: string): string;
}

/** The config entry's key in the config bucket. */
export const ACTIVE_KEY = "active";
/** The newest fleet capacity search's progress and result, in the config bucket (CapacityEntrySchema). */
export const CAPACITY_KEY = "capacity";

export function controlNames(prefix = "lt"): ControlNames {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) {
    throw new TypeError(
      `Expected the control-plane prefix to match [A-Za-z0-9_-]+, got ${JSON.stringify(prefix)}`,
    );
  }
  const p = prefix;
  return {
    prefix: p,
    configBucket: `${p}_config`,
    agentsBucket: `${p}_agents`,
    statsBucket: `${p}_stats`,
    statsStream: `${p.toUpperCase()}_STATS`,
    statsSubject: (runId, pod) => `${p}.stats.${subjectToken(runId)}.${subjectToken(pod)}`,
    statsFilter: (runId, pod) =>
      `${p}.stats.${runId ? subjectToken(runId) : "*"}.${pod ? subjectToken(pod) : "*"}`,
    statsKey: (runId, pod, incarnation) =>
      `${subjectToken(runId)}.${subjectToken(pod)}${incarnation ? `.${subjectToken(incarnation)}` : ""}`,
    statsKeys: (runId) => `${subjectToken(runId)}.>`,
    controlAll: `${p}.control.all`,
    controlPod: (pod) => `${p}.control.pod.${subjectToken(pod)}`,
  };
}

/** A new run id: sortable UTC time plus randomness, safe as a subject token (`20250102T030405Z-a1b2c3`). */
export function newRunId(now = Date.now()): string {
  const t = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const rand = Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, "0");
  return `${t}-${rand}`;
}
