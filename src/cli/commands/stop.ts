import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import { controlCommand } from "./start.ts";

const HELP = `
Sends "stop" on the control plane (lt.control.all, or lt.control.pod.<name> with --pod) and prints each
agent's reply. A running agent stops sending, drains its in-flight publishes, writes its final snapshot
(phase "stopped") and waits; the active config stays, so "ltctl start" runs it again and a new push replaces
it. Exit 0 when at least one agent obeyed, 1 when none did (or none answered).

Examples:
  $ ltctl stop                       stop the run everywhere
  $ ltctl stop --pod lt-agent-2      only that pod; the others carry on
`;

/** `ltctl stop [--pod P]`: stop the run on every agent, or one. */
export function register(program: Command, io: CliIo): void {
  controlCommand(program, io, "stop", "stop the current run on every agent (or one with --pod)", HELP);
}
