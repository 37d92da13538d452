// The door of src/stats. It passes on the registry of measurements (src/measures) for the modules above
// that may not import it directly (engine, http, cli).
export {
  ENGINE_COUNTER_KEYS,
  GAUGE_KEYS,
  gauges,
  LATENCY_KINDS,
  type LatencyKind,
  latencyKinds,
  MEASURES,
  type Measure,
  measureOf,
  NATS_COUNTER_KEYS,
  type NatsCounter,
  natsCounters,
  type Registry,
  SNAPSHOT_COUNTER_KEYS,
  type SnapshotCounter,
  snapshotCounters,
} from "../measures/index.ts";
export {
  type Achieved,
  achievedOf,
  achievedPct,
  type ClusterSummary,
  GENERATOR_SATURATED_PCT,
  snapshotVerdict,
  TARGET_REACHED,
  targetLine,
  VERDICT_MAX_PODS,
  type VerdictFigures,
  type VerdictLatency,
  withAchieved,
} from "./achieved.ts";
export {
  aggregate,
  type ClusterTotal,
  compareSnapshots,
  latestPerPod,
  latestPerStep,
  SUMMED_COUNTERS,
  type SummedCounter,
} from "./aggregate.ts";
export { anyClosedLoop, CLOSED_LOOP_LABEL, measuredSeconds } from "./closed-loop.ts";
export {
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_HIGHEST_US,
  type Histogram,
  mergeEncoded,
  mergeHistograms,
  newHistogram,
  recordMs,
  recordMsCount,
} from "./histogram.ts";
export {
  type BinRates,
  binWidthMs,
  chainEntries,
  chainKey,
  type IntervalCounts,
  type IntervalEntry,
  intervalHistogram,
  middleBin,
  RateBins,
} from "./interval.ts";
export { type IntervalLatency, type LivePoint, LiveSeries, type LiveSeriesOptions } from "./live-series.ts";
export {
  emptyPercentiles,
  PERCENTILE_KEYS,
  type Percentiles,
  PercentilesSchema,
  percentileCurve,
  summarize,
} from "./percentiles.ts";
export {
  ERROR_CATEGORIES,
  type ErrorCategory,
  INCARNATION_MAX,
  type Mode,
  ModeSchema,
  type Phase,
  PhaseSchema,
  parseSnapshot,
  type QueueGroupStats,
  QueueGroupStatsSchema,
  SNAPSHOT_VERSION,
  type Snapshot,
  SnapshotSchema,
  type StreamStats,
  StreamStatsSchema,
  snapshotSchema,
  type WorkerStats,
  WorkerStatsSchema,
  workerStatsSchema,
} from "./snapshot.ts";
export {
  evaluateThresholds,
  formatThresholdResult,
  metricValue,
  runMetrics,
  type ThresholdResult,
} from "./thresholds.ts";
