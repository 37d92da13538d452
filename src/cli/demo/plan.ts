// The config the demo pushes: read (examples/demo.json unless --config), shortened by --duration, validated as
// `ltctl push` validates, and summed up from the plan as one of the demo's pods expands it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatIssues, parseConfigText, planSummary } from "../../config/index.ts";
import { validateForPush } from "../../control/index.ts";
import { formatNumber } from "../format/table.ts";

export interface DemoConfig {
  /** The config as read (and shortened): what goes over NATS. */
  readonly raw: unknown;
  readonly path: string;
}

/** The config to push, or the message saying why it cannot be (unreadable, not JSON, invalid). */
export function loadDemoConfig(
  root: string,
  o: { config?: string; durationS?: number },
): { ok: true; config: DemoConfig } | { ok: false; message: string } {
  const path = o.config ?? join(root, "examples", "demo.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { ok: false, message: `cannot read the config: ${(e as Error).message}` };
  }
  if (o.durationS !== undefined) withDuration(raw, o.durationS);
  const issues = validateForPush(raw);
  if (issues.length > 0)
    return {
      ok: false,
      message: `${path} is not a valid config:\n${formatIssues(issues).replace(/^/gm, "  ")}`,
    };
  return { ok: true, config: { raw, path } };
}

/** Sets every spec's duration to `seconds`; a longer ramp is cut to half of it. Mutates `raw`. */
export function withDuration(raw: unknown, seconds: number): void {
  const specs = (raw as { load_test_specs?: unknown }).load_test_specs;
  if (!Array.isArray(specs)) return;
  for (const s of specs) {
    if (typeof s !== "object" || s === null) continue;
    const spec = s as { behavior?: Record<string, unknown> };
    spec.behavior ??= {};
    spec.behavior.duration_seconds = seconds;
    const ramp = spec.behavior.ramp_up_seconds;
    if (typeof ramp === "number" && ramp > seconds / 2)
      spec.behavior.ramp_up_seconds = Math.floor(seconds / 2);
  }
}

export interface DemoSummary {
  /** What the demo runs, in one sentence. */
  readonly line: string;
  /** The first step in numbers (streams, publishers, consumers, rate, duration, ramp). */
  readonly detail: string;
  /** Seconds of the whole plan (every step). */
  readonly totalS: number;
}

/** The plan as the demo-both pod expands it (`ltctl validate`'s summary), in a line and a detail. */
export function summarise(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
  server: string,
  dir: string,
): DemoSummary {
  const loaded = parseConfigText(JSON.stringify(raw), {
    pod: "demo-both",
    env: { ...env, NATS_URL: server, LT_DEMO_DIR: dir },
  });
  if (!loaded.ok) return { line: "the demo config", detail: "", totalS: totalDurationS(raw) };
  const plan = planSummary(loaded.plan);
  const totalS = plan.totalDurationMs / 1000;
  const first = plan.steps[0]!;
  const streams = first.streams;
  return {
    line: `3 agents (publish, consume, both) load ${streams} JetStream stream${streams === 1 ? "" : "s"} for ${totalS} s, then the cluster-wide report.`,
    detail:
      `${streams} streams, ${first.publishers} publishers and ${first.consumers} consumers per pod, ` +
      `~${formatNumber(first.targetMsgsPerSec)} msg/s per publishing pod, ${totalS} s with a ${first.rampUpMs / 1000} s ramp`,
    totalS,
  };
}

/** The plan's length read from the raw config, for a config the demo's pod cannot expand. */
function totalDurationS(raw: unknown): number {
  const specs = (raw as { load_test_specs?: Array<{ behavior?: { duration_seconds?: unknown } }> })
    .load_test_specs;
  return (specs ?? []).reduce((n, s) => {
    const d = s.behavior?.duration_seconds;
    return n + (typeof d === "number" ? d : 0);
  }, 0);
}
