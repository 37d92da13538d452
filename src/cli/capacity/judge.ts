// Judging one capacity step: its SLOs over that step's own final snapshot (a fresh run, so its histograms and
// counters are the step's alone), and who broke when one failed: the load generator or the server.
import { parseThreshold } from "../../config/index.ts";
import { checkThresholds } from "../../report/index.ts";
import {
  achievedOf,
  aggregate,
  GENERATOR_SATURATED_PCT,
  type Percentiles,
  type Snapshot,
  snapshotVerdict,
  TARGET_REACHED,
  type ThresholdResult,
} from "../../stats/index.ts";

/** `metric<op>value` as typed on the command line (`publish_ack.p99_ms<10`, `lost==0`, `unsent == 0`). */
const SLO = /^\s*([A-Za-z0-9_.]+)\s*(<=|>=|==|!=|<|>)\s*(\S.*)$/;

/**
 * Metrics that measure the load generator's own schedule: a failure of only these while the server kept up
 * with the target is the generator's (its timers and CPU), never the server's capacity.
 */
const GENERATOR_METRICS = /^(send_delay\.|unsent$|missed_sends$)/;

/** Parses `--slo` expressions into a thresholds block, or the first problem naming the expression. */
export function parseSlos(exprs: readonly string[]): { block: Record<string, string> } | { error: string } {
  const block: Record<string, string> = {};
  for (const e of exprs) {
    const m = SLO.exec(e);
    if (!m)
      return {
        error: `--slo ${JSON.stringify(e)}: expected <metric><operator><number>, e.g. publish_ack.p99_ms<10 or lost==0`,
      };
    const parsed = parseThreshold(m[1]!, `${m[2]} ${m[3]!.trim()}`);
    if ("path" in parsed) return { error: `--slo ${JSON.stringify(e)}: ${parsed.message}` };
    if (block[parsed.metric] !== undefined)
      return { error: `--slo ${JSON.stringify(e)}: ${parsed.metric} is given twice; one bound per metric` };
    block[parsed.metric] = `${parsed.op} ${parsed.value}`;
  }
  return { block };
}

/** A step's figures over every pod that ran it: counters summed, histograms merged exactly. */
export interface StepFigures {
  readonly phase: "done" | "error" | "stopped" | "running";
  readonly latency_ms: Readonly<Record<string, Percentiles>>;
  readonly lost: number;
  readonly unsent: number;
  /** Pods whose final snapshot the step read. */
  readonly pods: readonly string[];
}

/** What one step measured and how it was judged (the rows of the result and of --json). */
export interface StepJudgement {
  /** The rate asked, msg/s (the whole spec's, over every pod). */
  readonly rate: number;
  /** The rate achieved over the measured window, msg/s (summed over the pods). */
  readonly achieved: number;
  readonly passed: boolean;
  /** The SLOs that failed, with what was measured (null: not measured). */
  readonly failed: readonly { slo: string; actual: number | null }[];
  /** The step failed because the load generator fell behind (it says nothing about the server). */
  readonly generator: boolean;
  /** Busy share of the busiest pod's sending event loop, when measured. */
  readonly send_busy_pct: number | null;
  /** The requested-vs-achieved verdict of the step, when it missed its target. */
  readonly verdict: string | null;
  /** The step's merged figures (its latencies and counters). */
  readonly final: StepFigures;
}

const PHASE_ORDER = ["error", "stopped", "running", "done"] as const;

/**
 * Judges a step by the final snapshots of the pods that ran it (one in --local mode). The SLOs read the
 * merged figures (checkThresholds merges histograms exactly). Who broke, after the verdict rules of
 * src/stats/achieved.ts: the generator when a pod's event loop was saturated while sending (send_busy_pct at
 * GENERATOR_SATURATED_PCT or more), or when only generator metrics (send delay, unsent) failed although the
 * target was reached (the server kept up; the lateness was the generator's own). Otherwise the server.
 */
export function judgeStep(
  rate: number,
  finals: readonly Snapshot[],
  block: Readonly<Record<string, string>>,
): StepJudgement {
  const check = checkThresholds(block, finals);
  const failed = check.results.filter((r) => !r.ok);
  const total = aggregate(finals);
  const achieved = achievedOf(finals, total.latency_ms);
  const busies = finals.flatMap((f) =>
    f.system?.send_busy_pct === undefined ? [] : [f.system.send_busy_pct],
  );
  const busy = busies.length > 0 ? Math.max(...busies) : undefined;
  const phase = PHASE_ORDER.find((p) => finals.some((f) => f.phase === p)) ?? "error";
  const target = achieved.target_rate;
  const reached = !(target > 0) || achieved.achieved_rate >= target * TARGET_REACHED;
  const saturated = busy !== undefined && busy >= GENERATOR_SATURATED_PCT;
  const ownOnly = failed.length > 0 && failed.every((r) => GENERATOR_METRICS.test(r.metric));
  const broke = phase === "error" || failed.length > 0;
  const single = finals.length === 1 ? finals[0] : undefined;
  return {
    rate,
    achieved: achieved.achieved_rate,
    passed: check.passed && phase !== "error" && finals.length > 0,
    failed: failed.map((r: ThresholdResult) => ({
      slo: `${r.metric} ${r.op} ${r.value}`,
      actual: r.actual ?? null,
    })),
    generator: broke && (saturated || (ownOnly && reached)),
    send_busy_pct: busy ?? null,
    verdict: (single ? snapshotVerdict(single) : achieved.verdict) ?? null,
    final: {
      phase,
      latency_ms: total.latency_ms,
      lost: total.counters.lost,
      unsent: total.counters.unsent ?? 0,
      pods: total.pods,
    },
  };
}
