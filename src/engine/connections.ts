// Connections to the NATS under test. Policy (docs/engine.md): per share, one connection per stream for its
// publishers and one per stream for its consumers (a further one every PER_CONNECTION clients), plus one
// admin connection for stream management and info sampling. 1,000 publishers over 100 streams are 100
// connections, not 1,000. Every connection reconnects forever during a run.
import { readFileSync } from "node:fs";
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
} from "@nats-io/transport-node";

/** Publishers (or consumers) sharing one connection before another one opens. */
export const PER_CONNECTION = 100;

export interface ConnectTarget {
  readonly servers: readonly string[];
  readonly credsFile?: string;
}

export function connectOptions(t: ConnectTarget, name: string): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: [...t.servers],
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    noAsyncTraces: true,
    pingInterval: 10_000,
  };
  if (t.servers.some((s) => s.startsWith("tls://"))) opts.tls = {};
  if (t.credsFile) opts.authenticator = credsAuthenticator(readFileSync(t.credsFile));
  return opts;
}

/** Connects; the error names the connection and the servers. */
export async function open(t: ConnectTarget, name: string): Promise<NatsConnection> {
  try {
    return await connect(connectOptions(t, name));
  } catch (err) {
    throw new Error(`connection ${name} to ${t.servers.join(",")} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Follows a connection's status events: counts reconnects and remembers permission errors. */
export function watchStatus(
  nc: NatsConnection,
  on: { reconnect(): void; permission(subject: string, op: string): void },
): void {
  (async () => {
    for await (const s of nc.status()) {
      if (s.type === "reconnect") on.reconnect();
      else if (s.type === "error") {
        const e = s.error as { name?: string; subject?: string; operation?: string };
        if (e?.name === "PermissionViolationError") on.permission(e.subject ?? "", e.operation ?? "");
      }
    }
  })().catch(() => {});
}
