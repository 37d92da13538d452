// `ltctl bench <verb> [SUBJECT]`: nats bench's one-liners on this tool's engine. Each verb builds an ordinary
// config (src/cli/bench/build.ts) that the normal loader validates; --print-config prints it, --push runs it on
// the fleet like `ltctl push`, else it runs here like `ltctl run`. The result is nats bench's summary plus ours.
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { formatIssues, parseConfigText, resolvePodName } from "../../config/index.ts";
import { buildRunReport } from "../../report/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { type BenchFlags, buildBench, parseVerb } from "../bench/build.ts";
import { deleteConsumers, purgeStream, runLocal, runOnFleet } from "../bench/execute.ts";
import { renderSummary, summarize } from "../bench/summary.ts";
import { type CliIo, EXIT } from "../io.ts";
import { printJson, withClient } from "./nats.ts";
import { writeReport } from "./report.ts";

const HELP = `
Verbs (nats bench's):
  pub SUBJECT              core NATS publishers
  sub SUBJECT              core NATS subscribers for --duration (run a pub elsewhere)
  js pub [SUBJECT]         JetStream publishers into --stream (created when missing; default subject bench.js)
  service serve SUBJECT    request/reply responders (a micro service, visible in $SRV discovery)
  service request SUBJECT  requesters at --rate per client (open model; default 100/s), latency = reply - intended
  kv put|get               KV puts or gets on --bucket over --msgs keys (default 1,000), --rate per client
                           (default 1,000/s), --size value bytes, --history, for --duration (default 10 s)
  obj put|get              object store puts or gets on --bucket, --msgs object names (default 10), --size
                           bytes each (default 1 MiB), --rate per client (default 5/s)
  js consume|fetch|ordered [SUBJECT]
                           --clients consumers of --stream, each replaying it from the start (deliver all)
                           for --duration (default 10 s): pull consume, pull fetch (--batch per fetch), or an
                           ordered consumer; --acks, --doubleack (consume, fetch). With --msgs, that many
                           messages are stored first and each consumer's drain of them is timed.

Counts and rates: --msgs is the total, split evenly over --clients (rounded up); without --msgs and
--duration, 100,000 messages. --duration bounds a counted run (default 60 s), or is its length without
--msgs. --rate is per client: N messages per second (open model: latency from the intended send time), or
"max" (the default, as nats bench): a closed loop bounded by the JetStream window or core flushes, whose
latency is service time (the output says so).

The config is an ordinary one: --print-config prints it (ltctl validate, ltctl run and ltctl push take it
as it is). --push runs it on every agent of the fleet (--control, else --server, is the control plane)
and prints the fleet's summary. Streams are kept (a js pub can feed a later consumer); --purge empties
the stream first (local runs).

Output: msgs/s and MB/s per side (publish, subscribe, requests), latency p50/p90/p99/max per kind, then
lost, duplicates, send delay p99, unsent and errors. --json prints one object; --csv FILE writes the run's
snapshots as the report's CSV.

Exit codes: 0 done, 2 bad usage, 3 control plane unreachable (--push),
4 the run failed, 104 the built config is invalid, 130 interrupted.

Examples:
  $ ltctl bench pub bench.test --msgs 1000000 --size 512 --clients 4
  $ ltctl bench js pub orders --stream ORDERS --storage file --replicas 3 --rate 2000 --duration 30
  $ ltctl bench sub bench.test --clients 2 --duration 20      # with a pub in another shell
  $ ltctl bench js pub orders --msgs 1000000 && ltctl bench js fetch orders --batch 500 --clients 4
  $ ltctl bench js consume drain.test --msgs 1000000 --duration 60  # how long 1 M messages take to drain
  $ ltctl bench service serve svc.echo --clients 2 --duration 30 &
  $ ltctl bench service request svc.echo --rate 500 --clients 4 --duration 20
  $ ltctl bench kv put --bucket cfg --replicas 3 --storage file --rate 2000 --clients 4 --duration 30
  $ ltctl bench js pub orders --msgs 100000 --print-config > orders.json   # then: ltctl push orders.json
  $ ltctl bench js pub orders --msgs 100000 --push --control nats://control:4222 --json
`;

interface BenchOpts extends BenchFlags {
  json?: boolean;
  csv?: string;
  progress?: boolean;
  printConfig?: boolean;
  push?: boolean;
  control?: string;
  prefix?: string;
  workers: string;
  pod?: string;
}

export function register(program: Command, io: CliIo): void {
  program
    .command("bench")
    .description("nats bench one-liners: build a config from flags and run it here or on the fleet")
    .argument(
      "<verb...>",
      "pub SUBJECT | sub SUBJECT | js pub|consume|fetch|ordered [SUBJECT] | service serve|request SUBJECT | kv put|get | obj put|get",
    )
    .option("-s, --server <urls>", "the NATS to benchmark (default: NATS_URL, else nats://127.0.0.1:4222)")
    .option("--msgs <n>", "messages in total, split over the clients (default 100,000)")
    .option("--duration <s>", "seconds: the run's length, or the bound of a counted run (default 60)")
    .option("--rate <n|max>", "messages per second per client, or max (a closed loop; default)")
    .option("--size <bytes>", "message size (default 128; at least the 28-byte tracking header)")
    .option("--clients <n>", "publishers, subscribers, responders or requesters (default 1)")
    .option("--stream <name>", "stream name prefix (the stream is <name>_1; default benchstream)")
    .option("--create", "create the stream when missing (always done; accepted for nats bench's sake)")
    .option("--storage <kind>", "stream storage: memory or file (default memory)")
    .option("--replicas <n>", "stream replicas (default 1)")
    .option("--purge", "purge the stream before a local run")
    .option("--dedup", "js pub: a Nats-Msg-Id on every publish (the stream de-duplicates retries)")
    .option(
      "--batch <n>",
      "js pub: publishes per batch, then wait for their acks; js fetch: messages per fetch",
    )
    .option("--acks <policy>", "consumers' ack policy: explicit, none or all (default explicit)")
    .option("--doubleack", "js consume, js fetch: wait for each ack's confirmation (latency kind ack)")
    .option("--bucket <name>", "KV or object store bucket (default benchbucket)")
    .option("--history <n>", "KV history (default 1)")
    .option("--randomize", "pub, js pub: message sizes uniform up to --size (at least the tracking header)")
    .option("--json", "print the summary as one JSON object")
    .option("--csv <file>", "also write the run's snapshots as CSV (the report's format)")
    .option("--progress", "print a progress line every second on stderr")
    .option("--print-config", "print the config this bench runs (valid for ltctl run / push) and exit")
    .option("--push", "run on every agent of the fleet instead of here")
    .option("--control <urls>", "--push: the control-plane NATS (default: --server)")
    .option("--prefix <p>", "--push: control-plane prefix (default: LT_PREFIX, else lt)")
    .option("--workers <n>", "worker threads of a local run", String(availableParallelism()))
    .option("--pod <name>", "pod name of a local run (default: POD_NAME, else the host name)")
    .addHelpText("after", HELP)
    .action(async (words: string[], opts: BenchOpts) => {
      io.setExitCode(await bench(words, opts, io));
    });
}

async function bench(words: readonly string[], opts: BenchOpts, io: CliIo): Promise<number> {
  const parsed = parseVerb(words);
  if (typeof parsed === "string") return usage(io, parsed);
  const server = opts.server ?? io.env.NATS_URL;
  const built = buildBench(parsed.verb, parsed.subject, { ...opts, ...(server ? { server } : {}) });
  if (typeof built === "string") return usage(io, built);
  if (opts.push && opts.purge)
    return usage(io, "ltctl bench: --purge empties the stream of a local run, not with --push");
  const workers = Number(opts.workers);
  if (!Number.isInteger(workers) || workers < 1)
    return usage(io, `ltctl bench: --workers must be a positive integer, got ${opts.workers}`);
  const pod = opts.pod ?? resolvePodName(io.env, io.hostname);
  const loaded = parseConfigText(JSON.stringify(built.config), { pod, env: io.env });
  if (!loaded.ok) {
    io.err(`ltctl bench ${built.verb}: the built config is invalid:\n${formatIssues(loaded.issues)}\n`);
    return EXIT.invalidConfig;
  }
  if (opts.printConfig) {
    printJson(io, built.config);
    return EXIT.ok;
  }
  for (const w of loaded.warnings) io.err(`warning: ${w}\n`);
  const durationMs = loaded.plan.steps.reduce((n, s) => n + s.spec.durationMs, 0);
  let finals: Snapshot[];
  let all: Snapshot[];
  let stopped = false;
  if (opts.push) {
    let got: Snapshot[] | string = "";
    const control = { server: opts.control ?? server, prefix: opts.prefix };
    const code = await withClient(control, io, "bench", async (client) => {
      got = await runOnFleet(client, built.config, durationMs, `ltctl bench@${io.hostname}`, io);
      return EXIT.ok;
    });
    if (code !== EXIT.ok) return code;
    if (typeof got === "string") {
      io.err(`ltctl bench: ${got}\n`);
      return EXIT.failed;
    }
    finals = got;
    all = got;
  } else {
    if (built.purgeStream !== undefined) {
      try {
        await purgeStream(loaded.plan.steps[0]!.spec.servers, built.purgeStream);
      } catch (e) {
        io.err(`ltctl bench: cannot purge ${built.purgeStream}: ${(e as Error).message}\n`);
        return EXIT.stepFailed;
      }
    }
    if (built.freshConsumers) {
      const spec = loaded.plan.steps[0]!.spec;
      try {
        await deleteConsumers(spec.servers, spec.consumers);
      } catch (e) {
        io.err(`ltctl bench: cannot reset the bench's consumers: ${(e as Error).message}\n`);
        return EXIT.stepFailed;
      }
    }
    const r = await runLocal(
      loaded.plan,
      { pod, workers, progress: opts.progress === true, mode: "both" },
      io,
    );
    finals = r.finals;
    all = r.all;
    stopped = r.stopped;
  }
  const summary = summarize(built.verb, built.subject, finals, built.backlog);
  if (opts.csv !== undefined && all.length > 0)
    await writeReport(buildRunReport(all), { output: opts.csv, format: "csv", thresholds: false }, io);
  if (opts.json) io.out(`${JSON.stringify(summary)}\n`);
  else io.out(renderSummary(summary));
  if (summary.phase === "error") return EXIT.stepFailed;
  if (stopped) return EXIT.interrupted;
  return EXIT.ok;
}

function usage(io: CliIo, msg: string): number {
  io.err(`${msg}\n(ltctl bench --help shows the verbs and examples)\n`);
  return EXIT.usage;
}
