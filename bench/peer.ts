// Node vs Go on the same nats-server in the same run: each scenario as a bare nats.js v3 loop (tuned as
// ../shared/NATSJS-NOTES.md says), as the Go peer (bench/go/natspeer, nats.go 1.22) and as our engine (all
// measurement on): core publish 128 B and 1 KiB with every core (workers = cores, one stream each), core
// pub→sub, JetStream publish 1 KiB and pull consume, the JetStream ones also with one connection per core.
// Prints the rates, engine/Node, engine/Go, Node/Go and CPU µs per message.
// Run: npm run bench:peer [-- --json] [-- --seconds 3] [-- --repeat 3] [-- --only consume,pubsub]
// (node --import tsx bench/peer.ts). ~1.5 minutes per round on 2 cores.
//
// --repeat N: every scenario's sides (Node, Go, engine ...) are measured N times in rounds, each round starting
// with the next side (bench/lib interleavedMedians, as bench:engine's pairs); each cell is the run of median
// rate with that run's CPU, and the note gives the range of the per-round ratios.
//
// Stack traces off (NATSJS-NOTES: doubles JetStream publish) is set below, after the imports, NOT with
// `node --stack-trace-limit=0`: tsx 4.23 tells Node's CJS export lexer apart by reading `new Error().stack`
// (isFromCjsLexer), so with the flag every named import from a CJS package such as
// @nats-io/transport-node fails ("does not provide an export named 'connect'").
import { availableParallelism, loadavg } from "node:os";
import {
  type BenchReport,
  type BenchRow,
  bareCorePublish,
  bareJsConsume,
  bareJsPublish,
  barePubSub,
  benchEnv,
  createMemoryStream,
  deleteStream,
  engineConsume,
  enginePublish,
  enginePubSub,
  ensureGoPeer,
  fillStream,
  fmtRate,
  formatJson,
  formatText,
  interleavedMedians,
  isSkipped,
  type Measurement,
  parseBenchArgs,
  roundRatios,
  runGoPeer,
  serverVersion,
  startBenchServer,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const argv = process.argv.slice(2);
const args = parseBenchArgs(argv);
const SCENARIOS = ["core", "pubsub", "jspub", "consume"] as const;
const onlyAt = argv.indexOf("--only");
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? "").split(",") : [...SCENARIOS];
for (const o of only)
  if (!(SCENARIOS as readonly string[]).includes(o))
    throw new Error(`--only: unknown scenario ${o} (one of ${SCENARIOS.join(", ")})`);
const seconds = args.seconds ?? 3;
const durationMs = seconds * 1000;
const consumeMsgs = Math.round(50_000 * seconds);
const progress = (s: string) => process.stderr.write(`${s}\n`);

const startedAt = new Date().toISOString();
const envAtStart = benchEnv();
const loads: number[] = [];
const srv = await startBenchServer();
const url = srv.url;
const notes: string[] = [];
const rows: BenchRow[] = [];
let natsGo = "";

type Sides = Record<string, (i: number) => Promise<Measurement | undefined>>;

/** The sides of one scenario, measured `--repeat` times in rotating order; logs each run as it lands. */
async function measure(scenario: string, sides: Sides) {
  const logged: Sides = {};
  for (const [k, f] of Object.entries(sides))
    logged[k] = async (i) => {
      loads.push(loadavg()[0]!);
      const m = await f(i);
      progress(
        `${scenario}, ${k} (${i + 1}/${args.repeat}): ${m ? `${fmtRate(m.rate)}/s, ${m.cpuUsPerMsg.toFixed(2)} µs/msg` : "skipped"}`,
      );
      return m;
    };
  return await interleavedMedians(args.repeat, logged);
}

/** The note's spread part: the per-round ratios' ranges, when measured more than once. */
function spread(runs: Record<string, (Measurement | undefined)[]>, ours: string): string | undefined {
  if (args.repeat < 2) return undefined;
  const range = (a: string, b: string, label: string) => {
    const r = roundRatios(runs[a] ?? [], runs[b] ?? []);
    return r.length ? `${label} ${Math.min(...r).toFixed(2)}x-${Math.max(...r).toFixed(2)}x` : "";
  };
  const parts = [
    range(ours, "node", "engine/Node"),
    range(ours, "go", "engine/Go"),
    range("node", "go", "Node/Go"),
  ];
  return `median of ${args.repeat} rounds; per-round ${parts.filter(Boolean).join(", ")}`;
}

function row(
  scenario: string,
  unit: string,
  median: Partial<Record<string, Measurement>>,
  ours: string,
  note: string,
  runs: Record<string, (Measurement | undefined)[]>,
) {
  const r: BenchRow = { scenario, unit };
  if (median[ours]) r.ours = median[ours];
  if (median.node) r.baseline = median.node;
  if (median.go) r.go = median.go;
  const s = spread(runs, ours);
  r.note = s ? `${note}; ${s}` : note;
  rows.push(r);
}

try {
  const peer = await ensureGoPeer();
  if (isSkipped(peer)) {
    notes.push(peer.skipped);
    progress(peer.skipped);
  }
  const go = async (cliArgs: string[]): Promise<Measurement | undefined> => {
    if (isSkipped(peer)) return undefined;
    // natspeer wants its subcommand first, then flags.
    const r = await runGoPeer([cliArgs[0]!, "-url", url, ...cliArgs.slice(1)], { timeoutMs: 120_000 });
    if (isSkipped(r)) return undefined;
    natsGo = r.nats_go;
    return r.measurement;
  };
  const cores = Math.max(2, availableParallelism());
  const dur = `${seconds}s`;

  if (only.includes("core")) {
    for (const size of [128, 1024]) {
      const subject = `peer.pub.${size}`;
      const label = size === 128 ? "128 B" : "1 KiB";
      const { median, runs } = await measure(`core publish ${label}`, {
        node: () => bareCorePublish(url, { subject, size, durationMs }),
        go: () => go(["pub", "-subject", subject, "-size", `${size}`, "-duration", dur]),
        // The all-cores target: the engine on every core, one stream (and publisher) per worker.
        engine: (i) => enginePublish(url, `PEERCORE${size}R${i}`, false, size, seconds, cores, cores),
      });
      row(
        `core publish ${label}`,
        "msgs/s",
        median,
        "engine",
        `engine: ${cores} workers x 1 stream (every core); Node flushes every 1,000; Go flushes at the end`,
        runs,
      );
    }
  }

  if (only.includes("pubsub")) {
    const subject = "peer.pubsub";
    let lost = 0;
    const { median, runs } = await measure("core pub→sub 128 B", {
      node: () => barePubSub(url, { subject, size: 128, durationMs }),
      go: () => go(["pubsub", "-subject", subject, "-size", "128", "-duration", dur]),
      engine: async (i) => {
        const m = await enginePubSub(url, `PEERPS${i}`, 128, seconds);
        lost = Math.max(lost, m.lost);
        return m;
      },
    });
    row(
      "core pub→sub 128 B",
      "received/s",
      median,
      "engine",
      `publisher and subscriber in one process; engine: mode both, 1 worker, rate and CPU from its first snapshot (1 s) to the last message, lost up to ${lost} (slow consumer)`,
      runs,
    );
  }

  if (only.includes("jspub")) {
    const stream = "PEER_JSPUB";
    const subject = "peer.js";
    const { median, runs } = await measure("JetStream publish 1 KiB", {
      node: async () => {
        await createMemoryStream(url, stream, subject);
        const m = await bareJsPublish(url, { subject, size: 1024, durationMs, window: 256, batch: 64 });
        await deleteStream(url, stream);
        return m;
      },
      go: async () => {
        await createMemoryStream(url, stream, subject);
        const m = await go([
          "jspub",
          "-stream",
          stream,
          "-subject",
          subject,
          "-size",
          "1024",
          "-window",
          "256",
          "-duration",
          dur,
        ]);
        await deleteStream(url, stream);
        return m;
      },
      engine: (i) => enginePublish(url, `PEERJS${i}`, true, 1024, seconds),
      // Several connections are allowed for the JetStream targets: one stream (and connection) per core, in
      // one worker (on 2 cores a second worker only takes CPU from the server). Go and Node stay on one.
      multi: (i) => enginePublish(url, `PEERJSN${i}`, true, 1024, seconds, cores, 1),
    });
    row(
      "JetStream publish 1 KiB, window 256",
      "acked/s",
      median,
      "engine",
      "engine: one connection, window 256; Node tops up 64 at a time",
      runs,
    );
    row(
      `JetStream publish 1 KiB, window 256, engine ${cores} connections`,
      "acked/s",
      median,
      "multi",
      `engine: ${cores} streams, one connection each, 1 worker; Node and Go: one connection (same runs as above)`,
      runs,
    );
  }

  if (only.includes("consume")) {
    const stream = "PEER_CONSUME";
    const subject = "peer.consume";
    await createMemoryStream(url, stream, subject);
    await fillStream(url, subject, 1024, consumeMsgs);
    let filled = 0;
    let filledMulti = 0;
    const { median, runs } = await measure("JetStream pull consume 1 KiB", {
      node: () => bareJsConsume(url, { stream, consumer: "node", msgs: consumeMsgs, maxMessages: 1000 }),
      go: () =>
        go([
          "jsconsume",
          "-stream",
          stream,
          "-subject",
          subject,
          "-consumer",
          "go",
          "-n",
          `${consumeMsgs}`,
          "-batch",
          "1000",
        ]),
      engine: async (i) => {
        const r = await engineConsume(url, seconds, 1, `ECONS${i}`);
        filled = r.filled;
        return r.m;
      },
      multi: async (i) => {
        const r = await engineConsume(url, seconds, cores, `ECONSN${i}`);
        filledMulti = r.filled;
        return r.m;
      },
    });
    await deleteStream(url, stream);
    row(
      `JetStream pull consume 1 KiB, explicit ack (${consumeMsgs / 1000}k msgs)`,
      "msgs/s",
      median,
      "engine",
      `engine: its own stream of ${filled} msgs, rate and CPU from its first snapshot (1 s) to the last message; Node consume() max_messages 1000; Go Fetch(1000)`,
      runs,
    );
    row(
      `JetStream pull consume 1 KiB, explicit ack, engine ${cores} connections`,
      "msgs/s",
      median,
      "multi",
      `engine: ${cores} streams of ${Math.round(filledMulti / cores)} msgs, one consumer connection each; Node and Go: one (same runs as above)`,
      runs,
    );
  }

  notes.push(
    args.repeat > 1
      ? `${args.repeat} rounds per scenario, each round starting with the next side; each cell is the run of median rate and its CPU`
      : "one run of each side (Node, Go, engine ...), in that order, same server",
    "CPU is the client process only (not nats-server); engine rows: all measurement on (histograms, sequences, snapshots)",
    `2 cores shared by client and server: absolute rates drift ~2x; compare ratios within one run; 1-minute load average seen before each measurement: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
  );
  const report: BenchReport = {
    bench: "peer",
    startedAt,
    env: benchEnv({
      load1_start: envAtStart.load1!,
      "nats-server": await serverVersion(srv),
      "nats.go": natsGo || "skipped",
      seconds_per_scenario: seconds,
      repeat: args.repeat,
    }),
    rows,
    notes,
  };
  process.stdout.write(
    args.json ? formatJson(report) : formatText(report, { ours: "engine", baseline: "Node", go: "Go" }),
  );
} finally {
  await srv[Symbol.asyncDispose]();
}
