// The original tool's /stats record: Go structs without JSON tags, so PascalCase keys, latency in
// nanoseconds. Pure mapping from one of our snapshots; `Pod`, `RunID` and `Spec` are our additions.
import type { Snapshot } from "../stats/index.ts";

export interface OriginalRecord {
  Timestamp: string;
  Published: number;
  Consumed: number;
  PublishRate: number;
  ConsumeRate: number;
  PublishErrors: number;
  ConsumeErrors: number;
  PendingMessages: number;
  Latency: { Min: number; Max: number; Mean: number; P99: number; Count: number };
  Errors: Record<string, number>;
  RampUp: { is_active: boolean; progress: number; time_remaining: number };
  Pod: string;
  RunID: string;
  Spec: string;
}

const msToNs = (ms: number) => Math.round(ms * 1_000_000);

/**
 * Maps a snapshot to the original's record. Latency is end-to-end (what the original measured) when the
 * pod consumed, else publish-ack. PendingMessages comes from JetStream consumer info (sum of
 * `num_pending` over the snapshot's streams), never from published - consumed.
 *
 * RampUp comes from the step's `ramp_up_s` and `elapsed_s` (the ramp starts with the step): active while a
 * running step is inside its ramp, progress the elapsed share of it (0..1; 1 with no ramp or once past it),
 * time_remaining the seconds left of it. A final snapshot is never active (the step is over, even if it was
 * stopped mid-ramp: progress then says how far it got). Snapshots without `ramp_up_s` (older agents) read as
 * no ramp.
 */
export function toOriginalRecord(s: Snapshot): OriginalRecord {
  const lat = s.latency_ms.end_to_end.count > 0 ? s.latency_ms.end_to_end : s.latency_ms.publish_ack;
  const consumeErrors = s.errors["consume"] ?? 0;
  const rampUp = s.ramp_up_s ?? 0;
  const rampActive = rampUp > 0 && s.phase === "running" && s.elapsed_s < rampUp;
  return {
    Timestamp: s.ts,
    Published: s.published,
    Consumed: s.consumed,
    PublishRate: s.publish_rate,
    ConsumeRate: s.consume_rate,
    PublishErrors: Math.max(0, s.publish_errors),
    ConsumeErrors: consumeErrors,
    PendingMessages: (s.streams ?? []).reduce((n, st) => n + (st.num_pending ?? 0), 0),
    Latency: {
      Min: msToNs(lat.min),
      Max: msToNs(lat.max),
      Mean: msToNs(lat.mean),
      P99: msToNs(lat.p99),
      Count: lat.count,
    },
    Errors: { ...s.errors },
    RampUp: {
      is_active: rampActive,
      progress: rampUp > 0 ? Math.min(1, Math.max(0, s.elapsed_s / rampUp)) : 1,
      // Rounded to the millisecond: elapsed_s has two decimals, the difference only floating-point noise.
      time_remaining: rampActive ? Math.round(Math.max(0, rampUp - s.elapsed_s) * 1000) / 1000 : 0,
    },
    Pod: s.pod,
    RunID: s.run_id,
    Spec: s.spec,
  };
}
