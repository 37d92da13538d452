// The pod process: joins the control plane, announces itself (presence), obeys the active config and the
// control subjects, runs the engine, and ships snapshots. Survives control-plane loss: the run under test
// continues, snapshots queue in the outbox, presence and the config watch resume when NATS returns.
// This file wires the parts; each concern has its own file (docs/architecture.md, "The agent's files").
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  type AgentState,
  ControlClient,
  type ControlPlane,
  subjectToken,
  validateForPush,
} from "../control/index.ts";
import { ConfigWatch } from "./config-watch.ts";
import { subscribeControl } from "./control-dispatch.ts";
import { newIncarnation } from "./incarnation.ts";
import type { AgentLogger } from "./log.ts";
import { DEFAULT_MAX_QUEUED, SnapshotOutbox } from "./outbox.ts";
import { MetricsCache } from "./outputs.ts";
import { awaitPlane, seedDefault, watchConnection } from "./plane.ts";
import { type AgentStatus, PresenceBeat } from "./presence.ts";
import { RunSwitch } from "./run-switch.ts";
import type { AgentDeps, AgentSettings } from "./settings.ts";
import { leave } from "./shutdown.ts";
import { DEFAULT_SHUTDOWN_BUDGET_MS, PRESENCE_TTL_BEATS } from "./timings.ts";

export type { AgentDeps, AgentSettings, StartHttp } from "./settings.ts";

export class Agent {
  readonly #s: AgentSettings;
  readonly #d: AgentDeps;
  readonly #log: AgentLogger;
  readonly #startedAt = Date.now();
  /** This process, in presence and every snapshot: a restart of the same pod is another incarnation. */
  readonly #incarnation = newIncarnation();
  readonly #status: AgentStatus = { state: "idle", runId: "", spec: "", error: undefined };
  readonly #closing = new AbortController();
  readonly #outbox: SnapshotOutbox;
  readonly #metrics = new MetricsCache();
  readonly #presence: PresenceBeat;
  readonly #watch: ConfigWatch;
  readonly #runs: RunSwitch;
  #nc: NatsConnection | undefined;
  #client: ControlClient | undefined;
  #plane: ControlPlane | undefined;
  #timers: NodeJS.Timeout[] = [];
  #subs: Subscription[] = [];
  #http: { port: number; close(): Promise<void> } | undefined;

  constructor(settings: AgentSettings, deps: AgentDeps) {
    this.#s = settings;
    this.#d = deps;
    this.#log = deps.log;
    const signal = this.#closing.signal;
    const idPrefix = `${subjectToken(settings.pod)}.${this.#startedAt}`;
    this.#outbox = new SnapshotOutbox(deps.log, idPrefix, {
      maxQueued: settings.maxQueuedSnapshots ?? DEFAULT_MAX_QUEUED,
    });
    this.#watch = new ConfigWatch({
      log: deps.log,
      signal,
      bucket: () => this.#client?.names.configBucket,
      onEntry: (entry) => void this.#runs.exclusive(() => this.#runs.switchTo(entry, "config")),
    });
    this.#presence = new PresenceBeat({
      pod: settings.pod,
      mode: settings.mode,
      version: settings.version,
      hostname: settings.hostname,
      heartbeatMs: settings.heartbeatMs,
      startedAt: this.#startedAt,
      incarnation: this.#incarnation,
      status: this.#status,
      httpPort: () => this.#http?.port,
      log: deps.log,
      recheck: (plane) => this.#watch.recheck(plane),
    });
    this.#runs = new RunSwitch({
      settings,
      deps,
      incarnation: this.#incarnation,
      status: this.#status,
      signal,
      // The cache first: /metrics shows a snapshot as soon as it exists, queued or not.
      outputs: [this.#metrics, this.#outbox],
      setState: (state, o) => this.#setState(state, o),
    });
  }

  /** What the dashboard and /status show of this agent. */
  state(): Record<string, unknown> {
    const {
      v: _v,
      last_seen: _seen,
      heartbeat_ms: _hb,
      http: _http,
      ...presence
    } = this.#presence.presence();
    return {
      ...presence,
      connected: this.#nc !== undefined && !this.#nc.isClosed() && this.#plane !== undefined,
      queued_snapshots: this.#outbox.size,
      dropped_snapshots: this.#outbox.dropped,
      ...(this.#status.error ? { error: this.#status.error } : {}),
    };
  }

  /** Joins the control plane over an open connection (which reconnects forever) and starts obeying it. */
  async start(nc: NatsConnection): Promise<void> {
    const signal = this.#closing.signal;
    this.#nc = nc;
    const client = new ControlClient(nc, this.#s.prefix, {
      presenceTtlMs: PRESENCE_TTL_BEATS * this.#s.heartbeatMs,
    });
    this.#client = client;
    void watchConnection(nc, this.#log, () => void this.#heartbeat());
    this.#subs = subscribeControl(nc, client.names, {
      pod: this.#s.pod,
      log: this.#log,
      signal,
      status: this.#status,
      runs: this.#runs,
      watch: this.#watch,
      active: () => client.active(),
      setState: (state) => this.#setState(state),
    });
    this.#timers.push(setInterval(() => void this.#heartbeat(), this.#s.heartbeatMs));
    const plane = await awaitPlane(client, this.#log, signal);
    if (plane) {
      this.#plane = plane;
      this.#outbox.setTarget(plane);
      this.#log.info("control plane ready", { prefix: this.#s.prefix });
    }
    if (signal.aborted) return;
    await this.#startHttp();
    if (this.#s.defaultConfig) await seedDefault(client, this.#s.defaultConfig, this.#s.pod, this.#log);
    void this.#watch.loop(() => this.#plane);
    await this.#heartbeat();
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
        metrics: () => this.#metrics.latest,
        log: this.#log.child({ component: "http" }),
      });
      this.#log.info("http shim listening", { host, port: this.#http.port });
    } catch (e) {
      this.#log.error("http shim failed to start; continuing without it", { host, port, error: e });
    }
  }

  #setState(state: AgentState, o: { runId?: string; spec?: string } = {}): void {
    this.#status.state = state;
    if (o.runId !== undefined) this.#status.runId = o.runId;
    if (o.spec !== undefined) this.#status.spec = o.spec;
    void this.#heartbeat();
  }

  async #heartbeat(): Promise<void> {
    const plane = this.#plane;
    if (!plane || this.#closing.signal.aborted) return;
    await this.#presence.beat(plane);
  }

  /**
   * Graceful stop (SIGTERM): stop the run (the engine drains and emits its final snapshot), send every queued
   * snapshot, remove presence, close. Bounded by `budgetMs`.
   */
  async shutdown(budgetMs = DEFAULT_SHUTDOWN_BUDGET_MS): Promise<void> {
    if (this.#closing.signal.aborted) return;
    const deadline = Date.now() + budgetMs;
    this.#log.info("shutting down");
    this.#closing.abort();
    for (const t of this.#timers) clearInterval(t);
    for (const s of this.#subs) s.unsubscribe();
    this.#watch.stop();
    // Read when each step comes: the plane or the shim may still arrive while the run stops.
    await leave(
      {
        log: this.#log,
        stopRun: (timeoutMs) => this.#runs.stopCurrent(timeoutMs),
        outbox: this.#outbox,
        removePresence: async () => {
          if (this.#plane) await this.#presence.remove(this.#plane);
        },
        closeHttp: async () => {
          await this.#http?.close().catch(() => {});
        },
        nc: () => this.#nc,
      },
      deadline,
    );
  }
}
