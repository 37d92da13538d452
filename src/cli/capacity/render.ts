// The capacity result: a table of the steps, the answer line, and the --json document. Pure.
import { CAPACITY_MAX_POINTS, type CapacityEntry, CONTROL_VERSION } from "../../control/index.ts";
import { type KneePoint, renderKneeHtml } from "../../report/index.ts";
import type { Percentiles } from "../../stats/index.ts";
import { formatNumber, renderTable } from "../format/table.ts";
import type { StepJudgement } from "./judge.ts";
import { bounds, type SearchEnd } from "./search.ts";

/** Latency kinds the table shows (p50 and p99 of each). */
const KINDS = ["publish_ack", "end_to_end"] as const;

export interface CapacityResult {
  readonly steps: readonly StepJudgement[];
  /** "running" while the search goes on (the progress entry of the dashboard). */
  readonly end: SearchEnd | "stopped" | "running";
  readonly max_rate: number | null;
}

function pct(s: StepJudgement, kind: string): Percentiles | undefined {
  const p = (s.final.latency_ms as Readonly<Record<string, Percentiles | undefined>>)[kind];
  return p && p.count > 0 ? p : undefined;
}

function ms(n: number | undefined): string {
  if (n === undefined) return "-";
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function measured(v: number | null): string {
  return v === null ? "not measured" : formatNumber(Number(v.toPrecision(4)));
}

function stepVerdict(s: StepJudgement): string {
  if (s.passed) return "pass";
  return s.generator ? "FAIL (generator)" : "FAIL";
}

/** The steps table's header and rows (text and HTML share them). */
function stepRows(steps: readonly StepJudgement[]): { headers: string[]; rows: string[][] } {
  const headers = [
    "#",
    "target/s",
    "achieved/s",
    ...KINDS.flatMap((k) => [`${k} p50`, `${k} p99`]),
    "lost",
    "verdict",
    "failing SLO",
  ];
  const rows = steps.map((s, i) => [
    String(i + 1),
    formatNumber(s.rate),
    formatNumber(Math.round(s.achieved)),
    ...KINDS.flatMap((k) => [ms(pct(s, k)?.p50), ms(pct(s, k)?.p99)]),
    formatNumber(s.final.lost),
    stepVerdict(s),
    s.failed.map((f) => `${f.slo} (measured ${measured(f.actual)})`).join("; "),
  ]);
  return { headers, rows };
}

/** The table of steps, in the order they ran. */
export function renderSteps(steps: readonly StepJudgement[]): string {
  const { headers, rows } = stepRows(steps);
  return renderTable(
    headers.map((h, i) => ({ header: h, align: i > 0 && i < headers.length - 2 ? "right" : "left" })),
    rows,
  );
}

/** `p99 8.1 ms` of the latency kinds the SLOs name (publish_ack when they name none). */
function latencyOf(s: StepJudgement, slos: readonly string[]): string {
  const kinds = KINDS.filter((k) => slos.some((m) => m.startsWith(`${k}.`)));
  const shown = (kinds.length > 0 ? kinds : ["publish_ack"]).flatMap((k) => {
    const p = pct(s, k);
    return p ? [`${k} p99 ${ms(p.p99)} ms`] : [];
  });
  return shown.length > 0 ? `: ${shown.join(", ")}` : "";
}

function firstFailure(s: StepJudgement): string {
  const f = s.failed[0];
  if (f === undefined) return s.final.phase === "error" ? "the step failed (see its error)" : "an SLO failed";
  const [metric] = f.slo.split(" ");
  return `${metric} was ${measured(f.actual)} (SLO ${f.slo})`;
}

/** The answer: the highest sustainable rate and what broke above it, or why there is none. */
export function answerLine(r: CapacityResult, slos: readonly string[]): string {
  const rate = (n: number) => `${formatNumber(n)} msg/s`;
  const { pass, fail } = bounds(r.steps);
  const at = (n: number | undefined) => r.steps.find((s) => s.rate === n);
  const passStep = at(pass);
  const held = passStep
    ? `max sustainable rate ${rate(passStep.rate)}${latencyOf(passStep, slos)}`
    : undefined;
  switch (r.end) {
    case "generator": {
      const g = r.steps.at(-1)!;
      const busy = g.send_busy_pct === null ? "" : `, its event loop ${g.send_busy_pct}% busy`;
      const upTo = pass === undefined ? "no rate passed" : `every SLO held up to ${rate(pass)}`;
      return `the load generator saturated at ${rate(g.rate)} (${firstFailure(g)}${busy}): that is this process's limit, not NATS's capacity (${upTo}); add workers (--workers) or pods and search again`;
    }
    case "start_failed": {
      const f = at(fail)!;
      return `no sustainable rate found: at ${rate(f.rate)}, the lowest tried, ${firstFailure(f)}; try a lower --start`;
    }
    case "max_passed":
      return `${held} or more: every step up to --max passed (raise --max to search higher)`;
    case "stopped":
      return `search stopped${held ? `; so far ${held}` : ""}`;
    case "running":
      return `searching${held ? `; so far ${held}` : ""}`;
    case "converged": {
      const f = at(fail)!;
      return `${held}; at ${rate(f.rate)} ${firstFailure(f)}`;
    }
  }
}

/** The --json document: `max_rate` (null when none), why the search ended, and each step. */
export function capacityJson(r: CapacityResult, slos: readonly string[]): unknown {
  return {
    max_rate: r.max_rate,
    limited_by: r.end === "generator" ? "generator" : r.end === "converged" ? "slo" : r.end,
    answer: answerLine(r, slos),
    slos,
    steps: r.steps.map((s) => ({
      rate: s.rate,
      achieved: Math.round(s.achieved * 100) / 100,
      passed: s.passed,
      failed: s.failed,
      generator_saturated: s.generator,
      pods: s.final.pods,
      send_busy_pct: s.send_busy_pct,
      lost: s.final.lost,
      unsent: s.final.unsent,
      latency_ms: Object.fromEntries(
        KINDS.flatMap((k) => {
          const p = pct(s, k);
          return p ? [[k, { p50: p.p50, p99: p.p99, p999: p.p999, max: p.max }]] : [];
        }),
      ),
      verdict: s.verdict,
    })),
  };
}

/** The knee chart's points: each step's rate, achieved rate, verdict and p99 of every kind it measured. */
export function kneePoints(steps: readonly StepJudgement[]): KneePoint[] {
  return steps.map((s) => ({
    rate: s.rate,
    achieved: Math.round(s.achieved * 100) / 100,
    passed: s.passed,
    p99_ms: Object.fromEntries(
      Object.entries(s.final.latency_ms).flatMap(([k, p]) => (p.count > 0 ? [[k, p.p99]] : [])),
    ),
  }));
}

/** The HTML page of `ltctl capacity --report`: answer, knee charts and the steps. */
export function kneeReport(r: CapacityResult, slos: readonly string[], spec: string): string {
  const { headers, rows } = stepRows(r.steps);
  return renderKneeHtml({
    title: `Capacity of ${spec}`,
    answer: answerLine(r, slos),
    slos,
    points: kneePoints(r.steps),
    table: [headers, ...rows],
  });
}

/** The control plane's record of a fleet search (the dashboard's knee chart), the newest steps kept. */
export function capacityEntry(
  searchId: string,
  spec: string,
  slos: readonly string[],
  r: CapacityResult,
): CapacityEntry {
  return {
    v: CONTROL_VERSION,
    search_id: searchId,
    spec,
    slos: [...slos],
    end: r.end,
    answer: answerLine(r, slos),
    max_rate: r.max_rate,
    updated: Date.now(),
    points: kneePoints(r.steps)
      .slice(-CAPACITY_MAX_POINTS)
      .map((k) => ({ ...k, p99_ms: { ...k.p99_ms } })),
  };
}
