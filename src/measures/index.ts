// The door of src/measures: the registry of measurements and its views. A leaf: imports nothing of ours.
export {
  type Entry,
  type Gauge,
  type GaugeEntry,
  type LatencyEntry,
  type LatencyKind,
  MEASURES,
  type Measure,
  type MeasureKind,
  type MeasureUnit,
  type NatsCounter,
  type NatsCounterEntry,
  type Registry,
  type SnapshotCounter,
  type SnapshotCounterEntry,
} from "./registry.ts";
export {
  ENGINE_COUNTER_KEYS,
  GAUGE_KEYS,
  gauges,
  LATENCY_KINDS,
  latencyKinds,
  measureOf,
  NATS_COUNTER_KEYS,
  natsCounters,
  SNAPSHOT_COUNTER_KEYS,
  snapshotCounters,
} from "./select.ts";
