import { type Command, InvalidArgumentError } from "commander";
import type { ControlOp } from "../../control/index.ts";
import { renderReplies } from "../format/cluster.ts";
import type { CliIo } from "../io.ts";
import { type NatsCliOptions, printJson, withClient, withNatsOptions } from "./nats.ts";

interface ControlOpts extends NatsCliOptions {
  pod?: string;
  timeout?: number;
}

const ms = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100)
    throw new InvalidArgumentError(`expected milliseconds >= 100, got ${v}`);
  return n;
};

/** A stop / start / reload command: sends it, collects replies, says who obeyed. Exit 1 when nobody did. */
export function controlCommand(
  program: Command,
  io: CliIo,
  op: ControlOp,
  description: string,
  help: string,
): void {
  withNatsOptions(program.command(op).description(description).addHelpText("after", help))
    .option("--pod <name>", "only this pod")
    .option("--timeout <ms>", "how long to collect replies (default 2000)", ms)
    .action(async (opts: ControlOpts) => {
      io.setExitCode(
        await withClient(opts, io, op, async (client) => {
          const replies = await client.command(op, {
            ...(opts.pod ? { pod: opts.pod } : {}),
            ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
            // Several agents start together one second from now.
            ...(op !== "stop" && !opts.pod ? { startAt: Date.now() + 1_000 } : {}),
          });
          const obeyed = replies.filter((r) => r.ok).map((r) => r.pod);
          if (opts.json) printJson(io, { op, pod: opts.pod ?? null, obeyed, replies });
          else io.out(renderReplies(op, replies, opts.pod));
          return obeyed.length > 0 ? 0 : 1;
        }),
      );
    });
}

const HELP = `
Sends "start" on the control plane (lt.control.all, or lt.control.pod.<name> with --pod) and prints each
agent's reply. An agent that is not running the active config (stopped, or finished) starts it again from
its first step; one that is running it says ok and carries on. Without --pod all of them start together, one
second from now. Exit 0 when at least one agent obeyed, 1 when none did (or none answered).

Examples:
  $ ltctl start                      every agent not running the active config starts it
  $ ltctl start --pod lt-agent-2 --json
`;

/** `ltctl start [--pod P]`: start the active run again where it is not running. */
export function register(program: Command, io: CliIo): void {
  controlCommand(
    program,
    io,
    "start",
    "start the active run on agents that are not running it (or one with --pod)",
    HELP,
  );
}
