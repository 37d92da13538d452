import { type Command, InvalidArgumentError } from "commander";
import { redactSecrets } from "../../control/index.ts";
import { renderHistory } from "../format/cluster.ts";
import type { CliIo } from "../io.ts";
import { type NatsCliOptions, printJson, withClient, withNatsOptions } from "./nats.ts";

interface HistoryOpts extends NatsCliOptions {
  limit: number;
  show?: string;
}

/**
 * `ltctl history`: earlier configs, newest first, from the config bucket's revisions. Every output (table,
 * --json, --show) goes through `redactSecrets`: passwords in URLs and password/token/nkey/seed/jwt fields
 * are printed as "***" (keep credentials out of configs with `${VAR}` or `nats_creds_file`).
 */
export function register(program: Command, io: CliIo): void {
  withNatsOptions(program.command("history").description("configs pushed so far, newest first"))
    .option(
      "-n, --limit <n>",
      "how many",
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new InvalidArgumentError(`expected a positive integer, got ${v}`);
        return n;
      },
      20,
    )
    .option("--show <run>", "print the config of one run as pushed (secrets redacted)")
    .action(async (opts: HistoryOpts) => {
      io.setExitCode(
        await withClient(opts, io, "history", async (client) => {
          const revs = redactSecrets(await client.history(opts.show ? 1_000 : opts.limit));
          if (opts.show) {
            const r = revs.find((x) => x.run_id === opts.show);
            if (!r) {
              io.err(`ltctl history: no run ${opts.show} in the kept history\n`);
              return 1;
            }
            printJson(io, opts.json ? r : r.config);
            io.err(
              "ltctl history: secrets show as ***; put them back (or reference an environment variable) before pushing this again\n",
            );
            return 0;
          }
          if (opts.json) printJson(io, { configs: revs });
          else io.out(renderHistory(revs));
          return 0;
        }),
      );
    });
}
