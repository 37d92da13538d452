// Helpers for the control-plane tests: lt-agent and ltctl as real child processes (built code in dist/).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const BUILT =
  existsSync(join(ROOT, "dist/src/agent/index.js")) && existsSync(join(ROOT, "dist/src/cli/index.js"));
export const SKIP = BUILT ? false : "run npm run build first (make test does)";

export class AgentProc {
  readonly pod: string;
  readonly args: string[];
  proc: ChildProcess;
  log = "";
  constructor(pod: string, args: string[]) {
    this.pod = pod;
    this.args = args;
    this.proc = this.#spawn();
  }
  #spawn(): ChildProcess {
    const p = spawn(join(ROOT, "bin/lt-agent"), this.args, {
      stdio: ["ignore", "ignore", "pipe"],
      cwd: ROOT,
    });
    p.stderr?.on("data", (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-50_000);
    });
    return p;
  }
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }
  /** Resolves with the exit code (or signal) once the process ends. */
  exited(): Promise<number | string> {
    if (!this.alive) return Promise.resolve(this.proc.exitCode ?? this.proc.signalCode ?? -1);
    return new Promise((r) => this.proc.once("exit", (code, sig) => r(code ?? sig ?? -1)));
  }
  async kill(sig: NodeJS.Signals = "SIGKILL"): Promise<number | string> {
    const done = this.exited();
    if (this.alive) this.proc.kill(sig);
    return done;
  }
  restart(): void {
    this.proc = this.#spawn();
  }
}

export function startAgent(server: string, pod: string, extra: string[] = []): AgentProc {
  return new AgentProc(pod, [
    "--server",
    server,
    "--pod",
    pod,
    "--http-port",
    "0",
    "--heartbeat-ms",
    "300",
    ...extra,
  ]);
}

export interface CtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function ltctl(args: string[], timeoutMs = 20_000): Promise<CtlResult> {
  return new Promise((resolve) => {
    execFile(join(ROOT, "bin/ltctl"), args, { cwd: ROOT, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function ltctlJson<T = any>(args: string[]): Promise<T> {
  const r = await ltctl([...args, "--json"]);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`ltctl ${args.join(" ")} exited ${r.code}: ${r.stdout}\n${r.stderr}`);
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lt-agent-test-"));
}

/** A small valid config: one stream per pod on the NATS under test, publishers and consumers, `seconds` long. */
export function shortConfig(
  natsUrl: string,
  seconds: number,
  dir: string,
  name = "short",
  rate = 200,
): Record<string, unknown> {
  return {
    load_test_specs: [
      {
        name: `${name}_{pod}`,
        nats_url: natsUrl,
        use_jetstream: true,
        streams: [
          {
            name_prefix: `${name.toUpperCase()}_{pod}`,
            count: 1,
            replicas: 1,
            subjects: [`${name}.{pod}.{}`],
            storage: "memory",
          },
        ],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: `${name.toUpperCase()}_{pod}`,
          publish_rate_per_second: rate,
          publish_pattern: "steady",
          message_size_bytes: 128,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: `${name.toUpperCase()}_{pod}`,
          type: "pull",
          count_per_stream: 1,
          durable_name_prefix: `${name}_{pod}`,
          ack_wait_seconds: 30,
          max_ack_pending: 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: seconds, ramp_up_seconds: 0 },
      },
    ],
    storage: { type: "file", path: join(dir, "{pod}.log") },
    stats_collection_interval_seconds: 1,
  };
}

export async function until<T>(
  what: string,
  f: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
