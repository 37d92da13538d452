// Cluster-wide view of many snapshots: counters summed, rates summed, percentiles from merged histograms.
import { LATENCY_KINDS, type LatencyKind } from "../config/index.ts";
import { mergeEncoded } from "./histogram.ts";
import { type Percentiles, summarize } from "./percentiles.ts";
import { SNAPSHOT_COUNTER_KEYS, type Snapshot } from "./snapshot.ts";

/** What a cluster total sums: every snapshot counter, and the interval rates (pods' rates add up). */
export const SUMMED_COUNTERS = [
  ...SNAPSHOT_COUNTER_KEYS,
  "publish_rate",
  "consume_rate",
  "target_rate",
] as const;
export type SummedCounter = (typeof SUMMED_COUNTERS)[number];

export interface ClusterTotal {
  /** Snapshots that went into the total (latest per pod when built by `latestPerPod`). */
  pods: string[];
  counters: Record<SummedCounter, number>;
  errors: Record<string, number>;
  /**
   * Summaries of the merged histograms, one per latency kind; `publish_service` and `send_delay` are empty
   * (count 0) where snapshots predate them.
   */
  latency_ms: Record<LatencyKind, Percentiles>;
}

/** Sums counters and merges histograms of the given snapshots (callers choose which: usually one per pod). */
export function aggregate(snapshots: readonly Snapshot[]): ClusterTotal {
  const counters = Object.fromEntries(SUMMED_COUNTERS.map((k) => [k, 0])) as Record<SummedCounter, number>;
  const errors: Record<string, number> = {};
  for (const s of snapshots) {
    for (const k of SUMMED_COUNTERS) counters[k] += s[k] ?? 0;
    for (const [cat, n] of Object.entries(s.errors)) errors[cat] = (errors[cat] ?? 0) + n;
  }
  const latency = {} as Record<LatencyKind, Percentiles>;
  for (const kind of LATENCY_KINDS) {
    // One merged histogram at a time: each holds a fixed-size bucket array, freed before the next.
    const h = mergeEncoded(snapshots.map((s) => s.hist[kind]));
    latency[kind] = summarize(h);
    h.destroy();
  }
  return {
    pods: [...new Set(snapshots.map((s) => s.pod))].sort(),
    counters,
    errors,
    latency_ms: latency,
  };
}

/** Keeps the newest snapshot of each (run, pod): what that pod measured so far in its current step. */
export function latestPerPod(snapshots: readonly Snapshot[]): Snapshot[] {
  return newestBy(snapshots, (s) => `${s.run_id}\u0000${s.pod}`);
}

/**
 * Keeps the newest snapshot of each (run, pod, spec_index, iteration). Counters are cumulative within one
 * step (one spec iteration), so these are the per-step totals a report sums.
 */
export function latestPerStep(snapshots: readonly Snapshot[]): Snapshot[] {
  return newestBy(snapshots, (s) => `${s.run_id}\u0000${s.pod}\u0000${s.spec_index}\u0000${s.iteration}`);
}

function newestBy(snapshots: readonly Snapshot[], key: (s: Snapshot) => string): Snapshot[] {
  const newest = new Map<string, Snapshot>();
  for (const s of snapshots) {
    const k = key(s);
    const prev = newest.get(k);
    if (!prev || compareSnapshots(s, prev) >= 0) newest.set(k, s);
  }
  return [...newest.values()];
}

/** Orders by step, then time, then a final phase after a running one taken at the same instant. */
export function compareSnapshots(a: Snapshot, b: Snapshot): number {
  return (
    a.spec_index - b.spec_index ||
    a.iteration - b.iteration ||
    Date.parse(a.ts) - Date.parse(b.ts) ||
    (a.phase === "running" ? 0 : 1) - (b.phase === "running" ? 0 : 1)
  );
}
