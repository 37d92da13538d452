// Shared by the ltctl commands that talk to a fleet over NATS: the connection options every such command
// takes (--server, --creds, --nkey, --user/--password, --token, --tls-ca/--tls-cert/--tls-key, --prefix, --json) and a
// connect-run-close helper.
import { accessSync, constants } from "node:fs";
import { connect, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { Command } from "commander";
import {
  authOptions,
  ControlClient,
  type ControlPlaneAuth,
  isTimeout,
  redactUrl,
  tlsFailure,
} from "../../control/index.ts";
import { type CliIo, EXIT } from "../io.ts";

/** The connection flags every fleet command takes: the control-plane auth plus server, prefix and --json. */
export interface NatsCliOptions extends ControlPlaneAuth {
  server?: string;
  prefix?: string;
  json?: boolean;
}

/** Adds the connection options (defaults from env: NATS_URL, NATS_CREDS_FILE, NATS_NKEY_FILE, NATS_USER, ...). */
export function withNatsOptions(cmd: Command): Command {
  return cmd
    .option(
      "-s, --server <urls>",
      "control-plane NATS, comma-separated (default: NATS_URL, else nats://127.0.0.1:4222)",
    )
    .option("--creds <file>", "NATS credentials file (default: NATS_CREDS_FILE)")
    .option(
      "--nkey <file>",
      "user nkey seed file (SU...) for a server that lists the user's public key U...; the seed is never printed (default: NATS_NKEY_FILE)",
    )
    .option("--user <name>", "NATS user (default: NATS_USER)")
    .option("--password <secret>", "NATS password (default: NATS_PASSWORD)")
    .option("--token <secret>", "NATS token (default: NATS_TOKEN)")
    .option("--tls-ca <file>", "CA bundle (PEM) trusted for the control plane (default: NATS_TLS_CA)")
    .option("--tls-cert <file>", "client certificate (PEM), with --tls-key (default: NATS_TLS_CERT)")
    .option("--tls-key <file>", "private key (PEM) of --tls-cert (default: NATS_TLS_KEY)")
    .option("--prefix <p>", "control-plane prefix (default: LT_PREFIX, else lt)")
    .option("--json", "print JSON");
}

/** Connects, runs `f` with a client, closes. Returns f's exit code, or EXIT.unreachable with a message. */
export async function withClient(
  opts: NatsCliOptions,
  io: CliIo,
  name: string,
  f: (client: ControlClient) => Promise<number>,
): Promise<number> {
  const env = io.env;
  const servers = (opts.server ?? env.NATS_URL ?? "nats://127.0.0.1:4222").split(",").map((s) => s.trim());
  const o: NodeConnectionOptions = {
    servers,
    name: `ltctl ${name}`,
    timeout: 3_000,
    maxReconnectAttempts: 3,
  };
  const creds = opts.creds ?? env.NATS_CREDS_FILE;
  const nkey = opts.nkey ?? env.NATS_NKEY_FILE;
  const token = opts.token ?? env.NATS_TOKEN;
  const user = opts.user ?? env.NATS_USER;
  const password = opts.password ?? env.NATS_PASSWORD;
  const nonEmpty = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const tlsCa = nonEmpty(opts.tlsCa ?? env.NATS_TLS_CA);
  const tlsCert = nonEmpty(opts.tlsCert ?? env.NATS_TLS_CERT);
  const tlsKey = nonEmpty(opts.tlsKey ?? env.NATS_TLS_KEY);
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    io.err(`ltctl ${name}: --tls-cert and --tls-key go together (env NATS_TLS_CERT, NATS_TLS_KEY)\n`);
    return 2;
  }
  for (const f of [tlsCa, tlsCert, tlsKey]) {
    if (f === undefined) continue;
    try {
      accessSync(f, constants.R_OK);
    } catch (e) {
      io.err(`ltctl ${name}: cannot read TLS file ${f}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  try {
    Object.assign(o, authOptions({ creds, nkey, token, user, password, tlsCa, tlsCert, tlsKey }));
  } catch (e) {
    // An unreadable creds or nkey seed file; the message names the flag and the file, not its contents.
    io.err(`ltctl ${name}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  let nc: Awaited<ReturnType<typeof connect>>;
  try {
    nc = await connect(o);
  } catch (e) {
    io.err(
      `ltctl ${name}: cannot reach the control plane at ${redactUrl(servers.join(","))}: ${redactUrl((e as Error).message)}${tlsHint(e, o.tls !== undefined || servers.some((u) => /^tls:/i.test(u)), tlsCert)}\n`,
    );
    return EXIT.unreachable;
  }
  try {
    return await f(new ControlClient(nc, opts.prefix ?? env.LT_PREFIX ?? "lt"));
  } catch (e) {
    io.err(`ltctl ${name}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await nc.close().catch(() => {});
  }
}

/** A hint when a TLS handshake failed, e.g. a server that requires a client certificate we did not send. */
function tlsHint(e: unknown, tls: boolean, cert: string | undefined): string {
  // A server that requires a client certificate drops the handshake: nats.js then reports a plain timeout.
  if (tlsFailure(e) === undefined && !(tls && isTimeout(e))) return "";
  return cert
    ? " (TLS: check --tls-ca / --tls-cert / --tls-key)"
    : " (TLS: the server may require a client certificate: --tls-cert and --tls-key, or a CA: --tls-ca)";
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
