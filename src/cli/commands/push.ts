import { readFile } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import { formatIssues } from "../../config/index.ts";
import { PushRejectedError, validateForPush } from "../../control/index.ts";
import { timeOf } from "../format/cluster.ts";
import { type CliIo, EXIT } from "../io.ts";
import { type NatsCliOptions, printJson, withClient, withNatsOptions } from "./nats.ts";

const HELP = `
Validates the config (everything except strings holding a \${VAR}, which each agent expands with its own
environment), writes it as the active config (a new run), and reports which agents picked it up. A config
with errors is refused and the running config stays.

Examples:
  $ ltctl push examples/quick.json
  $ ltctl push my.json --start-in 10 --server nats://nats:4222 --json
`;

interface PushOpts extends NatsCliOptions {
  startIn?: number;
  wait?: number;
}

const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected seconds >= 0, got ${v}`);
  return n;
};

/** `ltctl push <config.json>`. */
export function register(program: Command, io: CliIo): void {
  withNatsOptions(
    program
      .command("push")
      .description("make a config the active run on every agent")
      .argument("<file>", "config file (JSON)"),
  )
    .option("--start-in <s>", "start barrier: seconds from now (default 2)", seconds)
    .option("--wait <s>", "seconds to wait for agents to acknowledge (default 4)", seconds)
    .addHelpText("after", HELP)
    .action(async (file: string, opts: PushOpts) => {
      io.setExitCode(await push(file, opts, io));
    });
}

async function push(file: string, opts: PushOpts, io: CliIo): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    const err = e as Error;
    if (err instanceof SyntaxError)
      return refuse(io, opts, file, [{ path: "$", message: `invalid JSON: ${err.message}` }]);
    io.err(`ltctl push: cannot read ${file}: ${err.message}\n`);
    return EXIT.usage;
  }
  const issues = validateForPush(raw);
  if (issues.length > 0) return refuse(io, opts, file, issues);
  return withClient(opts, io, "push", async (client) => {
    let r: Awaited<ReturnType<typeof client.push>>;
    try {
      r = await client.push(raw, {
        pushedBy: `ltctl@${io.hostname}`,
        ...(opts.startIn !== undefined ? { startAt: Date.now() + opts.startIn * 1000 } : {}),
      });
    } catch (e) {
      if (e instanceof PushRejectedError) return refuse(io, opts, file, e.issues);
      throw e;
    }
    const acked = await client.ackedBy(r.run_id, (opts.wait ?? 4) * 1000);
    const live = (await client.status()).filter((a) => !a.stale).map((a) => a.pod);
    if (opts.json) {
      printJson(io, {
        ok: true,
        run_id: r.run_id,
        revision: r.revision,
        start_at: r.start_at,
        hash: r.hash,
        acked_by: acked,
        agents: live,
      });
    } else {
      io.out(
        `pushed ${file}: run ${r.run_id} (revision ${r.revision}), starts at ${timeOf(r.start_at)} UTC\n`,
      );
      io.out(
        live.length === 0
          ? "no live agents yet: the run starts on each agent as it joins\n"
          : `acknowledged by ${acked.length} of ${live.length} agent${live.length === 1 ? "" : "s"}: ${acked.join(", ") || "none"}\n`,
      );
      const missing = live.filter((p) => !acked.includes(p));
      if (missing.length > 0) io.out(`not yet: ${missing.join(", ")}\n`);
    }
    return EXIT.ok;
  });
}

function refuse(
  io: CliIo,
  opts: PushOpts,
  file: string,
  issues: readonly { path: string; message: string }[],
): number {
  if (opts.json) printJson(io, { ok: false, file, issues });
  else
    io.err(
      `${file}: refused, the active config is unchanged:\n${formatIssues(issues).replace(/^/gm, "  ")}\n`,
    );
  return EXIT.invalidConfig;
}
