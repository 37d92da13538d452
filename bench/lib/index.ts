// bench/lib's door: what every bench script shares (server, CPU accounting, Go peer, bare baselines, output).
export {
  bareCorePublish,
  bareJsConsume,
  bareJsPublish,
  barePubSub,
  createMemoryStream,
  deleteStream,
  fillStream,
  type PublishLimits,
} from "./bare.ts";
export {
  bareKv,
  barePacedRequests,
  bareRequests,
  fillBucket,
  type KvLoop,
  type PacedRequests,
  type RequestLoop,
} from "./bare-workloads.ts";
export { type CpuCost, measureCpu } from "./cpu.ts";
export {
  type EngineOutcome,
  type EngineScenario,
  engineConsume,
  enginePublish,
  enginePubSub,
  engineSteady,
  runEngine,
  scenarioPlan,
} from "./engine-run.ts";
export {
  ensureGoPeer,
  GO_PEER_BIN,
  GoPeerOutput,
  type GoPeerResult,
  type GoPeerSkipped,
  isSkipped,
  runGoPeer,
} from "./go-peer.ts";
export { barePacedPair, type PairResult } from "./latency.ts";
export {
  BenchReport,
  BenchRow,
  interleavedMedians,
  Measurement,
  measurement,
  medianMeasurement,
  pairedMedians,
  roundRatios,
} from "./model.ts";
export { byArea, type CpuProfile, saveProfile, startProfile, topFrames } from "./profile.ts";
export { type BenchServer, serverVersion, startBenchServer } from "./server.ts";
export {
  type BenchSection,
  benchEnv,
  fmtRate,
  formatJson,
  formatText,
  parseBenchArgs,
  renderTable,
  simpleTable,
  type TableLabels,
  writeBench,
} from "./table.ts";
