// Requested vs achieved: what the plan asked of the pods (`target_rate`), what they published (`publish_rate`)
// and, when a step reached under 99% of its target, who fell behind: the load generator (its event loop
// saturated, so sends left late for want of CPU) or the server (the client mostly idle, its sends held back by
// acks or flushes that came slowly). Send delay alone cannot tell them apart: both make sends late. Pure
// functions of snapshots, shared by ltctl run / stats / watch, the report and the dashboard's server
// (docs/engine.md and docs/reports.md, "Requested vs achieved").
import { type ClusterTotal, compareSnapshots } from "./aggregate.ts";
import type { Percentiles } from "./percentiles.ts";
import type { Snapshot } from "./snapshot.ts";

/** A step that reached under this share of its target gets a verdict (1% covers rounding and a late timer). */
export const TARGET_REACHED = 0.99;
/**
 * At or above this busy share of its event loop while sending, the load generator had no slack: timers fire
 * late and acks wait for the loop, so its own lateness explains the missed target. Below it the loop was
 * waiting, for acks or flushes, on the server.
 */
export const GENERATOR_SATURATED_PCT = 90;
/** Pods a verdict names at most (then "and N more"), so it stays one line on a large fleet. */
export const VERDICT_MAX_PODS = 5;

/** The figures of a snapshot a verdict reads. */
export type VerdictFigures = Pick<
  Snapshot,
  "target_rate" | "publish_rate" | "published" | "latency_ms" | "system"
>;

/** Requested vs achieved of a set of pods (the fields `ltctl stats --json`, the report and /ws carry). */
export interface Achieved {
  /** msg/s the plan asked, summed over the pods that carry a target; 0 when none asked a publish rate. */
  readonly target_rate: number;
  /** msg/s those same pods published (each its own mean over its measured window once final). */
  readonly achieved_rate: number;
  /** 100 × achieved / target, rounded down to 0.01 (so `< 99` agrees with the verdict); null without a target. */
  readonly achieved_pct: number | null;
  /** The one-line verdict once every pod's part ended under 99% of the target; null otherwise. */
  readonly verdict: string | null;
}

/** A cluster total with its requested-vs-achieved figures. */
export type ClusterSummary = ClusterTotal & Achieved;

/** The cluster latencies a verdict quotes (merged over the pods). */
export type VerdictLatency = Readonly<Partial<Record<"send_delay" | "publish_service", Percentiles>>>;

const FINAL: ReadonlySet<string> = new Set(["done", "stopped", "error"]);

/** `achieved / target` in percent, rounded down to 0.01; null without a target. */
export function achievedPct(target: number, achieved: number): number | null {
  return target > 0 ? Math.floor((10_000 * achieved) / target) / 100 : null;
}

/** `target 2,000 msg/s, achieved 1,987 (99.4%)`; undefined without a target. */
export function targetLine(a: Pick<Achieved, "target_rate" | "achieved_rate">): string | undefined {
  if (!(a.target_rate > 0)) return undefined;
  const pct = (100 * a.achieved_rate) / a.target_rate;
  let shown = pct.toFixed(1);
  // 98.96% must not read as 99.0% beside a verdict.
  if (pct < 100 * TARGET_REACHED && Number(shown) >= 100 * TARGET_REACHED)
    shown = (Math.floor(pct * 100) / 100).toFixed(2);
  return `target ${rate(a.target_rate)} msg/s, achieved ${rate(a.achieved_rate)} (${shown}%)`;
}

/** Who fell behind in one snapshot (one pod, as `ltctl run` prints), or undefined when it reached its target. */
export function snapshotVerdict(s: VerdictFigures): string | undefined {
  const target = s.target_rate ?? 0;
  if (!(target > 0) || s.publish_rate >= target * TARGET_REACHED) return undefined;
  if (s.published === 0) return "verdict: nothing was published (see the errors)";
  const busy = s.system?.send_busy_pct;
  const loop = busy === undefined ? "" : `its event loop ${busy}% busy while sending; `;
  return sentence(saturated(s) ? "generator" : "server", loop, s.latency_ms, "");
}

/**
 * Requested vs achieved of `parts` (snapshots; a pod's newest counts, one per pod and run) with, once every
 * part is final and the sum reached under TARGET_REACHED of the target, the verdict naming the pods that fell
 * behind. `latency`: the merged latencies of the same pods (a ClusterTotal's), quoted in the verdict.
 */
export function achievedOf(parts: readonly Snapshot[], latency: VerdictLatency): Achieved {
  const pods = newestPerPod(parts);
  const asked = pods.filter((s) => (s.target_rate ?? 0) > 0);
  const target = asked.reduce((n, s) => n + (s.target_rate ?? 0), 0);
  const achieved = asked.reduce((n, s) => n + s.publish_rate, 0);
  const ended = pods.length > 0 && pods.every((s) => FINAL.has(s.phase));
  const short = ended && target > 0 && achieved < target * TARGET_REACHED;
  return {
    target_rate: target,
    achieved_rate: achieved,
    achieved_pct: achievedPct(target, achieved),
    verdict: short ? clusterVerdict(asked, latency) : null,
  };
}

/** A cluster total with the requested-vs-achieved figures of the snapshots it was built from. */
export function withAchieved(total: ClusterTotal, parts: readonly Snapshot[]): ClusterSummary {
  return { ...total, ...achievedOf(parts, total.latency_ms) };
}

function clusterVerdict(asked: readonly Snapshot[], latency: VerdictLatency): string {
  // A sum under 99% has a part under 99% of its own target: those pods fell behind.
  const behind = asked.filter((s) => s.publish_rate < (s.target_rate ?? 0) * TARGET_REACHED);
  const who = behind.length > 0 ? behind : asked;
  if (who.every((s) => s.published === 0))
    return `verdict: nothing was published by ${names(who)} (see the errors)`;
  const generator = who.filter(saturated);
  const held = who.filter((s) => !saturated(s));
  if (generator.length > 0) {
    const also = held.length > 0 ? `; also behind, held back by the server: ${names(held)}` : "";
    return sentence("generator", loopOf(generator), latency, ` on ${names(generator)}`) + also;
  }
  return sentence("server", loopOf(held), latency, ` of ${names(held)}`);
}

/** The verdict's wording; `pods` names who (` on a, b` after the generator, ` of a, b` after the sends). */
function sentence(side: "generator" | "server", loop: string, latency: VerdictLatency, pods: string): string {
  const late = `send delay p99 ${duration(latency.send_delay)}`;
  const service = latency.publish_service;
  const acks = service && service.count > 0 ? `server ack time p99 ${duration(service)}` : undefined;
  if (side === "generator")
    return `verdict: the load generator fell behind${pods} (${loop}${late}${acks ? `, ${acks}` : ""}): add workers or pods`;
  if (acks) return `verdict: the server fell behind (${acks}, ${loop}${late}): acks paced the sends${pods}`;
  return `verdict: the server or the network fell behind (${loop}${late}): flushes paced the sends${pods}`;
}

/** The load generator had no slack: its sending event loop saturated, or (older agents) acks came fast. */
function saturated(s: VerdictFigures): boolean {
  const busy = s.system?.send_busy_pct;
  if (busy !== undefined) return busy >= GENERATOR_SATURATED_PCT;
  const service = s.latency_ms.publish_service;
  return !(service && service.count > 0) || ackShare(s) < 0.5;
}

/**
 * Without the busy figure (snapshots of older agents): how much of the lateness the server's ack time could
 * explain, p99 against p99. A generator short of CPU sends late but is acknowledged fast.
 */
function ackShare(s: VerdictFigures): number {
  const late = s.latency_ms.send_delay?.p99 ?? 0;
  const ack = s.latency_ms.publish_service?.p99 ?? 0;
  return late > 0 ? ack / late : 1;
}

/** `its event loop 98% busy while sending; ` (one pod) or `event loops up to 98% busy …` (several). */
function loopOf(pods: readonly Snapshot[]): string {
  const busy = pods.flatMap((s) => (s.system?.send_busy_pct === undefined ? [] : [s.system.send_busy_pct]));
  if (busy.length === 0) return "";
  return pods.length === 1
    ? `its event loop ${busy[0]}% busy while sending; `
    : `event loops up to ${Math.max(...busy)}% busy while sending; `;
}

function names(pods: readonly Snapshot[]): string {
  const all = [...new Set(pods.map((s) => s.pod))].sort();
  const shown = all.slice(0, VERDICT_MAX_PODS).join(", ");
  return all.length > VERDICT_MAX_PODS ? `${shown} and ${all.length - VERDICT_MAX_PODS} more` : shown;
}

/**
 * One part per (run, pod): its newest (a restarted pod's later process, whose rates cover the part of the
 * step it ran; the earlier process's work stays in the counters, not in the rates).
 */
function newestPerPod(parts: readonly Snapshot[]): Snapshot[] {
  const newest = new Map<string, Snapshot>();
  for (const s of parts) {
    const k = `${s.run_id}\u0000${s.pod}`;
    const prev = newest.get(k);
    if (!prev || compareSnapshots(s, prev) >= 0) newest.set(k, s);
  }
  return [...newest.values()];
}

/** `12345.6` -> `12,346`; fractions below 10 keep one decimal (as ltctl's numbers). */
function rate(n: number): string {
  const digits = Math.abs(n) < 10 && !Number.isInteger(n) ? 1 : 0;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function duration(p: Percentiles | undefined): string {
  const ms = p?.p99 ?? 0;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms >= 10 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}
