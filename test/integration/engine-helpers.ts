import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
// Shared by the engine integration tests: a plan from a raw config, run to the end, snapshots collected.
import { loadConfig } from "../../src/config/index.ts";
import { type EngineOptions, runPlan } from "../../src/engine/index.ts";
import { decodeHistogram, type Snapshot } from "../../src/stats/index.ts";

const quiet = { info() {}, warn() {}, error() {} };

export async function run(
  specs: unknown[],
  extra: Partial<EngineOptions> = {},
): Promise<{ finals: Snapshot[]; snaps: Snapshot[] }> {
  const loaded = loadConfig(
    { load_test_specs: specs, stats_collection_interval_seconds: 1 },
    { pod: "p", env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const snaps: Snapshot[] = [];
  const { finals } = await runPlan(loaded.plan, {
    runId: "r1",
    pod: "p",
    mode: "both",
    signal: new AbortController().signal,
    onSnapshot: (s) => snaps.push(s),
    log: quiet,
    ...extra,
  });
  return { finals, snaps };
}

/**
 * A small JetStream spec: 2 memory streams `<NAME>_1..2` on `<name>.{}`, one publisher each at 100 msg/s with
 * latency tracking, one explicit-ack pull consumer each, 2 s; `extra` adds or replaces top-level fields
 * (`nats_creds_file`, `tls`, ...).
 */
export function smallSpec(
  url: string,
  name: string,
  extra: Record<string, unknown> = {},
  streamPrefix = name.toUpperCase(),
): Record<string, unknown> {
  return {
    name,
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: `lt-${name}`,
    streams: [
      { name_prefix: streamPrefix, count: 2, replicas: 1, subjects: [`${name}.{}`], storage: "memory" },
    ],
    publishers: {
      count_per_stream: 1,
      stream_name_prefix: streamPrefix,
      publish_rate_per_second: 100,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: true,
    },
    consumers: {
      stream_name_prefix: streamPrefix,
      type: "pull",
      count_per_stream: 1,
      durable_name_prefix: name,
      ack_wait_seconds: 5,
      max_ack_pending: 1000,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: 2, ramp_up_seconds: 0 },
    ...extra,
  };
}

/** A logger that keeps what it is told, and the process's unhandled rejections while a test runs. */
export function recorder() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  process.on("unhandledRejection", onRejection);
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, ...(fields ? { fields } : {}) });
    };
  return {
    log: { info: at("info"), warn: at("warn"), error: at("error") },
    lines,
    rejections,
    done: () => process.off("unhandledRejection", onRejection),
  };
}

/** The `error` a final snapshot in phase "error" carries ("" when none). */
export const errorOf = (s: Snapshot): string => String((s as { error?: unknown }).error ?? "");

/**
 * The shape of a clean JetStream step: phase done, something published, every publish acknowledged, every
 * acknowledged message consumed, nothing lost. `context` is added to the failure message (e.g. an agent's log).
 */
export function assertEveryMessage(f: Snapshot, context = ""): void {
  assert.equal(f.phase, "done", `${errorOf(f)}${context ? `\n${context}` : ""}`);
  assert.ok(f.published > 0, `published ${f.published}`);
  assert.equal(f.acked, f.published, `acked == published; errors ${JSON.stringify(f.errors)}`);
  assert.equal(f.consumed, f.acked, "every acknowledged message is consumed");
  assert.equal(f.lost, 0);
}

/** Wall-clock epoch ms with sub-ms precision, comparable with the engine's snapshot and slot times. */
export const nowEpoch = () => performance.timeOrigin + performance.now();

/** How many values of an encoded HDR histogram (µs) lie above `ms`. */
export function countAbove(encoded: string | undefined, ms: number): number {
  if (!encoded) return 0;
  const h = decodeHistogram(encoded) as unknown as {
    recordedValuesIterator: {
      reset(): void;
      hasNext(): boolean;
      next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
    };
    destroy(): void;
  };
  const it = h.recordedValuesIterator;
  it.reset();
  let n = 0;
  while (it.hasNext()) {
    const v = it.next();
    if (v.valueIteratedTo > ms * 1000) n += v.countAtValueIteratedTo;
  }
  h.destroy();
  return n;
}
