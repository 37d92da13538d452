// lt-agent's command line and environment: flags win over env, env over defaults. Pure (env passed in).
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_CONFIG_ENV, isSecretVarName, LIMITS } from "../config/index.ts";
import { type ControlPlaneAuth, DEFAULT_HEARTBEAT_MS } from "../control/index.ts";
import type { Mode } from "../stats/index.ts";
import { DEFAULT_DATA_DIR } from "./storage/index.ts";

/** The control-plane credentials and TLS files (ControlPlaneAuth) plus the pod's own settings. */
export interface AgentCli extends ControlPlaneAuth {
  servers: string[];
  pod?: string;
  mode: Mode;
  prefix: string;
  httpPort: number;
  httpHost: string;
  httpToken?: string;
  /** More Host names the shim answers to (`--http-allowed-hosts`). */
  httpAllowedHosts: string[];
  /** Take POSTs without a token on a non-loopback address (`--http-insecure-no-token`). */
  httpInsecureNoToken: boolean;
  defaultConfig?: string;
  workers?: number;
  heartbeatMs: number;
  /** Variables a pushed config may read with `${VAR}` (never the agent's secrets). */
  configEnv: string[];
  /** Folder that holds every file a pushed config makes the agent write. */
  dataDir: string;
}

const int = (what: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`expected ${what} (an integer >= ${min}), got ${v}`);
  return n;
};

export function agentCommand(env: Readonly<Record<string, string | undefined>>): Command {
  const e = (k: string) => (env[k] !== undefined && env[k] !== "" ? env[k] : undefined);
  return new Command("lt-agent")
    .description("Load-tester pod: obeys the control plane over NATS, runs the engine, reports snapshots")
    .option(
      "-s, --server <urls>",
      "control-plane NATS, comma-separated (env NATS_URL)",
      e("NATS_URL") ?? "nats://127.0.0.1:4222",
    )
    .option(
      "--creds <file>",
      "NATS credentials file for the control plane (env NATS_CREDS_FILE)",
      e("NATS_CREDS_FILE"),
    )
    .option(
      "--nkey <file>",
      "user nkey seed file (SU...) for a control plane that lists the user's public key U...; the seed is never logged (env NATS_NKEY_FILE)",
      e("NATS_NKEY_FILE"),
    )
    .option("--user <name>", "control-plane user (env NATS_USER)", e("NATS_USER"))
    .option("--password <secret>", "control-plane password (env NATS_PASSWORD)", e("NATS_PASSWORD"))
    .option("--token <secret>", "control-plane token (env NATS_TOKEN)", e("NATS_TOKEN"))
    .option(
      "--tls-ca <file>",
      "CA bundle (PEM) trusted for the control plane (env NATS_TLS_CA)",
      e("NATS_TLS_CA"),
    )
    .option(
      "--tls-cert <file>",
      "client certificate (PEM) for the control plane, with --tls-key (env NATS_TLS_CERT)",
      e("NATS_TLS_CERT"),
    )
    .option("--tls-key <file>", "private key (PEM) of --tls-cert (env NATS_TLS_KEY)", e("NATS_TLS_KEY"))
    .option("--pod <name>", "pod name (env POD_NAME, else the host name)", e("POD_NAME"))
    .addOption(
      new Option("--mode <mode>", "what this pod runs (env LT_MODE)")
        .choices(["publish", "consume", "both"])
        .default(e("LT_MODE") ?? "both"),
    )
    .option("--prefix <p>", "control-plane prefix (env LT_PREFIX)", e("LT_PREFIX") ?? "lt")
    .option(
      "--http-port <n>",
      "HTTP shim port, 0 disables (env LT_HTTP_PORT)",
      int("a port", 0),
      Number(e("LT_HTTP_PORT") ?? 9481),
    )
    .option("--http-host <addr>", "HTTP shim bind address (env LT_HTTP_HOST)", e("LT_HTTP_HOST") ?? "0.0.0.0")
    .option(
      "--http-token <secret>",
      "bearer token required for HTTP POST (env LT_HTTP_TOKEN)",
      e("LT_HTTP_TOKEN"),
    )
    .option(
      "--http-allowed-hosts <names>",
      "more Host names the HTTP shim answers to, comma-separated: exact, .suffix for a domain, * for any (env LT_HTTP_ALLOWED_HOSTS; always: loopback, IP addresses, the pod and host name)",
      e("LT_HTTP_ALLOWED_HOSTS") ?? "",
    )
    .option(
      "--http-insecure-no-token",
      "accept POST /config and /control/* without a token on a non-loopback --http-host (logged as a warning; env LT_HTTP_INSECURE_NO_TOKEN=1)",
      e("LT_HTTP_INSECURE_NO_TOKEN") === "1" || e("LT_HTTP_INSECURE_NO_TOKEN") === "true",
    )
    .option(
      "--default-config <file>",
      "config seeded when none is active (env LT_DEFAULT_CONFIG)",
      e("LT_DEFAULT_CONFIG"),
    )
    .option(
      "--workers <n>",
      "worker threads for the engine, 1 = in-process (env LT_WORKERS; default: the number of cores)",
      int("a worker count", 1),
      e("LT_WORKERS") ? Number(e("LT_WORKERS")) : availableParallelism(),
    )
    .option("--heartbeat-ms <ms>", "presence heartbeat in ms", int("milliseconds", 50), DEFAULT_HEARTBEAT_MS)
    .option(
      "--data-dir <dir>",
      `folder of the files a pushed config writes (storage.path is confined to it; env LT_DATA_DIR)`,
      e("LT_DATA_DIR") ?? DEFAULT_DATA_DIR,
    )
    .option(
      "--config-env <names>",
      `environment variables a pushed config may read with \${VAR}, comma-separated, "" for none; never a secret such as NATS_PASSWORD (env LT_CONFIG_ENV; default ${DEFAULT_CONFIG_ENV.join(",")})`,
      env.LT_CONFIG_ENV ?? DEFAULT_CONFIG_ENV.join(","),
    )
    .exitOverride();
}

export function toAgentCli(o: Record<string, unknown>): AgentCli {
  const str = (k: string) => (typeof o[k] === "string" && o[k] !== "" ? (o[k] as string) : undefined);
  // Filled field by field below, so writable while it is built.
  const cli: { -readonly [K in keyof AgentCli]: AgentCli[K] } = {
    servers: String(o.server)
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
    mode: o.mode as Mode,
    prefix: String(o.prefix),
    httpPort: Number(o.httpPort),
    httpHost: String(o.httpHost),
    heartbeatMs: Number(o.heartbeatMs),
    configEnv: configEnv(String(o.configEnv ?? "")),
    httpAllowedHosts: String(o.httpAllowedHosts ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter((h) => h !== ""),
    httpInsecureNoToken: o.httpInsecureNoToken === true,
    dataDir: String(o.dataDir),
  };
  for (const k of [
    "creds",
    "nkey",
    "user",
    "password",
    "token",
    "tlsCa",
    "tlsCert",
    "tlsKey",
    "pod",
    "httpToken",
    "defaultConfig",
  ] as const) {
    const v = str(k);
    if (v !== undefined) cli[k] = v;
  }
  if ((cli.tlsCert === undefined) !== (cli.tlsKey === undefined)) {
    throw new InvalidArgumentError("--tls-cert and --tls-key go together (env NATS_TLS_CERT, NATS_TLS_KEY)");
  }
  if (cli.pod !== undefined && cli.pod.length > LIMITS.podLength) {
    throw new InvalidArgumentError(
      `--pod (env POD_NAME) is ${cli.pod.length} characters long; at most ${LIMITS.podLength}`,
    );
  }
  if (typeof o.workers === "number") cli.workers = o.workers;
  return cli;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `--config-env`: names, comma-separated; a secret or a malformed name is a usage error naming it. */
function configEnv(list: string): string[] {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const n of names) {
    if (!VAR_NAME.test(n))
      throw new InvalidArgumentError(
        `--config-env (env LT_CONFIG_ENV): "${n.slice(0, 64)}" is not a variable name`,
      );
    if (isSecretVarName(n))
      throw new InvalidArgumentError(
        `--config-env (env LT_CONFIG_ENV): ${n} names a secret, which a config may never read`,
      );
  }
  return names;
}
