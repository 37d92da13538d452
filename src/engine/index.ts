// The engine's door: runPlan runs an expanded plan against the NATS under test and emits snapshots.
export type { EngineOptions, Logger, RunPlan, RunResult } from "./api.ts";
export { HEADER_BYTES } from "./payload.ts";
export { runPlan } from "./run.ts";
export type { StepTuning } from "./step.ts";
export { PUBLISH_DEADLINE_MS } from "./timings.ts";
