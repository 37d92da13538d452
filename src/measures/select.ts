// Views of a registry by kind and place, in registry order. Derivations take the registry as an argument
// (defaulting to MEASURES) so a test can add an entry and see it reach every output.
import {
  type GaugeEntry,
  type LatencyEntry,
  MEASURES,
  type Measure,
  type NatsCounterEntry,
  type Registry,
  type SnapshotCounterEntry,
} from "./registry.ts";

const isSnapshotCounter = (e: Measure) => e.kind === "counter" && e.place !== "nats";

/** Top-level counters of a snapshot: summed over pods, thresholds, Prometheus, CSV columns, report rows. */
export function snapshotCounters<M extends Registry>(m: M): SnapshotCounterEntry<M>[] {
  return m.filter(isSnapshotCounter) as SnapshotCounterEntry<M>[];
}

/** The engine's connection figures (snapshot `nats`). */
export function natsCounters<M extends Registry>(m: M): NatsCounterEntry<M>[] {
  return m.filter((e) => e.kind === "counter" && e.place === "nats") as NatsCounterEntry<M>[];
}

/** Latency kinds: one HDR histogram each (`hist`), summarised in `latency_ms`. */
export function latencyKinds<M extends Registry>(m: M): LatencyEntry<M>[] {
  return m.filter((e) => e.kind === "latency") as LatencyEntry<M>[];
}

export function gauges<M extends Registry>(m: M): GaugeEntry<M>[] {
  return m.filter((e) => e.kind === "gauge") as GaugeEntry<M>[];
}

/** The entry of that name, if any. */
export function measureOf(name: string, m: Registry = MEASURES): Measure | undefined {
  return m.find((e) => e.name === name);
}

export const SNAPSHOT_COUNTER_KEYS = snapshotCounters(MEASURES).map((e) => e.name);
export const NATS_COUNTER_KEYS = natsCounters(MEASURES).map((e) => e.name);
/** Every counter a share of the engine keeps: the snapshot's and the connection figures. */
export const ENGINE_COUNTER_KEYS = [...SNAPSHOT_COUNTER_KEYS, ...NATS_COUNTER_KEYS];
export const LATENCY_KINDS = latencyKinds(MEASURES).map((e) => e.name);
export const GAUGE_KEYS = gauges(MEASURES).map((e) => e.name);
