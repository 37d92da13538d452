// The engine's maximum sustained rates next to bare @nats-io/transport-node loops, same server, same run:
//   - core publish 128 B / 1 KiB (bare: flush every 1,000);
//   - JetStream window publish 1 KiB, memory stream (bare: pipelined js.publish, window 256 topped up 64 at once);
//   - JetStream pull consume with explicit ack, 1 KiB, from a pre-filled memory stream (bare: consume() with
//     max_messages 1000 and m.ack());
//   - scaling over 1..N worker threads (N = cores, at least 2): core 128 B and JetStream 1 KiB publish,
//     N streams with one publisher each; ours = k workers, baseline = 1 worker of the same run.
// The engine runs with all measurement on (histograms, sequences in the payload, snapshots every second) at an
// unreachable target rate, publish mode. CPU is this process (all threads), never the server.
// Run: npm run bench:engine [-- --json] [-- --seconds 4]
//
// Stack traces are switched off below, after the imports (see bench/peer.ts for why not with the flag).
import { availableParallelism } from "node:os";
import { AckPolicy, DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Snapshot } from "../src/stats/index.ts";
import {
  type BenchReport,
  type BenchRow,
  bareCorePublish,
  bareJsConsume,
  bareJsPublish,
  benchEnv,
  createMemoryStream,
  fillStream,
  formatJson,
  formatText,
  type Measurement,
  measurement,
  parseBenchArgs,
  runEngine,
  scenarioPlan,
  serverVersion,
  startBenchServer,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const args = parseBenchArgs(process.argv.slice(2));
const seconds = args.seconds ?? 4;
const progress = (s: string) => process.stderr.write(`${s}\n`);
const MAX = 10_000_000;

/** Engine publish at an unreachable rate: acked/s (JetStream) or published/s (core) over the publishing window. */
async function enginePublish(
  url: string,
  name: string,
  js: boolean,
  size: number,
  streams = 1,
  workers = 1,
): Promise<Measurement> {
  const { final, cpu } = await runEngine({ url, name, js, size, rate: MAX, seconds, streams, workers });
  const msgs = js ? final.acked : final.published;
  // The publishing window: from the first intended send to the last ack (the final snapshot's elapsed).
  return measurement(msgs, final.elapsed_s, cpu.totalUs, final.publish_errors);
}

/**
 * Engine pull consume (explicit ack) of a stream the engine filled first: a durable made with deliver_policy
 * all (the engine keeps a durable whose other settings match), consume mode, stopped once it has all of
 * them. Rate from snapshots every 200 ms: messages between the first snapshot and the one that saw the last.
 */
async function engineConsume(url: string): Promise<{ m: Measurement; filled: number }> {
  const base = { url, name: "ECONS", js: true, size: 1024, cleanup: false } as const;
  const fill = await runEngine({ ...base, rate: MAX, seconds: Math.max(2, seconds - 1) });
  const filled = fill.final.acked;
  const c = scenarioPlan({ ...base, rate: 1, seconds: 1, consumersPerStream: 1 }).steps[0]!.spec
    .consumers[0]!;
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(c.stream, c.durableName).catch(() => false);
    await jsm.consumers.add(c.stream, {
      durable_name: c.durableName,
      ack_policy: AckPolicy.Explicit,
      ack_wait: c.ackWaitMs * 1e6,
      max_ack_pending: c.maxAckPending,
      deliver_policy: DeliverPolicy.All,
    });
  } finally {
    await nc.close();
  }
  const ac = new AbortController();
  let first: { at: number; n: number } | undefined;
  let last: { at: number; n: number } | undefined;
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
      if (!first) first = { at, n: s.consumed };
      else if (s.consumed >= filled) {
        last = { at, n: s.consumed };
        ac.abort();
      }
    },
  });
  if (!first || !last) throw new Error("engine consume: did not see every message");
  return {
    m: measurement(
      last.n - first.n,
      (last.at - first.at) / 1000,
      cpu.totalUs * ((last.n - first.n) / last.n),
    ),
    filled,
  };
}

const cores = availableParallelism();
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
    const ours = await enginePublish(srv.url, `ECORE${size}`, false, size);
    rows.push({ scenario: `core publish ${label}`, unit: "msgs/s", ours, baseline: bare });
  }
  {
    progress("JetStream publish 1 KiB: bare");
    await createMemoryStream(srv.url, "BARE1024", "bare.js.1024");
    const bare = await bareJsPublish(srv.url, {
      subject: "bare.js.1024",
      size: 1024,
      durationMs: seconds * 1000,
    });
    progress("JetStream publish 1 KiB: engine");
    const ours = await enginePublish(srv.url, "EJS1024", true, 1024);
    rows.push({
      scenario: "JetStream publish 1 KiB (memory, window 256)",
      unit: "acked/s",
      ours,
      baseline: bare,
    });
  }
  {
    progress("JetStream consume 1 KiB: engine (fill, then consume)");
    const { m: ours, filled } = await engineConsume(srv.url);
    progress(`JetStream consume 1 KiB: bare (${filled} messages)`);
    await createMemoryStream(srv.url, "BARECONS", "bare.cons");
    await fillStream(srv.url, "bare.cons", 1024, filled);
    const bare = await bareJsConsume(srv.url, { stream: "BARECONS", consumer: "bc", msgs: filled });
    rows.push({
      scenario: `JetStream pull consume 1 KiB, explicit ack (${filled} msgs)`,
      unit: "msgs/s",
      ours,
      baseline: bare,
      note: "engine: steady-state window; bare: from consume() to the last ack",
    });
  }
  const n = Math.max(2, cores);
  for (const js of [false, true]) {
    const what = js ? "JetStream publish 1 KiB" : "core publish 128 B";
    const size = js ? 1024 : 128;
    progress(`${what}, ${n} streams: 1 worker`);
    const one = await enginePublish(srv.url, js ? "SJS1" : "SCORE1", js, size, n, 1);
    for (let k = 2; k <= n; k++) {
      progress(`${what}, ${n} streams: ${k} workers`);
      const many = await enginePublish(srv.url, js ? `SJS${k}` : `SCORE${k}`, js, size, n, k);
      rows.push({
        scenario: `scaling: ${what}, ${n} streams, ${k} workers vs 1`,
        unit: js ? "acked/s" : "msgs/s",
        ours: many,
        baseline: one,
        note: `baseline = 1 worker; nats-server competes for the same ${cores} cores`,
      });
    }
  }
  const report: BenchReport = {
    bench: "engine",
    startedAt: new Date().toISOString(),
    env: benchEnv({ server: await serverVersion(srv), seconds }),
    rows,
    notes: [
      "ours = the engine (runPlan, one publisher per stream, unreachable target, all measurement on); baseline = a bare @nats-io/transport-node loop (scaling rows: the engine on 1 worker)",
      "engine publishes write PUB frames into their own slabs, one hand-over to the client per event-loop turn (docs/performance.md); JetStream acks on one wildcard reply subscription (window 256, refilled 64 at a time)",
      "CPU µs/msg: user+sys of this process (all threads) over the run, the nats-server excluded",
      `scaling: ${cores} cores shared by the client threads and nats-server, so more workers mostly take CPU from the server`,
      "targets: ours/baseline >= 0.90 and CPU ours/baseline <= 1.15; compare ratios of one run only",
    ],
  };
  process.stdout.write(
    args.json ? formatJson(report) : formatText(report, { ours: "engine", baseline: "bare" }),
  );
} finally {
  await srv[Symbol.asyncDispose]();
}
