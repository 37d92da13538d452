// Request/reply and KV through the engine next to bare @nats-io/transport-node loops, one nats-server, one run
// (issue 16's rows for the workloads of issue 14):
//   - request/reply 128 B, echo: the engine's `services` block (one responder and one requester in one engine,
//     mode both, an unreachable request rate, so the requester's 4,096-request window bounds it) vs a bare echo
//     responder (queue group, m.respond) and a bare requester keeping 4,096 in flight two ways: a hand-made
//     reply mux (one `<inbox>.*` subscription, nc.publish with a reply subject per slot: the fastest public way
//     in nats-core 3.4) and nc.request (a token, promise, timer and mux entry per request);
//   - request latency at a fixed 5,000 req/s (open model, from the intended send time): engine vs the bare mux
//     paced the same way (bench/lib barePacedRequests);
//   - KV put and get, 128 B values over 1,000 keys, memory bucket, history 1: the engine's `kv` block (one
//     client, an unreachable rate, so its 256 operations in flight bound it) vs bare kv.put / kv.get kept 256 in
//     flight on one connection; the gets read a bucket filled first.
// The engine runs with all measurement on, rate and CPU from its first snapshot (1 s in) to the last answer
// (bench/lib engineSteady); the bare loops count over `--seconds` after a 1 s warm-up. CPU is this process
// (all threads), never the server.
// Run: npm run bench:workloads [-- --json] [-- --seconds 4] [-- --repeat 3] [-- --only reqrep,latency,kv]
//
// Stack traces are switched off below, after the imports (see bench/peer.ts for why not with the flag).
import type { Percentiles, Snapshot } from "../src/stats/index.ts";
import {
  type BenchRow,
  bareKv,
  barePacedRequests,
  bareRequests,
  benchEnv,
  deleteStream,
  engineSteady,
  fillBucket,
  interleavedMedians,
  type Measurement,
  parseBenchArgs,
  renderTable,
  roundRatios,
  runEngine,
  serverVersion,
  simpleTable,
  startBenchServer,
  writeBench,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const argv = process.argv.slice(2);
const args = parseBenchArgs(argv);
const SCENARIOS = ["reqrep", "latency", "kv"] as const;
const onlyAt = argv.indexOf("--only");
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? "").split(",") : [...SCENARIOS];
for (const o of only)
  if (!(SCENARIOS as readonly string[]).includes(o))
    throw new Error(`--only: unknown scenario ${o} (one of ${SCENARIOS.join(", ")})`);
const seconds = args.seconds ?? 4;
const progress = (s: string) => process.stderr.write(`${s}\n`);
const f2 = (x: number) => x.toFixed(2);

/** The engine requester's window (src/engine/timings.ts REQUEST_WINDOW) and a KV client's (KV_IN_FLIGHT). */
const REQUEST_IN_FLIGHT = 4096;
const KV_IN_FLIGHT = 256;
const UNREACHABLE = 10_000_000;
const SIZE = 128;
const KV_KEYS = 1000;
const LATENCY_RATE = 5000;
const WARMUP_MS = 1000;

/** A registry counter off a snapshot (optional ones are absent until counted). */
const counter = (s: Snapshot, name: string) =>
  (s as unknown as Record<string, number | undefined>)[name] ?? 0;
const errorsOf = (s: Snapshot) => Object.values(s.errors).reduce((a, n) => a + n, 0);

/** A spec-level `services` block: one echo responder and one requester at `rate` req/s. */
const services = (name: string, rate: number) => ({
  services: {
    subject: `svc.${name.toLowerCase()}`,
    responders: { count: 1 },
    requesters: { count: 1, rate_per_second: rate, message_size_bytes: SIZE },
  },
});

/** The engine's scenario for a spec whose only load is `blocks` (the stream the seed's tables need, idle). */
const onlyBlocks = (name: string, js: boolean, blocks: Record<string, unknown>) => ({
  name,
  js,
  size: SIZE,
  rate: 1,
  publishersPerStream: 0,
  blocks,
});

interface LatencyRow {
  rate: number;
  engine: Percentiles;
  bare: Percentiles;
  engineUnanswered: number;
  bareUnanswered: number;
  /** Every run's p99 (ms), with --repeat. */
  p99Runs?: { engine: number[]; bare: number[] };
}

const startedEnv = benchEnv();
const srv = await startBenchServer();
const url = srv.url;
const rows: BenchRow[] = [];
const latency: LatencyRow[] = [];
const notes: string[] = [];

/** The engine's request/reply at full speed; its timeouts and errors go to `seen`. */
async function engineRequests(i: number, seen: { unanswered: number }): Promise<Measurement> {
  const name = `WLRR${i}`;
  const { m, final } = await engineSteady(
    { url, ...onlyBlocks(name, false, services(name, UNREACHABLE)), seconds: seconds + 1, mode: "both" },
    (s) => counter(s, "replies"),
    "engine request/reply",
  );
  seen.unanswered += counter(final, "request_timeouts") + counter(final, "no_responders") + errorsOf(final);
  return m;
}

/** The engine's KV `op` at full speed on `bucket` (the caller makes and deletes it); misses and errors go to `seen`. */
async function engineKv(
  op: "put" | "get",
  bucket: string,
  i: number,
  seen: { unanswered: number },
): Promise<Measurement> {
  const name = `WLKV${op.toUpperCase()}${i}`;
  const kv = {
    bucket,
    value_size_bytes: SIZE,
    keys: { count: KV_KEYS },
    clients: 1,
    rates: { [op]: UNREACHABLE },
  };
  const { m, final } = await engineSteady(
    { url, ...onlyBlocks(name, true, { kv }), seconds: seconds + 1, mode: "publish" },
    (s) => counter(s, op === "put" ? "kv_puts" : "kv_gets"),
    `engine kv ${op}`,
  );
  seen.unanswered += counter(final, "kv_get_misses") + errorsOf(final);
  return m;
}

function spread(runs: Record<string, (Measurement | undefined)[]>, base: string): string {
  if (args.repeat < 2) return "";
  const r = roundRatios(runs.engine ?? [], runs[base] ?? []);
  return `; median of ${args.repeat} rounds, per-round engine/bare ${Math.min(...r).toFixed(2)}x-${Math.max(...r).toFixed(2)}x`;
}

/** Logs each run as it lands. */
function logged<K extends string>(what: string, sides: Record<K, (i: number) => Promise<Measurement>>) {
  const out = {} as Record<K, (i: number) => Promise<Measurement>>;
  for (const k of Object.keys(sides) as K[])
    out[k] = async (i) => {
      const m = await sides[k](i);
      progress(
        `${what}, ${k} (${i + 1}/${args.repeat}): ${Math.round(m.rate)}/s, ${f2(m.cpuUsPerMsg)} µs/op`,
      );
      return m;
    };
  return out;
}

try {
  if (only.includes("reqrep")) {
    const seen = { unanswered: 0 };
    const bare = (via: "mux" | "request") => () =>
      bareRequests(url, {
        subject: `wl.bare.${via}`,
        size: SIZE,
        inFlight: REQUEST_IN_FLIGHT,
        warmupMs: WARMUP_MS,
        durationMs: seconds * 1000,
        via,
      });
    const { median, runs } = await interleavedMedians(
      args.repeat,
      logged("request/reply 128 B", {
        engine: (i) => engineRequests(i, seen),
        mux: bare("mux"),
        request: bare("request"),
      }),
    );
    const scenario = `request/reply 128 B echo, ${REQUEST_IN_FLIGHT} in flight`;
    const engineNote = `engine: services block, 1 responder + 1 requester, mode both; timed out, no responders or failed: ${seen.unanswered}`;
    rows.push({
      scenario: `${scenario}, bare reply mux`,
      unit: "replies/s",
      ours: median.engine!,
      baseline: median.mux!,
      note: `${engineNote}; bare: one <inbox>.* subscription, nc.publish with the reply subject${spread(runs, "mux")}`,
    });
    rows.push({
      scenario: `${scenario}, bare nc.request`,
      unit: "replies/s",
      ours: median.engine!,
      baseline: median.request!,
      note: `same engine runs; bare: ${REQUEST_IN_FLIGHT} loops awaiting nc.request${spread(runs, "request")}`,
    });
  }

  if (only.includes("latency")) {
    type Run = { p: Percentiles; unanswered: number };
    const sides: Record<"engine" | "bare", (i: number) => Promise<Run>> = {
      bare: async () => {
        const r = await barePacedRequests(url, {
          subject: "wl.bare.paced",
          size: SIZE,
          rate: LATENCY_RATE,
          seconds,
        });
        return { p: r.latency, unanswered: r.sent - r.replies };
      },
      engine: async (i) => {
        const name = `WLLAT${i}`;
        const { final } = await runEngine({
          url,
          ...onlyBlocks(name, false, services(name, LATENCY_RATE)),
          seconds,
          mode: "both",
        });
        const p = final.latency_ms.request;
        if (!p) throw new Error("engine latency run: no request latency in the final snapshot");
        return { p, unanswered: counter(final, "requests") - counter(final, "replies") };
      },
    };
    // As interleavedMedians, by p99: each round starts with the next side; the run of median p99 is reported.
    const runs: Record<"engine" | "bare", Run[]> = { engine: [], bare: [] };
    const keys = ["bare", "engine"] as const;
    for (let i = 0; i < args.repeat; i++)
      for (let j = 0; j < keys.length; j++) {
        const k = keys[(i + j) % keys.length]!;
        const r = await sides[k](i);
        progress(
          `request latency at ${LATENCY_RATE}/s, ${k} (${i + 1}/${args.repeat}): p99 ${f2(r.p.p99)} ms`,
        );
        runs[k].push(r);
      }
    const median = (rs: Run[]) => [...rs].sort((a, b) => a.p.p99 - b.p.p99)[Math.floor((rs.length - 1) / 2)]!;
    const e = median(runs.engine);
    const b = median(runs.bare);
    latency.push({
      rate: LATENCY_RATE,
      engine: e.p,
      bare: b.p,
      engineUnanswered: e.unanswered,
      bareUnanswered: b.unanswered,
      ...(args.repeat > 1
        ? { p99Runs: { engine: runs.engine.map((r) => r.p.p99), bare: runs.bare.map((r) => r.p.p99) } }
        : {}),
    });
  }

  if (only.includes("kv")) {
    for (const op of ["put", "get"] as const) {
      const seen = { unanswered: 0 };
      const bucket = `wl_${op}`;
      const prepare = async () => {
        await deleteStream(url, `KV_${bucket}`);
        if (op === "get") await fillBucket(url, bucket, KV_KEYS, SIZE);
      };
      const { median, runs } = await interleavedMedians(
        args.repeat,
        logged(`KV ${op} 128 B`, {
          engine: async (i) => {
            await prepare();
            const m = await engineKv(op, bucket, i, seen);
            await deleteStream(url, `KV_${bucket}`);
            return m;
          },
          bare: async () => {
            await prepare();
            const m = await bareKv(url, {
              bucket,
              op,
              size: SIZE,
              keys: KV_KEYS,
              inFlight: KV_IN_FLIGHT,
              warmupMs: WARMUP_MS,
              durationMs: seconds * 1000,
            });
            await deleteStream(url, `KV_${bucket}`);
            return m;
          },
        }),
      );
      rows.push({
        scenario: `KV ${op} 128 B, ${KV_KEYS} keys, memory, ${KV_IN_FLIGHT} in flight`,
        unit: `${op}s/s`,
        ours: median.engine!,
        baseline: median.bare!,
        note: `engine: kv block, 1 client, mode publish${op === "get" ? ", misses or failed" : ", failed"}: ${seen.unanswered}; bare: kv.${op} pipelined on one connection${spread(runs, "bare")}`,
      });
    }
  }

  notes.push(
    "engine = runPlan with all measurement on (histograms, snapshots every second), one worker; bare = @nats-io/transport-node 3.4 with noAsyncTraces, in this process",
    "µs/msg = CPU µs per reply or KV operation: user+sys of this process (all threads) over the measured window, nats-server excluded",
    "request/reply: the bare reply mux is the fastest public way in nats-core 3.4 (nc.request adds a random token, a promise, a timer and a Map entry per request); the engine's requester is a mux too",
    `request latency: reply receipt − intended send time at ${LATENCY_RATE} req/s, one requester, echo responder, ${seconds} s`,
    args.repeat > 1
      ? `--repeat ${args.repeat}: each side measured ${args.repeat} times, each round starting with the next side; each cell is the run of median rate and its CPU; the latency row is each side's run of median p99 (every run's p99 in the JSON)`
      : "one run of each side, same server; compare ratios of one run only (2 cores shared with nats-server and other work)",
  );
  const env = benchEnv({
    "nats-server": await serverVersion(srv),
    seconds,
    repeat: args.repeat,
    load1_start: startedEnv.load1!,
  });
  writeBench(args.json, { bench: "workloads", env, notes, data: { rows, latency } }, () => [
    ...(rows.length
      ? [{ title: "Rates (ours = engine)", table: renderTable(rows, { ours: "engine", baseline: "bare" }) }]
      : []),
    ...(latency.length
      ? [
          {
            title: "Request latency (open model)",
            table: simpleTable(
              [
                "rate req/s",
                "p50 engine",
                "p50 bare",
                "p99 engine",
                "p99 bare",
                "p99 engine/bare",
                "p99.9 engine",
                "p99.9 bare",
                "unanswered engine / bare",
                "p99 of each run engine / bare",
              ],
              latency.map((r) => [
                r.rate,
                `${f2(r.engine.p50)} ms`,
                `${f2(r.bare.p50)} ms`,
                `${f2(r.engine.p99)} ms`,
                `${f2(r.bare.p99)} ms`,
                `${f2(r.engine.p99 / Math.max(r.bare.p99, 0.001))}x`,
                `${f2(r.engine.p999)} ms`,
                `${f2(r.bare.p999)} ms`,
                `${r.engineUnanswered} / ${r.bareUnanswered}`,
                r.p99Runs
                  ? `${r.p99Runs.engine.map(f2).join(", ")} / ${r.p99Runs.bare.map(f2).join(", ")} ms`
                  : "",
              ]),
            ),
          },
        ]
      : []),
  ]);
} finally {
  await srv[Symbol.asyncDispose]();
}
