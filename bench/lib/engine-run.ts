// Runs the engine (runPlan) on a one-step config built from a few knobs, with all measurement on, and
// returns its final snapshot, every snapshot and the CPU it cost. Shared by the engine, latency, scale and
// workloads benches (the last adds the spec's `services` and `kv` blocks through `blocks`).

import { AckPolicy, DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { loadConfig, type Plan } from "../../src/config/index.ts";
import { runPlan } from "../../src/engine/index.ts";
import type { Mode, Snapshot } from "../../src/stats/index.ts";
import { type CpuCost, measureCpu } from "./cpu.ts";
import { type Measurement, measurement } from "./model.ts";

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
  /**
   * Spec-level workload blocks added as they are (`services`, `kv`, `object_store`: docs/config.md); with
   * `publishersPerStream: 0` they are the step's only load.
   */
  readonly blocks?: Readonly<Record<string, unknown>>;
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
        ...o.blocks,
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

/** Engine publish at an unreachable rate: acked/s (JetStream) or published/s (core) over the publishing window. */
export async function enginePublish(
  url: string,
  name: string,
  js: boolean,
  size: number,
  seconds: number,
  streams = 1,
  workers = 1,
): Promise<Measurement> {
  const { final, cpu } = await runEngine({
    url,
    name,
    js,
    size,
    rate: 10_000_000,
    seconds,
    streams,
    workers,
  });
  const msgs = js ? final.acked : final.published;
  // The publishing window: from the first intended send to the last ack (the final snapshot's elapsed).
  return measurement(msgs, final.elapsed_s, cpu.totalUs, final.publish_errors);
}

/**
 * Snapshots every second, the engine's default: their work (histogram encodings, interval histograms, stream
 * info) is part of the engine's cost, at the cadence users run it. A bench at 200 ms paid it five times over
 * (~9% of the consume path's CPU in a profile).
 */
const BENCH_SNAPSHOT_MS = 1000;

/** What the bench reads at each snapshot: when, how many consumed, this process's CPU. */
interface Mark {
  at: number;
  n: number;
  cpu: NodeJS.CpuUsage;
}

/**
 * The steady part of a run from its snapshot marks: from the first mark (start-up, connections and the first
 * second's JIT warm-up before it) to the moment the `total`-th message arrived, interpolated within the
 * snapshot interval that saw it at the rate of the interval before; CPU up to the mark that saw it (the rest
 * of that interval is idle but for one snapshot: a slight disadvantage to the engine).
 */
function steadyWindow(marks: readonly Mark[], total: number, what: string): Measurement {
  const l = marks.findIndex((x) => x.n >= total);
  if (l < 1) throw new Error(`${what}: too few snapshots (all consumed by the first)`);
  const first = marks[0]!;
  const seen = marks[l]!;
  const p = marks[l - 1]!;
  const q = l >= 2 ? marks[l - 2]! : undefined;
  const perMs = q && p.at > q.at ? (p.n - q.n) / (p.at - q.at) : 0;
  const end = perMs > 0 ? Math.min(seen.at, p.at + (total - p.n) / perMs) : seen.at;
  const cpuUs = seen.cpu.user - first.cpu.user + (seen.cpu.system - first.cpu.system);
  return measurement(total - first.n, (end - first.at) / 1000, cpuUs);
}

/**
 * Engine pull consume (explicit ack) of a stream the engine filled first (for `seconds` + 1 at full speed): a
 * durable made with deliver_policy all (the engine keeps a durable whose other settings match), consume mode,
 * stopped once it has all of them. Rate and CPU over the steady window (steadyWindow).
 */
export async function engineConsume(
  url: string,
  seconds: number,
  /** Streams (each its own consumer connection and durable); the engine fills them all first. */
  streams = 1,
  name = "ECONS",
  /** Called right before and after the consume run (not the fill): a profiler's start and stop. */
  around?: { before(): Promise<void>; after(): Promise<void> },
): Promise<{ m: Measurement; filled: number; wholeRunUsPerMsg: number }> {
  const base = { url, name, js: true, size: 1024, cleanup: false, streams } as const;
  const fill = await runEngine({ ...base, rate: 10_000_000, seconds: seconds + 1 });
  const filled = fill.final.acked;
  if (filled === 0) {
    throw new Error(
      `engine consume: the fill stored nothing (${JSON.stringify(fill.final.errors)}): is the server's store full?`,
    );
  }
  const consumers = scenarioPlan({ ...base, rate: 1, seconds: 1, consumersPerStream: 1 }).steps[0]!.spec
    .consumers;
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const c of consumers) {
      await jsm.consumers.delete(c.stream, c.durableName).catch(() => false);
      await jsm.consumers.add(c.stream, {
        durable_name: c.durableName,
        ack_policy: AckPolicy.Explicit,
        ack_wait: c.ackWaitMs * 1e6,
        max_ack_pending: c.maxAckPending,
        deliver_policy: DeliverPolicy.All,
      });
    }
  } finally {
    await nc.close();
  }
  const ac = new AbortController();
  // CPU is read at the snapshots as the rate (this process, all threads), so start-up (connections, consumer
  // lookup) and teardown are outside both, as the bare loop's clock starts at consume().
  const marks: Mark[] = [];
  let done = false;
  await around?.before();
  const { cpu } = await runEngine({
    ...base,
    rate: 1,
    seconds: 120,
    mode: "consume",
    consumersPerStream: 1,
    statsIntervalMs: BENCH_SNAPSHOT_MS,
    cleanup: true,
    signal: ac.signal,
    onSnapshot: (s: Snapshot) => {
      if (s.phase !== "running" || done) return;
      marks.push({ at: Date.parse(s.ts), n: s.consumed, cpu: process.cpuUsage() });
      if (s.consumed >= filled) {
        done = true;
        ac.abort();
      }
    },
  });
  await around?.after();
  // The consume run did not create the streams (the fill did, kept for it), so its cleanup keeps them: delete
  // them here, or repeated runs fill the server's memory store.
  const plan = scenarioPlan({ ...base, rate: 1, seconds: 1 });
  const admin = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(admin);
    for (const st of plan.steps[0]!.spec.streams) await jsm.streams.delete(st.name).catch(() => false);
  } finally {
    await admin.close();
  }
  if (!done) throw new Error("engine consume: did not see every message");
  return {
    m: steadyWindow(marks, filled, "engine consume"),
    filled,
    wholeRunUsPerMsg: cpu.totalUs / filled,
  };
}

/**
 * The engine on scenario `o` with a snapshot every second: rate and CPU over the steady window (steadyWindow)
 * of the count `count` reads off a snapshot, up to its final value, so connecting, the first second's JIT
 * warm-up and the final drain are outside both. Also returns the final snapshot.
 */
export async function engineSteady(
  o: EngineScenario,
  count: (s: Snapshot) => number,
  what: string,
  /** Called right before and after the run (a profiler's start and stop). */
  around?: { before(): Promise<void>; after(): Promise<void> },
): Promise<{ m: Measurement; final: Snapshot }> {
  const marks: Mark[] = [];
  await around?.before();
  const { final } = await runEngine({
    ...o,
    statsIntervalMs: BENCH_SNAPSHOT_MS,
    onSnapshot: (s) => {
      marks.push({ at: Date.parse(s.ts), n: count(s), cpu: process.cpuUsage() });
      o.onSnapshot?.(s);
    },
  });
  await around?.after();
  return { m: steadyWindow(marks, count(final), what), final };
}

/**
 * Engine core pub→sub at full speed: one publisher and one subscriber in this process (mode both), as the
 * bare pair runs, publishing for `seconds` + 1. Rate and CPU over the steady window (engineSteady) up to the
 * last message received.
 */
export async function enginePubSub(
  url: string,
  name: string,
  size: number,
  seconds: number,
  /** Called right before and after the run (a profiler's start and stop). */
  around?: { before(): Promise<void>; after(): Promise<void> },
): Promise<Measurement & { lost: number }> {
  const { m, final } = await engineSteady(
    {
      url,
      name,
      js: false,
      size,
      rate: 10_000_000,
      seconds: seconds + 1,
      mode: "both",
      consumersPerStream: 1,
    },
    (s) => s.consumed,
    "engine pub→sub",
    around,
  );
  return { ...m, lost: final.lost };
}
