// The pod process: joins the control plane, announces itself (presence), obeys the active config and the
// control subjects, runs the engine, and ships snapshots. Survives control-plane loss: the run under test
// continues, snapshots queue in the outbox, presence and the config watch resume when NATS returns.
import { readFile } from "node:fs/promises";
import type { KvWatchEntry } from "@nats-io/kv";
import type { Msg, NatsConnection, QueuedIterator, Subscription } from "@nats-io/transport-node";
import { type ExpandContext, loadConfig, type VarPolicy } from "../config/index.ts";
import {
  ACTIVE_KEY,
  type AgentState,
  CONTROL_VERSION,
  type ConfigEntry,
  ConfigEntrySchema,
  ControlClient,
  type ControlCommand,
  ControlCommandSchema,
  type ControlPlane,
  type ControlReply,
  DEFAULT_START_DELAY_MS,
  MAX_ERROR_LENGTH,
  type Presence,
  PushRejectedError,
  parseJson,
  parseMessage,
  subjectToken,
  validateForPush,
} from "../control/index.ts";
import type { RunPlan } from "../engine/index.ts";
import type { HttpContext } from "../http/index.ts";
import type { Mode, Snapshot } from "../stats/index.ts";
import { newIncarnation } from "./incarnation.ts";
import { JOIN_LEAD_MS } from "./join.ts";
import type { AgentLogger } from "./log.ts";
import { SnapshotOutbox } from "./outbox.ts";
import { Run } from "./runner.ts";
import { DEFAULT_DATA_DIR } from "./storage/index.ts";

export interface AgentSettings {
  readonly pod: string;
  readonly mode: Mode;
  readonly prefix: string;
  /** Presence heartbeat (ms); presence entries expire after 10 heartbeats, read as stale after 3. */
  readonly heartbeatMs: number;
  /** Default config file, seeded into `active` only when no config exists yet. */
  readonly defaultConfig?: string;
  readonly workers?: number;
  readonly version: string;
  /** Environment used to expand `${VAR}` in pushed configs. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Which variables of `env` a config may read (`--config-env`), and secret values never to expand. */
  readonly configVars?: VarPolicy;
  /** The agent's own credential and key files: a config may not point the engine at them. */
  readonly ownSecretFiles?: readonly string[];
  /** Local storage of pushed configs is confined to this folder. @default /var/lib/lt */
  readonly dataDir?: string;
  readonly hostname: string;
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly token?: string;
    /** More Host names the shim answers to. */
    readonly allowedHosts?: readonly string[];
    /** POSTs without a token on a non-loopback address (loudly logged). */
    readonly insecureNoToken?: boolean;
  };
  /** Snapshots kept while the control plane is away. @default 10000 */
  readonly maxQueuedSnapshots?: number;
}

/** Starts the HTTP shim (src/http in production; injected so the agent runs without one in tests). */
export type StartHttp = (ctx: HttpContext) => Promise<{ port: number; close(): Promise<void> }>;

export interface AgentDeps {
  readonly runPlan: RunPlan;
  readonly log: AgentLogger;
  readonly writeStdout: (line: string) => void;
  /** The HTTP shim; absent = no HTTP port. */
  readonly startHttp?: StartHttp;
}

const FINISHED: ReadonlySet<AgentState> = new Set(["done", "error", "stopped", "idle"]);

export class Agent {
  readonly #s: AgentSettings;
  readonly #d: AgentDeps;
  readonly #log: AgentLogger;
  readonly #startedAt = Date.now();
  /** This process, in presence and every snapshot: a restart of the same pod is another incarnation. */
  readonly #incarnation = newIncarnation();
  readonly #outbox: SnapshotOutbox;
  #nc: NatsConnection | undefined;
  #client: ControlClient | undefined;
  #plane: ControlPlane | undefined;
  #state: AgentState = "idle";
  #runId = "";
  #spec = "";
  #error: string | undefined;
  #run: Run | undefined;
  #lastEntryRunId = "";
  #lastSnapshot: Snapshot | undefined;
  #serial: Promise<unknown> = Promise.resolve();
  #closing = false;
  #timers: NodeJS.Timeout[] = [];
  #subs: Subscription[] = [];
  #watcher: QueuedIterator<KvWatchEntry> | undefined;
  #http: { port: number; close(): Promise<void> } | undefined;
  #beats = 0;
  #malformedEntries = 0;
  #malformedRevision = 0;
  #presenceFailing = false;

  constructor(settings: AgentSettings, deps: AgentDeps) {
    this.#s = settings;
    this.#d = deps;
    this.#log = deps.log;
    const idPrefix = `${subjectToken(settings.pod)}.${this.#startedAt}`;
    this.#outbox = new SnapshotOutbox(deps.log, idPrefix, {
      maxQueued: settings.maxQueuedSnapshots ?? 10_000,
    });
  }

  /** What the dashboard and /status show of this agent. */
  state(): Record<string, unknown> {
    const { v: _v, last_seen: _seen, heartbeat_ms: _hb, http: _http, ...presence } = this.#presence();
    return {
      ...presence,
      connected: this.#nc !== undefined && !this.#nc.isClosed() && this.#plane !== undefined,
      queued_snapshots: this.#outbox.size,
      dropped_snapshots: this.#outbox.dropped,
      ...(this.#error ? { error: this.#error } : {}),
    };
  }

  /** Joins the control plane over an open connection (which reconnects forever) and starts obeying it. */
  async start(nc: NatsConnection): Promise<void> {
    this.#nc = nc;
    this.#client = new ControlClient(nc, this.#s.prefix, { presenceTtlMs: 10 * this.#s.heartbeatMs });
    void this.#watchStatus(nc);
    this.#subscribeControl(nc);
    this.#timers.push(setInterval(() => void this.#heartbeat(), this.#s.heartbeatMs));
    await this.#ensurePlane();
    if (this.#closing) return;
    await this.#startHttp();
    await this.#seedDefault();
    void this.#watchLoop();
    await this.#heartbeat();
  }

  async #ensurePlane(): Promise<void> {
    const client = this.#client as ControlClient;
    for (let attempt = 0; !this.#closing; attempt++) {
      try {
        this.#plane = await client.plane();
        this.#outbox.setTarget(this.#plane);
        this.#log.info("control plane ready", { prefix: this.#s.prefix });
        return;
      } catch (e) {
        if (attempt === 0 || attempt % 10 === 0)
          this.#log.warn("control plane not available yet, retrying", { error: e, attempt });
        await sleep(Math.min(500 * (attempt + 1), 3_000));
      }
    }
  }

  async #startHttp(): Promise<void> {
    const { port, host, token, allowedHosts, insecureNoToken } = this.#s.http;
    if (port === 0 || !this.#d.startHttp || !this.#client || !this.#nc) return;
    try {
      this.#http = await this.#d.startHttp({
        client: this.#client,
        nc: this.#nc,
        prefix: this.#s.prefix,
        pod: this.#s.pod,
        host,
        port,
        ...(token ? { token } : {}),
        ...(insecureNoToken ? { insecureNoToken } : {}),
        ...(allowedHosts ? { allowedHosts } : {}),
        hostname: this.#s.hostname,
        agentState: () => this.state(),
        validate: (raw) => validateForPush(raw),
        metrics: () => this.#lastSnapshot,
        log: this.#log.child({ component: "http" }),
      });
      this.#log.info("http shim listening", { host, port: this.#http.port });
    } catch (e) {
      this.#log.error("http shim failed to start; continuing without it", { host, port, error: e });
    }
  }

  async #seedDefault(): Promise<void> {
    const file = this.#s.defaultConfig;
    if (!file || !this.#client) return;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, "utf8"));
    } catch (e) {
      this.#log.error("cannot read the default config; not seeding", { file, error: e });
      return;
    }
    try {
      const r = await this.#client.push(raw, {
        pushedBy: `default-config@${this.#s.pod}`,
        onlyIfEmpty: true,
      });
      if (r.written)
        this.#log.info("seeded the active config from the default file", { file, run_id: r.run_id });
      else this.#log.info("a config is already active; default file not used", { file });
    } catch (e) {
      if (e instanceof PushRejectedError)
        this.#log.error("default config is invalid; not seeding", { file, issues: e.issues });
      else this.#log.warn("could not seed the default config", { file, error: e });
    }
  }

  async #watchLoop(): Promise<void> {
    let resume: number | undefined;
    while (!this.#closing) {
      const plane = this.#plane;
      if (!plane) return;
      try {
        const it = await plane.config.watch({
          key: ACTIVE_KEY,
          ...(resume !== undefined ? { resumeFromRevision: resume + 1 } : {}),
        });
        this.#watcher = it;
        for await (const e of it) {
          resume = e.revision;
          if (e.operation !== "PUT") continue;
          this.#onEntryText(e.string(), e.revision);
        }
      } catch (e) {
        if (!this.#closing) this.#log.warn("config watch ended, re-watching", { error: e });
      }
      if (!this.#closing) await sleep(1_000);
    }
  }

  #onEntryText(text: string, revision: number): void {
    const entry = parseMessage(ConfigEntrySchema, parseJson(text));
    if (!entry) {
      // Skipped and counted, never fatal (a writer of the bucket may put anything there); logged once per revision.
      if (revision !== this.#malformedRevision) {
        this.#malformedRevision = revision;
        this.#malformedEntries++;
        this.#log.warn("ignoring a malformed config entry", {
          bucket: this.#client?.names.configBucket,
          revision,
          bytes: text.length,
          malformed_entries: this.#malformedEntries,
        });
      }
      return;
    }
    if (entry.run_id === this.#lastEntryRunId) return;
    this.#lastEntryRunId = entry.run_id;
    void this.#exclusive(() => this.#switchTo(entry, "config"));
  }

  /** Runs `f` after every earlier run switch has finished (one switch at a time). */
  #exclusive<T>(f: () => Promise<T>): Promise<T> {
    const p = this.#serial.then(f, f);
    this.#serial = p.catch(() => {});
    return p;
  }

  async #switchTo(entry: ConfigEntry, why: "config" | "start" | "reload", startAt?: number): Promise<void> {
    if (this.#closing) return;
    await this.#stopCurrent();
    const now = Date.now();
    const late = why === "config" && entry.start_at < now;
    if (late) {
      // Joining late (agent restarted, or the watch resumed): run only while the run is still meant to be on.
      const loaded = loadConfig(entry.config, this.#expandContext());
      // An invalid config is never "over": the run below reports what is wrong with it.
      const totalMs = loaded.ok ? loaded.plan.steps.reduce((t, s) => t + s.spec.durationMs, 0) : 0;
      if (loaded.ok && now > entry.start_at + totalMs) {
        this.#log.info("the active run is already over; idle until the next push or `ltctl start`", {
          run_id: entry.run_id,
        });
        this.#setState("idle", { runId: entry.run_id, spec: "" });
        return;
      }
      this.#log.info("joining the active run late", { run_id: entry.run_id, late_ms: now - entry.start_at });
    }
    // Joining late: a barrier of our own just ahead, and the plan cut to what the fleet has left from there.
    const at = startAt ?? (late ? now + JOIN_LEAD_MS : entry.start_at);
    this.#runId = entry.run_id;
    this.#error = undefined;
    // A new run has no spec running yet: presence must not keep the previous run's (an invalid config never
    // reports one).
    this.#spec = "";
    const run = new Run(entry, at, {
      pod: this.#s.pod,
      mode: this.#s.mode,
      expand: this.#expandContext(),
      ownSecretFiles: this.#s.ownSecretFiles ?? [],
      dataDir: this.#s.dataDir ?? DEFAULT_DATA_DIR,
      runPlan: this.#d.runPlan,
      ...(this.#s.workers !== undefined ? { workers: this.#s.workers } : {}),
      log: this.#log,
      writeStdout: this.#d.writeStdout,
      incarnation: this.#incarnation,
      ...(late ? { fleetStartAt: entry.start_at } : {}),
      onSnapshot: (s) => {
        this.#lastSnapshot = s;
        this.#outbox.push(s);
      },
      onState: (state, detail) => {
        if (this.#run !== run) return;
        if (detail?.error !== undefined) this.#error = detail.error;
        this.#setState(state, { spec: detail?.spec ?? (state === "waiting" ? "" : this.#spec) });
      },
    });
    this.#run = run;
    this.#log.info("run started", { run_id: entry.run_id, start_at: new Date(at).toISOString(), why });
  }

  #expandContext(): ExpandContext {
    return {
      pod: this.#s.pod,
      env: this.#s.env,
      ...(this.#s.configVars ? { vars: this.#s.configVars } : {}),
    };
  }

  async #stopCurrent(timeoutMs = 15_000): Promise<void> {
    const run = this.#run;
    if (!run) return;
    run.stop();
    const ok = await Promise.race([run.done.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!ok)
      this.#log.warn("run did not stop in time; continuing", { run_id: run.runId, timeout_ms: timeoutMs });
  }

  #setState(state: AgentState, o: { runId?: string; spec?: string } = {}): void {
    this.#state = state;
    if (o.runId !== undefined) this.#runId = o.runId;
    if (o.spec !== undefined) this.#spec = o.spec;
    void this.#heartbeat();
  }

  #presence(): Presence {
    const httpPort = this.#http?.port;
    return {
      v: CONTROL_VERSION,
      pod: this.#s.pod,
      mode: this.#s.mode,
      state: this.#state,
      run_id: this.#runId,
      spec: this.#spec,
      version: this.#s.version,
      started_at: this.#startedAt,
      incarnation: this.#incarnation,
      last_seen: Date.now(),
      http: httpPort ? `http://${this.#s.hostname}:${httpPort}` : "",
      heartbeat_ms: this.#s.heartbeatMs,
      ...(this.#error ? { error: this.#error.slice(0, MAX_ERROR_LENGTH) } : {}),
    };
  }

  async #heartbeat(): Promise<void> {
    const plane = this.#plane;
    if (!plane || this.#closing) return;
    this.#beats++;
    try {
      await plane.agents.put(subjectToken(this.#s.pod), JSON.stringify(this.#presence()), {
        timeout: Math.max(1_000, this.#s.heartbeatMs),
      });
      if (this.#presenceFailing) this.#log.info("presence restored");
      this.#presenceFailing = false;
      // Belt and braces beside the watch: every 5th beat compare the active entry with what we obey.
      if (this.#beats % 5 === 0) {
        const e = await plane.config.get(ACTIVE_KEY);
        if (e?.operation === "PUT") this.#onEntryText(e.string(), e.revision);
      }
    } catch (e) {
      if (!this.#presenceFailing) this.#log.warn("cannot write presence", { error: e });
      this.#presenceFailing = true;
    }
  }

  #subscribeControl(nc: NatsConnection): void {
    const names = (this.#client as ControlClient).names;
    for (const subject of [names.controlAll, names.controlPod(this.#s.pod)]) {
      this.#subs.push(
        nc.subscribe(subject, {
          callback: (err, msg) => {
            if (!err) void this.#onCommand(msg);
          },
        }),
      );
    }
  }

  async #onCommand(msg: Msg): Promise<void> {
    const cmd = parseMessage(ControlCommandSchema, parseJson(msg.string()));
    let reply: ControlReply;
    if (!cmd) reply = this.#reply(false, "malformed control command");
    else if (this.#closing) reply = this.#reply(false, "agent is shutting down");
    else {
      this.#log.info("control command", { op: cmd.op, run_id: cmd.run_id });
      try {
        reply = await this.#exclusive(() => this.#obey(cmd));
      } catch (e) {
        reply = this.#reply(false, e instanceof Error ? e.message : String(e));
      }
    }
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  async #obey(cmd: ControlCommand): Promise<ControlReply> {
    if (cmd.run_id !== undefined && cmd.run_id !== this.#runId)
      return this.#reply(false, `not on run ${cmd.run_id} (on ${this.#runId || "none"})`);
    if (cmd.op === "stop") {
      if (this.#run && !FINISHED.has(this.#state)) {
        const run = this.#run;
        run.stop();
        await Promise.race([run.done, sleep(3_000)]);
        if (this.#state === "waiting" || this.#state === "running") this.#setState("stopped");
      }
      return this.#reply(true);
    }
    if (cmd.op === "start" && this.#run && !this.#run.stopping && !FINISHED.has(this.#state))
      return this.#reply(true);
    const active = await (this.#client as ControlClient).active();
    if (!active) return this.#reply(false, "no active config");
    this.#lastEntryRunId = active.run_id;
    await this.#switchTo(
      active,
      cmd.op,
      cmd.start_at ?? Date.now() + (cmd.op === "reload" ? DEFAULT_START_DELAY_MS : 0),
    );
    return this.#reply(true);
  }

  #reply(ok: boolean, error?: string): ControlReply {
    return {
      v: CONTROL_VERSION,
      pod: this.#s.pod,
      ok,
      state: this.#state,
      ...(this.#runId ? { run_id: this.#runId } : {}),
      ...(error ? { error } : {}),
    };
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === "disconnect")
        this.#log.warn("control-plane connection lost; reconnecting", { server: s.server });
      else if (s.type === "reconnect") {
        this.#log.info("control-plane connection restored", { server: s.server });
        void this.#heartbeat();
      }
    }
  }

  /**
   * Graceful stop (SIGTERM): stop the run (the engine drains and emits its final snapshot), send every queued
   * snapshot, remove presence, close. Bounded by `budgetMs`.
   */
  async shutdown(budgetMs = 18_000): Promise<void> {
    if (this.#closing) return;
    const deadline = Date.now() + budgetMs;
    this.#log.info("shutting down");
    this.#closing = true;
    for (const t of this.#timers) clearInterval(t);
    for (const s of this.#subs) s.unsubscribe();
    this.#watcher?.stop();
    await this.#stopCurrent(Math.max(1_000, deadline - Date.now() - 4_000));
    const sent = await this.#outbox.drain(Math.max(500, deadline - Date.now() - 2_000));
    if (!sent)
      this.#log.warn("control plane unreachable; unsent snapshots lost", { queued: this.#outbox.size });
    this.#outbox.close();
    if (this.#plane) {
      await Promise.race([
        this.#plane.agents.delete(subjectToken(this.#s.pod)).catch(() => {}),
        sleep(1_000),
      ]);
    }
    await this.#http?.close().catch(() => {});
    const nc = this.#nc;
    if (nc && !nc.isClosed()) {
      await Promise.race([nc.drain().catch(() => {}), sleep(Math.max(200, deadline - Date.now()))]);
      if (!nc.isClosed()) await nc.close().catch(() => {});
    }
    this.#log.info("stopped");
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
