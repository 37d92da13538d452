// What a step asked and what it reached and, when it fell short, who fell behind: the load generator (its
// event loop saturated, so sends left late for want of CPU) or the server (the client mostly idle, its sends
// held back by acks or flushes that came slowly). Send delay alone cannot tell them apart: both make sends
// late. Pure functions of a final snapshot (docs/engine.md, "Requested vs achieved").
import type { Percentiles, Snapshot } from "../../stats/index.ts";
import { formatNumber } from "./table.ts";

/** A step that reached under this share of its target gets a verdict (1% covers rounding and a late timer). */
export const TARGET_REACHED = 0.99;
/**
 * At or above this busy share of its event loop while sending, the load generator had no slack: timers fire
 * late and acks wait for the loop, so its own lateness explains the missed target. Below it the loop was
 * waiting, for acks or flushes, on the server.
 */
export const GENERATOR_SATURATED_PCT = 90;

/** The figures of a final snapshot a verdict reads. */
export type VerdictFigures = Pick<
  Snapshot,
  "target_rate" | "publish_rate" | "published" | "latency_ms" | "system"
>;

/** `target 2,000 msg/s, achieved 1,987 (99.4%)`; undefined when the step asked no publish rate. */
export function targetLine(s: VerdictFigures): string | undefined {
  const target = s.target_rate ?? 0;
  if (!(target > 0)) return undefined;
  const pct = (100 * s.publish_rate) / target;
  return `target ${formatNumber(target)} msg/s, achieved ${formatNumber(s.publish_rate)} (${pct.toFixed(1)}%)`;
}

/** Who fell behind, in one line, when the step reached under TARGET_REACHED of its target; else undefined. */
export function verdict(s: VerdictFigures): string | undefined {
  const target = s.target_rate ?? 0;
  if (!(target > 0) || s.publish_rate >= target * TARGET_REACHED) return undefined;
  if (s.published === 0) return "verdict: nothing was published (see the errors)";
  const late = `send delay p99 ${duration(s.latency_ms.send_delay)}`;
  const service = s.latency_ms.publish_service;
  const acks = service && service.count > 0 ? `server ack time p99 ${duration(service)}` : undefined;
  const busy = s.system?.send_busy_pct;
  const generator = busy !== undefined ? busy >= GENERATOR_SATURATED_PCT : !acks || ackShare(s) < 0.5;
  const loop = busy === undefined ? "" : `its event loop ${busy}% busy while sending; `;
  if (generator)
    return `verdict: the load generator fell behind (${loop}${late}${acks ? `, ${acks}` : ""}): add workers or pods`;
  if (acks) return `verdict: the server fell behind (${acks}, ${loop}${late}): acks paced the sends`;
  return `verdict: the server or the network fell behind (${loop}${late}): flushes paced the sends`;
}

/** The target line and, when the target was missed, the verdict: the closing lines of a step's block. */
export function renderTarget(s: VerdictFigures, indent = "  "): string {
  return [targetLine(s), verdict(s)].flatMap((l) => (l ? [`${indent}${l}\n`] : [])).join("");
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

function duration(p: Percentiles | undefined): string {
  const ms = p?.p99 ?? 0;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms >= 10 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}
