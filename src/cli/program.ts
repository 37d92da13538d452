import { Command } from "commander";
import { register as registerBench } from "./commands/bench.ts";
import { register as registerCapacity } from "./commands/capacity.ts";
import { register as registerCompare } from "./commands/compare.ts";
import { register as registerDemo } from "./commands/demo.ts";
import { register as registerHistory } from "./commands/history.ts";
import { register as registerPush } from "./commands/push.ts";
import { register as registerReload } from "./commands/reload.ts";
import { register as registerReport } from "./commands/report.ts";
import { register as registerRun } from "./commands/run.ts";
import { register as registerStart } from "./commands/start.ts";
import { register as registerStats } from "./commands/stats.ts";
import { register as registerStatus } from "./commands/status.ts";
import { register as registerStop } from "./commands/stop.ts";
import { register as registerValidate } from "./commands/validate.ts";
import { register as registerWatch } from "./commands/watch.ts";
import type { CliIo } from "./io.ts";

/** A command module: adds its command to the program. Each lives in src/cli/commands/<name>.ts. */
export type Register = (program: Command, io: CliIo) => void;

/** Commands in the order `ltctl --help` lists them. Add new ones here. */
const COMMANDS: readonly Register[] = [
  registerValidate,
  registerRun,
  registerBench,
  registerCapacity,
  registerReport,
  registerCompare,
  registerPush,
  registerStats,
  registerStatus,
  registerStop,
  registerStart,
  registerReload,
  registerHistory,
  registerWatch,
  registerDemo,
];

const HELP = `
Examples:
  $ ltctl demo                                  local NATS and three agents: live view, then the report
  $ ltctl validate examples/quick.json          check a config and see the plan it expands to
  $ ltctl validate examples/seed.json --pod lt-0 --json
  $ ltctl run examples/quick.json --report run.html  one local process, no agents; an HTML report too
  $ ltctl bench js pub orders --msgs 100000     nats bench's one-liners: here, or on the fleet with --push
  $ ltctl --server nats://nats:4222 push cfg.json  every agent there runs cfg.json (starts together)
  $ ltctl stats --limit 10                      newest snapshots of every pod + a cluster line
  $ ltctl watch --until-done                    live view; exits 99 when a threshold of the run fails

Agents (lt-agent) and ltctl meet on the control-plane NATS: --server / NATS_URL (default
nats://127.0.0.1:4222), --prefix / LT_PREFIX (default lt). Exit codes: 0 ok, 1 failed (not found,
nobody obeyed, timed out), 2 bad command line, 3 control plane unreachable, 4 a local step failed,
99 a threshold failed, 104 invalid config, 130 interrupted.

Each command has its own help: ltctl <command> --help. Configs: docs/config.md.
`;

/** Builds `ltctl`: output goes through `io`, and commander never exits the process itself. */
export function buildProgram(io: CliIo, version: string): Command {
  const program = new Command("ltctl")
    .description("Distributed NATS JetStream load tester: validate configs and drive agents over NATS")
    .version(version, "-V, --version")
    .showHelpAfterError("(add --help for usage)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText("after", HELP);
  for (const register of COMMANDS) register(program, io);
  // Subcommands inherit neither exitOverride nor output settings once created; apply them to all.
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    cmd.showHelpAfterError("(add --help for usage)");
  }
  return program;
}
