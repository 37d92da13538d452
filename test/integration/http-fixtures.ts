// Fixtures shared by the HTTP shim's integration and browser tests: a valid config and real snapshots.
import {
  encodeHistogram,
  newHistogram,
  recordMs,
  SNAPSHOT_VERSION,
  type Snapshot,
  summarize,
} from "../../src/stats/index.ts";

export const CONFIG = {
  load_test_specs: [
    {
      name: "http_test",
      nats_url: "nats://user:s3cret@127.0.0.1:4222",
      use_jetstream: true,
      client_id_prefix: "t",
      streams: [
        { name_prefix: "t", count: 1, replicas: 1, subjects: ["t.{}"], messages_per_stream_per_second: 10 },
      ],
      publishers: {
        count_per_stream: 1,
        stream_name_prefix: "t",
        publish_rate_per_second: 10,
        message_size_bytes: 64,
        publish_pattern: "steady",
        track_latency: true,
      },
      consumers: {
        stream_name_prefix: "t",
        type: "pull",
        count_per_stream: 1,
        durable_name_prefix: "t",
        ack_wait_seconds: 30,
        max_ack_pending: 100,
        ack_policy: "explicit",
      },
      behavior: { duration_seconds: 5, ramp_up_seconds: 0 },
    },
  ],
};

/** A real snapshot whose histograms hold `values` (ms); counters scale with `n`. */
export function makeSnapshot(
  run: string,
  pod: string,
  n: number,
  values: number[],
  ts = new Date(),
): Snapshot {
  const pa = newHistogram();
  const e2e = newHistogram();
  for (const v of values) {
    recordMs(pa, v / 2);
    recordMs(e2e, v);
  }
  const s: Snapshot = {
    v: SNAPSHOT_VERSION,
    run_id: run,
    pod,
    mode: "both",
    spec: "http_test",
    spec_index: 0,
    iteration: 0,
    phase: "running",
    ts: ts.toISOString(),
    elapsed_s: n,
    duration_s: 60,
    target_rate: 100,
    published: 100 * n,
    publish_errors: n,
    acked: 99 * n,
    consumed: 98 * n,
    acks_sent: 98 * n,
    redelivered: 0,
    duplicates: 0,
    lost: 0,
    out_of_order: 0,
    publish_rate: 100 + n,
    consume_rate: 99 + n,
    bytes_out: 6400 * n,
    bytes_in: 6300 * n,
    latency_ms: { publish_ack: summarize(pa), end_to_end: summarize(e2e) },
    hist: { publish_ack: encodeHistogram(pa), end_to_end: encodeHistogram(e2e) },
    errors: { timeout: n },
    streams: [{ name: "t_1", num_pending: 7 }],
  };
  pa.destroy();
  e2e.destroy();
  return s;
}
