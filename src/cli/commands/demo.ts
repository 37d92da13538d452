// `ltctl demo`: the embedded default. A local nats-server (or the one given), three agents, the demo config
// pushed over NATS, the live view, the cluster-wide report; everything it started is stopped at the end.
import { type Command, InvalidArgumentError } from "commander";
import { DEMO_EXIT, runDemo } from "../demo/index.ts";
import type { CliIo } from "../io.ts";

const HELP = `
With nothing but the checkout: starts nats-server with JetStream in a temp folder on a free port (or uses
--server / NATS_URL, with a unique control-plane prefix so other fleets there are untouched), starts three
lt-agent processes (demo-publish, demo-consume, demo-both), pushes examples/demo.json over NATS as
"ltctl push" does, shows the live cluster view, prints the cluster-wide report, and stops everything it
started, also on Ctrl-C (a second Ctrl-C kills at once). Should ltctl itself be killed, even with SIGKILL, a
small reaper process it started first stops the server and agents and removes the temp folder.

Needs nats-server on PATH when no server is given (apt-get install nats-server; README, "Manual set-up").

Exit codes: 0 the run finished with messages published and consumed, 1 it failed (agents did not start, a
pod errored, nothing flowed), 2 bad usage or config, 3 the given server is unreachable, 130 interrupted.

Examples:
  $ ltctl demo
  $ ltctl demo --duration 6 --json           JSON lines: started (pids), progress, report, stopped
  $ ltctl demo --server nats://nats:4222     on an existing NATS (JetStream enabled)
  $ ltctl demo --keep                        leave the cluster up after the report, until Ctrl-C
`;

interface DemoOpts {
  server?: string;
  duration?: number;
  config?: string;
  prefix?: string;
  json?: boolean;
  keep?: boolean;
  creds?: string;
  nkey?: string;
  user?: string;
  password?: string;
  token?: string;
}

const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 3600)
    throw new InvalidArgumentError(`expected whole seconds 1..3600, got ${v}`);
  return n;
};

export function register(program: Command, io: CliIo): void {
  program
    .command("demo")
    .description("local NATS + three agents: run the demo config, show the live view and the report")
    .option(
      "-s, --server <urls>",
      "use this NATS instead of starting one (default: NATS_URL, else start one)",
    )
    .option("--duration <s>", "seconds of load (the demo config's default is 15)", seconds)
    .option("--config <file>", "push this config instead of examples/demo.json")
    .option(
      "--prefix <p>",
      "control-plane prefix (default: lt on the demo's own server, unique on a given one)",
    )
    .option("--keep", "after the report, keep the server and agents up until Ctrl-C")
    .option("--creds <file>", "NATS credentials file for --server (default: NATS_CREDS_FILE)")
    .option("--nkey <file>", "user nkey seed file (SU...) for --server (default: NATS_NKEY_FILE)")
    .option("--user <name>", "NATS user (default: NATS_USER)")
    .option("--password <secret>", "NATS password (default: NATS_PASSWORD)")
    .option("--token <secret>", "NATS token (default: NATS_TOKEN)")
    .option("--json", "JSON lines on stdout: started (with pids), progress, report, stopped, finished")
    .addHelpText("after", HELP)
    .action(async (opts: DemoOpts) => {
      io.setExitCode(await demo(opts, io));
    });
}

async function demo(opts: DemoOpts, io: CliIo): Promise<number> {
  const stop = new AbortController();
  const force = new AbortController();
  // The CLI's wiring: the first Ctrl-C / SIGTERM / SIGHUP stops cleanly, a second one kills the children.
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) stop.abort();
    else {
      if (!opts.json) io.err("second interrupt: killing every process the demo started\n");
      force.abort();
    }
  };
  const names = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of names) process.on(s, onSignal);
  try {
    const server = opts.server ?? (io.env.NATS_URL || undefined);
    return await runDemo(
      {
        ...(server !== undefined ? { server } : {}),
        ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
        ...(opts.config !== undefined ? { config: opts.config } : {}),
        ...(opts.duration !== undefined ? { durationS: opts.duration } : {}),
        json: opts.json === true,
        keep: opts.keep === true,
        auth: {
          creds: opts.creds ?? io.env.NATS_CREDS_FILE,
          nkey: opts.nkey ?? io.env.NATS_NKEY_FILE,
          user: opts.user ?? io.env.NATS_USER,
          password: opts.password ?? io.env.NATS_PASSWORD,
          token: opts.token ?? io.env.NATS_TOKEN,
        },
      },
      { io, node: process.execPath, signal: stop.signal, force: force.signal, cwd: process.cwd() },
    );
  } finally {
    for (const s of names) process.removeListener(s, onSignal);
  }
}

export { DEMO_EXIT };
