// A CPU profile of one hot path, and its top frames by self time: what docs/performance.md quotes.
//   node --import tsx bench/profile.ts consume        the engine's pull consume, 1 KiB, explicit ack
//   node --import tsx bench/profile.ts bare-consume   a bare nats.js consume() loop calling m.ack()
//   node --import tsx bench/profile.ts pubsub         the engine's core pub→sub at full speed, 128 B
//   node --import tsx bench/profile.ts bare-pubsub    a bare publish loop and subscriber, 128 B
//   node --import tsx bench/profile.ts reqrep         the engine's request/reply (services block), 128 B echo
//   node --import tsx bench/profile.ts bare-reqrep    a bare echo responder and reply-mux requester, 4,096 out
// Options: --seconds N (default 4), --out DIR (writes <scenario>.cpuprofile there, for Chrome DevTools or
// speedscope), --top N (frames listed, default 30). The profiler (V8's, as `node --cpu-prof` uses) runs only
// around the measured section, so server start, stream fills and teardown are not in it; the engine's
// in-process share (workers: 1) is on this thread, so the profile holds all of its work.
import { join } from "node:path";
import {
  bareJsConsume,
  barePubSub,
  bareRequests,
  byArea,
  type CpuProfile,
  createMemoryStream,
  deleteStream,
  engineConsume,
  enginePubSub,
  engineSteady,
  fillStream,
  type Measurement,
  saveProfile,
  startBenchServer,
  startProfile,
  topFrames,
} from "./lib/index.ts";

Error.stackTraceLimit = 0;
const SCENARIOS = ["consume", "bare-consume", "pubsub", "bare-pubsub", "reqrep", "bare-reqrep"] as const;
type Scenario = (typeof SCENARIOS)[number];

const argv = process.argv.slice(2);
const scenario = argv[0] as Scenario;
if (!SCENARIOS.includes(scenario)) {
  process.stderr.write(
    `usage: bench/profile.ts <${SCENARIOS.join("|")}> [--seconds N] [--out DIR] [--top N]\n`,
  );
  process.exit(2);
}
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const seconds = Number(opt("--seconds") ?? 4);
const top = Number(opt("--top") ?? 30);
const out = opt("--out");

let profile: CpuProfile | undefined;
let stopper: { stop(): Promise<CpuProfile> } | undefined;
const around = {
  async before() {
    stopper = await startProfile();
  },
  async after() {
    profile = await stopper?.stop();
  },
};

await using srv = await startBenchServer();
let m: Measurement;
if (scenario === "consume") {
  m = (await engineConsume(srv.url, seconds, 1, "PROFCONS", around)).m;
} else if (scenario === "bare-consume") {
  const msgs = Math.round(60_000 * seconds);
  await createMemoryStream(srv.url, "PROFBARE", "prof.bare");
  await fillStream(srv.url, "prof.bare", 1024, msgs);
  m = await bareJsConsume(srv.url, { stream: "PROFBARE", consumer: "pb", msgs, around });
  await deleteStream(srv.url, "PROFBARE");
} else if (scenario === "pubsub") {
  m = await enginePubSub(srv.url, "PROFPS", 128, seconds, around);
} else if (scenario === "reqrep") {
  // As bench/workloads.ts: one responder and one requester, an unreachable rate, the 4,096 window bounds it.
  const services = {
    subject: "svc.prof",
    responders: { count: 1 },
    requesters: { count: 1, rate_per_second: 10_000_000, message_size_bytes: 128 },
  };
  const o = { url: srv.url, name: "PROFRR", js: false, size: 128, rate: 1, publishersPerStream: 0 } as const;
  const replies = (s: { replies?: number }) => s.replies ?? 0;
  m = (
    await engineSteady(
      { ...o, seconds: seconds + 1, mode: "both", blocks: { services } },
      replies,
      "rr",
      around,
    )
  ).m;
} else if (scenario === "bare-reqrep") {
  const rr = { subject: "prof.rr", size: 128, inFlight: 4096, warmupMs: 1000, via: "mux" } as const;
  m = await bareRequests(srv.url, { ...rr, durationMs: seconds * 1000, around });
} else {
  await around.before();
  m = await barePubSub(srv.url, { subject: "prof.ps", size: 128, durationMs: seconds * 1000 });
  await around.after();
}
if (!profile) throw new Error("no profile taken");
if (out) {
  const file = join(out, `${scenario}.cpuprofile`);
  await saveProfile(profile, file);
  process.stderr.write(`profile written to ${file}\n`);
}
const { frames, busy } = topFrames(profile, top);
const lines = [
  `${scenario}: ${m.msgs} msgs, ${Math.round(m.rate)} msgs/s, ${m.cpuUsPerMsg.toFixed(2)} µs/msg; main thread busy ${(busy * 100).toFixed(0)}% of the profile`,
  "",
  "| self % of busy | frame |",
  "|---:|---|",
  ...frames.map((f) => `| ${(f.busyShare * 100).toFixed(1)} | ${f.frame} |`),
  "",
  "| area | self % of busy |",
  "|---|---:|",
  ...byArea(profile)
    .slice(0, 15)
    .map((a) => `| ${a.area} | ${(a.busyShare * 100).toFixed(1)} |`),
  "",
];
process.stdout.write(lines.join("\n"));
