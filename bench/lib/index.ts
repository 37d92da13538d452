// bench/lib's door: what every bench script shares (server, CPU accounting, Go peer, bare baselines, output).
export {
  bareCorePublish,
  bareJsConsume,
  bareJsPublish,
  barePubSub,
  createMemoryStream,
  fillStream,
  type PublishLimits,
} from "./bare.ts";
export { type CpuCost, measureCpu } from "./cpu.ts";
export {
  ensureGoPeer,
  GO_PEER_BIN,
  GoPeerOutput,
  type GoPeerResult,
  type GoPeerSkipped,
  isSkipped,
  runGoPeer,
} from "./go-peer.ts";
export { BenchReport, BenchRow, Measurement, measurement } from "./model.ts";
export { type BenchServer, serverVersion, startBenchServer } from "./server.ts";
export {
  benchEnv,
  fmtRate,
  formatJson,
  formatText,
  parseBenchArgs,
  renderTable,
  type TableLabels,
} from "./table.ts";
