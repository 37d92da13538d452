// What the demo tests need to see of processes, read from /proc (Linux): whether one of the demo's own
// processes (nats-server, lt-agent, the reaper) still runs, which mention the demo's temp folder, and children.
import { readdirSync, readFileSync } from "node:fs";

/** A demo process (server, agent, reaper) that still runs; a zombie or a reused pid is gone for us. */
export function demoProcessAlive(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/\) Z /.test(stat) && /lt-agent|nats-server|reaper-main/.test(cmd);
  } catch {
    return false;
  }
}

/** Running demo processes whose command line or environment mentions `needle` (the demo's temp folder). */
export function processesMentioning(needle: string): number[] {
  const out = new Set<number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    for (const f of ["cmdline", "environ"]) {
      try {
        if (readFileSync(`/proc/${d}/${f}`, "utf8").includes(needle) && demoProcessAlive(Number(d))) {
          out.add(Number(d));
        }
      } catch {
        // gone, or not ours to read
      }
    }
  }
  return [...out];
}

/** The direct children of `pid`, from /proc/<pid>/task/<tid>/children. */
export function childrenOf(pid: number): number[] {
  const out = new Set<number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
    for (const c of text ? text.split(/\s+/) : []) out.add(Number(c));
  }
  return [...out].sort((a, b) => a - b);
}
