// The bench's result in nats bench's terms: messages per second and MB/s per side (publish, subscribe,
// requests), latency percentiles per kind, then our extras (lost, duplicates, send delay, unsent, errors).
// Built from the run's final snapshots (one per pod): counts add, percentiles come from merged histograms,
// each pod's rates are over its own measured window and add up.
import {
  aggregate,
  anyClosedLoop,
  CLOSED_LOOP_LABEL,
  LATENCY_KINDS,
  measuredSeconds,
  measureOf,
  type Snapshot,
} from "../../stats/index.ts";
import { formatNumber, renderTable } from "../format/table.ts";

/** One side of the traffic: its messages, their rate and throughput. */
export interface BenchRate {
  readonly side: string;
  readonly msgs: number;
  readonly msgs_per_s: number;
  readonly mb_per_s: number;
}

export interface BenchLatency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** What `ltctl bench --json` prints (one object). */
export interface BenchSummary {
  readonly verb: string;
  readonly subject: string;
  readonly run_id: string;
  readonly pods: string[];
  /** done, stopped or error (the worst of the pods'). */
  readonly phase: string;
  /** The longest pod's measured window. */
  readonly seconds: number;
  readonly closed_loop: boolean;
  readonly rates: BenchRate[];
  /** Latency kinds that have samples, in ms. */
  readonly latency_ms: Record<string, BenchLatency>;
  readonly lost: number;
  readonly duplicates: number;
  readonly unsent: number;
  readonly send_delay_p99_ms: number;
  readonly errors: Record<string, number>;
  readonly error?: string;
  /** A consumer verb's --msgs backlog: each consumer's drain of it, timed (latency kind `drain`). */
  readonly drain?: { readonly msgs: number; readonly max_s: number; readonly msgs_per_s: number };
  /** A consumer verb: its end-to-end latencies include the age of messages stored before it started. */
  readonly replay?: boolean;
}

const MB = 1_000_000;
/** Sides of the traffic: the counter of messages, and its bytes counter when it has one. */
const SIDES: readonly { side: string; msgs: string; bytes?: string }[] = [
  { side: "publish", msgs: "published", bytes: "bytes_out" },
  { side: "subscribe", msgs: "consumed", bytes: "bytes_in" },
  { side: "requests", msgs: "replies" },
  { side: "served", msgs: "served" },
  { side: "kv put", msgs: "kv_puts" },
  { side: "kv get", msgs: "kv_gets" },
  { side: "obj put", msgs: "obj_puts", bytes: "obj_bytes_put" },
  { side: "obj get", msgs: "obj_gets", bytes: "obj_bytes_got" },
];
/** Sides whose messages carry no byte count of ours: no MB/s. */
const NO_BYTES = new Set(["requests", "served", "kv put", "kv get"]);

const num = (s: Snapshot, k: string): number => {
  const n = (s as Readonly<Record<string, unknown>>)[k];
  return typeof n === "number" ? n : 0;
};

export function summarize(
  verb: string,
  subject: string,
  finals: readonly Snapshot[],
  backlog?: number,
): BenchSummary {
  const total = aggregate(finals);
  const drained = (total.latency_ms as Readonly<Record<string, { count: number; max: number } | undefined>>)
    .drain;
  const drain =
    backlog !== undefined && drained !== undefined && drained.count > 0 && drained.max > 0
      ? {
          msgs: backlog,
          max_s: round(drained.max / 1000, 3),
          msgs_per_s: round((backlog * 1000) / drained.max),
        }
      : undefined;
  const rates: BenchRate[] = [];
  for (const { side, msgs, bytes } of SIDES) {
    const n = finals.reduce((a, s) => a + num(s, msgs), 0);
    if (n === 0) continue;
    let perS = 0;
    let mbS = 0;
    for (const s of finals) {
      const t = Math.max(1e-3, measuredSeconds(s));
      perS += num(s, msgs) / t;
      if (bytes) mbS += num(s, bytes) / t / MB;
    }
    rates.push({ side, msgs: n, msgs_per_s: round(perS), mb_per_s: round(mbS, 2) });
  }
  const latency: Record<string, BenchLatency> = {};
  for (const k of LATENCY_KINDS) {
    const p = total.latency_ms[k];
    if (p.count > 0 && k !== "send_delay")
      latency[k] = { count: p.count, p50: p.p50, p90: p.p90, p99: p.p99, max: p.max };
  }
  const phases = finals.map((s) => s.phase);
  const error = finals.map((s) => (s as { error?: string }).error).find((e) => e !== undefined);
  return {
    verb,
    subject,
    run_id: finals[0]?.run_id ?? "",
    pods: total.pods,
    phase: phases.includes("error") ? "error" : phases.includes("stopped") ? "stopped" : "done",
    seconds: round(Math.max(0, ...finals.map(measuredSeconds)), 3),
    closed_loop: anyClosedLoop(finals),
    rates,
    latency_ms: latency,
    lost: total.counters.lost,
    duplicates: total.counters.duplicates,
    unsent: total.counters.unsent,
    send_delay_p99_ms: total.latency_ms.send_delay.p99,
    errors: total.errors,
    ...(error === undefined ? {} : { error }),
    ...(drain === undefined ? {} : { drain }),
    ...(verb === "js consume" || verb === "js fetch" || verb === "js ordered" ? { replay: true } : {}),
  };
}

/** The text summary: a line per side, a latency table, the extras. */
export function renderSummary(s: BenchSummary): string {
  const pods = s.pods.length > 1 ? ` on ${s.pods.length} pods (${s.pods.join(", ")})` : "";
  let out = `ltctl bench ${s.verb} ${s.subject}: ${s.phase} in ${s.seconds} s${pods}\n`;
  if (s.error) out += `  error: ${s.error}\n`;
  if (s.rates.length === 0) out += "  no messages\n";
  for (const r of s.rates) {
    const mb = NO_BYTES.has(r.side) ? "" : ` ~ ${formatNumber(r.mb_per_s)} MB/s`;
    const unit = r.side.startsWith("obj") ? "objects" : "msgs";
    out += `  ${r.side.padEnd(9)} ${formatNumber(r.msgs)} ${unit}  ${formatNumber(r.msgs_per_s)} ${unit}/s${mb}\n`;
  }
  const kinds = Object.entries(s.latency_ms);
  if (kinds.length > 0) {
    out += renderTable(
      ["latency (ms)", "count", "p50", "p90", "p99", "max"].map((h, i) => ({
        header: h,
        align: i === 0 ? "left" : "right",
      })),
      kinds.map(([k, p]) => [
        measureOf(k)?.label ?? k,
        formatNumber(p.count),
        ...[p.p50, p.p90, p.p99, p.max].map(ms),
      ]),
      2,
    );
    if (s.closed_loop) out += `  (${CLOSED_LOOP_LABEL})\n`;
    if (s.replay && s.latency_ms.end_to_end !== undefined)
      out += "  (end to end of a replay: messages stored before the bench include their age in the stream)\n";
  }
  if (s.drain)
    out += `  drain     each consumer held the ${formatNumber(s.drain.msgs)}-message backlog within ${s.drain.max_s} s: ${formatNumber(s.drain.msgs_per_s)} msgs/s each\n`;
  const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
  out += `  lost ${formatNumber(s.lost)}, duplicates ${formatNumber(s.duplicates)}, send delay p99 ${ms(s.send_delay_p99_ms)} ms, unsent ${formatNumber(s.unsent)}, errors ${formatNumber(errors)}\n`;
  return out;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function ms(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
