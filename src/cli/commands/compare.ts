import type { Command } from "commander";
import { compareReports, renderComparison } from "../../report/index.ts";
import { palette } from "../format/colour.ts";
import { type CliIo, EXIT } from "../io.ts";
import { type NatsCliOptions, withClient, withNatsOptions } from "./nats.ts";
import { DEFAULT_SNAPSHOT_LIMIT, loadRun } from "./report.ts";

const HELP = `
Builds the report of both runs from the stats stream and prints each cluster-wide metric side by side with
the ratio B/A. A is the baseline: B's higher latencies, errors and losses and lower rates beyond the
tolerance are marked REGRESSION (volumes such as "published" depend on the duration and are not judged).

Exit codes: 0 compared (even with regressions, unless --fail-on-regression: then 1), 1 a run not found,
2 bad usage, 3 control plane unreachable, 104 a run's thresholds block is invalid. --json prints the
comparison as JSON.

Examples:
  $ ltctl compare 20240501-120000-ab12 20240502-090000-cd34
  $ ltctl compare old new --tolerance 10 --json | jq '.rows[] | select(.verdict == "regression")'
`;

interface CompareOpts extends NatsCliOptions {
  tolerance?: string;
  failOnRegression?: boolean;
}

/** `ltctl compare <runA> <runB> [--json] [--tolerance PCT]`. */
export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command("compare")
    .description("compare two runs metric by metric: ratio B/A and regressions marked")
    .argument("<runA>", "baseline run id")
    .argument("<runB>", "run id to compare with the baseline")
    .option("--tolerance <pct>", "relative change (percent) within which values count as equal", "5")
    .option("--fail-on-regression", "exit 1 when a metric regressed")
    .addHelpText("after", HELP);
  withNatsOptions(cmd).action(async (runA: string, runB: string, opts: CompareOpts) => {
    const tolerance = Number(opts.tolerance ?? "5") / 100;
    if (!Number.isFinite(tolerance) || tolerance < 0) {
      io.err(`ltctl compare: --tolerance expects a percentage >= 0, got ${JSON.stringify(opts.tolerance)}\n`);
      io.setExitCode(EXIT.usage);
      return;
    }
    const code = await withReports(runA, runB, opts, io, tolerance);
    io.setExitCode(code);
  });
}

async function withReports(
  runA: string,
  runB: string,
  opts: CompareOpts,
  io: CliIo,
  tolerance: number,
): Promise<number> {
  return withClient(opts, io, "compare", async (source) => {
    const [a, b] = await Promise.all([
      loadRun(source, runA, DEFAULT_SNAPSHOT_LIMIT),
      loadRun(source, runB, DEFAULT_SNAPSHOT_LIMIT),
    ]);
    for (const [id, r] of [
      [runA, a],
      [runB, b],
    ] as const) {
      if ("error" in r) {
        io.err(`ltctl compare: run ${id}: ${r.error}\n`);
        return r.code;
      }
    }
    if ("error" in a || "error" in b) return EXIT.failed;
    const c = compareReports(a.report, b.report, { tolerance });
    if (opts.json) io.out(`${JSON.stringify(c, null, 2)}\n`);
    else {
      const p = palette(io.isTTY, io.env);
      io.out(
        renderComparison(c, {
          paint: (t, v) => (v === "regression" ? p.red(t) : v === "improvement" ? p.green(t) : t),
        }),
      );
    }
    return opts.failOnRegression && c.regressions > 0 ? EXIT.failed : EXIT.ok;
  });
}
