// What the CLI, the HTTP shim and the agent use to read and drive a fleet: every call goes through the
// control plane's KV buckets, stream and subjects; nothing here touches process state.
import type { KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ConfigIssue } from "../config/index.ts";
import { isNoResponders, JsErrorCode, jsApiCode } from "../nats/index.ts";
import type { Snapshot } from "../stats/index.ts";
import {
  type CapacityEntry,
  CapacityEntrySchema,
  CONTROL_VERSION,
  type ConfigEntry,
  ConfigEntrySchema,
  type ControlCommand,
  type ControlOp,
  type ControlReply,
  ControlReplySchema,
  PresenceSchema,
  type PresenceView,
  parseJson,
  parseMessage,
} from "./messages.ts";
import { ACTIVE_KEY, CAPACITY_KEY, type ControlNames, controlNames, newRunId } from "./names.ts";
import { type ControlPlane, type ControlPlaneOptions, ensureControlPlane } from "./setup.ts";
import { type OnSkip, rememberOrigin } from "./snapshot-check.ts";
import { readKvLatest, readKvLatestEntries, readNewestSnapshots, readSnapshot } from "./stats-read.ts";
import { configHash, validateForPush } from "./validate.ts";

/** Heartbeats an entry may miss before `status()` calls it stale. */
export const STALE_HEARTBEATS = 3;
/** Heartbeat assumed for presence entries that do not say theirs (ms). */
export const DEFAULT_HEARTBEAT_MS = 2_000;
/** Default delay between a push and its start barrier (ms). */
export const DEFAULT_START_DELAY_MS = 2_000;
/**
 * Compare-and-set rounds of `pushIfChanged` before it gives up: each lost round means another config was
 * written in between, so more than a few means pushes of different configs are racing without end.
 */
const CAS_ATTEMPTS = 8;

/** A push refused because the config is invalid; the active config is untouched. */
export class PushRejectedError extends Error {
  override readonly name = "PushRejectedError";
  readonly issues: ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(`config refused:\n${issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`);
    this.issues = [...issues];
  }
}

export interface PushOptions {
  /** Who pushes (`ltctl@host`, `http@pod`): stored in the entry. */
  readonly pushedBy: string;
  /** Start barrier (epoch ms). @default now + 2000 */
  readonly startAt?: number;
  /** Returns the issues of a raw config; empty = valid. @default validateForPush */
  readonly validate?: (raw: unknown) => readonly ConfigIssue[];
  /** Only write when no config exists yet (atomic: of many pods seeding at once, one wins). */
  readonly onlyIfEmpty?: boolean;
}

export interface PushResult {
  run_id: string;
  /** KV revision of the new entry. */
  revision: number;
  start_at: number;
  hash: string;
  /** False when `onlyIfEmpty` was set and a config already existed (nothing written). */
  written: boolean;
}

export type ConfigRevision = ConfigEntry & { revision: number };

export interface StatsQuery {
  /** Newest N snapshots. @default 10 */
  readonly limit?: number;
  readonly pod?: string;
  readonly run?: string;
  /** Told about every malformed message skipped (subject, sequence, why); they are skipped in any case. */
  readonly onSkip?: OnSkip;
}

export interface CommandOptions {
  /** One pod; all pods when absent. */
  readonly pod?: string;
  /** How long to collect replies (ms). @default 2000 (1500 ms for one pod, which returns at the first reply) */
  readonly timeoutMs?: number;
  readonly runId?: string;
  readonly startAt?: number;
}

export class ControlClient {
  readonly nc: NatsConnection;
  readonly names: ControlNames;
  readonly #opts: ControlPlaneOptions;
  #plane: Promise<ControlPlane> | undefined;

  constructor(nc: NatsConnection, prefix = "lt", opts: ControlPlaneOptions = {}) {
    this.nc = nc;
    this.names = controlNames(prefix);
    this.#opts = opts;
  }

  /** The buckets and stream, created when missing (cached; retried after a failure). */
  plane(): Promise<ControlPlane> {
    if (!this.#plane) {
      const p = ensureControlPlane(this.nc, this.names.prefix, this.#opts);
      this.#plane = p;
      p.catch(() => {
        if (this.#plane === p) this.#plane = undefined;
      });
    }
    return this.#plane;
  }

  /** Validates, then writes `active`: a new run. Throws PushRejectedError (nothing written) when invalid. */
  async push(rawConfig: unknown, opts: PushOptions): Promise<PushResult> {
    const issues = (opts.validate ?? validateForPush)(rawConfig);
    if (issues.length > 0) throw new PushRejectedError(issues);
    const { config } = await this.plane();
    const now = Date.now();
    const entry: ConfigEntry = {
      v: CONTROL_VERSION,
      run_id: newRunId(now),
      pushed_at: now,
      pushed_by: opts.pushedBy,
      start_at: opts.startAt ?? now + DEFAULT_START_DELAY_MS,
      hash: configHash(rawConfig),
      config: rawConfig,
    };
    const data = JSON.stringify(entry);
    const base = { run_id: entry.run_id, start_at: entry.start_at, hash: entry.hash ?? "" };
    if (opts.onlyIfEmpty) {
      try {
        return { ...base, revision: await config.create(ACTIVE_KEY, data), written: true };
      } catch (e) {
        const existing = await config.get(ACTIVE_KEY);
        if (existing && existing.operation === "PUT")
          return { ...base, revision: existing.revision, written: false };
        throw e;
      }
    }
    return { ...base, revision: await config.put(ACTIVE_KEY, data), written: true };
  }

  /**
   * One run per config: writes `active` only when its config differs from the active one, atomically with the
   * bucket's revision (compare-and-set: `kv.update` at the revision read, `kv.create` when there is none). Of
   * many identical pushes at once, one writes; every other one answers `written: false` with that run's id.
   * Throws PushRejectedError (nothing written) when invalid.
   */
  async pushIfChanged(rawConfig: unknown, opts: PushOptions): Promise<PushResult> {
    const issues = (opts.validate ?? validateForPush)(rawConfig);
    if (issues.length > 0) throw new PushRejectedError(issues);
    const { config } = await this.plane();
    const hash = configHash(rawConfig);
    for (let attempt = 1; ; attempt++) {
      const current = await config.get(ACTIVE_KEY);
      const active = toConfigRevision(current);
      if (active && (active.hash ?? configHash(active.config)) === hash) {
        return {
          run_id: active.run_id,
          revision: active.revision,
          start_at: active.start_at,
          hash,
          written: false,
        };
      }
      const entry = this.#entry(rawConfig, opts, hash);
      const data = JSON.stringify(entry);
      try {
        const revision =
          current === null
            ? await config.create(ACTIVE_KEY, data)
            : await config.update(ACTIVE_KEY, data, current.revision);
        return { run_id: entry.run_id, revision, start_at: entry.start_at, hash, written: true };
      } catch (e) {
        // Someone wrote `active` since we read it: read again (it may now be this very config).
        const code = jsApiCode(e);
        const raced =
          code === JsErrorCode.StreamWrongLastSequence || code === JsErrorCode.StreamWrongLastSequenceUnknown;
        if (!raced || attempt >= CAS_ATTEMPTS) throw e;
      }
    }
  }

  #entry(rawConfig: unknown, opts: PushOptions, hash: string): ConfigEntry {
    const now = Date.now();
    return {
      v: CONTROL_VERSION,
      run_id: newRunId(now),
      pushed_at: now,
      pushed_by: opts.pushedBy,
      start_at: opts.startAt ?? now + DEFAULT_START_DELAY_MS,
      hash,
      config: rawConfig,
    };
  }

  /** The active config entry, if any. */
  async active(): Promise<ConfigRevision | undefined> {
    const { config } = await this.plane();
    return toConfigRevision(await config.get(ACTIVE_KEY));
  }

  /** Records a fleet capacity search's progress (the dashboard's knee chart reads it). */
  async putCapacity(entry: CapacityEntry): Promise<void> {
    const { config } = await this.plane();
    await config.put(CAPACITY_KEY, JSON.stringify(entry));
  }

  /** The newest fleet capacity search, if any; a malformed entry reads as none (it is untrusted input). */
  async capacity(): Promise<CapacityEntry | undefined> {
    const { config } = await this.plane();
    const e = await config.get(CAPACITY_KEY);
    if (e?.operation !== "PUT") return undefined;
    return parseMessage(CapacityEntrySchema, parseJson(e.string()));
  }

  /** Earlier configs from the KV revisions, newest first. */
  async history(limit = 20): Promise<ConfigRevision[]> {
    const { config } = await this.plane();
    const out: ConfigRevision[] = [];
    const it = await config.history({ key: ACTIVE_KEY });
    for await (const e of it) {
      const r = toConfigRevision(e);
      if (r) out.push(r);
    }
    out.sort((a, b) => b.revision - a.revision);
    return out.slice(0, limit);
  }

  /** The newest snapshots from the stats stream (newest first), optionally of one pod and/or one run. */
  async stats(q: StatsQuery = {}): Promise<Snapshot[]> {
    const { js, jsm, names } = await this.plane();
    const filter = names.statsFilter(q.run, q.pod);
    return readNewestSnapshots(js, jsm, names.statsStream, filter, q.limit ?? 10, q.onSkip);
  }

  /**
   * The latest snapshot of every pod of a run (default: the active run), from the stats KV: one per agent
   * process, so a pod restarted mid-run appears with its first process's last snapshot too.
   */
  async latest(run?: string, onSkip?: OnSkip): Promise<Snapshot[]> {
    const { jsm, names } = await this.plane();
    const runId = run ?? (await this.active())?.run_id;
    if (!runId) return [];
    const values = await readKvLatestEntries(jsm, names.statsBucket, names.statsKeys(runId));
    const out: Snapshot[] = [];
    for (const [key, { text, revision }] of values) {
      // A malformed value is skipped and reported (bucket, key, revision), never fatal.
      const subject = `${names.statsBucket}.${key}`;
      const s = readSnapshot(text);
      if (typeof s === "string") onSkip?.({ subject, seq: revision, reason: s });
      else {
        rememberOrigin(s, subject, revision);
        out.push(s);
      }
    }
    return out.sort((a, b) => a.pod.localeCompare(b.pod));
  }

  /** Every agent with a presence entry, by pod; `stale` when it missed 3 heartbeats. */
  async status(now = Date.now()): Promise<PresenceView[]> {
    const { jsm, names } = await this.plane();
    const values = await readKvLatest(jsm, names.agentsBucket);
    const out: PresenceView[] = [];
    for (const text of values.values()) {
      const p = parseMessage(PresenceSchema, parseJson(text));
      if (!p) continue;
      const age = Math.max(0, now - p.last_seen);
      out.push({
        ...p,
        age_ms: age,
        stale: age > STALE_HEARTBEATS * (p.heartbeat_ms ?? DEFAULT_HEARTBEAT_MS),
      });
    }
    return out.sort((a, b) => a.pod.localeCompare(b.pod));
  }

  /** Sends a control command to all pods (or one) and collects the replies until the timeout. */
  async command(op: ControlOp, opts: CommandOptions = {}): Promise<ControlReply[]> {
    const cmd: ControlCommand = { v: CONTROL_VERSION, op };
    if (opts.runId !== undefined) cmd.run_id = opts.runId;
    if (opts.startAt !== undefined) cmd.start_at = opts.startAt;
    const subject = opts.pod === undefined ? this.names.controlAll : this.names.controlPod(opts.pod);
    const maxWait = opts.timeoutMs ?? (opts.pod === undefined ? 2_000 : 1_500);
    const replies: ControlReply[] = [];
    try {
      const it = await this.nc.requestMany(subject, JSON.stringify(cmd), {
        maxWait,
        ...(opts.pod === undefined
          ? { strategy: "timer" as const }
          : { strategy: "count" as const, maxMessages: 1 }),
      });
      for await (const m of it) {
        const r = parseMessage(ControlReplySchema, parseJson(m.string()));
        if (r) replies.push(r);
      }
    } catch (e) {
      // No responders (no agent listening) is an empty answer, not a failure.
      if (!isNoResponders(e)) throw e;
    }
    return replies.sort((a, b) => a.pod.localeCompare(b.pod));
  }

  /**
   * Pods whose presence shows they picked up the run, waiting up to `timeoutMs` (returns early once every
   * registered agent has it).
   */
  async ackedBy(runId: string, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Every registered agent counts, stale or not: a busy agent that missed a heartbeat or two is still
      // expected to pick the run up, and leaving it out would end the wait early.
      const agents = await this.status();
      const acked = agents.filter((p) => p.run_id === runId).map((p) => p.pod);
      if ((agents.length > 0 && acked.length === agents.length) || Date.now() >= deadline) return acked;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function toConfigRevision(e: KvEntry | null): ConfigRevision | undefined {
  if (e?.operation !== "PUT") return undefined;
  const c = parseMessage(ConfigEntrySchema, parseJson(e.string()));
  return c ? { ...c, revision: e.revision } : undefined;
}
