// Node vs Go on the same nats-server in the same run: each scenario as a bare nats.js v3 loop (tuned
// as ../shared/NATSJS-NOTES.md says), as the Go peer (bench/go/natspeer, nats.go 1.22) and, where issue 7
// sets a target against Go, as our engine (all measurement on): core publish 128 B with every core (workers
// = cores, one stream each), JetStream publish 1 KiB and pull consume. Prints the rates, engine/Go, Node/Go
// and CPU µs per message. Run: npm run bench:peer [-- --json] [-- --seconds 3]
// (node --import tsx bench/peer.ts). ~1 minute on 2 cores.
//
// Stack traces off (NATSJS-NOTES: doubles JetStream publish) is set below, after the imports, NOT with
// `node --stack-trace-limit=0`: tsx 4.23 tells Node's CJS export lexer apart by reading `new Error().stack`
// (isFromCjsLexer), so with the flag every named import from a CJS package such as
// @nats-io/transport-node fails ("does not provide an export named 'connect'").
import { availableParallelism } from "node:os";
import {
  type BenchReport,
  type BenchRow,
  bareCorePublish,
  bareJsConsume,
  bareJsPublish,
  barePubSub,
  benchEnv,
  createMemoryStream,
  engineConsume,
  enginePublish,
  ensureGoPeer,
  fillStream,
  fmtRate,
  formatJson,
  formatText,
  isSkipped,
  type Measurement,
  parseBenchArgs,
  runGoPeer,
  serverVersion,
  startBenchServer,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const args = parseBenchArgs(process.argv.slice(2));
const seconds = args.seconds ?? 3;
const durationMs = seconds * 1000;
const consumeMsgs = Math.round(50_000 * seconds);
const progress = (s: string) => process.stderr.write(`${s}\n`);

const startedAt = new Date().toISOString();
const envAtStart = benchEnv();
const srv = await startBenchServer();
const url = srv.url;
const notes: string[] = [];
const rows: BenchRow[] = [];
let natsGo = "";

try {
  const peer = await ensureGoPeer();
  if (isSkipped(peer)) {
    notes.push(peer.skipped);
    progress(peer.skipped);
  }
  const go = async (cliArgs: string[]): Promise<Measurement | undefined> => {
    if (isSkipped(peer)) return undefined;
    // natspeer wants its subcommand first, then flags.
    const r = await runGoPeer([cliArgs[0]!, "-url", url, ...cliArgs.slice(1)], { timeoutMs: 60_000 });
    if (isSkipped(r)) return undefined;
    natsGo = r.nats_go;
    return r.measurement;
  };
  const row = (
    scenario: string,
    unit: string,
    baseline: Measurement,
    g: Measurement | undefined,
    note?: string,
    engine?: Measurement,
  ) => {
    const r: BenchRow = { scenario, unit, baseline };
    if (engine) r.ours = engine;
    if (g) r.go = g;
    if (note) r.note = note;
    rows.push(r);
    const ratio = g ? ` Node/Go ${(baseline.rate / g.rate).toFixed(2)}x` : "";
    const eng = engine
      ? `, engine ${fmtRate(engine.rate)}${g ? ` (engine/Go ${(engine.rate / g.rate).toFixed(2)}x)` : ""}`
      : "";
    progress(
      `${scenario}: Node ${fmtRate(baseline.rate)} ${unit}, Go ${g ? fmtRate(g.rate) : "–"}${ratio}${eng}`,
    );
  };
  const cores = Math.max(2, availableParallelism());
  const dur = `${seconds}s`;

  for (const size of [128, 1024]) {
    const subject = `peer.pub.${size}`;
    const node = await bareCorePublish(url, { subject, size, durationMs });
    const g = await go(["pub", "-subject", subject, "-size", `${size}`, "-duration", dur]);
    // The all-cores target (>= 0.35x Go): the engine on every core, one stream (and publisher) per worker.
    const engine =
      size === 128 ? await enginePublish(url, "PEERCORE", false, size, seconds, cores, cores) : undefined;
    row(
      `core publish ${size} B`,
      "msgs/s",
      node,
      g,
      size === 128
        ? `engine: ${cores} workers x 1 stream (every core); Node flushes every 1,000; Go flushes at the end`
        : "Node flushes every 1,000; Go flushes at the end",
      engine,
    );
  }

  {
    const subject = "peer.pubsub";
    const node = await barePubSub(url, { subject, size: 128, durationMs });
    const g = await go(["pubsub", "-subject", subject, "-size", "128", "-duration", dur]);
    row("core pub→sub 128 B", "received/s", node, g, "publisher and subscriber in one process");
  }

  {
    const stream = "PEER_JSPUB";
    const subject = "peer.js";
    await createMemoryStream(url, stream, subject);
    const node = await bareJsPublish(url, { subject, size: 1024, durationMs, window: 256, batch: 64 });
    await createMemoryStream(url, stream, subject);
    const g = await go([
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
    const engine = await enginePublish(url, "PEERJS", true, 1024, seconds);
    row(
      "JetStream publish 1 KiB, window 256",
      "acked/s",
      node,
      g,
      "engine: one connection, window 256; Node tops up 64 at a time",
      engine,
    );
    // Issue 7 allows several connections for the JetStream targets: the engine with one stream (and
    // connection) per core, in one worker (on 2 cores a second worker only takes CPU from the server).
    // Go and bare Node stay on one connection: a Go peer with as many would gain too.
    const multi = await enginePublish(url, "PEERJSN", true, 1024, seconds, cores, 1);
    row(
      `JetStream publish 1 KiB, window 256, engine ${cores} connections`,
      "acked/s",
      node,
      g,
      `engine: ${cores} streams, one connection each, 1 worker; Node and Go: one connection (same figures as above)`,
      multi,
    );
  }

  {
    const stream = "PEER_CONSUME";
    const subject = "peer.consume";
    await createMemoryStream(url, stream, subject);
    await fillStream(url, subject, 1024, consumeMsgs);
    const node = await bareJsConsume(url, { stream, consumer: "node", msgs: consumeMsgs, maxMessages: 1000 });
    const g = await go([
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
    ]);
    const { m: engine, filled } = await engineConsume(url, seconds);
    row(
      `JetStream pull consume 1 KiB, explicit ack (${consumeMsgs / 1000}k msgs)`,
      "msgs/s",
      node,
      g,
      `engine: its own stream of ${filled} msgs, rate and CPU between snapshots; Node consume() max_messages 1000; Go Fetch(1000)`,
      engine,
    );
    const multi = await engineConsume(url, seconds, cores, "ECONSN");
    row(
      `JetStream pull consume 1 KiB, explicit ack, engine ${cores} connections`,
      "msgs/s",
      node,
      g,
      `engine: ${cores} streams of ${Math.round(multi.filled / cores)} msgs, one consumer connection each; Node and Go: one (same figures as above)`,
      multi.m,
    );
  }

  notes.push(
    "one run of each, Node first then Go, same server; CPU is the client process only (not nats-server)",
    "2 cores shared by client and server: absolute rates drift ~2x; compare ratios within one run",
  );
  const report: BenchReport = {
    bench: "peer",
    startedAt,
    env: benchEnv({
      load1_start: envAtStart.load1!,
      "nats-server": await serverVersion(srv),
      "nats.go": natsGo || "skipped",
      seconds_per_scenario: seconds,
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
