// The engine's maximum sustained publish rate next to a bare @nats-io/transport-node loop, same server, same
// run: core 128 B / 1 KiB (bare: flush every 1,000) and JetStream 128 B / 1 KiB on a memory stream (bare:
// pipelined js.publish, window 256 topped up 64 at a time). The engine runs with all measurement on
// (histograms, sequences in the payload, snapshots every second) at an unreachable target rate, one
// publisher, publish mode. Run: npm run bench:engine [-- --json] [-- --seconds 5]
//
// Stack traces are switched off below, after the imports (see bench/peer.ts for why not with the flag).
import { loadConfig } from "../src/config/index.ts";
import { runPlan } from "../src/engine/index.ts";
import type { Snapshot } from "../src/stats/index.ts";
import {
  type BenchReport,
  type BenchRow,
  bareCorePublish,
  bareJsPublish,
  benchEnv,
  createMemoryStream,
  formatJson,
  formatText,
  type Measurement,
  measureCpu,
  measurement,
  parseBenchArgs,
  serverVersion,
  startBenchServer,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const args = parseBenchArgs(process.argv.slice(2));
const seconds = args.seconds ?? 5;
const progress = (s: string) => process.stderr.write(`${s}\n`);
const quiet = { info() {}, warn() {}, error() {} };

async function engine(url: string, js: boolean, size: number, name: string): Promise<Measurement> {
  const cfg = {
    stats_collection_interval_seconds: 1,
    load_test_specs: [
      {
        name,
        nats_url: url,
        use_jetstream: js,
        client_id_prefix: "bench",
        streams: [
          {
            name_prefix: name,
            count: 1,
            replicas: 1,
            subjects: [`${name}.{}`],
            storage: "memory",
            max_age: "0s",
          },
        ],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: name,
          publish_rate_per_second: 10_000_000,
          publish_pattern: "steady",
          message_size_bytes: size,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: name,
          type: "pull",
          count_per_stream: 0,
          durable_name_prefix: "c",
          ack_wait_seconds: 30,
          max_ack_pending: 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: seconds, ramp_up_seconds: 0 },
      },
    ],
  };
  const loaded = loadConfig(cfg, { pod: "bench", env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  let final: Snapshot | undefined;
  const { cpu } = await measureCpu(() =>
    runPlan(loaded.plan, {
      runId: "bench",
      pod: "bench",
      mode: "publish",
      signal: new AbortController().signal,
      onSnapshot: (s) => {
        if (s.phase !== "running") final = s;
      },
      log: quiet,
      cleanup: true,
    }),
  );
  if (!final || final.phase !== "done")
    throw new Error(`engine run ended ${final?.phase}: ${JSON.stringify(final)}`);
  const msgs = js ? final.acked : final.published;
  // The publishing window: from the first intended send to the last ack (the final snapshot's elapsed).
  return measurement(msgs, final.elapsed_s, cpu.totalUs, final.publish_errors);
}

const srv = await startBenchServer();
const rows: BenchRow[] = [];
try {
  for (const size of [128, 1024]) {
    const label = size === 128 ? "128 B" : "1 KiB";
    progress(`core ${label}: bare`);
    const bare = await bareCorePublish(srv.url, {
      subject: `bare.core.${size}`,
      size,
      durationMs: seconds * 1000,
    });
    progress(`core ${label}: engine`);
    const ours = await engine(srv.url, false, size, `ECORE${size}`);
    rows.push({ scenario: `core publish ${label}`, unit: "msgs/s", ours, baseline: bare });
  }
  for (const size of [128, 1024]) {
    const label = size === 128 ? "128 B" : "1 KiB";
    progress(`JetStream ${label}: bare`);
    await createMemoryStream(srv.url, `BARE${size}`, `bare.js.${size}`);
    const bare = await bareJsPublish(srv.url, {
      subject: `bare.js.${size}`,
      size,
      durationMs: seconds * 1000,
    });
    progress(`JetStream ${label}: engine`);
    const ours = await engine(srv.url, true, size, `EJS${size}`);
    rows.push({ scenario: `JetStream publish ${label} (memory)`, unit: "acked/s", ours, baseline: bare });
  }
  const report: BenchReport = {
    bench: "engine",
    startedAt: new Date().toISOString(),
    env: benchEnv({ server: await serverVersion(srv), seconds }),
    rows,
    notes: [
      "ours = the engine (runPlan, publish mode, one publisher, unreachable target, all measurement on); baseline = a bare @nats-io/transport-node loop",
      "engine JetStream publishes are pipelined on one wildcard reply subscription (window 256, refilled 64 at a time); the bare loop uses js.publish with the same window",
      "target: ours/baseline >= 0.85; the server shares this machine's cores, so compare ratios of one run only",
    ],
  };
  process.stdout.write(
    args.json ? formatJson(report) : formatText(report, { ours: "engine", baseline: "bare" }),
  );
} finally {
  await srv[Symbol.asyncDispose]();
}
