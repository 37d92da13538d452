// GET /ws: pushes every snapshot of the stats stream (core subscription on `<p>.stats.>`) to dashboards,
// with the cluster total of the newest run, and every 2 s the agents' presence and the active config.
// The subscription only queues what arrives (bounded): parsing, merging and fan-out run later in small batches,
// so dashboards can never hold up the control-plane connection's other traffic (control commands, the config
// watch). A malformed message is skipped and counted, never fatal.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Subscription } from "@nats-io/transport-node";
import { WebSocket, WebSocketServer } from "ws";
import {
  formatSkipped,
  histProblem,
  redactSecrets,
  redactUrl,
  type SkippedSnapshot,
  safeAggregate,
} from "../control/index.ts";
import { LiveSeries, parseSnapshot, type Snapshot, withAchieved } from "../stats/index.ts";
import { HttpError } from "./body.ts";
import type { HttpContext } from "./context.ts";
import type { RequestGuard } from "./guard.ts";

/** Snapshots kept in memory for the cluster total and for a new dashboard's history. */
const KEEP = 600;
const STATUS_EVERY_MS = 2_000;
/** Messages waiting to be handled; beyond this the oldest go (counted): a burst must not grow memory. */
const INBOX = 2_000;
/** Messages handled per event-loop turn: small enough that control traffic gets a turn in between. */
const BATCH = 50;
const UTF8 = new TextDecoder();
/** Fan-out of what the batches produced, at most this often: one cluster merge per flush, not per message. */
const FLUSH_MS = 250;

/** A snapshot without its encoded histograms (the browser cannot decode them; the server merges). */
export type SlimSnapshot = Omit<Snapshot, "hist">;

export class LiveFeed {
  readonly #ctx: HttpContext;
  readonly #guard: RequestGuard;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  #sub: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Newest snapshot per (run, pod), and a bounded history of slim snapshots. */
  readonly #latest = new Map<string, Snapshot>();
  readonly #history: SlimSnapshot[] = [];
  /** Per-interval points of the newest run (each snapshot's own interval; src/stats live-series.ts). */
  readonly #series = new LiveSeries({ kinds: ["publish_ack", "end_to_end"] });
  #newestRun = "";
  readonly #inbox: Array<{ subject: string; data: Uint8Array; seq: number }> = [];
  #received = 0;
  #draining = false;
  readonly #pending: Array<{ s: Snapshot; points: unknown[] }> = [];
  #flush: NodeJS.Timeout | undefined;
  #skipped = 0;
  #dropped = 0;
  #closed = false;

  constructor(ctx: HttpContext, guard: RequestGuard) {
    this.#ctx = ctx;
    this.#guard = guard;
    this.#wss.on("connection", (ws) => void this.#hello(ws));
  }

  async start(): Promise<void> {
    // Seed from the stream so a dashboard opened mid-run has history at once.
    try {
      const recent = await this.#ctx.client.stats({ limit: 200, onSkip: (k) => this.#skip(k) });
      for (const s of recent.reverse()) this.#accept(s, "");
    } catch (e) {
      this.#ctx.log.warn("http: could not read recent snapshots", { error: redactUrl(String(e)) });
    }
    this.#sub = this.#ctx.nc.subscribe(`${this.#ctx.prefix}.stats.>`, {
      callback: (err, msg) => {
        if (err || this.#closed) return;
        // Only queue here: this runs inside the connection's message dispatch.
        this.#inbox.push({ subject: msg.subject, data: msg.data, seq: ++this.#received });
        if (this.#inbox.length > INBOX) {
          this.#inbox.shift();
          if (++this.#dropped === 1 || this.#dropped % 1_000 === 0)
            this.#ctx.log.warn("http: live feed behind, dropping the oldest snapshots", {
              dropped: this.#dropped,
            });
        }
        if (!this.#draining) {
          this.#draining = true;
          setImmediate(() => this.#drain());
        }
      },
    });
    this.#timer = setInterval(() => void this.#sendStatus(), STATUS_EVERY_MS);
    this.#timer.unref();
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://shim.invalid");
    try {
      if (url.pathname !== "/ws") throw new HttpError(404, "no WebSocket here");
      // The same rules as every request (DNS rebinding), and an Origin is always checked: browsers send one.
      this.#guard.checkHost(req.headers);
      this.#guard.checkOrigin(req.headers);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 403;
      socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Forbidden"}\r\nconnection: close\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit("connection", ws, req));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#flush) clearTimeout(this.#flush);
    this.#inbox.length = 0;
    this.#sub?.unsubscribe();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#series.close();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  /** Handles a batch of queued messages, then yields the event loop before the next batch. */
  #drain(): void {
    const batch = this.#inbox.splice(0, BATCH);
    for (const m of batch) {
      const subject = m.subject;
      let parsed: unknown;
      try {
        parsed = JSON.parse(UTF8.decode(m.data));
      } catch {
        this.#skip({ subject, seq: m.seq, reason: "not JSON" });
        continue;
      }
      const s = parseSnapshot(parsed);
      const problem = s ? histProblem(s) : "not a snapshot (its fields do not match the snapshot schema)";
      if (!s || problem !== undefined) this.#skip({ subject, seq: m.seq, reason: problem ?? "" });
      else this.#accept(s, subject, m.seq);
    }
    if (this.#inbox.length > 0 && !this.#closed) setImmediate(() => this.#drain());
    else this.#draining = false;
  }

  /** Keeps a snapshot for the history, the cluster and the series; queues it for the next fan-out. */
  #accept(s: Snapshot, subject: string, seq = 0): void {
    let points: unknown[];
    try {
      points = this.#series.add(s);
    } catch (e) {
      this.#skip({
        subject: subject || `${s.run_id}.${s.pod}`,
        seq,
        reason: `unusable histograms (${String(e).slice(0, 120)})`,
      });
      return;
    }
    this.#remember(s);
    if (subject === "" || this.#wss.clients.size === 0) return;
    this.#pending.push({ s, points });
    this.#flush ??= setTimeout(() => this.#fanOut(), FLUSH_MS);
  }

  #skip(k: SkippedSnapshot): void {
    this.#skipped++;
    if (this.#skipped <= 10 || this.#skipped % 1_000 === 0)
      this.#ctx.log.warn("http: live feed skipped a malformed snapshot", {
        skipped: this.#skipped,
        which: formatSkipped(k),
      });
  }

  /** Sends what arrived since the last fan-out, with one cluster total for all of it. */
  #fanOut(): void {
    this.#flush = undefined;
    const pending = this.#pending.splice(0);
    if (pending.length === 0 || this.#wss.clients.size === 0 || this.#closed) return;
    const cluster = this.#cluster();
    for (const { s, points } of pending) {
      this.#broadcast({ type: "snapshot", snapshot: slim(s), cluster, series: this.#seriesMessage(points) });
    }
  }

  #remember(s: Snapshot): void {
    // One entry per agent process: a restarted pod's first process stays in the cluster total (cut short).
    const key = `${s.run_id}\u0000${s.pod}\u0000${s.incarnation ?? ""}`;
    const prev = this.#latest.get(key);
    if (!prev || Date.parse(prev.ts) <= Date.parse(s.ts)) this.#latest.set(key, s);
    if (!this.#newestRun || Date.parse(s.ts) >= Date.parse(this.#latestOfRun(this.#newestRun)?.ts ?? "")) {
      this.#newestRun = s.run_id;
    }
    this.#history.push(slim(s));
    if (this.#history.length > KEEP) this.#history.splice(0, this.#history.length - KEEP);
    // Drop other runs' latest entries once we hold too many (long-lived agents see many runs).
    if (this.#latest.size > 256) {
      for (const [k, v] of this.#latest) if (v.run_id !== this.#newestRun) this.#latest.delete(k);
    }
  }

  #latestOfRun(run: string): Snapshot | undefined {
    let out: Snapshot | undefined;
    for (const s of this.#latest.values()) if (s.run_id === run && (!out || s.ts > out.ts)) out = s;
    return out;
  }

  /** Cluster total of the newest run: latest snapshot of each pod, counters summed, histograms merged. */
  #cluster() {
    const pods = [...this.#latest.values()].filter((s) => s.run_id === this.#newestRun);
    // A snapshot whose histograms do not decode is forgotten (and counted), so it cannot fail every merge.
    const { total, dropped } = safeAggregate(pods, (k) => this.#skip(k));
    for (const s of dropped) this.#latest.delete(`${s.run_id}\u0000${s.pod}\u0000${s.incarnation ?? ""}`);
    // With target vs achieved (and the verdict once the pods ended short): src/stats achieved.ts.
    const kept = pods.filter((s) => !dropped.has(s));
    return total ? { run_id: this.#newestRun, ...withAchieved(total, kept) } : undefined;
  }

  /** Points of the live series (new or changed ones, or all for a new dashboard) of the run it follows. */
  #seriesMessage(points: unknown[]) {
    return { run_id: this.#series.run ?? "", interval_s: this.#series.intervalS ?? null, points };
  }

  async #status(): Promise<Record<string, unknown>> {
    const [agents, active] = await Promise.all([
      this.#ctx.client.status().catch(() => undefined),
      this.#ctx.client.active().catch(() => undefined),
    ]);
    const entry = active
      ? {
          run_id: active.run_id,
          pushed_at: active.pushed_at,
          pushed_by: active.pushed_by,
          start_at: active.start_at,
        }
      : undefined;
    return redactSecrets({
      type: "status",
      agents,
      active: entry,
      self: { pod: this.#ctx.pod, ...this.#ctx.agentState() },
    });
  }

  async #sendStatus(): Promise<void> {
    if (this.#wss.clients.size === 0) return;
    this.#broadcast(await this.#status());
  }

  async #hello(ws: WebSocket): Promise<void> {
    ws.on("error", () => ws.terminate());
    send(ws, {
      type: "hello",
      pod: this.#ctx.pod,
      history: this.#history,
      cluster: this.#cluster(),
      series: this.#seriesMessage(this.#series.points()),
    });
    send(ws, await this.#status());
  }

  #broadcast(msg: unknown): void {
    const text = JSON.stringify(msg);
    for (const ws of this.#wss.clients) {
      // A dashboard that cannot keep up is dropped rather than buffered without bound.
      if (ws.bufferedAmount > 4 * 1024 * 1024) ws.terminate();
      else if (ws.readyState === WebSocket.OPEN) ws.send(text);
    }
  }
}

function send(ws: WebSocket, msg: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function slim(s: Snapshot): SlimSnapshot {
  const { hist: _hist, ...rest } = s;
  return redactSecrets(rest);
}

const STATUS_TEXT: Record<number, string> = {
  403: "Forbidden",
  404: "Not Found",
  421: "Misdirected Request",
};
