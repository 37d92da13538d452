// Cluster-wide view of many snapshots: counters summed, rates summed, percentiles from merged histograms.
import {
  GAUGE_KEYS,
  type Gauge,
  gauges,
  type LatencyKind,
  latencyKinds,
  MEASURES,
  type Registry,
  SNAPSHOT_COUNTER_KEYS,
  type SnapshotCounter,
  snapshotCounters,
} from "../measures/index.ts";
import { mergeEncoded } from "./histogram.ts";
import { type Percentiles, summarize } from "./percentiles.ts";
import type { Snapshot } from "./snapshot.ts";

/** What a cluster total sums: every snapshot counter, and the gauges (pods' interval rates add up). */
export const SUMMED_COUNTERS: readonly SummedCounter[] = [...SNAPSHOT_COUNTER_KEYS, ...GAUGE_KEYS];
export type SummedCounter = SnapshotCounter | Gauge;

export interface ClusterTotal {
  /** Snapshots that went into the total (latest per pod when built by `latestPerPod`). */
  pods: string[];
  counters: Record<SummedCounter, number>;
  errors: Record<string, number>;
  /**
   * Summaries of the merged histograms, one per latency kind; a kind older snapshots lack (`publish_service`,
   * `send_delay`) merges as empty (count 0) for them.
   */
  latency_ms: Record<LatencyKind, Percentiles>;
  /**
   * Agent processes cut short: a pod's incarnation whose newest snapshot is still `running` while a later
   * incarnation of that pod reported in the same step (it crashed or was killed, then restarted), as
   * `<pod>@<incarnation>`. Their counters are in the totals; their interval rates are not (they stopped).
   */
  cut_short: string[];
}

/**
 * Sums counters and merges histograms of the given snapshots (callers choose which: usually one per pod).
 * Measurements an older snapshot lacks count as 0. `m`: the registry whose measurements are summed.
 */
export function aggregate(snapshots: readonly Snapshot[], m: Registry = MEASURES): ClusterTotal {
  const summed = [...snapshotCounters(m), ...gauges(m)].map((e) => e.name);
  const counters = Object.fromEntries(summed.map((k) => [k, 0])) as Record<SummedCounter, number>;
  const errors: Record<string, number> = {};
  const cut = cutShort(snapshots);
  const rates = new Set<string>(gauges(m).map((e) => e.name));
  for (const s of snapshots) {
    const fields = s as Readonly<Record<string, unknown>>;
    const stopped = cut.has(s);
    for (const k of summed) {
      const n = fields[k];
      // A process that was cut short measured its messages (counted) but sends nothing now (no rate).
      if (typeof n === "number" && !(stopped && rates.has(k))) (counters as Record<string, number>)[k]! += n;
    }
    for (const [cat, n] of Object.entries(s.errors)) errors[cat] = (errors[cat] ?? 0) + n;
  }
  const latency = {} as Record<LatencyKind, Percentiles>;
  for (const { name: kind } of latencyKinds(m)) {
    // One merged histogram at a time: each holds a fixed-size bucket array, freed before the next.
    const h = mergeEncoded(
      snapshots.map((s) => (s.hist as Readonly<Record<string, string | undefined>>)[kind]),
    );
    (latency as Record<string, Percentiles>)[kind] = summarize(h);
    h.destroy();
  }
  return {
    pods: [...new Set(snapshots.map((s) => s.pod))].sort(),
    counters,
    errors,
    latency_ms: latency,
    cut_short: [...cut].map((s) => `${s.pod}@${s.incarnation ?? ""}`).sort(),
  };
}

/** One agent process's part of a run: a pod restarted mid-run is a second incarnation, counted beside the first. */
const processKey = (s: Snapshot) => `${s.run_id}\u0000${s.pod}\u0000${s.incarnation ?? ""}`;

/**
 * Keeps the newest snapshot of each (run, pod, incarnation): what each agent process of that pod measured so
 * far in its current step. A pod restarted mid-run keeps its first process's last figures beside the new ones.
 */
export function latestPerPod(snapshots: readonly Snapshot[]): Snapshot[] {
  return newestBy(snapshots, processKey);
}

/**
 * Keeps the newest snapshot of each (run, pod, incarnation, spec_index, iteration). Counters are cumulative
 * within one step of one process, so these are the per-step totals a report sums (every incarnation's).
 */
export function latestPerStep(snapshots: readonly Snapshot[]): Snapshot[] {
  return newestBy(snapshots, (s) => `${processKey(s)}\u0000${s.spec_index}\u0000${s.iteration}`);
}

/** Running snapshots of an incarnation that a later incarnation of the same pod in the run followed. */
function cutShort(snapshots: readonly Snapshot[]): Set<Snapshot> {
  const out = new Set<Snapshot>();
  const pod = (s: Snapshot) => `${s.run_id}\u0000${s.pod}`;
  const byPod = new Map<string, Snapshot[]>();
  for (const s of snapshots) byPod.set(pod(s), [...(byPod.get(pod(s)) ?? []), s]);
  for (const list of byPod.values()) {
    if (new Set(list.map((s) => s.incarnation ?? "")).size < 2) continue;
    const newest = Math.max(...list.map((s) => Date.parse(s.ts)));
    for (const s of list) {
      const later = list.some(
        (o) => (o.incarnation ?? "") !== (s.incarnation ?? "") && Date.parse(o.ts) > Date.parse(s.ts),
      );
      if ((s.phase === "running" || s.phase === "starting") && later && Date.parse(s.ts) < newest) out.add(s);
    }
  }
  return out;
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
