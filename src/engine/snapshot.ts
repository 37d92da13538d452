// Builds the wire snapshot of a step from merged share samples (counters summed, histograms merged exactly).

import type { PlanStep } from "../config/index.ts";
import {
  decodeHistogram,
  encodeHistogram,
  type Mode,
  type Phase,
  SNAPSHOT_VERSION,
  type Snapshot,
  type StreamStats,
  summarize,
  type WorkerStats,
} from "../stats/index.ts";
import { type Counters, type ShareSample, zeroCounters } from "./metrics.ts";

/** Sums samples of several shares: counters add, histograms merge bucket by bucket. */
export function mergeSamples(samples: readonly ShareSample[]): ShareSample {
  if (samples.length === 1) return samples[0]!;
  const counters: Counters = zeroCounters();
  const errors: Record<string, number> = {};
  for (const s of samples) {
    for (const k of Object.keys(counters) as (keyof Counters)[]) counters[k] += s.counters[k];
    for (const [c, n] of Object.entries(s.errors)) errors[c] = (errors[c] ?? 0) + n;
  }
  const merge = (key: keyof ShareSample["hist"]) => {
    const parts = samples.map((s) => decodeHistogram(s.hist[key]));
    const out = parts[0]!;
    for (const p of parts.slice(1)) {
      out.add(p);
      p.destroy();
    }
    const enc = encodeHistogram(out);
    out.destroy();
    return enc;
  };
  return {
    counters,
    errors,
    hist: {
      publish_ack: merge("publish_ack"),
      end_to_end: merge("end_to_end"),
      send_delay: merge("send_delay"),
      publish_service: merge("publish_service"),
    },
  };
}

/** One worker's figures in a snapshot (`workers[]`, only when a step runs on several threads). */
export type WorkerFigures = WorkerStats;

export function workerFigures(parts: readonly ShareSample[], streams: readonly number[]): WorkerFigures[] {
  return parts.map((p, id) => ({
    id,
    streams: streams[id] ?? 0,
    published: p.counters.published,
    acked: p.counters.acked,
    publish_errors: p.counters.publish_errors,
    consumed: p.counters.consumed,
    lost: p.counters.lost,
    missed_sends: p.counters.missed_sends,
    end_to_end_count: histCount(p.hist.end_to_end),
    send_delay_count: histCount(p.hist.send_delay),
  }));
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
}

export function buildSnapshot(s: ShareSample, x: SnapshotContext): Snapshot {
  const c = s.counters;
  const since = x.prev?.at ?? x.startEpoch;
  const dt = Math.max(1e-3, (x.now - since) / 1000);
  const pa = decodeHistogram(s.hist.publish_ack);
  const e2e = decodeHistogram(s.hist.end_to_end);
  const sd = decodeHistogram(s.hist.send_delay);
  const ps = decodeHistogram(s.hist.publish_service);
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
    published: c.published,
    publish_errors: c.publish_errors,
    acked: c.acked,
    consumed: c.consumed,
    acks_sent: c.acks_sent,
    redelivered: c.redelivered,
    duplicates: c.duplicates,
    lost: c.lost,
    out_of_order: c.out_of_order,
    missed_sends: c.missed_sends,
    negative_latency: c.negative_latency,
    remote_latency: c.remote_latency,
    publish_retries: c.publish_retries,
    unconfirmed_delivered: c.unconfirmed_delivered,
    publish_rate: rate(c.published - (x.prev?.published ?? 0), dt),
    consume_rate: rate(c.consumed - (x.prev?.consumed ?? 0), dt),
    bytes_out: c.bytes_out,
    bytes_in: c.bytes_in,
    latency_ms: {
      publish_ack: summarize(pa),
      end_to_end: summarize(e2e),
      send_delay: summarize(sd),
      publish_service: summarize(ps),
    },
    hist: s.hist,
    errors,
    nats: {
      reconnects: c.reconnects,
      in_msgs: c.in_msgs,
      out_msgs: c.out_msgs,
      in_bytes: c.in_bytes,
      out_bytes: c.out_bytes,
    },
  };
  if (x.system) snap.system = x.system;
  if (x.streams) snap.streams = x.streams;
  if (x.workers) snap.workers = x.workers;
  pa.destroy();
  e2e.destroy();
  sd.destroy();
  ps.destroy();
  return snap;
}

const rate = (n: number, dt: number) => Math.round((n / dt) * 10) / 10;
