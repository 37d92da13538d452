// The demo's reaper, reaper side: the entry point of the small process `ltctl demo` forks (see reaper.ts), so
// this file alone in src/cli/demo touches `process`. Usage (by the demo only): node reaper-main.js <temp dir>.
// The parent is the demo; it sends the pids of the children it starts. When the demo is gone without releasing
// it (SIGKILL, a crash), it stops those children, wave by wave, and removes the demo's temp folder, then exits.
import { readFileSync, rmSync } from "node:fs";
import { basename, isAbsolute } from "node:path";
import * as v from "valibot";
import { REAPER_READY, ReaperMessage, type ReaperWatch } from "./reaper.ts";

/** How often the demo's pid is checked, besides the IPC channel's own end (which is normally first). */
const POLL_MS = 500;
/** After SIGKILL, how long to wait for a process to be gone before removing the folder anyway. */
const KILL_WAIT_MS = 2_000;
/** How often `until` looks again: short beside KILL_WAIT_MS, and cheap (a signal 0 or a /proc read). */
const UNTIL_POLL_MS = 50;

function main(): void {
  const dir = process.argv[2] ?? "";
  // Checked before anything is removed: a wrong argument must never become `rm -rf` of something else.
  const ownDir = isAbsolute(dir) && basename(dir).startsWith("lt-demo-");
  // Read once now, while the demo is still the parent (after its death the kernel reparents this process).
  const demo = process.ppid;
  const watched = new Map<number, ReaperWatch>();
  let reaping = false;
  // A second opinion that needs no channel. A reused pid could hide the death from it, never fake one.
  const poll = setInterval(() => {
    if (!running(demo)) void reap();
  }, POLL_MS);

  const reap = async () => {
    if (reaping) return;
    reaping = true;
    clearInterval(poll);
    const waves = [...new Set([...watched.values()].map((w) => w.wave))].sort((a, b) => a - b);
    for (const wave of waves) await stopWave([...watched.values()].filter((w) => w.wave === wave));
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };

  process.on("message", (raw) => {
    if (reaping) return;
    const m = v.safeParse(ReaperMessage, raw);
    if (!m.success) return;
    const msg = m.output;
    if (msg.type === "watch") watched.set(msg.pid, msg);
    else if (msg.type === "forget") watched.delete(msg.pid);
    else process.exit(0);
  });
  // The demo's end of the channel closes when the demo dies, whatever killed it.
  process.on("disconnect", () => void reap());
  process.send?.(REAPER_READY);
  // The demo may have died before this process listened.
  if (!running(demo)) void reap();
}

/** SIGTERM to each process (group), SIGKILL to those still there after the longest grace of the wave. */
async function stopWave(ws: readonly ReaperWatch[]): Promise<void> {
  for (const w of ws) signal(w.pid, "SIGTERM");
  const grace = Math.max(0, ...ws.map((w) => w.graceMs));
  await until(() => ws.every((w) => !running(w.pid)), grace);
  const left = ws.filter((w) => running(w.pid));
  for (const w of left) signal(w.pid, "SIGKILL");
  await until(() => left.every((w) => !running(w.pid)), KILL_WAIT_MS);
}

/** The demo starts each child in a process group of its own: signal the group, so anything it started goes too. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** True while `pid` exists and is not a zombie (the children are ours no more, so reaping their zombies is init's job). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: a process we may not signal, so not one the demo started (its pid was reused).
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (not Linux): kill(0) is all we have
  }
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, UNTIL_POLL_MS));
}

main();
