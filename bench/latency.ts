// Latency and rate accuracy, same server, same run.
//   - end-to-end latency at fixed 1,000 and 10,000 msg/s, core NATS, 128 B, one publisher and one consumer in
//     this process: the engine (both mode) vs a bare pub→sub pair paced and timed the same way (receive time
//     minus intended send time, HDR histogram). ours/bare p99 is the tool's own latency overhead.
//   - rate accuracy at 100, 1,000, 10,000 and 50,000 msg/s (engine, core publish, one publisher): messages sent
//     over messages scheduled, missed send slots, and the inter-send jitter (send_delay: actual − intended).
// Run: npm run bench:latency [-- --json] [-- --seconds 5]
import type { Percentiles } from "../src/stats/index.ts";
import {
  barePacedPair,
  benchEnv,
  runEngine,
  serverVersion,
  simpleTable,
  startBenchServer,
  writeBench,
} from "./lib/index.ts";
import { parseBenchArgs } from "./lib/table.ts";

Error.stackTraceLimit = 0;
const args = parseBenchArgs(process.argv.slice(2));
const seconds = args.seconds ?? 5;
const progress = (s: string) => process.stderr.write(`${s}\n`);
const f2 = (x: number) => x.toFixed(2);

interface LatencyRow {
  rate: number;
  ours: Percentiles;
  bare: Percentiles;
  oursLost: number;
  bareLost: number;
}
interface AccuracyRow {
  rate: number;
  scheduled: number;
  sent: number;
  missed: number;
  accuracy: number;
  jitter: Percentiles;
}

const srv = await startBenchServer();
const latency: LatencyRow[] = [];
const accuracy: AccuracyRow[] = [];
try {
  for (const rate of [1000, 10_000]) {
    progress(`latency ${rate}/s: bare pair`);
    const bare = await barePacedPair(srv.url, { subject: `bare.lat.${rate}`, size: 128, rate, seconds });
    progress(`latency ${rate}/s: engine`);
    const { final } = await runEngine({
      url: srv.url,
      name: `ELAT${rate}`,
      js: false,
      size: 128,
      rate,
      seconds,
      mode: "both",
      consumersPerStream: 1,
    });
    latency.push({
      rate,
      ours: final.latency_ms.end_to_end,
      bare: bare.e2e,
      oursLost: final.lost,
      bareLost: bare.sent - bare.received,
    });
  }
  for (const rate of [100, 1000, 10_000, 50_000]) {
    progress(`accuracy ${rate}/s: engine`);
    const secs = rate === 100 ? Math.max(seconds, 5) : Math.min(seconds, 4);
    const { final } = await runEngine({
      url: srv.url,
      name: `EACC${rate}`,
      js: false,
      size: 128,
      rate,
      seconds: secs,
    });
    const scheduled = rate * secs;
    accuracy.push({
      rate,
      scheduled,
      sent: final.published,
      missed: final.unsent ?? 0,
      accuracy: final.published / scheduled,
      jitter: final.latency_ms.send_delay ?? final.latency_ms.end_to_end,
    });
  }
  const env = benchEnv({ server: await serverVersion(srv), seconds });
  const notes = [
    "latency = receive time − intended send time (open model: a late send counts as latency), core NATS, 128 B, publisher and consumer in this process, same clock",
    "bare = two @nats-io/transport-node connections, paced by a timer that sleeps >= 1 ms like the engine's scheduler, recording into the same HDR histogram",
    "accuracy = messages sent / messages scheduled over the step (no slot is skipped: one not sent by the step's end is counted missed, i.e. unsent); jitter = send_delay (actual − intended send time)",
    "targets: ours p99 <= 1.1x bare p99 at 10,000 msg/s; accuracy within 1% at every rate",
  ];
  writeBench(args.json, { bench: "latency", env, notes, data: { latency, accuracy } }, () => {
    const lat = simpleTable(
      [
        "rate msg/s",
        "p50 engine",
        "p50 bare",
        "p99 engine",
        "p99 bare",
        "p99 engine/bare",
        "p99.9 engine",
        "p99.9 bare",
        "lost engine / bare",
      ],
      latency.map((r) => [
        r.rate,
        `${f2(r.ours.p50)} ms`,
        `${f2(r.bare.p50)} ms`,
        `${f2(r.ours.p99)} ms`,
        `${f2(r.bare.p99)} ms`,
        `${f2(r.ours.p99 / Math.max(r.bare.p99, 0.001))}x`,
        `${f2(r.ours.p999)} ms`,
        `${f2(r.bare.p999)} ms`,
        `${r.oursLost} / ${r.bareLost}`,
      ]),
    );
    const acc = simpleTable(
      [
        "target msg/s",
        "scheduled",
        "sent",
        "missed",
        "sent/scheduled",
        "jitter p50",
        "jitter p99",
        "jitter max",
      ],
      accuracy.map((r) => [
        r.rate,
        r.scheduled,
        r.sent,
        r.missed,
        `${(r.accuracy * 100).toFixed(2)}%`,
        `${f2(r.jitter.p50)} ms`,
        `${f2(r.jitter.p99)} ms`,
        `${f2(r.jitter.max)} ms`,
      ]),
    );
    return [
      { title: "End-to-end latency (ours = engine)", table: lat },
      { title: "Rate accuracy (engine)", table: acc },
    ];
  });
} finally {
  await srv[Symbol.asyncDispose]();
}
