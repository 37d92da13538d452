// Shared by the engine integration tests: a plan from a raw config, run to the end, snapshots collected.
import { loadConfig } from "../../src/config/index.ts";
import { type EngineOptions, runPlan } from "../../src/engine/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";

const quiet = { info() {}, warn() {}, error() {} };

export async function run(
  specs: unknown[],
  extra: Partial<EngineOptions> = {},
): Promise<{ finals: Snapshot[]; snaps: Snapshot[] }> {
  const loaded = loadConfig(
    { load_test_specs: specs, stats_collection_interval_seconds: 1 },
    { pod: "p", env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const snaps: Snapshot[] = [];
  const { finals } = await runPlan(loaded.plan, {
    runId: "r1",
    pod: "p",
    mode: "both",
    signal: new AbortController().signal,
    onSnapshot: (s) => snaps.push(s),
    log: quiet,
    ...extra,
  });
  return { finals, snaps };
}
