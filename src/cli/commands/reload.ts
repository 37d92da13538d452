import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import { controlCommand } from "./start.ts";

const HELP = `
Sends "reload" on the control plane (lt.control.all, or lt.control.pod.<name> with --pod): each agent reads
the active config again and restarts it from its first step, whether it was running, stopped or finished
(a fresh start of the same run id, e.g. after the NATS under test was reset). Without --pod all of them
start together, one second from now. Exit 0 when at least one agent obeyed, 1 when none did.

Examples:
  $ ltctl reload
  $ ltctl reload --pod lt-agent-0 --json
`;

/** `ltctl reload [--pod P]`: every agent (or one) restarts the active config from its first step. */
export function register(program: Command, io: CliIo): void {
  controlCommand(
    program,
    io,
    "reload",
    "restart the active config from its first step on every agent (or one with --pod)",
    HELP,
  );
}
