// V8 CPU profiles of one measured section (the same sampler as `node --cpu-prof`, started and stopped through
// node:inspector so set-up and teardown stay out of it) and a summary of their top frames by self time.
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";

/** The parts of a V8 `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }>;
  samples?: number[];
  startTime: number;
  endTime: number;
}

/**
 * A 100 µs sampling interval: V8's default is 1 ms, which gives only a few thousand samples in a 3-5 s window
 * on this machine; 100 µs gives tens of thousands (frames under 0.5% are then still distinguishable), and the
 * sampler's own cost at that rate stays a few percent of one core.
 */
const SAMPLING_INTERVAL_US = 100;

/** Starts the CPU profiler of this thread; `stop()` ends it and returns the profile. */
export async function startProfile(): Promise<{ stop(): Promise<CpuProfile> }> {
  const s = new Session();
  s.connect();
  await s.post("Profiler.enable");
  await s.post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  await s.post("Profiler.start");
  return {
    async stop() {
      const { profile } = (await s.post("Profiler.stop")) as { profile: CpuProfile };
      s.disconnect();
      return profile;
    },
  };
}

export async function saveProfile(profile: CpuProfile, path: string): Promise<void> {
  await writeFile(path, JSON.stringify(profile));
}

export interface FrameShare {
  /** `function (file:line)`, the file shortened to the package or our path. */
  readonly frame: string;
  /** Share of all samples (idle included), 0..1. */
  readonly share: number;
  /** Share of the non-idle samples, 0..1. */
  readonly busyShare: number;
}

/** Where a frame's file lives, short: `nats-core/protocol.js`, `src/engine/consumer.ts`, `node:net`. */
function shortUrl(url: string): string {
  if (url === "") return "";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0)
    return url
      .slice(nm + 13)
      .replace(/^@nats-io\//, "")
      .replace("/lib/", "/");
  const src = url.search(/\/(src|bench|test)\//);
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, "");
}

/** Self time per frame (function + file + line), largest first; `(idle)` counted apart from busy time. */
export function topFrames(profile: CpuProfile, top = 25): { frames: FrameShare[]; busy: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const hits = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) {
    for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  } else {
    for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  }
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, n] of hits) {
    const cf = byId.get(id)!.callFrame;
    total += n;
    if (cf.functionName === "(idle)") idle += n;
    const file = shortUrl(cf.url);
    const key = file ? `${cf.functionName || "(anonymous)"} (${file}:${cf.lineNumber + 1})` : cf.functionName;
    self.set(key, (self.get(key) ?? 0) + n);
  }
  const busy = total - idle;
  const frames = [...self.entries()]
    .filter(([k]) => k !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, n]) => ({ frame, share: n / Math.max(1, total), busyShare: n / Math.max(1, busy) }));
  return { frames, busy: busy / Math.max(1, total) };
}

/** Self time per package or area (nats-core, jetstream, src/engine, node:net, (garbage collector) ...). */
export function byArea(profile: CpuProfile): Array<{ area: string; busyShare: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const counts = new Map<string, number>();
  let busy = 0;
  const add = (id: number, n: number) => {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === "(idle)") return;
    busy += n;
    const file = shortUrl(cf.url);
    const area =
      file === ""
        ? cf.functionName
        : file.startsWith("node:")
          ? file.split("/")[0]!
          : file.startsWith("src/") || file.startsWith("bench/")
            ? file.split("/").slice(0, 2).join("/")
            : file.split("/")[0]!;
    counts.set(area, (counts.get(area) ?? 0) + n);
  };
  if (profile.samples && profile.samples.length > 0) for (const id of profile.samples) add(id, 1);
  else for (const n of profile.nodes) add(n.id, n.hitCount ?? 0);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([area, n]) => ({ area, busyShare: n / Math.max(1, busy) }));
}
