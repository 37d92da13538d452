// Shared by the ltctl commands that talk to a fleet over NATS: the connection options every such command
// takes (--server, --creds, --user/--password, --token, --prefix, --json) and a connect-run-close helper.
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { Command } from "commander";
import { ControlClient } from "../../control/index.ts";
import { type CliIo, EXIT } from "../io.ts";

/** Exit code when the control-plane NATS cannot be reached. */

export interface NatsCliOptions {
  server?: string;
  creds?: string;
  user?: string;
  password?: string;
  token?: string;
  prefix?: string;
  json?: boolean;
}

/** Adds the connection options (defaults from env: NATS_URL, NATS_CREDS_FILE, NATS_USER, ...). */
export function withNatsOptions(cmd: Command): Command {
  return cmd
    .option(
      "-s, --server <urls>",
      "control-plane NATS, comma-separated (default: NATS_URL, else nats://127.0.0.1:4222)",
    )
    .option("--creds <file>", "NATS credentials file (default: NATS_CREDS_FILE)")
    .option("--user <name>", "NATS user (default: NATS_USER)")
    .option("--password <secret>", "NATS password (default: NATS_PASSWORD)")
    .option("--token <secret>", "NATS token (default: NATS_TOKEN)")
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
  const token = opts.token ?? env.NATS_TOKEN;
  const user = opts.user ?? env.NATS_USER;
  const password = opts.password ?? env.NATS_PASSWORD;
  try {
    if (creds) o.authenticator = credsAuthenticator(readFileSync(creds));
    else if (token) o.token = token;
    else if (user) {
      o.user = user;
      if (password !== undefined) o.pass = password;
    }
  } catch (e) {
    io.err(`ltctl ${name}: cannot read credentials ${creds}: ${(e as Error).message}\n`);
    return 2;
  }
  let nc: Awaited<ReturnType<typeof connect>>;
  try {
    nc = await connect(o);
  } catch (e) {
    io.err(
      `ltctl ${name}: cannot reach the control plane at ${servers.join(",")}: ${(e as Error).message}\n`,
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

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
