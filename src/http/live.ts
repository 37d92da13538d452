// GET /ws: pushes every snapshot of the stats stream (core subscription on `<p>.stats.>`) to dashboards,
// with the cluster total of the newest run, and every 2 s the agents' presence and the active config.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Subscription } from "@nats-io/transport-node";
import { WebSocket, WebSocketServer } from "ws";
import { redactSecrets, redactUrl } from "../control/index.ts";
import { aggregate, LiveSeries, parseSnapshot, type Snapshot, withAchieved } from "../stats/index.ts";
import { HttpError } from "./body.ts";
import type { HttpContext } from "./context.ts";
import type { RequestGuard } from "./guard.ts";

/** Snapshots kept in memory for the cluster total and for a new dashboard's history. */
const KEEP = 600;
const STATUS_EVERY_MS = 2_000;

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

  constructor(ctx: HttpContext, guard: RequestGuard) {
    this.#ctx = ctx;
    this.#guard = guard;
    this.#wss.on("connection", (ws) => void this.#hello(ws));
  }

  async start(): Promise<void> {
    // Seed from the stream so a dashboard opened mid-run has history at once.
    try {
      const recent = await this.#ctx.client.stats({ limit: 200 });
      for (const s of recent.reverse()) {
        this.#remember(s);
        this.#series.add(s);
      }
    } catch (e) {
      this.#ctx.log.warn("http: could not read recent snapshots", { error: redactUrl(String(e)) });
    }
    this.#sub = this.#ctx.nc.subscribe(`${this.#ctx.prefix}.stats.>`, {
      callback: (err, msg) => {
        if (err) return;
        let parsed: unknown;
        try {
          parsed = msg.json();
        } catch {
          return;
        }
        const s = parseSnapshot(parsed);
        if (!s) return;
        this.#remember(s);
        const points = this.#series.add(s);
        if (this.#wss.clients.size > 0)
          this.#broadcast({
            type: "snapshot",
            snapshot: slim(s),
            cluster: this.#cluster(),
            series: this.#seriesMessage(points),
          });
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
    if (this.#timer) clearInterval(this.#timer);
    this.#sub?.unsubscribe();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#series.close();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
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
    // With target vs achieved (and the verdict once the pods ended short): src/stats achieved.ts.
    return pods.length ? { run_id: this.#newestRun, ...withAchieved(aggregate(pods), pods) } : undefined;
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
