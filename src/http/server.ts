// The HTTP compatibility shim on node:http (no framework: a dozen fixed routes do not need one). Every
// route is a thin layer over the control-plane client, so a POST to any pod reaches every pod.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { isPermissionDenied, PushRejectedError, redactSecrets, redactUrl } from "../control/index.ts";
import { HttpError, readJson } from "./body.ts";
import { DEFAULT_HTTP_LIMITS, type HttpContext, type HttpLimits } from "./context.ts";
import { dashboardHtml } from "./dashboard.ts";
import { isLoopback, RequestGuard } from "./guard.ts";
import { LiveFeed } from "./live.ts";
import { METRICS_CONTENT_TYPE, MetricsEndpoint } from "./metrics.ts";
import { json } from "./respond.ts";
import { StatsRoutes } from "./stats-routes.ts";

export interface HttpServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export async function startHttpServer(ctx: HttpContext): Promise<HttpServer> {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...ctx.limits };
  const metrics = new MetricsEndpoint();
  const health = new ConnectionHealth(ctx);
  const guard = new RequestGuard({
    bindHost: ctx.host,
    ownNames: [ctx.pod, ...(ctx.hostname ? [ctx.hostname] : [])],
    ...(ctx.allowedHosts ? { allowedHosts: ctx.allowedHosts } : {}),
    ...(ctx.token ? { token: ctx.token } : {}),
    ...(ctx.insecureNoToken ? { insecureNoToken: true } : {}),
  });
  const live = new LiveFeed(ctx, guard);
  const stats = new StatsRoutes(ctx, limits);
  const page = dashboardHtml();

  const routes: Record<string, Handler> = {
    "POST /config": async (req, res) => postConfig(ctx, limits, req, res),
    "GET /config": async (_req, res) => {
      const entry = await ctx.client.active();
      if (!entry) return json(res, 404, { error: "no active config" });
      json(res, 200, redactSecrets(entry.config));
    },
    "GET /stats": async (_req, res, url) => stats.original(res, url),
    "GET /api/v1/stats": async (_req, res, url) => stats.full(res, url),
    "GET /api/v1/active": async (_req, res) => {
      const entry = await ctx.client.active();
      if (!entry) return json(res, 404, { error: "no active config" });
      json(res, 200, redactSecrets(entry));
    },
    "GET /api/v1/capacity": async (_req, res) => {
      const entry = await ctx.client.capacity();
      if (!entry)
        return json(res, 404, { error: "no fleet capacity search yet (ltctl capacity without --local)" });
      json(res, 200, redactSecrets(entry));
    },
    "GET /api/v1/agent": async (_req, res) =>
      json(res, 200, redactSecrets({ pod: ctx.pod, ...ctx.agentState() })),
    "GET /status": async (_req, res) => json(res, 200, redactSecrets(await ctx.client.status())),
    "GET /healthcheck": async (_req, res) => healthz(health, res),
    "GET /healthz": async (_req, res) => healthz(health, res),
    "GET /metrics": async (_req, res) => {
      const body = await metrics.render(redactSecrets(ctx.metrics()));
      res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" }).end(body);
    },
    "GET /": async (_req, res) => {
      res
        .writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "content-security-policy":
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
        })
        .end(page);
    },
    "POST /control/stop": async (req, res, url) => control(ctx, "stop", req, res, url),
    "POST /control/start": async (req, res, url) => control(ctx, "start", req, res, url),
  };

  // node checks the header/request timeouts on an interval (30 s by default): check every second so a
  // slow-loris client is cut off close to the limit.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, async (req, res) => {
    const url = new URL(req.url ?? "/", "http://shim.invalid");
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    const key = `${method} ${url.pathname}`;
    const handler = Object.hasOwn(routes, key) ? routes[key] : undefined;
    try {
      guard.checkHost(req.headers);
      if (!handler) {
        const allowed = Object.keys(routes).filter((k) => k.endsWith(` ${url.pathname}`));
        if (allowed.length) {
          res.setHeader("allow", allowed.map((k) => k.split(" ")[0]).join(", "));
          throw new HttpError(405, `method ${req.method} not allowed on ${url.pathname}`);
        }
        throw new HttpError(404, `no route ${url.pathname}`);
      }
      if (method === "POST") {
        guard.checkOrigin(req.headers);
        guard.checkToken(req.headers);
      }
      await handler(req, res, url);
    } catch (e) {
      // A small body refused before it was read (a 401, 403 or 421) is drained, so the client reads the answer
      // instead of a reset; anything larger or of unknown length is cut off as before.
      const declared = Number(req.headers["content-length"]);
      const drain = !req.complete && Number.isFinite(declared) && declared <= limits.maxBodyBytes;
      if (!req.complete && !res.headersSent) res.setHeader("connection", "close");
      if (e instanceof HttpError) {
        if (e.status === 503 && !res.headersSent) res.setHeader("retry-after", "1");
        json(res, e.status, e.issues ? { error: e.message, issues: e.issues } : { error: e.message });
      } else if (isPermissionDenied(e)) {
        // Least privilege (docs/security.md): this agent's NATS user may read, not write configs or command.
        json(res, 403, {
          error: `this agent's NATS user may not do that (${method} ${url.pathname}); use ltctl with an operator user`,
        });
      } else {
        ctx.log.error("http: request failed", { path: url.pathname, error: redactUrl(String(e)) });
        json(res, 503, { error: "control plane request failed" });
      }
      if (drain) req.resume();
      // A body we refused to read is not drained: close the connection once the answer is out.
      else if (!req.complete) res.once("finish", () => req.socket.destroy());
    }
  });
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = 100;
  server.on("upgrade", (req, socket, head) => live.upgrade(req, socket, head));
  // Malformed requests and slow-loris timeouts: answer like node's default (408 for a header/request
  // timeout, 431 for oversized headers, else 400), then destroy the socket. A bare end() would only
  // half-close it, and a client that keeps trickling bytes would hold the connection open.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    const status =
      err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "408 Request Timeout"
        : err.code === "HPE_HEADER_OVERFLOW"
          ? "431 Request Header Fields Too Large"
          : "400 Bad Request";
    if (socket.writable && (socket as Socket).bytesWritten === 0) {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () =>
        socket.destroy(),
      );
      setTimeout(() => socket.destroy(), 1_000).unref();
    } else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(ctx.port, ctx.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  await live.start();
  const port = (server.address() as AddressInfo).port;
  ctx.log.info("http: listening", {
    host: ctx.host,
    port,
    auth: ctx.token ? "bearer" : guard.tokenRequired ? "read-only (no token)" : "none",
    allowed_hosts: ctx.allowedHosts ?? [],
  });
  if (!guard.tokenRequired && !isLoopback(ctx.host)) {
    ctx.log.warn(
      `http: POST /config and /control/* are accepted without a token from anyone who reaches ${ctx.host}:${port} (--http-insecure-no-token); set --http-token instead`,
    );
  } else if (guard.tokenRequired && !ctx.token) {
    ctx.log.info(
      "http: no --http-token, so POST /config and /control/* are refused on this address; reads stay open",
    );
  }

  return {
    port,
    async close() {
      stats.close();
      await live.close();
      health.close();
      metrics.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function postConfig(ctx: HttpContext, limits: HttpLimits, req: IncomingMessage, res: ServerResponse) {
  const raw = await readJson(req, { maxBytes: limits.maxBodyBytes, maxDepth: limits.maxJsonDepth });
  const issues = ctx.validate(raw);
  if (issues.length > 0) throw new HttpError(400, "invalid config", issues);
  try {
    // One run per config hash, atomic with the bucket's revision: of identical POSTs at once (to any pods),
    // one queues the run; the others answer queued: false with its run id.
    const pushed = await ctx.client.pushIfChanged(raw, {
      pushedBy: `http@${ctx.pod}`,
      validate: () => [], // validated above
    });
    if (pushed.written) ctx.log.info("http: config pushed", { run_id: pushed.run_id, hash: pushed.hash });
    json(res, 200, { queued: pushed.written, hash: pushed.hash, run_id: pushed.run_id });
  } catch (e) {
    if (e instanceof PushRejectedError) throw new HttpError(400, "invalid config", e.issues);
    throw e;
  }
}

async function control(
  ctx: HttpContext,
  op: "start" | "stop",
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const pod = url.searchParams.get("pod") || undefined;
  const replies = await ctx.client.command(op, pod ? { pod } : {});
  json(res, 200, redactSecrets({ op, pod: pod ?? null, replies }));
}

function healthz(health: ConnectionHealth, res: ServerResponse): void {
  const up = health.connected;
  json(res, up ? 200 : 503, {
    status: up ? "ok" : "unavailable",
    control_plane: up ? "connected" : "disconnected",
  });
}

/** Tracks the control-plane connection from its status events. */
class ConnectionHealth {
  #connected = true;
  #closed = false;
  readonly #nc: HttpContext["nc"];
  constructor(ctx: HttpContext) {
    this.#nc = ctx.nc;
    void (async () => {
      for await (const s of ctx.nc.status()) {
        if (this.#closed) break;
        if (s.type === "disconnect" || s.type === "close") this.#connected = false;
        else if (s.type === "reconnect") this.#connected = true;
      }
    })().catch(() => {});
  }
  get connected(): boolean {
    return this.#connected && !this.#nc.isClosed();
  }
  close(): void {
    this.#closed = true;
  }
}
