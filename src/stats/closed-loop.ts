// Closed-loop results (`publish_rate_per_second: "max"`) and a final's measured window, read the same way by
// every output: `ltctl run`, `ltctl stats`, the report. A closed loop's latencies are service times (each
// message intended when it was sent), never the open model's response times, so every output that prints
// them says so.
import type { Snapshot } from "./snapshot.ts";

/** The label beside every latency a closed loop measured. */
export const CLOSED_LOOP_LABEL = "closed loop: latency is service time";

/** True when any of `snapshots` ran a closed loop. */
export function anyClosedLoop(snapshots: readonly Pick<Snapshot, "closed_loop">[]): boolean {
  return snapshots.some((s) => s.closed_loop === true);
}

/**
 * Seconds a snapshot's counts were measured over: a final's window (`window_s`: until sending ended, which a
 * `message_count` or a stop makes shorter than the duration), else the elapsed time within the duration.
 */
export function measuredSeconds(s: Pick<Snapshot, "window_s" | "elapsed_s" | "duration_s">): number {
  if (s.window_s !== undefined && s.window_s > 0) return s.window_s;
  return s.duration_s > 0 ? Math.min(s.elapsed_s, s.duration_s) : s.elapsed_s;
}
