// What the HTTP shim needs from its host process (the agent wires it; tests build one by hand).
import type { NatsConnection } from "@nats-io/transport-node";
import type { ControlClient } from "../control/index.ts";
import type { Snapshot } from "../stats/index.ts";

export interface HttpLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface HttpContext {
  /** Control-plane client: every endpoint reads and writes the same KV buckets and streams as ltctl. */
  readonly client: ControlClient;
  /** Control-plane connection: health and the live stats subscription (`<p>.stats.>`) for /ws. */
  readonly nc: NatsConnection;
  /** Control-plane prefix. @default "lt" */
  readonly prefix: string;
  /** This agent's pod name (pushes are recorded as `http@<pod>`). */
  readonly pod: string;
  /** Address to bind. `0.0.0.0` for every interface, `127.0.0.1` for local only. */
  readonly host: string;
  /** Port to listen on; 0 picks a free one (see the returned `port`). @default 9481 by the agent */
  readonly port: number;
  /** When set, POST requests must carry `Authorization: Bearer <token>`; GETs stay open. */
  readonly token?: string;
  /**
   * Take POSTs without a token on a non-loopback address. Without a token a shim that listens beyond
   * loopback refuses them (403). @default false
   */
  readonly insecureNoToken?: boolean;
  /** The machine's host name: requests may name the agent by it (or by `pod`) in their Host header. */
  readonly hostname?: string;
  /** More Host names accepted: exact, `.suffix` for a domain and its subdomains, `*` for any. */
  readonly allowedHosts?: readonly string[];
  /** This agent's state for the dashboard: state, run_id, spec, connected, ... */
  agentState(): Record<string, unknown>;
  /** Config validator (the agent passes the config module's); [] means valid. */
  validate(raw: unknown): Array<{ path: string; message: string }>;
  /** The latest local snapshot, rendered at GET /metrics. */
  metrics(): Snapshot | undefined;
  readonly log: HttpLogger;
  /** Limits; defaults in DEFAULT_HTTP_LIMITS. */
  readonly limits?: Partial<HttpLimits>;
}

export interface HttpLimits {
  /** Largest POST body, bytes. @default 1 MiB */
  readonly maxBodyBytes: number;
  /** Deepest JSON nesting accepted. @default 64 */
  readonly maxJsonDepth: number;
  /** Time allowed to receive all request headers (ms), slow-loris guard. @default 10000 */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive the whole request, body included (ms). @default 30000 */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this long (ms). @default 5000 */
  readonly keepAliveTimeoutMs: number;
  /** Largest `limit` of GET /stats and /api/v1/stats. @default 1000 */
  readonly maxStatsLimit: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 1024 * 1024,
  maxJsonDepth: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxStatsLimit: 1000,
};
