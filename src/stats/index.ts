export {
  aggregate,
  type ClusterTotal,
  compareSnapshots,
  latestPerPod,
  latestPerStep,
  SUMMED_COUNTERS,
  type SummedCounter,
} from "./aggregate.ts";
export {
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_HIGHEST_US,
  type Histogram,
  mergeEncoded,
  mergeHistograms,
  newHistogram,
  recordMs,
} from "./histogram.ts";
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
  type Mode,
  ModeSchema,
  type Phase,
  PhaseSchema,
  parseSnapshot,
  SNAPSHOT_COUNTER_KEYS,
  SNAPSHOT_COUNTERS,
  SNAPSHOT_VERSION,
  type Snapshot,
  type SnapshotCounter,
  SnapshotSchema,
  type StreamStats,
  StreamStatsSchema,
  type WorkerStats,
  WorkerStatsSchema,
} from "./snapshot.ts";
export {
  EXIT_THRESHOLDS_FAILED,
  evaluateThresholds,
  formatThresholdResult,
  metricValue,
  runMetrics,
  type ThresholdResult,
} from "./thresholds.ts";
