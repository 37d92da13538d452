// The Go peer (bench/go/natspeer, nats.go 1.22 from Debian): build it on first use, run one scenario,
// parse its one JSON line. Where Go or the nats.go package is missing, answers { skipped: reason }.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { type Measurement, measurement } from "./model.ts";

const GO_DIR = fileURLToPath(new URL("../go/", import.meta.url));
export const GO_PEER_BIN = `${GO_DIR}bin/natspeer`;
const BUILD_SCRIPT = `${GO_DIR}build.sh`;

/** What natspeer prints (one JSON line). */
export const GoPeerOutput = v.object({
  scenario: v.picklist(["pub", "pubsub", "jspub", "jsconsume"]),
  msgs: v.number(),
  seconds: v.number(),
  rate: v.number(),
  cpu_user_s: v.number(),
  cpu_sys_s: v.number(),
  size: v.number(),
  sent: v.optional(v.number()),
  errors: v.optional(v.number()),
  stalls: v.optional(v.number()),
  nats_go: v.string(),
});
export type GoPeerOutput = v.InferOutput<typeof GoPeerOutput>;

export interface GoPeerSkipped {
  readonly skipped: string;
}
export type GoPeerResult = GoPeerOutput & { readonly measurement: Measurement };

export function isSkipped<T extends object>(r: T | GoPeerSkipped): r is GoPeerSkipped {
  return "skipped" in r;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], signal });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    p.stderr.on("data", (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4_000);
    });
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    p.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function lastLine(s: string): string {
  return (
    s
      .trim()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .at(-1) ?? ""
  );
}

/**
 * Makes sure bench/go/bin/natspeer exists, running bench/go/build.sh when it does not (a cold Go
 * build cache takes ~1 min on 2 cores; afterwards < 1 s). `rebuild` forces the build.
 */
export async function ensureGoPeer(
  opts: { rebuild?: boolean; signal?: AbortSignal } = {},
): Promise<{ bin: string } | GoPeerSkipped> {
  if (!opts.rebuild && existsSync(GO_PEER_BIN)) return { bin: GO_PEER_BIN };
  let r: Ran;
  try {
    r = await run("sh", [BUILD_SCRIPT], 300_000, opts.signal);
  } catch (err) {
    return { skipped: `Go peer skipped: could not run ${BUILD_SCRIPT}: ${(err as Error).message}` };
  }
  if (r.code === 3) return { skipped: lastLine(r.stdout) || "Go peer skipped: Go not available" };
  if (r.code !== 0 || !existsSync(GO_PEER_BIN))
    return { skipped: `Go peer skipped: build failed (exit ${r.code}): ${lastLine(r.stderr)}` };
  return { bin: GO_PEER_BIN };
}

/**
 * Runs one natspeer scenario, e.g. `runGoPeer(["pub", "-url", url, "-size", "128", "-duration", "3s"])`,
 * building the peer first if needed. Rejects when the peer itself fails (bad server, bad stream);
 * answers { skipped } only when the peer cannot be built here.
 */
export async function runGoPeer(
  args: readonly string[],
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<GoPeerResult | GoPeerSkipped> {
  const peer = await ensureGoPeer({ signal: opts.signal });
  if ("skipped" in peer) return peer;
  const r = await run(peer.bin, args, opts.timeoutMs ?? 120_000, opts.signal);
  if (r.code !== 0) throw new Error(`natspeer ${args.join(" ")} exited ${r.code}: ${lastLine(r.stderr)}`);
  const out = v.parse(GoPeerOutput, JSON.parse(lastLine(r.stdout)));
  const cpuUs = (out.cpu_user_s + out.cpu_sys_s) * 1e6;
  return { ...out, measurement: measurement(out.msgs, out.seconds, cpuUs, out.errors) };
}
