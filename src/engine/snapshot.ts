// Builds the wire snapshot of a step from merged share samples (counters summed, histograms merged exactly).

import type { PlanStep } from "../config/index.ts";
import {
  decodeHistogram,
  encodeHistogram,
  type LatencyKind,
  latencyKinds,
  MEASURES,
  type Mode,
  mergeEncoded,
  NATS_COUNTER_KEYS,
  type NatsCounter,
  type Phase,
  SNAPSHOT_COUNTER_KEYS,
  SNAPSHOT_VERSION,
  type Snapshot,
  type SnapshotCounter,
  type StreamStats,
  snapshotCounters,
  summarize,
  type WorkerStats,
} from "../stats/index.ts";
import { type Counters, perKind, type ShareSample, zeroCounters } from "./metrics.ts";

/** Sums samples of several shares: counters add, histograms merge bucket by bucket. */
export function mergeSamples(samples: readonly ShareSample[]): ShareSample {
  if (samples.length === 1) return samples[0]!;
  const counters: Counters = zeroCounters();
  const errors: Record<string, number> = {};
  for (const s of samples) {
    for (const k of Object.keys(counters) as (keyof Counters)[]) counters[k] += s.counters[k];
    for (const [c, n] of Object.entries(s.errors)) errors[c] = (errors[c] ?? 0) + n;
  }
  const merge = (kind: LatencyKind) => {
    const h = mergeEncoded(samples.map((s) => s.hist[kind]));
    const enc = encodeHistogram(h);
    h.destroy();
    return enc;
  };
  const queueGroups = samples.flatMap((s) => s.queueGroups ?? []);
  return { counters, errors, hist: perKind(merge), ...(queueGroups.length > 0 ? { queueGroups } : {}) };
}

/** One worker's figures in a snapshot (`workers[]`, only when a step runs on several threads). */
export type WorkerFigures = WorkerStats;

/** The registry's per-worker figures: its `perWorker` counters and the counts of its `perWorker` latency kinds. */
const WORKER_COUNTERS = snapshotCounters(MEASURES)
  .filter((e) => "perWorker" in e && e.perWorker)
  .map((e) => e.name);
const WORKER_KINDS = latencyKinds(MEASURES)
  .filter((e) => "perWorker" in e && e.perWorker)
  .map((e) => e.name);

export function workerFigures(parts: readonly ShareSample[], streams: readonly number[]): WorkerFigures[] {
  return parts.map((p, id) => {
    const w: Record<string, number> = { id, streams: streams[id] ?? 0 };
    for (const k of WORKER_COUNTERS) w[k] = p.counters[k];
    for (const k of WORKER_KINDS) w[`${k}_count`] = histCount(p.hist[k]);
    return w as WorkerFigures;
  });
}

function histCount(encoded: string): number {
  const h = decodeHistogram(encoded);
  const n = h.totalCount;
  h.destroy();
  return n;
}

export interface SnapshotContext {
  runId: string;
  pod: string;
  mode: Mode;
  step: PlanStep;
  phase: Phase;
  now: number;
  startEpoch: number;
  /** The previous snapshot of this step, for per-interval rates. */
  prev?: { at: number; published: number; consumed: number };
  targetRate: number;
  system?: Record<string, number>;
  streams?: StreamStats[];
  workers?: WorkerFigures[];
  /** The interval this snapshot covers (since the previous one of its step) and its histograms. */
  interval?: { seconds: number; hist: Record<LatencyKind, string> };
}

export function buildSnapshot(s: ShareSample, x: SnapshotContext): Snapshot {
  const c = s.counters;
  const since = x.prev?.at ?? x.startEpoch;
  const dt = Math.max(1e-3, (x.now - since) / 1000);
  const errors: Record<string, number> = {};
  for (const [k, n] of Object.entries(s.errors)) if (n > 0) errors[k] = n;
  const snap: Snapshot = {
    v: SNAPSHOT_VERSION,
    run_id: x.runId,
    pod: x.pod,
    mode: x.mode,
    spec: x.step.name,
    spec_index: x.step.specIndex,
    iteration: x.step.iteration,
    phase: x.phase,
    ts: new Date(x.now).toISOString(),
    elapsed_s: Math.max(0, Math.round((x.now - x.startEpoch) / 10) / 100),
    duration_s: x.step.spec.durationMs / 1000,
    ramp_up_s: x.step.spec.rampUpMs / 1000,
    target_rate: Math.round(x.targetRate * 100) / 100,
    // Every snapshot counter of the registry (src/measures), so a new counter needs no line here.
    ...(Object.fromEntries(SNAPSHOT_COUNTER_KEYS.map((k) => [k, c[k]])) as Record<SnapshotCounter, number>),
    publish_rate: rate(c.published - (x.prev?.published ?? 0), dt),
    consume_rate: rate(c.consumed - (x.prev?.consumed ?? 0), dt),
    latency_ms: perKind((kind) => {
      const h = decodeHistogram(s.hist[kind]);
      const p = summarize(h);
      h.destroy();
      return p;
    }),
    hist: s.hist,
    ...(x.interval
      ? { interval_s: Math.round(x.interval.seconds * 1000) / 1000, hist_interval: x.interval.hist }
      : {}),
    errors,
    nats: Object.fromEntries(NATS_COUNTER_KEYS.map((k) => [k, c[k]])) as Record<NatsCounter, number>,
  };
  if (x.system) snap.system = x.system;
  if (x.streams) snap.streams = x.streams;
  if (s.queueGroups) snap.queue_groups = s.queueGroups;
  if (x.workers) snap.workers = x.workers;
  return snap;
}

const rate = (n: number, dt: number) => Math.round((n / dt) * 10) / 10;
