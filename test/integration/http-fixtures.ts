// Fixtures shared by the HTTP shim's integration and browser tests: a valid config and real snapshots.
import type { Snapshot } from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";

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

/**
 * A real snapshot whose histograms hold `values` (ms; publish_ack half of each, publish_service a quarter,
 * send_delay an eighth); counters scale with `n`.
 */
export function makeSnapshot(
  run: string,
  pod: string,
  n: number,
  values: number[],
  ts = new Date(),
): Snapshot {
  return snapshot({
    run_id: run,
    pod,
    spec: "http_test",
    ts: ts.toISOString(),
    elapsed_s: n,
    duration_s: 60,
    target_rate: 100,
    values: values.map((v) => v / 2),
    service: values.map((v) => v / 4),
    sendDelay: values.map((v) => v / 8),
    e2e: values,
    published: 100 * n,
    publish_errors: n,
    acked: 99 * n,
    consumed: 98 * n,
    acks_sent: 98 * n,
    publish_rate: 100 + n,
    consume_rate: 99 + n,
    bytes_out: 6400 * n,
    bytes_in: 6300 * n,
    errors: { timeout: n },
    streams: [{ name: "t_1", num_pending: 7 }],
  });
}
