// `ltctl capacity CONFIG --slo EXPR... --local`: the highest rate at which every SLO holds, found by runs of
// the config at rising rates in this process (ltctl run's engine path), each step judged on its own run.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { formatIssues, parseConfigText, resolvePodName } from "../../config/index.ts";
import { runPlan } from "../../engine/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { judgeStep, parseSlos, type StepJudgement } from "../capacity/judge.ts";
import { answerLine, capacityJson, renderSteps } from "../capacity/render.ts";
import { type SearchOptions, search } from "../capacity/search.ts";
import { formatNumber } from "../format/table.ts";
import { type CliIo, EXIT } from "../io.ts";

const HELP = `
Runs the config's (single) spec in steps of --step-seconds at rising total rates: --start, then x --factor
each step up to --max, until a step breaks an SLO; then bisects between the highest passing and the lowest
failing rate until they are within --precision. Each step is a fresh run (streams it creates are deleted
after it, so one step's backlog never poisons the next), preceded by a warm-up run of --warmup-seconds at
the same rate that is not judged. A step is judged on its own final snapshot only (its own histograms), with
the threshold expressions of docs/reports.md: publish_ack.p99_ms<10, end_to_end.p99_ms<25, lost==0,
unsent==0, send_delay.p99_ms<5, ... (quote them in the shell). Without --slo, the config's "thresholds".

When the load generator itself falls behind (its event loop saturated while sending, or only its own send
delay / unsent slots broke while the server kept up), the search stops and says so: that rate is this
process's limit, not NATS's capacity; add --workers or pods.

The config's behavior (duration, ramp, stages) and repeat_policy are replaced by the search's steps; the
rate is the spec's total (every publisher gets its share, as in the config).

Only --local is built: fleet mode (steps pushed to agents like ltctl push) is not built yet.

Exit codes: 0 an answer was found, 99 no step passed or the generator saturated before any limit, 2 bad
usage, 104 invalid config, 4 a step failed to run, 130 interrupted. docs/capacity.md.

Examples:
  $ ltctl capacity examples/quick.json --local --slo 'publish_ack.p99_ms<10' --slo 'lost==0'
  $ ltctl capacity my.json --local --slo 'end_to_end.p99_ms<25' --start 5000 --max 200000 --json
`;

interface CapacityOpts {
  slo?: string[];
  local?: boolean;
  start: string;
  factor: string;
  max: string;
  stepSeconds: string;
  warmupSeconds: string;
  precision: string;
  workers: string;
  pod?: string;
  json?: boolean;
}

export function register(program: Command, io: CliIo): void {
  program
    .command("capacity")
    .description("find the highest rate at which every SLO holds (--local: in this process)")
    .argument("<file>", "config file (one spec)")
    .option("--slo <expr...>", "an SLO threshold such as 'publish_ack.p99_ms<10' (repeatable)")
    .option("--local", "run the steps in this process (required: fleet mode is not built yet)")
    .option("--start <rate>", "first total rate, msg/s", "1000")
    .option("--factor <x>", "growth of each rising step (> 1)", "2")
    .option("--max <rate>", "highest total rate tried, msg/s", "1000000")
    .option("--step-seconds <s>", "judged seconds of each step", "10")
    .option("--warmup-seconds <s>", "unjudged run at the step's rate before it (0 = none)", "3")
    .option("--precision <pct>", "stop bisecting when the interval is within this % of its top", "5")
    .option("--workers <n>", "worker threads (as in ltctl run)", String(availableParallelism()))
    .option("--pod <name>", "pod name for {pod} (default: POD_NAME, else the host name)")
    .option("--json", "print the result as JSON (max_rate, steps[])")
    .addHelpText("after", HELP)
    .action(async (file: string, opts: CapacityOpts) => {
      io.setExitCode(await capacity(file, opts, io));
    });
}

/** A positive number option, or the usage problem naming it. */
function numberOpt(name: string, raw: string, min: number, integer = false): number | string {
  const n = Number(raw.trim().replace(/%$/, ""));
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    return `ltctl capacity: ${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got ${raw}`;
  return n;
}

/** The raw config with its first spec running `rate` msg/s in total for `seconds`, nothing else. */
function stepConfig(
  raw: Record<string, unknown>,
  perPublisher: number,
  seconds: number,
  name: string,
): string {
  const specs = raw.load_test_specs as Record<string, unknown>[];
  const spec: Record<string, unknown> = { ...specs[0]!, name };
  spec.behavior = {
    duration_seconds: seconds,
    ramp_up_seconds: 0,
    stages: [{ duration_seconds: 0, rate: perPublisher }],
  };
  const { repeat_policy: _r, thresholds: _t, ...rest } = raw;
  return JSON.stringify({ ...rest, load_test_specs: [spec] });
}

async function capacity(file: string, opts: CapacityOpts, io: CliIo): Promise<number> {
  if (opts.local !== true) {
    io.err("ltctl capacity: fleet mode is not built yet; add --local to search in this process\n");
    return EXIT.usage;
  }
  const nums = {
    start: numberOpt("--start", opts.start, 1),
    factor: numberOpt("--factor", opts.factor, 1.01),
    max: numberOpt("--max", opts.max, 1),
    step: numberOpt("--step-seconds", opts.stepSeconds, 1, true),
    warmup: numberOpt("--warmup-seconds", opts.warmupSeconds, 0, true),
    precision: numberOpt("--precision", opts.precision, 0.1),
    workers: numberOpt("--workers", opts.workers, 1, true),
  };
  for (const v of Object.values(nums))
    if (typeof v === "string") {
      io.err(`${v}\n`);
      return EXIT.usage;
    }
  const n = nums as { [K in keyof typeof nums]: number };
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    io.err(`ltctl capacity: cannot read ${file}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const ctx = { pod: opts.pod ?? resolvePodName(io.env, io.hostname), env: io.env };
  const loaded = parseConfigText(text, ctx);
  if (!loaded.ok) {
    io.err(`${file}: invalid config:\n${formatIssues(loaded.issues)}\n`);
    return EXIT.invalidConfig;
  }
  const raw = JSON.parse(text) as Record<string, unknown>;
  const specs = raw.load_test_specs as unknown[];
  if (specs.length !== 1) {
    io.err(`${file}: ltctl capacity searches one spec; load_test_specs has ${specs.length} (keep one)\n`);
    return EXIT.usage;
  }
  const slos = parseSlos(
    opts.slo ?? Object.entries(loaded.config.thresholds ?? {}).map(([m, e]) => `${m}${e}`),
  );
  if ("error" in slos) {
    io.err(`ltctl capacity: ${slos.error}\n`);
    return EXIT.usage;
  }
  if (Object.keys(slos.block).length === 0) {
    io.err(
      "ltctl capacity: give at least one --slo (e.g. --slo 'publish_ack.p99_ms<10'), or thresholds in the config\n",
    );
    return EXIT.usage;
  }
  const first = loaded.plan.steps[0]!.spec;
  const base = first.publishers.reduce((t, p) => t + p.ratePerSec, 0);
  if (!(base > 0)) {
    io.err(`${file}: the spec has no publishers (publishers.count_per_stream is 0); nothing to search\n`);
    return EXIT.usage;
  }
  const publishRate = loaded.config.load_test_specs[0]!.publishers.publish_rate_per_second;
  const sloList = Object.entries(slos.block).map(([m, e]) => `${m} ${e}`);

  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once("SIGINT", onInt);
  const log = {
    info: () => {},
    warn: (msg: string) => io.err(`warning: ${msg}\n`),
    error: (msg: string) => io.err(`error: ${msg}\n`),
  };
  const runAt = async (rate: number, seconds: number, name: string): Promise<Snapshot | undefined> => {
    // Each publisher's share of the total, scaled like the config's own rates (a stream cap included).
    const perPublisher = (rate / base) * publishRate;
    const r = parseConfigText(stepConfig(raw, perPublisher, seconds, name), ctx);
    if (!r.ok) throw new Error(formatIssues(r.issues));
    // A signal per run: the engine's listeners go with it instead of piling up on the search's.
    const step = new AbortController();
    const forward = () => step.abort();
    ctl.signal.addEventListener("abort", forward, { once: true });
    const result = await runPlan(r.plan, {
      runId: randomUUID().slice(0, 8),
      pod: ctx.pod,
      mode: "both",
      signal: step.signal,
      onSnapshot: () => {},
      log,
      statsIntervalMs: 1000,
      cleanup: true,
      workers: n.workers,
    }).finally(() => ctl.signal.removeEventListener("abort", forward));
    return result.stopped ? undefined : result.finals[0];
  };
  const specName = String((specs[0] as { name?: unknown }).name ?? "capacity");
  const judged: StepJudgement[] = [];
  let failedToRun = false;
  const o: SearchOptions = { start: n.start, factor: n.factor, max: n.max, precision: n.precision / 100 };
  let result: Awaited<ReturnType<typeof search>>;
  try {
    result = await search(
      o,
      async (rate, i) => {
        io.err(
          `step ${i + 1}: ${formatNumber(rate)} msg/s${n.warmup > 0 ? ` (warm-up ${n.warmup} s, then ${n.step} s judged)` : ""}\n`,
        );
        if (n.warmup > 0) await runAt(rate, n.warmup, `${specName}-warmup`);
        const final = ctl.signal.aborted ? undefined : await runAt(rate, n.step, specName);
        if (final === undefined) {
          ctl.abort();
          return { rate, passed: false, generator: false };
        }
        const j = judgeStep(rate, final, slos.block);
        if (final.phase === "error") {
          // A step that could not run (no server, no permission) says nothing about capacity: stop here.
          failedToRun = true;
          io.err(`  the step failed: ${String((final as { error?: unknown }).error ?? "see the errors")}\n`);
          ctl.abort();
        }
        judged.push(j);
        io.err(
          `  achieved ${formatNumber(Math.round(j.achieved))} msg/s: ${j.passed ? "pass" : `FAIL${j.generator ? " (generator)" : ""}`}\n`,
        );
        return j;
      },
      ctl.signal,
    );
  } finally {
    process.removeListener("SIGINT", onInt);
  }
  const out = {
    steps: judged,
    end: ctl.signal.aborted ? ("stopped" as const) : result.end,
    max_rate: result.max_rate,
  };
  if (opts.json) io.out(`${JSON.stringify(capacityJson(out, sloList), null, 2)}\n`);
  else io.out(`${renderSteps(judged)}\n${answerLine(out, sloList)}\n`);
  if (failedToRun) return EXIT.stepFailed;
  if (out.end === "stopped") return EXIT.interrupted;
  return out.max_rate === null ? EXIT.thresholdsFailed : EXIT.ok;
}
