import { type Command, InvalidArgumentError } from "commander";
import type { ControlClient, PresenceView } from "../../control/index.ts";
import { checkThresholds } from "../../report/index.ts";
import {
  aggregate,
  type ClusterSummary,
  type ClusterTotal,
  type LivePoint,
  type Snapshot,
  withAchieved,
} from "../../stats/index.ts";
import { renderAgents, renderCluster, renderSnapshots } from "../format/cluster.ts";
import { CHART_POINTS, renderIntervalChart } from "../format/interval-chart.ts";
import { type ProgressState, renderProgress } from "../format/progress.ts";
import { type CliIo, EXIT } from "../io.ts";
import { type NatsCliOptions, withClient, withNatsOptions } from "./nats.ts";
import { WatchSeries } from "./watch-series.ts";

interface WatchOpts extends NatsCliOptions {
  interval: number;
  untilDone?: boolean;
  run?: string;
  timeout?: number;
}

const FINISHED = new Set(["done", "stopped", "error"]);

/** `ltctl watch`: the cluster view, refreshed until Ctrl-C (or until every agent finished with --until-done). */
export function register(program: Command, io: CliIo): void {
  withNatsOptions(
    program
      .command("watch")
      .description(
        "live cluster view: agents, latest snapshot per pod, totals; on a terminal a progress bar of the step",
      ),
  )
    .option("--interval <s>", "refresh every s seconds", secs, 2)
    .option(
      "--until-done",
      "exit once every live agent finished the run: 0, or 99 when one of the run's thresholds failed",
    )
    .option("--run <id>", "watch this run (default: the active one)")
    .option("--timeout <s>", "give up after s seconds (exit 1)", secs)
    .action(async (opts: WatchOpts) => {
      io.setExitCode(await withClient(opts, io, "watch", (client) => watchLoop(client, opts, io)));
    });
}

function secs(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected seconds > 0, got ${v}`);
  return n;
}

async function watchLoop(client: ControlClient, opts: WatchOpts, io: CliIo): Promise<number> {
  const feed = new WatchSeries(client);
  try {
    return await watchWith(client, feed, opts, io);
  } finally {
    feed.close();
  }
}

async function watchWith(
  client: ControlClient,
  feed: WatchSeries,
  opts: WatchOpts,
  io: CliIo,
): Promise<number> {
  const deadline = opts.timeout ? Date.now() + opts.timeout * 1000 : Number.POSITIVE_INFINITY;
  for (;;) {
    const base = await readClusterView(client, opts.run);
    await feed.follow(base.run, new Set(base.latest.map((s) => s.pod)).size);
    const view: ClusterView = {
      ...base,
      series: { interval_s: feed.intervalS, points: feed.points().slice(-CHART_POINTS) },
    };
    const { run, agents, latest, cluster, done } = view;
    if (opts.json) {
      io.out(
        `${JSON.stringify({ ts: new Date().toISOString(), run: run ?? null, agents, latest, cluster, done, series: view.series })}\n`,
      );
    } else {
      const text = renderClusterView(view);
      // On a terminal, a progress bar of the current step under the tables (the plain output stays tables).
      const progress = io.isTTY ? progressOf(view) : undefined;
      const bar = progress
        ? `\n${renderProgress(progress, { isTTY: true, env: io.env }).replace(/^\r/, "")}\n`
        : "";
      io.out(io.isTTY ? `\x1b[H\x1b[2J${text}${bar}` : `${text}\n`);
    }
    if (opts.untilDone && done) return await gate(client, run, io);
    if (Date.now() >= deadline) {
      if (!opts.json) io.err("ltctl watch: timed out\n");
      return EXIT.failed;
    }
    await new Promise((r) => setTimeout(r, opts.interval * 1000));
  }
}

/** With --until-done: the run's SLO thresholds (if its config has any) decide the exit code, as k6 does. */
async function gate(client: ControlClient, run: string | undefined, io: CliIo): Promise<number> {
  if (run === undefined) return EXIT.ok;
  const entry = (await client.history(64)).find((e) => e.run_id === run);
  const block = (entry?.config as { thresholds?: Record<string, string> } | undefined)?.thresholds;
  if (block === undefined) return EXIT.ok;
  const check = checkThresholds(block, await client.stats({ run, limit: 100_000 }), run);
  if (check.results.length > 0) io.err(`${check.text}\n`);
  return check.passed ? EXIT.ok : EXIT.thresholdsFailed;
}

/** What the live cluster view shows: the run, the agents, the latest snapshot per pod and their total. */
export interface ClusterView {
  readonly run: string | undefined;
  readonly agents: PresenceView[];
  readonly latest: Snapshot[];
  /** Their total; read by readClusterView, with target vs achieved (and the verdict once every pod ended short). */
  readonly cluster: ClusterTotal | ClusterSummary | undefined;
  /** Every live agent is on the run and finished it (done, stopped or error). */
  readonly done: boolean;
  /** The run's last intervals (`ltctl watch` fills it; each interval's own rates and percentiles). */
  readonly series?: { readonly interval_s: number | undefined; readonly points: readonly LivePoint[] };
}

/** Reads the cluster view of `run` (default: the active run) over the control plane. */
export async function readClusterView(client: ControlClient, runId?: string): Promise<ClusterView> {
  const run = runId ?? (await client.active())?.run_id;
  const [agents, latest] = await Promise.all([client.status(), client.latest(run)]);
  const live = agents.filter((a) => !a.stale);
  const onRun = live.filter((a) => a.run_id === run);
  const done =
    run !== undefined &&
    onRun.length > 0 &&
    onRun.length === live.length &&
    onRun.every((a) => FINISHED.has(a.state));
  const cluster = latest.length > 0 ? withAchieved(aggregate(latest), latest) : undefined;
  return { run, agents, latest, cluster, done };
}

/** The live cluster view as text (what `ltctl watch` draws each refresh). Pure but for the clock. */
export function renderClusterView(view: ClusterView, now = new Date()): string {
  const live = view.agents.filter((a) => !a.stale);
  return (
    `run ${view.run ?? "-"} · ${now.toISOString().slice(11, 19)} UTC · ${live.length} live agent(s)\n\n` +
    renderAgents(view.agents) +
    "\n" +
    renderSnapshots(view.latest) +
    (view.cluster ? `\n${renderCluster(view.cluster)}` : "") +
    (view.series && view.series.points.length > 0
      ? `\n${renderIntervalChart(view.series.points, view.series.interval_s)}`
      : "") +
    (view.cluster && view.cluster.cut_short.length > 0
      ? `\ncut short (restarted; their figures stay in the totals): ${view.cluster.cut_short.join(", ")}\n`
      : "")
  );
}

/**
 * The progress of the newest step the pods report (highest spec index, then iteration): the furthest pod's
 * elapsed time against the step's duration, and the rates summed over the pods in that step. Undefined
 * before the first snapshot.
 */
export function progressOf(view: ClusterView): ProgressState | undefined {
  if (view.latest.length === 0) return undefined;
  const rank = (x: Snapshot) => x.spec_index * 1e6 + x.iteration;
  const top = Math.max(...view.latest.map(rank));
  const step = view.latest.filter((x) => rank(x) === top);
  const first = step[0]!;
  const p99 = view.cluster?.latency_ms.end_to_end.count
    ? view.cluster.latency_ms.end_to_end.p99
    : view.cluster?.latency_ms.publish_ack.p99;
  return {
    elapsed_s: Math.max(...step.map((x) => Math.min(x.elapsed_s, x.duration_s))),
    total_s: first.duration_s,
    rate: step.reduce((n, x) => n + x.publish_rate, 0),
    consume_rate: step.reduce((n, x) => n + x.consume_rate, 0),
    ...(p99 !== undefined ? { p99_ms: p99 } : {}),
    label: `spec ${first.spec_index + 1} ${first.spec} iter ${first.iteration}`,
    pods: step.length,
  };
}
