// Runs the engine (runPlan) on a one-step config built from a few knobs, with all measurement on, and
// returns its final snapshot, every snapshot and the CPU it cost. Shared by the engine, latency and scale
// benches.

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
 * Engine pull consume (explicit ack) of a stream the engine filled first: a durable made with deliver_policy
 * all (the engine keeps a durable whose other settings match), consume mode, stopped once it has all of
 * them. Rate from snapshots every 200 ms: messages between the first snapshot and the one that saw the last.
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
  const fill = await runEngine({ ...base, rate: 10_000_000, seconds: Math.max(2, seconds - 1) });
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
  // CPU is read at the same two snapshots as the rate (this process, all threads), so start-up (connections,
  // consumer lookup) and teardown are outside both, as the bare loop's clock starts at consume().
  let first: { at: number; n: number; cpu: NodeJS.CpuUsage } | undefined;
  let last: { at: number; n: number; cpu: NodeJS.CpuUsage } | undefined;
  await around?.before();
  const { cpu } = await runEngine({
    ...base,
    rate: 1,
    seconds: 120,
    mode: "consume",
    consumersPerStream: 1,
    statsIntervalMs: 200,
    cleanup: true,
    signal: ac.signal,
    onSnapshot: (s: Snapshot) => {
      if (s.phase !== "running" || last) return;
      const at = Date.parse(s.ts);
      if (!first) first = { at, n: s.consumed, cpu: process.cpuUsage() };
      else if (s.consumed >= filled) {
        last = { at, n: s.consumed, cpu: process.cpuUsage() };
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
  if (!first || !last) throw new Error("engine consume: did not see every message");
  const windowUs = last.cpu.user - first.cpu.user + (last.cpu.system - first.cpu.system);
  return {
    m: measurement(last.n - first.n, (last.at - first.at) / 1000, windowUs),
    filled,
    wholeRunUsPerMsg: cpu.totalUs / last.n,
  };
}

/**
 * Engine core pub→sub at full speed: one publisher and one subscriber in this process (mode both), as the
 * bare pair runs. Rate and CPU between the first running snapshot (200 ms) and the first snapshot that saw
 * the last message received, so connecting and the final drain are outside both.
 */
export async function enginePubSub(
  url: string,
  name: string,
  size: number,
  seconds: number,
  /** Called right before and after the run (a profiler's start and stop). */
  around?: { before(): Promise<void>; after(): Promise<void> },
): Promise<Measurement & { lost: number }> {
  const marks: Array<{ at: number; n: number; cpu: NodeJS.CpuUsage; running: boolean }> = [];
  await around?.before();
  const { final } = await runEngine({
    url,
    name,
    js: false,
    size,
    rate: 10_000_000,
    seconds,
    mode: "both",
    consumersPerStream: 1,
    statsIntervalMs: 200,
    onSnapshot: (s) =>
      marks.push({
        at: Date.parse(s.ts),
        n: s.consumed,
        cpu: process.cpuUsage(),
        running: s.phase === "running",
      }),
  });
  await around?.after();
  const first = marks.find((x) => x.running && x.n > 0);
  const last = marks.find((x) => x.n >= final.consumed);
  if (!first || !last || last === first) throw new Error("engine pub→sub: too few snapshots");
  const cpuUs = last.cpu.user - first.cpu.user + (last.cpu.system - first.cpu.system);
  return { ...measurement(last.n - first.n, (last.at - first.at) / 1000, cpuUs), lost: final.lost };
}
