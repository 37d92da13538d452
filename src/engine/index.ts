// The engine's door: runPlan runs an expanded plan against the NATS under test and emits snapshots.
export type { EngineOptions, Logger, RunPlan, RunResult } from "./api.ts";
export { PUBLISH_DEADLINE_MS } from "./lanes.ts";
export { HEADER_BYTES } from "./payload.ts";
export { runPlan } from "./run.ts";
export type { StepTuning } from "./step.ts";
