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

/**
 * nats.js ignores credentials inside server URLs (`nats://user:pass@host`, `nats://token@host`), which the
 * original tool (nats.go) honours: take them out of the URLs (so they never reach logs or errors either) and
 * pass them as user/pass or token.
 */
export function splitUserInfo(servers: readonly string[]): {
  servers: string[];
  auth?: { user: string; pass: string } | { token: string };
} {
  let auth: { user: string; pass: string } | { token: string } | undefined;
  const out = servers.map((s) => {
    const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]+)@(.*)$/i.exec(s);
    if (!m) return s;
    const info = m[2] as string;
    const colon = info.indexOf(":");
    const dec = (x: string) => {
      try {
        return decodeURIComponent(x);
      } catch {
        return x;
      }
    };
    auth ??=
      colon >= 0
        ? { user: dec(info.slice(0, colon)), pass: dec(info.slice(colon + 1)) }
        : { token: dec(info) };
    return `${m[1]}${m[3]}`;
  });
  return auth ? { servers: out, auth } : { servers: out };
}

export function connectOptions(t: ConnectTarget, name: string): ConnectionOptions {
  const { servers, auth } = splitUserInfo(t.servers);
  const opts: ConnectionOptions = {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    noAsyncTraces: true,
    pingInterval: 10_000,
  };
  if (t.servers.some((s) => s.startsWith("tls://"))) opts.tls = {};
  if (t.credsFile) opts.authenticator = credsAuthenticator(readFileSync(t.credsFile));
  else if (auth) Object.assign(opts, auth);
  return opts;
}

/** Connects; the error names the connection and the servers. */
export async function open(t: ConnectTarget, name: string): Promise<NatsConnection> {
  try {
    return await connect(connectOptions(t, name));
  } catch (err) {
    const where = splitUserInfo(t.servers).servers.join(",");
    throw new Error(`connection ${name} to ${where} failed: ${(err as Error).message}`, {
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
