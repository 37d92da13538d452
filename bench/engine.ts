// The engine's maximum sustained rates next to bare @nats-io/transport-node loops, same server, same run:
//   - core publish 128 B / 1 KiB (bare: flush every 1,000);
//   - JetStream window publish 128 B / 1 KiB, memory stream (bare: pipelined js.publish, window 256 topped up 64 at once);
//   - JetStream pull consume with explicit ack, 1 KiB, from a pre-filled memory stream (bare: consume() with
//     max_messages 1000 and m.ack());
//   - scaling over 1..N worker threads (N = cores, at least 2): core 128 B and JetStream 1 KiB publish,
//     N streams with one publisher each; ours = k workers, baseline = 1 worker of the same run.
// The engine runs with all measurement on (histograms, sequences in the payload, snapshots every second) at an
// unreachable target rate, publish mode. CPU is this process (all threads), never the server.
// Run: npm run bench:engine [-- --json] [-- --seconds 4] [-- --repeat 5]
//
// Stack traces are switched off below, after the imports (see bench/peer.ts for why not with the flag).
import { availableParallelism } from "node:os";
import {
  type BenchReport,
  type BenchRow,
  bareCorePublish,
  bareJsConsume,
  bareJsPublish,
  benchEnv,
  createMemoryStream,
  deleteStream,
  engineConsume,
  enginePublish,
  fillStream,
  formatJson,
  formatText,
  type Measurement,
  medianMeasurement,
  pairedMedians,
  parseBenchArgs,
  serverVersion,
  startBenchServer,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const args = parseBenchArgs(process.argv.slice(2));
const seconds = args.seconds ?? 4;
const progress = (s: string) => process.stderr.write(`${s}\n`);

const cores = availableParallelism();
const srv = await startBenchServer();
const rows: BenchRow[] = [];
try {
  const spread = (ratios: number[]) =>
    args.repeat > 1
      ? `median of ${args.repeat} interleaved pairs; per-pair ratio ${Math.min(...ratios).toFixed(2)}x-${Math.max(...ratios).toFixed(2)}x`
      : undefined;
  for (const size of [128, 1024]) {
    const label = size === 128 ? "128 B" : "1 KiB";
    const pair = await pairedMedians(
      args.repeat,
      (i) => {
        progress(`core ${label}: engine (${i + 1}/${args.repeat})`);
        return enginePublish(srv.url, `ECORE${size}R${i}`, false, size, seconds);
      },
      (i) => {
        progress(`core ${label}: bare (${i + 1}/${args.repeat})`);
        return bareCorePublish(srv.url, { subject: `bare.core.${size}`, size, durationMs: seconds * 1000 });
      },
    );
    rows.push(
      withNote(
        { scenario: `core publish ${label}`, unit: "msgs/s", ours: pair.ours, baseline: pair.baseline },
        spread(pair.ratios),
      ),
    );
  }
  for (const size of [128, 1024]) {
    const label = size === 128 ? "128 B" : "1 KiB";
    const pair = await pairedMedians(
      args.repeat,
      (i) => {
        progress(`JetStream publish ${label}: engine (${i + 1}/${args.repeat})`);
        return enginePublish(srv.url, `EJS${size}R${i}`, true, size, seconds);
      },
      async (i) => {
        progress(`JetStream publish ${label}: bare (${i + 1}/${args.repeat})`);
        // One stream per size, made anew each time: kept ones would fill the server's memory store.
        await createMemoryStream(srv.url, `BARE${size}`, `bare.js.${size}`);
        const m = await bareJsPublish(srv.url, {
          subject: `bare.js.${size}`,
          size,
          durationMs: seconds * 1000,
        });
        await deleteStream(srv.url, `BARE${size}`);
        return m;
      },
    );
    rows.push(
      withNote(
        {
          scenario: `JetStream publish ${label} (memory, window 256)`,
          unit: "acked/s",
          ours: pair.ours,
          baseline: pair.baseline,
        },
        spread(pair.ratios),
      ),
    );
  }
  {
    // Not interleaved: the bare side consumes as many messages as the engine's fill produced.
    const ours: Measurement[] = [];
    const bare: Measurement[] = [];
    let filled = 0;
    let wholeRun = 0;
    for (let i = 0; i < args.repeat; i++) {
      progress(`JetStream consume 1 KiB: engine (fill, then consume) (${i + 1}/${args.repeat})`);
      const e = await engineConsume(srv.url, seconds, 1, `ECONSR${i}`);
      ours.push(e.m);
      filled = e.filled;
      wholeRun = e.wholeRunUsPerMsg;
      progress(`JetStream consume 1 KiB: bare (${filled} messages) (${i + 1}/${args.repeat})`);
      await createMemoryStream(srv.url, "BARECONS", "bare.cons");
      await fillStream(srv.url, "bare.cons", 1024, filled);
      bare.push(await bareJsConsume(srv.url, { stream: "BARECONS", consumer: "bc", msgs: filled }));
      await deleteStream(srv.url, "BARECONS");
    }
    const ratios = ours.map((x, i) => x.rate / Math.max(bare[i]!.rate, 1e-9));
    rows.push(
      withNote(
        {
          scenario: `JetStream pull consume 1 KiB, explicit ack (${filled} msgs)`,
          unit: "msgs/s",
          ours: medianMeasurement(ours),
          baseline: medianMeasurement(bare),
          note: `engine: rate and CPU from its first snapshot (1 s) to the last message (whole run incl. start-up: ${wholeRun.toFixed(2)} µs/msg); bare: from consume() to the last ack`,
        },
        spread(ratios),
      ),
    );
  }
  const n = Math.max(2, cores);
  for (const js of [false, true]) {
    const what = js ? "JetStream publish 1 KiB" : "core publish 128 B";
    const size = js ? 1024 : 128;
    progress(`${what}, ${n} streams: 1 worker`);
    const one = await enginePublish(srv.url, js ? "SJS1" : "SCORE1", js, size, seconds, n, 1);
    for (let k = 2; k <= n; k++) {
      progress(`${what}, ${n} streams: ${k} workers`);
      const many = await enginePublish(srv.url, js ? `SJS${k}` : `SCORE${k}`, js, size, seconds, n, k);
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
      ...(args.repeat > 1
        ? [
            `--repeat ${args.repeat}: the publish and consume scenarios are measured ${args.repeat} times each side (publish pairs alternate which side goes first); each cell is the run of median rate, its CPU from the same run; the scaling rows are measured once`,
          ]
        : []),
    ],
  };
  process.stdout.write(
    args.json ? formatJson(report) : formatText(report, { ours: "engine", baseline: "bare" }),
  );
} finally {
  await srv[Symbol.asyncDispose]();
}

/** The row with `extra` appended to its note (when there is one). */
function withNote(row: BenchRow, extra: string | undefined): BenchRow {
  if (!extra) return row;
  return { ...row, note: row.note ? `${row.note}; ${extra}` : extra };
}
