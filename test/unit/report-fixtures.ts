// Synthetic snapshots for report and threshold tests, built with src/stats helpers (real encoded histograms).
import {
  encodeHistogram,
  newHistogram,
  recordMs,
  SNAPSHOT_VERSION,
  type Snapshot,
  summarize,
} from "../../src/stats/index.ts";

export const T0 = Date.parse("2024-05-01T12:00:00.000Z");

type Fields =
  | "run_id"
  | "pod"
  | "spec"
  | "spec_index"
  | "iteration"
  | "phase"
  | "elapsed_s"
  | "duration_s"
  | "published"
  | "publish_errors"
  | "lost"
  | "duplicates"
  | "publish_rate"
  | "consume_rate"
  | "errors"
  | "target_rate";

export interface SnapOptions extends Partial<Pick<Snapshot, Fields>> {
  /** publish_ack latencies (ms) recorded so far in this step (cumulative). */
  values?: number[];
  /** end_to_end latencies (ms) recorded so far in this step (cumulative). */
  e2e?: number[];
  /** Seconds after T0 (sets `ts`). */
  at?: number;
}

export function snapshot(o: SnapOptions = {}): Snapshot {
  const { values = [], e2e = [], at, ...rest } = o;
  const pa = newHistogram();
  for (const ms of values) recordMs(pa, ms);
  const ee = newHistogram();
  for (const ms of e2e) recordMs(ee, ms);
  const published = rest.published ?? values.length;
  const s: Snapshot = {
    v: SNAPSHOT_VERSION,
    run_id: "r1",
    pod: "a",
    mode: "both",
    spec: "spec-0",
    spec_index: 0,
    iteration: 0,
    phase: "running",
    ts: new Date(T0 + (at ?? rest.elapsed_s ?? 1) * 1000).toISOString(),
    elapsed_s: at ?? 1,
    duration_s: 10,
    published,
    publish_errors: 0,
    acked: published,
    consumed: e2e.length,
    acks_sent: e2e.length,
    redelivered: 0,
    duplicates: 0,
    lost: 0,
    out_of_order: 0,
    publish_rate: 0,
    consume_rate: 0,
    bytes_out: published * 100,
    bytes_in: e2e.length * 100,
    latency_ms: { publish_ack: summarize(pa), end_to_end: summarize(ee) },
    hist: {
      publish_ack: values.length ? encodeHistogram(pa) : "",
      end_to_end: e2e.length ? encodeHistogram(ee) : "",
    },
    errors: {},
    ...rest,
  };
  pa.destroy();
  ee.destroy();
  return s;
}

/**
 * A two-pod, two-step run: each pod reports every second for `seconds` seconds per step, publishing
 * `rate` messages a second with latencies 1..rate ms (pod b twice as slow).
 */
export function twoPodRun(run = "r1", rate = 10, seconds = 3, slow = 1): Snapshot[] {
  const out: Snapshot[] = [];
  for (const [stepIndex, spec] of ["alpha", "beta"].entries()) {
    for (const pod of ["a", "b"]) {
      const factor = (pod === "b" ? 2 : 1) * slow;
      const values: number[] = [];
      for (let t = 1; t <= seconds; t++) {
        for (let i = 1; i <= rate; i++) values.push(i * factor);
        out.push(
          snapshot({
            run_id: run,
            pod,
            spec,
            spec_index: stepIndex,
            at: stepIndex * seconds + t,
            elapsed_s: t,
            duration_s: seconds,
            phase: t === seconds ? "done" : "running",
            values: [...values],
            e2e: [...values],
            publish_rate: rate,
            consume_rate: rate,
            errors: pod === "b" && t === seconds ? { timeout: 1 } : {},
            publish_errors: pod === "b" && t === seconds ? 1 : 0,
          }),
        );
      }
    }
  }
  return out;
}
