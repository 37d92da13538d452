import { type Command, InvalidArgumentError } from "commander";
import { formatSkipped, type SkippedSnapshot, safeAggregate } from "../../control/index.ts";
import { anyClosedLoop, CLOSED_LOOP_LABEL, latestPerPod, withAchieved } from "../../stats/index.ts";
import { renderCluster, renderSnapshots } from "../format/cluster.ts";
import type { CliIo } from "../io.ts";
import { type NatsCliOptions, printJson, withClient, withNatsOptions } from "./nats.ts";

interface StatsOpts extends NatsCliOptions {
  limit: number;
  pod?: string;
  run?: string;
}

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new InvalidArgumentError(`expected 1..100000, got ${v}`);
  return n;
};

/** `ltctl stats [--limit N] [--pod P] [--run R]`: newest snapshots first, plus the cluster-wide line. */
export function register(program: Command, io: CliIo): void {
  withNatsOptions(program.command("stats").description("the newest snapshots of every agent, newest first"))
    .option("-n, --limit <n>", "how many snapshots", positive, 10)
    .option("--pod <name>", "only this pod")
    .option("--run <id>", "only this run")
    .addHelpText(
      "after",
      "\nThe cluster line sums the latest snapshot of each (run, pod) shown and merges their histograms; under it\n" +
        "'target X msg/s, achieved Y (Z%)' sums the pods' targets and publish rates (a final snapshot's are its\n" +
        "step's means) and, once every pod's step ended under 99% of the target, a verdict names who fell behind.\n" +
        "--json: {snapshots, cluster}, cluster holding target_rate, achieved_rate, achieved_pct and verdict.\n",
    )
    .action(async (opts: StatsOpts) => {
      io.setExitCode(
        await withClient(opts, io, "stats", async (client) => {
          // Malformed snapshots are skipped and named on stderr (subject and sequence), never fatal.
          const skipped: SkippedSnapshot[] = [];
          const read = await client.stats({
            limit: opts.limit,
            ...(opts.pod ? { pod: opts.pod } : {}),
            ...(opts.run ? { run: opts.run } : {}),
            onSkip: (k) => skipped.push(k),
          });
          const { total, dropped } = safeAggregate(latestPerPod(read), (k) => skipped.push(k));
          const snapshots = dropped.size === 0 ? read : read.filter((s) => !dropped.has(s));
          const latest = latestPerPod(snapshots);
          const cluster = total ? withAchieved(total, latest) : undefined;
          if (skipped.length > 0) {
            const list = skipped.slice(0, 10).map((k) => `  ${formatSkipped(k)}\n`);
            io.err(`ltctl stats: skipped ${skipped.length} malformed snapshot(s):\n${list.join("")}`);
          }
          if (opts.json) printJson(io, { snapshots, cluster });
          else
            io.out(
              renderSnapshots(snapshots) +
                (cluster ? `\n${renderCluster(cluster)}` : "") +
                (anyClosedLoop(snapshots) ? `  (${CLOSED_LOOP_LABEL})\n` : ""),
            );
          return 0;
        }),
      );
    });
}
