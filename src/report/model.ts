// The run report: the whole run cluster-wide and per pod, per step, over time, and its percentile curves.
// Pure: built from snapshots (what `ltctl stats` / the stats stream hold), rendered by the render-* files.

import { parseThresholds, type Threshold, thresholdVocabulary } from "../config/index.ts";
import { type LatencyKind, latencyKinds, MEASURES, type Registry } from "../measures/index.ts";
import {
  type Achieved,
  achievedOf,
  aggregate,
  anyClosedLoop,
  type ClusterTotal,
  evaluateThresholds,
  latestPerStep,
  measuredSeconds,
  mergeEncoded,
  type Phase,
  percentileCurve,
  runMetrics,
  type Snapshot,
  type ThresholdResult,
} from "../stats/index.ts";
import { combineAchieved, stepLabel } from "./achieved.ts";
import { buildSeries, type SeriesPoint } from "./series.ts";

export const REPORT_VERSION = 1;

/**
 * Measurements of a set of pods over a set of steps: counters summed, histograms merged; requested vs achieved
 * (`target_rate`, `achieved_rate`, `achieved_pct`, `verdict`: a step's from its pods' finals, src/stats
 * achievedOf; over several steps weighted by their measured time, the verdict one line per short step).
 */
export interface Summary extends Achieved {
  /** Pods that contributed. */
  readonly pods: string[];
  /** Seconds spent measuring: per step the longest pod's elapsed time, summed over steps. */
  readonly duration_s: number;
  /** Flat metrics (the names thresholds and `ltctl compare` use): counters, run-mean rates, latency stats. */
  readonly metrics: Record<string, number>;
  /** Failures by category. */
  readonly errors: Record<string, number>;
  /** Latency summaries (ms) from the merged histograms (publish_ack, end_to_end, publish_service, send_delay). */
  readonly latency_ms: ClusterTotal["latency_ms"];
}

export interface PodStep {
  readonly pod: string;
  /** The phase of this pod's newest snapshot of the step (`done`, `stopped`, `error`, or still `running`). */
  readonly phase: Phase;
  readonly summary: Summary;
}

/** One spec iteration: every pod's part and their cluster total. */
export interface StepReport {
  readonly spec_index: number;
  readonly iteration: number;
  readonly spec: string;
  readonly cluster: Summary;
  readonly pods: PodStep[];
}

export interface CurvePoint {
  readonly percentile: number;
  readonly ms: number;
}

export interface RunReport {
  readonly v: typeof REPORT_VERSION;
  readonly run_id: string;
  /** ISO time of the earliest step start (snapshot time minus its elapsed time). */
  readonly started_at: string;
  /** ISO time of the newest snapshot. */
  readonly ended_at: string;
  /** Snapshots the report was built from. */
  readonly snapshots: number;
  /** The whole run, cluster-wide. */
  readonly cluster: Summary;
  /** The whole run, per pod (sorted by pod name). */
  readonly pods: Array<{ pod: string; summary: Summary }>;
  /** Per spec iteration, in plan order. */
  readonly steps: StepReport[];
  /** Cluster-wide per interval, from consecutive snapshots. */
  readonly series: { interval_s: number; points: SeriesPoint[] };
  /** Percentile curves (p0 .. p100 with p99.999) of the merged run histograms (empty without samples). */
  readonly curves: Record<LatencyKind, CurvePoint[]>;
  /** Thresholds checked against `cluster.metrics` (empty when the config has none). */
  readonly thresholds: ThresholdResult[];
  /** False when a threshold failed. */
  readonly passed: boolean;
  /** True when the run's publishers ran a closed loop (`"max"`): its latencies are service times. */
  readonly closed_loop?: boolean;
}

export interface BuildOptions {
  /** Which run to report when the snapshots hold several (default: the run of the newest snapshot). */
  readonly run?: string;
  /** The config's `thresholds` block or already parsed thresholds; bad entries are ignored here (validate first). */
  readonly thresholds?: Readonly<Record<string, string>> | readonly Threshold[];
  /** Width of the time-series bins in seconds (default: the snapshots' own interval). */
  readonly interval_s?: number;
  /** The measurements to report. @default MEASURES (src/measures) */
  readonly measures?: Registry;
}

/** Builds the report of one run. Throws a RangeError when there is no snapshot of that run. */
export function buildRunReport(snapshots: readonly Snapshot[], opts: BuildOptions = {}): RunReport {
  const m = opts.measures ?? MEASURES;
  const summarize = (finals: readonly Snapshot[]) => summarizeFinals(finals, m);
  const run = opts.run ?? newestRun(snapshots);
  const mine = snapshots.filter((s) => s.run_id === run);
  if (run === undefined || mine.length === 0) {
    throw new RangeError(`no snapshots of run ${run === undefined ? "(none given)" : JSON.stringify(run)}`);
  }
  const finals = latestPerStep(mine);
  const stepKeys = [...new Set(finals.map(stepKey))].sort(compareStepKeys);
  const steps: StepReport[] = stepKeys.map((key) => {
    const parts = finals.filter((s) => stepKey(s) === key).sort((a, b) => cmp(a.pod, b.pod));
    const first = parts[0]!;
    return {
      spec_index: first.spec_index,
      iteration: first.iteration,
      spec: first.spec,
      cluster: summarize(parts),
      pods: parts.map((s) => ({ pod: s.pod, phase: s.phase, summary: summarize([s]) })),
    };
  });
  // Over several steps: each step's requested vs achieved, weighted by its measured time.
  const over = (parts: { step: StepReport; summary: Summary }[]) =>
    combineAchieved(
      parts.map(({ step, summary }) => ({
        achieved: summary,
        duration_s: summary.duration_s,
        label: stepLabel(step.spec_index, step.spec, step.iteration),
      })),
    );
  const podNames = [...new Set(finals.map((s) => s.pod))].sort(cmp);
  const pods = podNames.map((pod) => ({
    pod,
    summary: {
      ...summarize(finals.filter((s) => s.pod === pod)),
      ...over(steps.flatMap((step) => step.pods.filter((p) => p.pod === pod).map((p) => ({ step, ...p })))),
    },
  }));
  const cluster = {
    ...summarize(finals),
    ...over(steps.map((step) => ({ step, summary: step.cluster }))),
  };

  const thresholds = Array.isArray(opts.thresholds)
    ? (opts.thresholds as readonly Threshold[])
    : parseThresholds(opts.thresholds, thresholdVocabulary(m)).thresholds;
  const results = evaluateThresholds(thresholds, cluster.metrics);

  const starts = mine.map((s) => Date.parse(s.ts) - s.elapsed_s * 1000);
  const ends = mine.map((s) => Date.parse(s.ts));
  const startMs = Math.min(...starts);
  return {
    v: REPORT_VERSION,
    run_id: run,
    started_at: new Date(startMs).toISOString(),
    ended_at: new Date(Math.max(...ends)).toISOString(),
    snapshots: mine.length,
    cluster,
    pods,
    steps,
    series: buildSeries(mine, startMs, opts.interval_s),
    curves: Object.fromEntries(
      latencyKinds(m).map((e) => [e.name, curve(finals, e.name)]),
    ) as RunReport["curves"],
    thresholds: results,
    passed: results.every((r) => r.ok),
    ...(anyClosedLoop(mine) ? { closed_loop: true } : {}),
  };
}

/**
 * Sums the given per-step finals (each the newest snapshot of one pod in one step). Their requested vs achieved
 * is right for one step's parts; a caller summing several steps replaces it (combineAchieved).
 */
function summarizeFinals(finals: readonly Snapshot[], m: Registry): Summary {
  const total = aggregate(finals, m);
  const longest = new Map<string, number>();
  // A step's time is its planned duration (or less when stopped early): the grace after it, while consumers
  // drain, is not load time, and counting it would understate the run's mean rates (as `ltctl run` does too).
  for (const s of finals) {
    const t = measuredSeconds(s);
    longest.set(stepKey(s), Math.max(longest.get(stepKey(s)) ?? 0, t));
  }
  let duration = 0;
  for (const d of longest.values()) duration += d;
  return {
    pods: total.pods,
    duration_s: duration,
    metrics: runMetrics(total, duration, m),
    errors: total.errors,
    latency_ms: total.latency_ms,
    ...achievedOf(finals, total.latency_ms),
  };
}

function curve(finals: readonly Snapshot[], kind: string): CurvePoint[] {
  const h = mergeEncoded(finals.map((s) => (s.hist as Readonly<Record<string, string | undefined>>)[kind]));
  const out = percentileCurve(h);
  h.destroy();
  return out;
}

function newestRun(snapshots: readonly Snapshot[]): string | undefined {
  let best: Snapshot | undefined;
  for (const s of snapshots) if (!best || Date.parse(s.ts) >= Date.parse(best.ts)) best = s;
  return best?.run_id;
}

const stepKey = (s: Snapshot) => `${s.spec_index}:${s.iteration}`;
function compareStepKeys(a: string, b: string): number {
  const [ai, aj] = a.split(":").map(Number) as [number, number];
  const [bi, bj] = b.split(":").map(Number) as [number, number];
  return ai - bi || aj - bj;
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
