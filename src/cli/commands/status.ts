import type { Command } from "commander";
import { STALE_HEARTBEATS } from "../../control/index.ts";
import { renderAgents } from "../format/cluster.ts";
import type { CliIo } from "../io.ts";
import { type NatsCliOptions, printJson, withClient, withNatsOptions } from "./nats.ts";

/** `ltctl status`: one row per agent with a presence entry. */
export function register(program: Command, io: CliIo): void {
  withNatsOptions(program.command("status").description("the agents: pod, mode, state, run, spec, last seen"))
    .addHelpText(
      "after",
      `\nAn agent is STALE when it missed ${STALE_HEARTBEATS} heartbeats; it disappears when its entry expires.\n`,
    )
    .action(async (opts: NatsCliOptions) => {
      io.setExitCode(
        await withClient(opts, io, "status", async (client) => {
          const [agents, active] = await Promise.all([client.status(), client.active()]);
          if (opts.json) printJson(io, { active_run: active?.run_id ?? null, agents });
          else {
            io.out(renderAgents(agents));
            io.out(
              active
                ? `\nactive run ${active.run_id} (revision ${active.revision}, pushed by ${active.pushed_by})\n`
                : "\nno active config\n",
            );
          }
          return 0;
        }),
      );
    });
}
