import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { validateThresholds } from "../../config/index.ts";
import {
  type ConfigRevision,
  decodableOnly,
  formatSkipped,
  type OnSkip,
  type SkippedSnapshot,
} from "../../control/index.ts";
import {
  achievedHeadline,
  buildRunReport,
  formatFromFileName,
  REPORT_FORMATS,
  type ReportFormat,
  type RunReport,
  renderReport,
  thresholdCheckOf,
} from "../../report/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { palette } from "../format/colour.ts";
import { type CliIo, EXIT } from "../io.ts";
import { type NatsCliOptions, withClient, withNatsOptions } from "./nats.ts";

/** Snapshots read for one run at most. @default 200000 (a 1 h run of 50 pods at a 1 s interval is 180k). */
export const DEFAULT_SNAPSHOT_LIMIT = 200_000;

const HELP = `
Reads every snapshot of a run from the stats stream and reports the whole run, cluster-wide and per pod, per
spec and iteration, with latency percentiles from merged histograms. --format html writes one self-contained
file with throughput and latency-over-time charts and the percentile curve (no network needed to view it).

Under the title: "target X msg/s, achieved Y (Z%)" cluster-wide and, for each step that reached under 99% of
its target, a verdict naming who fell behind (json: target_rate, achieved_rate, achieved_pct, verdict; csv: the
three numbers); with -o, those lines are also printed on standard error.

When the run's config has a "thresholds" block, each is checked against the cluster-wide run summary and
printed; exit code 99 when one fails, naming the threshold and the measured value.

Exit codes: 0 ok, 1 no such run / no snapshots, 2 bad usage, 3 control plane unreachable, 99 a threshold
failed, 104 the run's thresholds block is invalid. --json is --format json.

Examples:
  $ ltctl report                                   the active run, as a table
  $ ltctl report --run 20240501-120000-ab12 --format html -o report.html
  $ ltctl report --format csv > run.csv
  $ ltctl report --format json | jq .cluster.metrics
`;

/** What `report` and `compare` read: the ControlClient has these. */
export interface RunSource {
  active(): Promise<ConfigRevision | undefined>;
  history(limit?: number): Promise<ConfigRevision[]>;
  stats(q: { run?: string; limit?: number; onSkip?: OnSkip }): Promise<Snapshot[]>;
}

/** The config entry that started `run` (active or from the KV history). */
export async function configOfRun(source: RunSource, run: string): Promise<ConfigRevision | undefined> {
  const active = await source.active();
  if (active?.run_id === run) return active;
  return (await source.history(1000)).find((e) => e.run_id === run);
}

/** The `thresholds` block of a raw config, or undefined. */
export function thresholdsOf(config: unknown): Record<string, string> | undefined {
  if (typeof config !== "object" || config === null) return undefined;
  const t = (config as { thresholds?: unknown }).thresholds;
  return typeof t === "object" && t !== null ? (t as Record<string, string>) : undefined;
}

export interface LoadedRun {
  readonly report: RunReport;
  readonly thresholds: Record<string, string> | undefined;
  /** Malformed snapshots left out (subject, sequence, why). */
  readonly skipped: readonly SkippedSnapshot[];
}

/** Why a run could not be reported, and the exit code that says so. */
export interface RunNotLoaded {
  readonly error: string;
  readonly code: number;
}

/** Reads a run (default: the active one) and builds its report; returns an error message instead when impossible. */
export async function loadRun(
  source: RunSource,
  run: string | undefined,
  limit = DEFAULT_SNAPSHOT_LIMIT,
): Promise<LoadedRun | RunNotLoaded> {
  const runId = run ?? (await source.active())?.run_id;
  if (!runId)
    return { error: "no active run: push a config first, or name one with --run", code: EXIT.failed };
  const skipped: SkippedSnapshot[] = [];
  const snapshots = await source.stats({ run: runId, limit, onSkip: (k) => skipped.push(k) });
  if (snapshots.length === 0) {
    return { error: `no snapshots of run ${runId} in the stats stream`, code: EXIT.failed };
  }
  const thresholds = thresholdsOf((await configOfRun(source, runId))?.config);
  const issues = validateThresholds(thresholds);
  if (issues.length > 0) {
    return { error: issues.map((i) => `${i.path}: ${i.message}`).join("\n"), code: EXIT.invalidConfig };
  }
  let report: RunReport;
  try {
    report = buildRunReport(snapshots, { run: runId, thresholds });
  } catch (e) {
    // A histogram that looked right but does not decode: leave its snapshot out (said on stderr) and retry.
    const usable = decodableOnly(snapshots, (k) => skipped.push(k));
    if (usable.length === snapshots.length) throw e;
    report = buildRunReport(usable, { run: runId, thresholds });
  }
  return { report, thresholds, skipped };
}

interface ReportOpts extends NatsCliOptions {
  run?: string;
  format?: ReportFormat;
  output?: string;
  limit?: string;
  thresholds?: boolean;
}

/** Writes the report where asked and prints the threshold verdict; returns the exit code. */
export async function writeReport(
  report: RunReport,
  opts: { format?: ReportFormat; output?: string; thresholds?: boolean },
  io: CliIo,
): Promise<number> {
  const format = opts.format ?? (opts.output ? formatFromFileName(opts.output) : undefined) ?? "table";
  const text = renderReport(report, format);
  if (opts.output) {
    await writeFile(opts.output, text);
    io.err(`wrote ${format} report of run ${report.run_id} to ${opts.output}\n`);
  } else io.out(text);
  if (opts.thresholds === false) return EXIT.ok;
  return printThresholds(report, io);
}

/** Prints the failing thresholds (all of them when output is a file) to stderr; 99 when one failed. */
export function printThresholds(report: RunReport, io: CliIo): number {
  const check = thresholdCheckOf(report);
  if (check.results.length === 0) return EXIT.ok;
  const c = palette(io.isTTY, io.env);
  if (check.passed) {
    io.err(c.green(`thresholds passed (${check.results.length})\n`));
    return EXIT.ok;
  }
  const failed = check.results.filter((r) => !r.ok);
  io.err(
    c.red(
      `threshold${failed.length === 1 ? "" : "s"} failed: ${failed
        .map(
          (r) =>
            `${r.metric} ${r.op} ${r.value} (measured ${r.actual === undefined ? "nothing" : Number(r.actual.toPrecision(6))})`,
        )
        .join("; ")}\n`,
    ),
  );
  return EXIT.thresholdsFailed;
}

/** `ltctl report [--run R] [--format F] [-o FILE]`. */
export function register(program: Command, io: CliIo): void {
  const cmd = program
    .command("report")
    .description("report a run (default: the active one) as a table, json, csv, md or html")
    .option("--run <id>", "run id (default: the active config's run)")
    .addOption(
      new Option("-f, --format <format>", "output format (default: from -o's extension, else table)").choices(
        REPORT_FORMATS,
      ),
    )
    .option("-o, --output <file>", "write to a file instead of standard output")
    .option("--limit <n>", `most snapshots to read (default ${DEFAULT_SNAPSHOT_LIMIT})`)
    .option("--no-thresholds", "do not check the config's thresholds (exit 0 even when one fails)")
    .addHelpText("after", HELP);
  withNatsOptions(cmd).action(async (opts: ReportOpts) => {
    const limit = opts.limit === undefined ? DEFAULT_SNAPSHOT_LIMIT : Number(opts.limit);
    if (!Number.isInteger(limit) || limit <= 0) {
      io.err(`ltctl report: --limit expects a positive integer, got ${JSON.stringify(opts.limit)}\n`);
      io.setExitCode(EXIT.usage);
      return;
    }
    const code = await withClient(opts, io, "report", async (source) => {
      const loaded = await loadRun(source, opts.run, limit);
      if ("error" in loaded) {
        io.err(`ltctl report: ${loaded.error}\n`);
        return loaded.code;
      }
      if (loaded.skipped.length > 0) {
        const list = loaded.skipped.slice(0, 10).map((k) => `  ${formatSkipped(k)}\n`);
        io.err(`ltctl report: skipped ${loaded.skipped.length} malformed snapshot(s):\n${list.join("")}`);
      }
      // Written to a file, the report's header is not on the terminal: say target vs achieved there.
      if (opts.output) {
        const { target, verdicts } = achievedHeadline(loaded.report);
        for (const line of [target, ...verdicts]) if (line) io.err(`${line}\n`);
      }
      return writeReport(
        loaded.report,
        { ...opts, format: opts.format ?? (opts.json ? "json" : undefined) },
        io,
      );
    });
    io.setExitCode(code);
  });
}
