// Connections to the NATS under test. Policy (docs/engine.md): per share, one connection per stream for its
// publishers and one per stream for its consumers (a further one every PER_CONNECTION clients), plus one
// admin connection for stream management and info sampling. 1,000 publishers over 100 streams are 100
// connections, not 1,000. Every connection reconnects forever during a run.
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import {
  ConnectionError,
  type ConnectionOptions,
  connect,
  type NatsConnection,
} from "@nats-io/transport-node";
import type { ExpandedTls } from "../config/index.ts";
import {
  type AuthFileNames,
  authOptions,
  fileErrorReason,
  hasError,
  isTimeout,
  tlsFailure,
} from "../nats/index.ts";
import { PING_INTERVAL_MS, RECONNECT_WAIT_MS } from "./timings.ts";

/** Publishers (or consumers) sharing one connection before another one opens. */
export const PER_CONNECTION = 100;

/** Where and how to connect: plain data (it crosses to worker threads inside a ShareSpec). */
export interface ConnectTarget {
  readonly servers: readonly string[];
  readonly credsFile?: string;
  /** `nats_nkey_file`: the path of a user nkey seed file (never the seed: this crosses to worker threads). */
  readonly nkeyFile?: string;
  /** The spec's `tls` files; present (even empty) requires TLS, also for `nats://` URLs. */
  readonly tls?: ExpandedTls;
  /** How long connecting may take (nats.js `timeout`). Tests shorten it. @default 20000 */
  readonly connectTimeoutMs?: number;
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

/** The spec's fields, named in errors about their files. */
const SPEC_FILE_NAMES: AuthFileNames = {
  creds: (file) => `nats_creds_file ${file}`,
  nkey: (file) => `nats_nkey_file ${file}`,
};

export function connectOptions(t: ConnectTarget, name: string): ConnectionOptions {
  const { servers, auth } = splitUserInfo(t.servers);
  const opts: ConnectionOptions = {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    noAsyncTraces: true,
    pingInterval: PING_INTERVAL_MS,
  };
  if (t.connectTimeoutMs !== undefined) opts.timeout = t.connectTimeoutMs;
  if (t.tls !== undefined) opts.tls = tlsOptions(t.tls);
  else if (t.servers.some((s) => s.startsWith("tls://"))) opts.tls = {};
  const fromUrl =
    auth && "token" in auth ? { token: auth.token } : { user: auth?.user, password: auth?.pass };
  Object.assign(opts, authOptions({ creds: t.credsFile, nkey: t.nkeyFile, ...fromUrl }, SPEC_FILE_NAMES));
  return opts;
}

/**
 * nats.js TLS options from the spec's files. File names, not contents: nats.js reads them at each (re)connect,
 * so rotated certificates are picked up. Each file is read here first, so a missing or unreadable one fails
 * with the config field and the path (nats.js would not name the field, nor the file of every error).
 */
function tlsOptions(tls: ExpandedTls): NonNullable<ConnectionOptions["tls"]> {
  readTlsFiles(tls);
  return {
    ...(tls.caFile !== undefined ? { caFile: tls.caFile } : {}),
    ...(tls.certFile !== undefined ? { certFile: tls.certFile } : {}),
    ...(tls.keyFile !== undefined ? { keyFile: tls.keyFile } : {}),
  };
}

function readTlsFiles(tls: ExpandedTls): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (field: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new TlsFilesError(`cannot read tls.${field} ${file}: ${fileErrorReason(err)}`, { cause: err });
    }
  };
  return {
    ...(tls.caFile !== undefined ? { ca: read("ca_file", tls.caFile) } : {}),
    ...(tls.certFile !== undefined ? { cert: read("cert_file", tls.certFile) } : {}),
    ...(tls.keyFile !== undefined ? { key: read("key_file", tls.keyFile) } : {}),
  };
}

/**
 * Checks that the TLS files can be read and form a usable CA, certificate and key (a key that is not the
 * certificate's, a file that is no PEM), naming the fields and files; throws otherwise. Once per step (`open`
 * with `checkTls`), not per connection: parsing them costs ~2 ms, and nats.js parses them again at each connect.
 */
function checkTlsFiles(tls: ExpandedTls): void {
  const files = readTlsFiles(tls);
  try {
    createSecureContext(files);
  } catch (err) {
    const named = [
      ["ca_file", tls.caFile],
      ["cert_file", tls.certFile],
      ["key_file", tls.keyFile],
    ]
      .filter(([, f]) => f !== undefined)
      .map(([k, f]) => `tls.${k} ${f}`)
      .join(", ");
    throw new TlsFilesError(`unusable TLS files (${named}): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Connects; the error names the connection and the servers (and what to check when TLS failed). `checkTls`
 * (the step's first connection) also checks that the TLS files form a usable certificate and key.
 */
export async function open(
  t: ConnectTarget,
  name: string,
  o: { checkTls?: boolean } = {},
): Promise<NatsConnection> {
  try {
    if (o.checkTls && t.tls !== undefined) checkTlsFiles(t.tls);
    return await connect(connectOptions(t, name));
  } catch (err) {
    const where = splitUserInfo(t.servers).servers.join(",");
    const msg = (err as Error).message;
    // A ConnectionError whatever the cause (refused, TLS, authorization): the step failed to connect.
    throw new ConnectionError(`connection ${name} to ${where} failed: ${msg}${tlsHint(t, err)}`, {
      cause: err,
    });
  }
}

/** The spec's TLS files cannot be read or do not form a usable CA, certificate and key (named in the message). */
class TlsFilesError extends Error {
  override readonly name = "TlsFilesError";
}

/**
 * What to check when a connection failed in a way TLS explains, from Node's TLS error codes and nats.js' error
 * classes. A server that requires a client certificate and gets none drops the connection after the
 * handshake, and nats.js then reports a plain timeout.
 */
function tlsHint(t: ConnectTarget, err: unknown): string {
  if (hasError(err, TlsFilesError)) return "";
  const tls = t.tls !== undefined || t.servers.some((s) => /^tls:\/\//i.test(s));
  // nats.js refuses a server without TLS in a plain ConnectionError with no code: its text is all there is.
  if (hasError(err, ConnectionError) && /does not support 'tls'/.test((err as Error).message)) {
    return " (TLS: this server offers no TLS; the spec sets tls)";
  }
  const failure = tlsFailure(err);
  if (failure === "untrusted") {
    return t.tls?.caFile !== undefined
      ? " (TLS: the server's certificate does not verify against tls.ca_file)"
      : " (TLS: the server's certificate is not trusted: set tls.ca_file to its CA, or NODE_EXTRA_CA_CERTS)";
  }
  if (failure === undefined && !(tls && isTimeout(err))) return "";
  return t.tls?.certFile !== undefined
    ? " (TLS: the server may refuse the client certificate: check tls.cert_file and tls.key_file)"
    : " (TLS: the server may require a client certificate: tls.cert_file and tls.key_file)";
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
