// Scale inside one agent, and flat memory.
//   - 1,000 publishers + 1,000 consumers in one engine, in-process (workers 1, so the event loop measured is the
//     one doing all the work): 100 streams x 10 publishers at 10 msg/s (10,000 msg/s published) and 10
//     consumers per stream (each hears its stream: 100,000 deliveries/s), core NATS. Reports the event-loop
//     delay p99 over the running phase (target < 20 ms) and the published rate against the target (within 2%).
//   - flat memory: one core publisher at its maximum rate, RSS when 1 M and when 10 M messages were published
//     (target: RSS(10 M) <= 1.1 x RSS(1 M); histograms are fixed-size, nothing grows per message).
// Run: npm run bench:scale [-- --json] [-- --seconds 15]
import { spawn } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import {
  benchEnv,
  parseBenchArgs,
  runEngine,
  serverVersion,
  simpleTable,
  startBenchServer,
  writeBench,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const args = parseBenchArgs(process.argv.slice(2));
const seconds = args.seconds ?? 15;
const progress = (s: string) => process.stderr.write(`${s}\n`);
const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;

/** p99 event-loop delay (ms) of an idle child Node process over `secs` seconds: what the OS alone adds. */
function idleLoopDelay(secs: number): Promise<number> {
  const code = `const h=require("node:perf_hooks").monitorEventLoopDelay({resolution:5});h.enable();setTimeout(()=>{process.stdout.write(String(h.percentile(99)/1e6))},${Math.round(secs * 1000)})`;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.on("close", () => resolve(Math.round(Number(out) * 10) / 10));
  });
}

const srv = await startBenchServer();
try {
  progress(`scale: 100 streams x 10 publishers x 10 msg/s + 10 consumers per stream, ${seconds} s`);
  // The machine's own noise floor, same window: an idle Node process measuring its event-loop delay.
  const idle = idleLoopDelay(seconds + 3);
  // Two monitors: the whole run (connecting 200 connections and 1,000 subscriptions included) and the
  // running phase (from the first snapshot after 1 s to the final one), which the target is about.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const running = monitorEventLoopDelay({ resolution: 5 });
  let runningOn = false;
  const perInterval: number[] = [];
  loop.enable();
  const { final, cpu } = await runEngine({
    url: srv.url,
    name: "SCALE",
    js: false,
    size: 128,
    rate: 10,
    seconds,
    streams: 100,
    publishersPerStream: 10,
    consumersPerStream: 10,
    mode: "both",
    workers: 1,
    onSnapshot: (s) => {
      const p = s.system?.event_loop_p99_ms;
      if (s.phase === "running" && s.elapsed_s > 1 && p !== undefined) perInterval.push(p);
      if (s.phase === "running" && s.elapsed_s > 1 && !runningOn) {
        runningOn = true;
        running.enable();
      } else if (s.phase !== "running") running.disable();
    },
  });
  loop.disable();
  running.disable();
  const idleP99 = await idle;
  const target = 100 * 10 * 10;
  const scale = {
    publishers: 1000,
    consumers: 1000,
    target_rate: target,
    published: final.published,
    rate: final.published / seconds,
    rate_vs_target: final.published / (target * seconds),
    missed_sends: final.unsent ?? 0,
    consumed: final.consumed,
    expected_consumed: final.published * 10,
    lost: final.lost,
    event_loop_p99_ms_running: Math.round((running.percentile(99) / 1e6) * 10) / 10,
    event_loop_max_ms_running: Math.round((running.max / 1e6) * 10) / 10,
    event_loop_p99_ms_whole_run: Math.round((loop.percentile(99) / 1e6) * 10) / 10,
    idle_process_event_loop_p99_ms: idleP99,
    event_loop_p99_ms_worst_interval: perInterval.length ? Math.max(...perInterval) : 0,
    end_to_end_p99_ms: final.latency_ms.end_to_end.p99,
    send_delay_p99_ms: final.latency_ms.send_delay?.p99 ?? 0,
    cpu_pct: Math.round((cpu.totalUs / 1e6 / cpu.wallS) * 100),
  };

  progress("memory: one core publisher at max rate until 10 M messages");
  const ac = new AbortController();
  let rss1: number | undefined;
  let rss10: number | undefined;
  let at1 = 0;
  let at10 = 0;
  await runEngine({
    url: srv.url,
    name: "MEM",
    js: false,
    size: 128,
    rate: 10_000_000,
    seconds: 100,
    statsIntervalMs: 100,
    signal: ac.signal,
    onSnapshot: (s) => {
      if (s.phase !== "running") return;
      if (rss1 === undefined && s.published >= 1_000_000) {
        rss1 = process.memoryUsage().rss;
        at1 = s.published;
      }
      if (rss10 === undefined && s.published >= 10_000_000) {
        rss10 = process.memoryUsage().rss;
        at10 = s.published;
        ac.abort();
      }
    },
  });
  const memory = {
    rss_mb_at_1m: mb(rss1 ?? 0),
    rss_mb_at_10m: mb(rss10 ?? 0),
    published_at_1m: at1,
    published_at_10m: at10,
    ratio: rss1 && rss10 ? rss10 / rss1 : Number.NaN,
  };
  const env = benchEnv({ server: await serverVersion(srv), seconds });
  const notes = [
    "core NATS (no JetStream) in both scenarios; one engine, one process; 100 publish + 100 subscribe connections (one per stream each)",
    "event-loop delay: monitorEventLoopDelay (5 ms resolution) over the running phase (first snapshot after 1 s to the final snapshot) and over the whole run (200 connections and 1,000 subscriptions set up, drain); the worst 1 s interval of the snapshots (10 ms resolution); an idle Node process measured meanwhile shows what the loaded OS adds by itself",
    "memory: publish mode at an unreachable target rate (no consumer: a core subscriber in the same process at max rate is a slow consumer); RSS of the whole process, sampled from the snapshot that first reached each count",
    "targets: event-loop p99 < 20 ms, rate within 2% of target, RSS(10 M) <= 1.1 x RSS(1 M)",
  ];
  writeBench(args.json, { bench: "scale", env, notes, data: { scale, memory } }, () => {
    const t1 = simpleTable(
      ["what", "value", "target"],
      [
        ["publishers / consumers", "1,000 / 1,000", ""],
        [
          "published rate",
          `${scale.rate.toFixed(0)} msg/s (${(scale.rate_vs_target * 100).toFixed(2)}%)`,
          "10,000 ±2%",
        ],
        ["missed send slots", String(scale.missed_sends), "0"],
        ["consumed / expected", `${scale.consumed} / ${scale.expected_consumed}`, "equal"],
        ["lost", String(scale.lost), "0"],
        ["event-loop delay p99 (running, after 1 s)", `${scale.event_loop_p99_ms_running} ms`, "< 20 ms"],
        ["event-loop delay max (running, after 1 s)", `${scale.event_loop_max_ms_running} ms`, ""],
        ["event-loop delay p99 (whole run, set-up incl.)", `${scale.event_loop_p99_ms_whole_run} ms`, ""],
        [
          "same, idle Node process meanwhile",
          `${scale.idle_process_event_loop_p99_ms} ms`,
          "(machine noise)",
        ],
        ["event-loop delay p99 (worst 1 s)", `${scale.event_loop_p99_ms_worst_interval} ms`, ""],
        ["end-to-end p99", `${scale.end_to_end_p99_ms.toFixed(2)} ms`, ""],
        ["send delay p99", `${scale.send_delay_p99_ms.toFixed(2)} ms`, ""],
        ["CPU (this process)", `${scale.cpu_pct}% of one core`, ""],
      ],
    );
    const t2 = simpleTable(
      ["RSS at 1 M", "RSS at 10 M", "ratio", "target"],
      [[`${memory.rss_mb_at_1m} MB`, `${memory.rss_mb_at_10m} MB`, `${memory.ratio.toFixed(3)}x`, "<= 1.1x"]],
    );
    return [
      { title: "1,000 publishers + 1,000 consumers in one agent", table: t1 },
      { title: "Flat memory", table: t2 },
    ];
  });
} finally {
  await srv[Symbol.asyncDispose]();
}
