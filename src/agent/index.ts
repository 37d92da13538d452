// The door of src/agent and the only place of lt-agent that reads `process`: options, env, signals, stdout,
// stderr. Everything else receives what it needs.
import { accessSync, constants, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { CommanderError } from "commander";
import { resolvePodName, type VarPolicy } from "../config/index.ts";
import { authOptions } from "../control/index.ts";
import { runPlan } from "../engine/index.ts";
import { startHttpServer } from "../http/index.ts";
import { Agent, type StartHttp } from "./agent.ts";
import { jsonLogger } from "./log.ts";
import { type AgentCli, agentCommand, toAgentCli } from "./options.ts";
import {
  CONNECT_WAIT_LOG_MS,
  EXIT_GRACE_MS,
  PING_INTERVAL_MS,
  RECONNECT_WAIT_MS,
  SHUTDOWN_BUDGET_MS,
  START_SETTLE_MS,
} from "./timings.ts";

export { Agent, type AgentDeps, type AgentSettings, type StartHttp } from "./agent.ts";
export { type AgentLogger, jsonLogger } from "./log.ts";
export { SnapshotOutbox } from "./outbox.ts";
export {
  confineStorage,
  DEFAULT_DATA_DIR,
  openSink,
  type SnapshotSink,
  snapshotKey,
} from "./storage/index.ts";

/** Runs the agent until SIGTERM / SIGINT; returns the exit code (0 after a clean stop). */
export async function main(argv: string[]): Promise<number> {
  const cmd = agentCommand(process.env);
  let cli: AgentCli;
  let auth: Partial<NodeConnectionOptions>;
  try {
    cmd.parse(argv, { from: "node" });
  } catch (e) {
    return e instanceof CommanderError ? (e.exitCode === 0 ? 0 : 2) : 2;
  }
  try {
    cli = toAgentCli(cmd.opts());
    for (const f of [cli.tlsCa, cli.tlsCert, cli.tlsKey]) if (f !== undefined) accessSync(f, constants.R_OK);
    // Reads the creds or nkey seed file once, now: an unreadable one is a usage error naming flag and file.
    auth = authOptions(cli);
  } catch (e) {
    process.stderr.write(`lt-agent: ${(e as Error).message}\n`);
    return 2;
  }
  const pod = cli.pod ?? resolvePodName(process.env, hostname());
  const log = jsonLogger((line) => process.stderr.write(line), { pod });
  const version = packageVersion();
  const agent = new Agent(
    {
      pod,
      mode: cli.mode,
      prefix: cli.prefix,
      heartbeatMs: cli.heartbeatMs,
      ...(cli.defaultConfig ? { defaultConfig: cli.defaultConfig } : {}),
      ...(cli.workers !== undefined ? { workers: cli.workers } : {}),
      version,
      env: process.env,
      configVars: configVars(cli),
      ownSecretFiles: [cli.creds, cli.nkey, cli.tlsKey].filter((f): f is string => f !== undefined),
      dataDir: cli.dataDir,
      hostname: hostname(),
      http: {
        port: cli.httpPort,
        host: cli.httpHost,
        ...(cli.httpToken ? { token: cli.httpToken } : {}),
        allowedHosts: cli.httpAllowedHosts,
        insecureNoToken: cli.httpInsecureNoToken,
      },
    },
    {
      runPlan,
      log,
      writeStdout: (line) => process.stdout.write(line),
      startHttp: startHttpServer satisfies StartHttp,
    },
  );

  let stop!: () => void;
  const stopped = new Promise<void>((r) => {
    stop = r;
  });
  const onSignal = (sig: string) => {
    log.info("signal received", { signal: sig });
    stop();
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  process.on("unhandledRejection", (e) => log.error("unhandled rejection", { error: e }));

  log.info("agent starting", {
    version,
    mode: cli.mode,
    prefix: cli.prefix,
    servers: cli.servers,
    creds: cli.creds,
    // The seed file's path only (a key named "nkey" would be masked by the logger anyway).
    nkey_file: cli.creds ? undefined : cli.nkey,
    auth: cli.creds ? "creds" : cli.nkey ? "nkey" : cli.token ? "token" : cli.user ? "user" : "none",
    tls: cli.tlsCa || cli.tlsCert ? { ca: cli.tlsCa, cert: cli.tlsCert, key: cli.tlsKey } : undefined,
    http_port: cli.httpPort,
    config_env: cli.configEnv,
    data_dir: cli.dataDir,
  });
  let nc: NatsConnection | undefined;
  const connecting = connect(connectOptions(cli, pod, auth)).then(
    (c) => {
      nc = c;
      return c;
    },
    (e: unknown) => {
      log.error("cannot connect to the control plane", { error: e });
      return undefined;
    },
  );
  // nats.js retries the first connect silently (waitOnFirstConnect): say so now and then, with a hint for
  // TLS, where a server that requires a client certificate we lack only shows up as a timeout.
  const usesTls =
    cli.tlsCa !== undefined || cli.tlsCert !== undefined || cli.servers.some((u) => /^tls:/i.test(u));
  const waiting = setInterval(() => {
    log.warn("control plane not reachable yet; still trying", {
      servers: cli.servers,
      ...(usesTls && !cli.tlsCert
        ? {
            hint: "TLS without a client certificate: if the server verifies clients, pass --tls-cert and --tls-key",
          }
        : usesTls
          ? { hint: "TLS: check --tls-ca, --tls-cert and --tls-key" }
          : {}),
    });
  }, CONNECT_WAIT_LOG_MS);
  const first = await Promise.race([connecting, stopped.then(() => "stopped" as const)]);
  clearInterval(waiting);
  if (first === "stopped" || first === undefined) {
    // Stopped (or refused, e.g. bad credentials) before the control plane answered: nothing to drain.
    void connecting.then((c) => c?.close());
    forceExitLater(first === undefined ? 1 : 0);
    return first === undefined ? 1 : 0;
  }
  log.info("connected to the control plane", { server: first.getServer() });
  const started = agent.start(first).catch((e) => log.error("agent start failed", { error: e }));
  await stopped;
  await Promise.race([started, new Promise((r) => setTimeout(r, START_SETTLE_MS))]);
  await agent.shutdown(SHUTDOWN_BUDGET_MS);
  void nc;
  forceExitLater(0);
  return 0;
}

/**
 * What a pushed config may read with `${VAR}`: the `--config-env` names, and never a value of the agent's own
 * secrets, however they were given (flag or env): password, token, HTTP token, credentials in --server URLs.
 */
function configVars(cli: AgentCli): VarPolicy {
  const secretValues = [cli.password, cli.token, cli.httpToken];
  for (const server of cli.servers) {
    try {
      const u = new URL(server.includes("://") ? server : `nats://${server}`);
      secretValues.push(decodeURIComponent(u.password || u.username));
    } catch {
      // not a URL: nats.js will say so when it connects
    }
  }
  return {
    allowed: new Set(cli.configEnv),
    secretValues: secretValues.filter((v): v is string => v !== undefined && v !== ""),
  };
}

function connectOptions(
  cli: AgentCli,
  pod: string,
  auth: Partial<NodeConnectionOptions>,
): NodeConnectionOptions {
  const o: NodeConnectionOptions = {
    servers: cli.servers,
    name: `lt-agent ${pod}`,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    pingInterval: PING_INTERVAL_MS,
    noAsyncTraces: true,
    ...auth,
  };
  return o;
}

/** Leaves the event loop a moment to finish writes, then exits even if a library still holds a timer. */
function forceExitLater(code: number): void {
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}

function packageVersion(): string {
  // dist/src/agent/index.js when built, src/agent/index.ts under tsx.
  for (const rel of ["../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "nats-lt" && pkg.version) return pkg.version;
    } catch {
      // try the next
    }
  }
  return "0.0.0";
}
