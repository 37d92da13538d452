// Runs the engine (runPlan) on a one-step config built from a few knobs, with all measurement on, and
// returns its final snapshot, every snapshot and the CPU it cost. Shared by the engine, latency and scale
// benches.
import { loadConfig, type Plan } from "../../src/config/index.ts";
import { runPlan } from "../../src/engine/index.ts";
import type { Mode, Snapshot } from "../../src/stats/index.ts";
import { type CpuCost, measureCpu } from "./cpu.ts";

export interface EngineScenario {
  readonly url: string;
  /** Stream name prefix and subject prefix (unique per scenario). */
  readonly name: string;
  readonly js: boolean;
  readonly size: number;
  /** Per publisher, msgs/s (10,000,000 = unreachable: the engine's maximum). */
  readonly rate: number;
  readonly seconds: number;
  readonly streams?: number;
  readonly publishersPerStream?: number;
  readonly consumersPerStream?: number;
  readonly mode?: Mode;
  readonly workers?: number;
  readonly statsIntervalMs?: number;
  readonly maxAckPending?: number;
  readonly storage?: "memory" | "file";
  /** Called with every snapshot (running and final); may abort through `signal`'s controller. */
  readonly onSnapshot?: (s: Snapshot) => void;
  readonly signal?: AbortSignal;
  readonly cleanup?: boolean;
}

export interface EngineOutcome {
  readonly final: Snapshot;
  readonly snaps: Snapshot[];
  readonly cpu: CpuCost;
}

const quiet = { info() {}, warn() {}, error() {} };

/** The engine's plan for a scenario (exported so a bench can look up durable names). */
export function scenarioPlan(o: EngineScenario): Plan {
  const cfg = {
    stats_collection_interval_seconds: 1,
    load_test_specs: [
      {
        name: o.name,
        nats_url: o.url,
        use_jetstream: o.js,
        client_id_prefix: `bench-${o.name}`,
        streams: [
          {
            name_prefix: o.name,
            count: o.streams ?? 1,
            replicas: 1,
            subjects: [`${o.name.toLowerCase()}.{}`],
            storage: o.storage ?? "memory",
            max_age: "0s",
          },
        ],
        publishers: {
          count_per_stream: o.publishersPerStream ?? 1,
          stream_name_prefix: o.name,
          publish_rate_per_second: o.rate,
          publish_pattern: "steady",
          message_size_bytes: o.size,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: o.name,
          type: "pull",
          count_per_stream: o.consumersPerStream ?? 0,
          durable_name_prefix: "c",
          ack_wait_seconds: 30,
          max_ack_pending: o.maxAckPending ?? 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: o.seconds, ramp_up_seconds: 0 },
      },
    ],
  };
  const loaded = loadConfig(cfg, { pod: "bench", env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.plan;
}

export async function runEngine(o: EngineScenario): Promise<EngineOutcome> {
  const plan = scenarioPlan(o);
  const snaps: Snapshot[] = [];
  let final: Snapshot | undefined;
  const { cpu } = await measureCpu(() =>
    runPlan(plan, {
      runId: "bench",
      pod: "bench",
      mode: o.mode ?? "publish",
      signal: o.signal ?? new AbortController().signal,
      onSnapshot: (s) => {
        snaps.push(s);
        if (s.phase !== "running") final = s;
        o.onSnapshot?.(s);
      },
      log: quiet,
      cleanup: o.cleanup ?? true,
      workers: o.workers ?? 1,
      ...(o.statsIntervalMs ? { statsIntervalMs: o.statsIntervalMs } : {}),
    }),
  );
  if (!final || final.phase === "error")
    throw new Error(`engine run ${o.name} ended ${final?.phase}: ${JSON.stringify(final?.errors)}`);
  return { final, snaps, cpu };
}
