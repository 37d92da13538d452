// `ltctl demo` leaves no process behind however it ends: SIGKILLed mid-run (no handler runs; its reaper stops the
// nats-server and the agents and removes the temp folder), SIGTERMed, or run to the end (the reaper goes too).
// Runs the built binary (npm run build first), like demo.test.ts.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { childrenOf, demoProcessAlive, processesMentioning } from "../harness/index.ts";

interface Started {
  nats_server_pid: number;
  reaper_pid: number;
  temp_dir: string;
  agents: { pod: string; pid: number }[];
}

interface Demo {
  proc: ChildProcess;
  /** Resolves with the `started` event once messages flow (a progress event with something published). */
  running: Promise<Started>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

/** Starts the built `ltctl demo --json` on its own nats-server. */
function demo(args: string[]): Demo {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.NATS_URL;
  delete env.LT_PREFIX;
  const proc = spawn(process.execPath, ["bin/ltctl", "demo", "--json", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const timer = setTimeout(() => proc.kill("SIGKILL"), 90_000);
  const running = new Promise<Started>((resolve, reject) => {
    proc.stdout?.on("data", (b) => {
      out += b;
      const events = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return []; // a line still being written
          }
        });
      const started = events.find((e) => e.event === "started");
      const flowing = events.some(
        (e) => e.event === "progress" && ((e.cluster as { published?: number } | null)?.published ?? 0) > 0,
      );
      if (started && flowing) resolve(started as unknown as Started);
    });
    proc.once("exit", () => reject(new Error(`the demo ended before messages flowed:\n${out}\n${err}`)));
  });
  running.catch(() => {}); // a test that only awaits `exited` must not see it as unhandled
  proc.stderr?.on("data", (b) => {
    err += b;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    out: string;
    err: string;
  }>((resolve) =>
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    }),
  );
  return { proc, running, exited };
}

async function pollUntil(done: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!done() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 100));
  return Date.now() - t0;
}

const pidsOf = (s: Started) => [s.nats_server_pid, ...s.agents.map((a) => a.pid), s.reaper_pid];

test("demo - a SIGKILLed demo leaves no nats-server or agent behind, and its temp folder is removed", {
  timeout: 120_000,
}, async () => {
  const d = demo(["--duration", "120"]);
  const started = await d.running;
  const pids = pidsOf(started);
  assert.equal(started.agents.length, 3);
  // Every process the demo started is one it reported (so checking those covers them all).
  assert.deepEqual(
    childrenOf(d.proc.pid!),
    [...pids].sort((a, b) => a - b),
  );
  for (const pid of pids) assert.ok(demoProcessAlive(pid), `pid ${pid} runs before the kill`);
  assert.ok(existsSync(started.temp_dir));

  d.proc.kill("SIGKILL");
  const r = await d.exited;
  assert.equal(r.signal, "SIGKILL");
  const tookMs = await pollUntil(
    () => pids.every((p) => !demoProcessAlive(p)) && !existsSync(started.temp_dir),
    15_000,
  );
  for (const pid of pids)
    assert.equal(demoProcessAlive(pid), false, `pid ${pid} still runs ${tookMs} ms after the kill`);
  assert.equal(existsSync(started.temp_dir), false, `${started.temp_dir} removed`);
  assert.deepEqual(processesMentioning(started.temp_dir), []);
});

test("demo - a normal run leaves no reaper behind once ltctl has exited", { timeout: 90_000 }, async () => {
  const d = demo(["--duration", "3"]);
  const started = await d.running;
  const r = await d.exited;
  assert.equal(r.code, 0, `${r.out}\n${r.err}`);
  // No polling: ltctl waits for its reaper to exit before it exits itself.
  for (const pid of pidsOf(started)) assert.equal(demoProcessAlive(pid), false, `pid ${pid} outlived ltctl`);
  assert.equal(existsSync(started.temp_dir), false);
  assert.deepEqual(processesMentioning(started.temp_dir), []);
});

test("demo - SIGTERM mid-run still stops everything cleanly, reaper included, and exits 130", {
  timeout: 90_000,
}, async () => {
  const d = demo(["--duration", "120"]);
  const started = await d.running;
  d.proc.kill("SIGTERM");
  const r = await d.exited;
  assert.equal(r.code, 130, r.err);
  const last = JSON.parse(r.out.trim().split("\n").at(-1) ?? "{}") as { event?: string };
  assert.equal(last.event, "finished");
  assert.match(r.out, /"event":"stopped".*"graceful":true/);
  for (const pid of pidsOf(started)) assert.equal(demoProcessAlive(pid), false, `pid ${pid} outlived ltctl`);
  assert.equal(existsSync(started.temp_dir), false);
  assert.deepEqual(processesMentioning(started.temp_dir), []);
});
