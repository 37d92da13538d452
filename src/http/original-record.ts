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
 * `num_pending` over the snapshot's streams), never from published - consumed. `ramp_up_s` (seconds of
 * ramp-up in the current spec) is read when the snapshot carries it.
 */
export function toOriginalRecord(s: Snapshot): OriginalRecord {
  const lat = s.latency_ms.end_to_end.count > 0 ? s.latency_ms.end_to_end : s.latency_ms.publish_ack;
  const consumeErrors = s.errors["consume"] ?? 0;
  const rampUp = typeof s["ramp_up_s"] === "number" ? (s["ramp_up_s"] as number) : 0;
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
      time_remaining: rampActive ? Math.max(0, rampUp - s.elapsed_s) : 0,
    },
    Pod: s.pod,
    RunID: s.run_id,
    Spec: s.spec,
  };
}
