// Control-plane scale: 100 simulated agents (in-process publishers, 10 connections) each write a real
// snapshot every second the way lt-agent's outbox does (stats stream publish with a msg id, then the stats KV
// put); meanwhile `ControlClient.stats({ limit: 100 })` (what `ltctl stats --limit 100` runs) is timed,
// and `aggregate` merges the 100 histograms. The merge is checked exact: the same values recorded into one
// histogram directly give the same percentiles and count.
// Run: npm run bench:control [-- --json] [-- --seconds 6]
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient } from "../src/control/index.ts";
import {
  aggregate,
  encodeHistogram,
  newHistogram,
  SNAPSHOT_VERSION,
  type Snapshot,
  summarize,
} from "../src/stats/index.ts";
import {
  benchEnv,
  parseBenchArgs,
  serverVersion,
  simpleTable,
  startBenchServer,
  writeBench,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const args = parseBenchArgs(process.argv.slice(2));
const seconds = args.seconds ?? 6;
const AGENTS = 100;
const PREFIX = "ltbench";
const RUN = "bench-run";
const progress = (s: string) => process.stderr.write(`${s}\n`);

/** A snapshot as an agent sends it: every field, real encoded histograms (agent i's own latency values). */
function agentSnapshot(i: number, round: number): Snapshot {
  const e2e = newHistogram();
  const pa = newHistogram();
  for (let k = 0; k < 2000; k++) {
    e2e.recordValue(100 + ((i * 7919 + k * 104729) % (5000 + i * 100)));
    pa.recordValue(200 + ((i * 31 + k * 613) % 20000));
  }
  const hist = { publish_ack: encodeHistogram(pa), end_to_end: encodeHistogram(e2e) };
  const s: Snapshot = {
    v: SNAPSHOT_VERSION,
    run_id: RUN,
    pod: `agent-${String(i).padStart(3, "0")}`,
    mode: "both",
    spec: "bench",
    spec_index: 0,
    iteration: 0,
    phase: "running",
    ts: new Date().toISOString(),
    elapsed_s: round,
    duration_s: 60,
    target_rate: 1000,
    published: 1000 * round,
    publish_errors: 0,
    acked: 1000 * round,
    consumed: 1000 * round,
    acks_sent: 1000 * round,
    redelivered: 0,
    duplicates: 0,
    lost: 0,
    out_of_order: 0,
    missed_sends: 0,
    negative_latency: 0,
    publish_rate: 1000,
    consume_rate: 1000,
    bytes_out: 128_000 * round,
    bytes_in: 128_000 * round,
    latency_ms: { publish_ack: summarize(pa), end_to_end: summarize(e2e) },
    hist,
    errors: {},
    system: { cpu_pct: 12, rss_mb: 80, heap_mb: 20, event_loop_p99_ms: 1.2 },
    nats: { reconnects: 0, in_msgs: 0, out_msgs: 0, in_bytes: 0, out_bytes: 0 },
  };
  pa.destroy();
  e2e.destroy();
  return s;
}

/** Every value agent i recorded, into one histogram: what an exact merge must reproduce. */
function directEndToEnd() {
  const h = newHistogram();
  for (let i = 0; i < AGENTS; i++)
    for (let k = 0; k < 2000; k++) h.recordValue(100 + ((i * 7919 + k * 104729) % (5000 + i * 100)));
  const p = summarize(h);
  h.destroy();
  return p;
}

const srv = await startBenchServer();
const conns: NatsConnection[] = [];
try {
  const admin = await connect({ servers: srv.url, name: "bench-ctl" });
  conns.push(admin);
  const client = new ControlClient(admin, PREFIX);
  const plane = await client.plane();
  for (let c = 0; c < 10; c++) conns.push(await connect({ servers: srv.url, name: `bench-agents-${c}` }));
  const targets = await Promise.all(
    conns.slice(1).map(async (nc) => {
      const js = jetstream(nc);
      const cp = await new ControlClient(nc, PREFIX).plane();
      return { js, kv: cp.stats };
    }),
  );
  const names = plane.names;
  let round = 0;
  let sendMs = 0;
  const tick = async () => {
    round++;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: AGENTS }, async (_, i) => {
        const t = targets[i % targets.length]!;
        const s = agentSnapshot(i, round);
        const data = JSON.stringify(s);
        await t.js.publish(names.statsSubject(RUN, s.pod), data, { msgID: `${s.pod}-${round}` });
        await t.kv.put(names.statsKey(RUN, s.pod), data);
      }),
    );
    sendMs = Math.max(sendMs, performance.now() - t0);
  };
  progress(`${AGENTS} agents reporting every second for ${seconds} s`);
  const queries: number[] = [];
  let last: Snapshot[] = [];
  await tick();
  const timer = setInterval(() => void tick(), 1000);
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 700));
    const t0 = performance.now();
    last = await client.stats({ limit: AGENTS });
    queries.push(performance.now() - t0);
  }
  clearInterval(timer);
  const t0 = performance.now();
  const total = aggregate(last);
  const mergeMs = performance.now() - t0;
  const direct = directEndToEnd();
  const merged = total.latency_ms.end_to_end;
  const exact =
    merged.count === direct.count &&
    merged.p50 === direct.p50 &&
    merged.p99 === direct.p99 &&
    merged.p999 === direct.p999 &&
    merged.max === direct.max;
  const sorted = [...queries].sort((a, b) => a - b);
  const result = {
    agents: AGENTS,
    rounds: round,
    stats_queries: queries.length,
    stats_ms_median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    stats_ms_max: sorted[sorted.length - 1] ?? 0,
    snapshots_returned: last.length,
    distinct_pods: new Set(last.map((s) => s.pod)).size,
    aggregate_ms: mergeMs,
    merged_count: merged.count,
    direct_count: direct.count,
    merged_p99_ms: merged.p99,
    direct_p99_ms: direct.p99,
    exact_merge: exact,
    slowest_round_of_100_writes_ms: sendMs,
  };
  const env = benchEnv({ server: await serverVersion(srv), seconds });
  const notes = [
    "each agent's snapshot carries real encoded HDR histograms (2,000 values, different per agent); the stats stream and KV are the control plane's own (file storage)",
    "stats: ControlClient.stats({ limit: 100 }) = ltctl stats --limit 100 (newest first from the stats stream), timed while the agents keep writing",
    "exact merge: aggregate() of the 100 snapshots gives the same count, p50, p99, p99.9 and max as one histogram holding every value",
    "target: stats --limit 100 under 1 s",
  ];
  writeBench(args.json, { bench: "control", env, notes, data: { result } }, () => {
    const t = simpleTable(
      ["what", "value", "target"],
      [
        ["agents x rounds", `${AGENTS} x ${round}`, ""],
        [
          "stats --limit 100, median / max",
          `${result.stats_ms_median.toFixed(0)} ms / ${result.stats_ms_max.toFixed(0)} ms (${queries.length} queries)`,
          "< 1000 ms",
        ],
        [
          "snapshots returned / distinct pods",
          `${result.snapshots_returned} / ${result.distinct_pods}`,
          "100 / 100",
        ],
        ["aggregate of 100 snapshots (2 histograms each)", `${mergeMs.toFixed(1)} ms`, ""],
        ["stats (max) + aggregate", `${(result.stats_ms_max + mergeMs).toFixed(0)} ms`, "< 1000 ms"],
        [
          "merged count / p99 vs direct",
          `${merged.count} / ${merged.p99} ms vs ${direct.count} / ${direct.p99} ms`,
          exact ? "exact" : "NOT EXACT",
        ],
        ["slowest round of 100 snapshot writes", `${sendMs.toFixed(0)} ms`, "< 1000 ms"],
      ],
    );
    return [{ table: t }];
  });
  if (!exact) process.exitCode = 1;
} finally {
  for (const nc of conns) await nc.close().catch(() => {});
  await srv[Symbol.asyncDispose]();
}
