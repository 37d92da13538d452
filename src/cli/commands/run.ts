// `ltctl run <config.json>`: runs the plan in this process against the NATS under test (no agents), with a
// progress line while it runs and a result table per step at the end (or the final snapshots as JSON).
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { type Command, Option } from "commander";
import { formatIssues, parseConfigText, resolvePodName } from "../../config/index.ts";
import { runPlan } from "../../engine/index.ts";
import { buildRunReport, REPORT_FORMATS, type ReportFormat } from "../../report/index.ts";
import {
  CLOSED_LOOP_LABEL,
  ERROR_CATEGORIES,
  emptyPercentiles,
  latencyKinds,
  MEASURES,
  type Measure,
  type Mode,
  measuredSeconds,
  type Percentiles,
  type Registry,
  type Snapshot,
  snapshotCounters,
  type WorkerStats,
} from "../../stats/index.ts";
import { progressDone, renderProgress, shouldPrint } from "../format/progress.ts";
import { renderQueueGroups } from "../format/queue-groups.ts";
import { formatBytes, formatNumber, renderTable } from "../format/table.ts";
import { renderTarget } from "../format/verdict.ts";
import { type CliIo, EXIT } from "../io.ts";
import { perStage, renderStages } from "../stages/per-stage.ts";
import { printThresholds, writeReport } from "./report.ts";

const HELP = `
Runs every step of the plan here, one after another: creates the streams and durable consumers, publishes
on the open-model schedule and consumes, printing a progress line every second; at the end a table per step
(counts, rates, latency percentiles, errors by category). Ctrl-C stops cleanly: in-flight publishes drain
and what was measured is printed. Streams are kept unless --cleanup.

With a "thresholds" block in the config, each threshold is checked against the run's cluster summary at
the end; exit code 99 when one fails, naming it and the measured value on stderr. --report FILE writes the
same report "ltctl report" makes (format from --format, else the file's extension).

Exit codes: 0 done, 2 bad usage or unreadable file, 4 a step failed, 99 a threshold failed, 104 invalid
config (nothing ran), 130 interrupted. Any non-zero code means the run did not pass.

Examples:
  $ NATS_URL=nats://127.0.0.1:4222 ltctl run examples/quick.json
  $ ltctl run my.json --mode publish --pod lt-0 --json > finals.json
`;

interface RunOpts {
  mode?: string;
  pod?: string;
  json?: boolean;
  cleanup?: boolean;
  workers?: string;
  report?: string;
  format?: ReportFormat;
}

export function register(program: Command, io: CliIo): void {
  program
    .command("run")
    .description("run a config in this process (no agents) and print the results")
    .argument("<file>", "config file (JSON, the original tool's format)")
    .option("--mode <mode>", "publish, consume or both", "both")
    .option("--pod <name>", "pod name for {pod} (default: POD_NAME, else the host name)")
    .option("--json", "print the final snapshot of each step as JSON instead of tables")
    .option("--cleanup", "delete the streams this run created when it ends")
    .option(
      "--workers <n>",
      "worker threads to split streams across (1 = in-process; default: the number of cores)",
      String(availableParallelism()),
    )
    .option("--report <file>", "also write the run report to this file (html, json, csv, md or table)")
    .addOption(
      new Option("--format <format>", "format of --report (default: from its extension, else table)").choices(
        REPORT_FORMATS,
      ),
    )
    .addHelpText("after", HELP)
    .action(async (file: string, opts: RunOpts) => {
      io.setExitCode(await run(file, opts, io));
    });
}

async function run(file: string, opts: RunOpts, io: CliIo): Promise<number> {
  const mode = opts.mode ?? "both";
  if (mode !== "publish" && mode !== "consume" && mode !== "both") {
    io.err(`ltctl run: --mode must be publish, consume or both, got ${mode}\n`);
    return EXIT.usage;
  }
  const workers = Number(opts.workers ?? availableParallelism());
  if (!Number.isInteger(workers) || workers < 1) {
    io.err(`ltctl run: --workers must be a positive integer, got ${opts.workers}\n`);
    return EXIT.usage;
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    io.err(`ltctl run: cannot read ${file}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const pod = opts.pod ?? resolvePodName(io.env, io.hostname);
  const loaded = parseConfigText(text, { pod, env: io.env });
  if (!loaded.ok) {
    io.err(`${file}: invalid config:\n${formatIssues(loaded.issues)}\n`);
    return EXIT.invalidConfig;
  }
  for (const w of loaded.warnings) io.err(`warning: ${w}\n`);
  const plan = loaded.plan;
  const totalS = plan.steps.reduce((n, s) => n + s.spec.durationMs / 1000, 0);
  const ctl = new AbortController();
  // The CLI's wiring: Ctrl-C stops the run cleanly; a second one is left to Node (exits at once).
  const onInt = () => ctl.abort();
  process.once("SIGINT", onInt);
  let lastPrinted: number | undefined;
  let doneS = 0;
  let progressShown = false;
  const seen: Snapshot[] = [];
  const onSnapshot = (s: Snapshot) => {
    seen.push(s);
    if (s.phase !== "running") {
      doneS += s.duration_s;
      return;
    }
    const elapsed = doneS + s.elapsed_s;
    if (opts.json || !shouldPrint(io.isTTY, lastPrinted, elapsed, 5)) return;
    lastPrinted = elapsed;
    progressShown = true;
    const p99 =
      s.latency_ms.end_to_end.count > 0 ? s.latency_ms.end_to_end.p99 : s.latency_ms.publish_ack.p99;
    io.err(
      renderProgress(
        {
          elapsed_s: elapsed,
          total_s: totalS,
          rate: s.publish_rate,
          consume_rate: s.consume_rate,
          p99_ms: p99,
          label: plan.steps.length > 1 ? `step ${s.spec}` : undefined,
          errors: s.publish_errors,
        },
        { isTTY: io.isTTY, env: io.env },
      ),
    );
  };
  const log = {
    info: () => {},
    warn: (msg: string, f?: Record<string, unknown>) =>
      io.err(`warning: ${msg}${f ? ` ${JSON.stringify(f)}` : ""}\n`),
    error: (msg: string, f?: Record<string, unknown>) =>
      io.err(`error: ${msg}${f ? ` ${JSON.stringify(f)}` : ""}\n`),
  };
  let result: Awaited<ReturnType<typeof runPlan>>;
  try {
    result = await runPlan(plan, {
      runId: randomUUID().slice(0, 8),
      pod,
      mode: mode as Mode,
      signal: ctl.signal,
      onSnapshot,
      log,
      statsIntervalMs: 1000,
      cleanup: opts.cleanup === true,
      workers,
    });
  } finally {
    process.removeListener("SIGINT", onInt);
  }
  if (progressShown) io.err(progressDone(io.isTTY));
  if (opts.json) io.out(`${JSON.stringify(result.finals, null, 2)}\n`);
  else io.out(renderResults(result.finals));
  if (!opts.json)
    for (const step of plan.steps) {
      const stages = perStage(step, seen);
      if (stages !== undefined)
        io.out(`\nstages of ${step.name} (step ${step.index + 1}):\n${renderStages(stages)}`);
    }
  if (result.finals.some((f) => f.phase === "error")) return EXIT.stepFailed;
  if (result.stopped) return EXIT.interrupted;
  const thresholds = loaded.config.thresholds;
  if (opts.report === undefined && thresholds === undefined) return EXIT.ok;
  const report = buildRunReport([...seen, ...result.finals], { thresholds });
  if (opts.report !== undefined)
    await writeReport(report, { output: opts.report, format: opts.format, thresholds: false }, io);
  return printThresholds(report, io);
}

/** The result tables of `ltctl run`, one block per step, for the registry's measurements. Pure. */
export function renderResults(finals: readonly Snapshot[], m: Registry = MEASURES): string {
  return finals.map((s) => renderStep(s, m)).join("\n");
}

const field = (o: unknown, key: string): number => {
  const n = (o as Readonly<Record<string, unknown>>)[key];
  return typeof n === "number" ? n : 0;
};

/**
 * One row per counter of the registry, in its order: its value, then its rate where it has one, or what it
 * means when something went wrong (a non-zero count that is worse when higher). Counters that are zero in a
 * healthy run (`quiet`) appear only when something happened.
 */
function counterRows(s: Snapshot, dur: number, m: Registry): string[][] {
  const rows: string[][] = [];
  for (const e of snapshotCounters(m) as Measure[]) {
    const n = field(s, e.name);
    if (e.quiet && n === 0) continue;
    const bytes = e.unit === "bytes";
    // KV and object store operations are counted in `events`: their rate reads as operations per second.
    const per = e.unit === "events" ? "ops/s" : "msg/s";
    const perSec = bytes ? `${formatBytes(n / dur)}/s` : `${formatNumber(n / dur)} ${per}`;
    const note = e.rate ? perSec : n !== 0 && (e.quiet || e.worse === "higher") ? e.help : "";
    rows.push([e.label, bytes ? formatBytes(n) : formatNumber(n), note]);
  }
  return rows;
}

function renderStep(s: Snapshot, m: Registry): string {
  const dur = Math.max(1e-3, measuredSeconds(s) || s.duration_s);
  let out = `${s.spec} (spec ${s.spec_index}, iteration ${s.iteration}) · ${s.phase} · ${s.elapsed_s}s of ${s.duration_s}s · mode ${s.mode}\n`;
  const err = (s as { error?: string }).error;
  if (err) out += `  error: ${err}\n`;
  out += renderTable(
    [{ header: "counter" }, { header: "value", align: "right" }, { header: "" }],
    counterRows(s, dur, m),
    2,
  );
  out += "\n";
  const latency = s.latency_ms as Readonly<Record<string, Percentiles | undefined>>;
  const lat = (e: Measure) => {
    const q = latency[e.name] ?? emptyPercentiles();
    return [e.label, formatNumber(q.count), ...[q.p50, q.p90, q.p95, q.p99, q.p999, q.p9999, q.max].map(ms)];
  };
  out += renderTable(
    ["latency (ms)", "count", "p50", "p90", "p95", "p99", "p99.9", "p99.99", "max"].map((h, i) => ({
      header: h,
      align: i === 0 ? "left" : "right",
    })),
    // A quiet kind (a workload this run may not have, such as KV) shows once it has samples.
    (latencyKinds(m) as Measure[]).filter((e) => !e.quiet || (latency[e.name]?.count ?? 0) > 0).map(lat),
    2,
  );
  if (s.closed_loop) out += `  (${CLOSED_LOOP_LABEL})\n`;
  const errors = ERROR_CATEGORIES.filter((c) => (s.errors[c] ?? 0) > 0);
  if (errors.length > 0) {
    out += "\n";
    out += renderTable(
      [{ header: "error" }, { header: "count", align: "right" }],
      errors.map((c) => [c, formatNumber(s.errors[c] ?? 0)]),
      2,
    );
  }
  if (s.workers && s.workers.length > 1) out += `\n${renderWorkers(s.workers, m)}`;
  if (s.queue_groups && s.queue_groups.length > 0) out += `\n${renderQueueGroups(s.queue_groups)}`;
  out += renderTarget(s);
  return out;
}

/**
 * Per worker thread: what each did (the step's figures above are their exact merge): the registry's
 * `perWorker` counters, then the sample counts of its `perWorker` latency kinds. A quiet counter that is 0 on
 * every worker is left out.
 */
function renderWorkers(workers: readonly WorkerStats[], m: Registry): string {
  const counters = (snapshotCounters(m) as Measure[]).filter(
    (e) => e.perWorker && (!e.quiet || workers.some((w) => field(w, e.name) !== 0)),
  );
  const kinds = (latencyKinds(m) as Measure[]).filter((e) => e.perWorker);
  const headers = [
    "worker",
    "streams",
    ...counters.map((e) => e.label),
    ...kinds.map((e) => `${e.label} samples`),
  ];
  return renderTable(
    headers.map((h, i) => ({ header: h, align: i === 0 ? "left" : "right" })),
    workers.map((w) => [
      `#${w.id}`,
      String(w.streams),
      ...counters.map((e) => formatNumber(field(w, e.name))),
      ...kinds.map((e) => formatNumber(field(w, `${e.name}_count`))),
    ]),
    2,
  );
}

function ms(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
