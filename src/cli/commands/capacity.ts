// `ltctl capacity CONFIG --slo EXPR... --local`: the highest rate at which every SLO holds, found by runs of
// the config at rising rates in this process (ltctl run's engine path), each step judged on its own run.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { formatIssues, parseConfigText } from "../../config/index.ts";
import { PushRejectedError } from "../../control/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { judgeStep, type StepJudgement } from "../capacity/judge.ts";
import { type Prepared, type PrepareOpts, prepare, stepConfig } from "../capacity/prepare.ts";
import {
  answerLine,
  type CapacityResult,
  capacityEntry,
  capacityJson,
  kneeReport,
  renderSteps,
} from "../capacity/render.ts";
import { fleetRunner, localRunner, StepRunError, type StepRunner } from "../capacity/runners.ts";
import { bounds, type SearchOptions, search } from "../capacity/search.ts";
import { formatNumber } from "../format/table.ts";
import { type CliIo, EXIT } from "../io.ts";
import { type NatsCliOptions, withClient, withNatsOptions } from "./nats.ts";

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

Without --local the steps run on the fleet: each is pushed as the active config (like ltctl push, every agent
on one start barrier), judged on the merged final snapshots of every agent that took it, and its streams are
deleted through the control-plane connection afterwards. The rates are the fleet's totals: each agent runs the
config's publishers at its share. The connection options are ltctl push's (--server, --creds, ...).

--report FILE writes an HTML page with the knee chart (rate vs p99 per latency kind, target vs achieved) and
the table of steps.

Exit codes: 0 an answer was found, 99 no step passed or the generator saturated before any limit, 2 bad
usage, 104 invalid config, 4 a step failed to run, 130 interrupted. docs/capacity.md.

Examples:
  $ ltctl capacity examples/quick.json --local --slo 'publish_ack.p99_ms<10' --slo 'lost==0'
  $ ltctl capacity my.json --local --slo 'end_to_end.p99_ms<25' --start 5000 --max 200000 --json
  $ ltctl capacity my.json --server nats://nats:4222 --slo 'publish_ack.p99_ms<10' --report knee.html
`;

interface CapacityOpts extends NatsCliOptions, PrepareOpts {
  local?: boolean;
  report?: string;
}

export function register(program: Command, io: CliIo): void {
  withNatsOptions(
    program
      .command("capacity")
      .description("find the highest rate at which every SLO holds (on the fleet, or --local)")
      .argument("<file>", "config file (one spec)"),
  )
    .option("--slo <expr...>", "an SLO threshold such as 'publish_ack.p99_ms<10' (repeatable)")
    .option("--local", "run the steps in this process instead of on the fleet")
    .option("--start <rate>", "first total rate, msg/s", "1000")
    .option("--factor <x>", "growth of each rising step (> 1)", "2")
    .option("--max <rate>", "highest total rate tried, msg/s", "1000000")
    .option("--step-seconds <s>", "judged seconds of each step", "10")
    .option("--warmup-seconds <s>", "unjudged run at the step's rate before it (0 = none)", "3")
    .option("--precision <pct>", "stop bisecting when the interval is within this % of its top", "5")
    .option("--workers <n>", "worker threads (as in ltctl run)", String(availableParallelism()))
    .option("--pod <name>", "--local: pod name for {pod} (default: POD_NAME, else the host name)")
    .option("--report <file>", "write an HTML page with the knee chart and the steps")
    .addHelpText("after", HELP)
    .action(async (file: string, opts: CapacityOpts) => {
      io.setExitCode(await capacity(file, opts, io));
    });
}

async function capacity(file: string, opts: CapacityOpts, io: CliIo): Promise<number> {
  const p = await prepare(file, opts, io);
  if (typeof p === "number") return p;
  const log = {
    info: () => {},
    warn: (msg: string) => io.err(`warning: ${msg}\n`),
    error: (msg: string) => io.err(`error: ${msg}\n`),
  };
  if (opts.local === true)
    return searchWith(localRunner({ pod: p.ctx.pod, workers: p.n.workers, log }), p, opts, io);
  let warned = false;
  let warnedEntry = false;
  let fleet = "";
  const searchId = randomUUID();
  return withClient(opts, io, "capacity", (client) =>
    searchWith(
      fleetRunner({
        client,
        pushedBy: `ltctl capacity@${io.hostname}`,
        onPods: (pods) => {
          const now = pods.join(", ");
          if (now !== fleet) io.err(`  agents on the step: ${now}\n`);
          fleet = now;
        },
        planFor: (raw, pod) => {
          const r = parseConfigText(JSON.stringify(raw), { ...p.ctx, pod });
          return r.ok ? r.plan : undefined;
        },
        onNotReset: (streams) => {
          if (!warned)
            io.err(
              `warning: streams ${streams.join(", ")} could not be deleted through the control plane (another cluster, or no permission), so they are not reset between steps: a backlog carries over\n`,
            );
          warned = true;
        },
      }),
      p,
      opts,
      io,
      async (r) => {
        // The dashboard follows the search live; a refused write (least privilege) only costs the chart.
        await client.putCapacity(capacityEntry(searchId, p.specName, p.sloList, r)).catch((e: unknown) => {
          if (!warnedEntry)
            io.err(`warning: the knee chart's entry was not written: ${(e as Error).message}\n`);
          warnedEntry = true;
        });
      },
    ),
  );
}

/** Runs the search with `runner` running each step, prints the result; the exit code. */
async function searchWith(
  runner: StepRunner,
  p: Prepared,
  opts: CapacityOpts,
  io: CliIo,
  progress: (r: CapacityResult) => Promise<void> = async () => {},
): Promise<number> {
  const { n } = p;
  const fleetSize = await runner.agents();
  if (fleetSize === 0) {
    io.err("ltctl capacity: no live agents to run the steps (ltctl status; or search here with --local)\n");
    return EXIT.stepFailed;
  }
  if (fleetSize > 1) io.err(`${fleetSize} agents share each step's rate\n`);
  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once("SIGINT", onInt);
  const runAt = async (rate: number, seconds: number, name: string) => {
    // Each publisher's share of the total, scaled like the config's own rates (a stream cap included). On a
    // fleet every agent runs every publisher: the total is the agents' sum (the rate asked of the fleet).
    const perPublisher = (rate / p.base) * p.publishRate;
    const raw = stepConfig(p.raw, perPublisher / fleetSize, seconds, name);
    const r = parseConfigText(JSON.stringify(raw), p.ctx);
    if (!r.ok) throw new Error(formatIssues(r.issues));
    return runner.run(r.plan, raw, seconds, ctl.signal);
  };
  const judged: StepJudgement[] = [];
  let failedToRun: string | undefined;
  const o: SearchOptions = { start: n.start, factor: n.factor, max: n.max, precision: n.precision / 100 };
  let result: Awaited<ReturnType<typeof search>>;
  try {
    result = await search(
      o,
      async (rate, i) => {
        io.err(
          `step ${i + 1}: ${formatNumber(rate)} msg/s${n.warmup > 0 ? ` (warm-up ${n.warmup} s, then ${n.step} s judged)` : ""}\n`,
        );
        let finals: Snapshot[] | undefined;
        try {
          if (n.warmup > 0) await runAt(rate, n.warmup, `${p.specName}-warmup`);
          finals = ctl.signal.aborted ? undefined : await runAt(rate, n.step, p.specName);
        } catch (e) {
          if (!(e instanceof StepRunError || e instanceof PushRejectedError)) throw e;
          failedToRun = e.message;
          finals = undefined;
        }
        if (finals === undefined) {
          ctl.abort();
          return { rate, passed: false, generator: false };
        }
        const j = judgeStep(rate, finals, p.block);
        if (j.final.phase === "error") {
          // A step that could not run (no server, no permission) says nothing about capacity: stop here.
          const err = finals.map((f) => (f as { error?: unknown }).error).find((e) => e !== undefined);
          failedToRun = String(err ?? "see the errors");
          ctl.abort();
        }
        judged.push(j);
        await progress({ steps: judged, end: "running", max_rate: bounds(judged).pass ?? null });
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
  if (failedToRun !== undefined) io.err(`  the step failed: ${failedToRun}\n`);
  const out = {
    steps: judged,
    end: ctl.signal.aborted ? ("stopped" as const) : result.end,
    max_rate: result.max_rate,
  };
  await progress(out);
  if (opts.json) io.out(`${JSON.stringify(capacityJson(out, p.sloList), null, 2)}\n`);
  else io.out(`${renderSteps(judged)}\n${answerLine(out, p.sloList)}\n`);
  if (opts.report !== undefined) {
    await writeFile(opts.report, kneeReport(out, p.sloList, p.specName));
    io.err(`knee chart written to ${opts.report}\n`);
  }
  if (failedToRun !== undefined) return EXIT.stepFailed;
  if (out.end === "stopped") return EXIT.interrupted;
  return out.max_rate === null ? EXIT.thresholdsFailed : EXIT.ok;
}
