// lt-agent and ltctl as real child processes for the fault and security tests (built code in dist/).
// Agents run under `node --unhandled-rejections=strict`, so one unhandled rejection crashes them and the test
// sees it; stdout and stderr are both kept (the secret-leak test greps them). `wrap` runs the agent under
// another command, e.g. `ip netns exec <ns>` for the partition test.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("../../", import.meta.url).pathname;
const BUILT =
  existsSync(join(ROOT, "dist/src/agent/index.js")) && existsSync(join(ROOT, "dist/src/cli/index.js"));
/** A reason to skip when the binaries are not built, else false. */
export const SKIP_UNBUILT: string | false = BUILT ? false : "run npm run build first (make test does)";

export interface AgentSpec {
  readonly server: string;
  readonly pod: string;
  /** More lt-agent flags. */
  readonly args?: readonly string[];
  /** Extra environment (merged over the test's). */
  readonly env?: Readonly<Record<string, string>>;
  /** A command prefix, e.g. ["ip", "netns", "exec", "ltns"]. */
  readonly wrap?: readonly string[];
}

/** Every agent's own data directory (its `--data-dir` unless the test gives one), removed when the test ends. */
const dataDirs: string[] = [];
process.once("exit", () => {
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

export class AgentProcess {
  readonly spec: AgentSpec;
  /** Where the agent's local storage goes (a config's relative `storage.path` lands here). */
  readonly dataDir: string;
  proc: ChildProcess;
  stdout = "";
  stderr = "";
  /** Every exit so far: code or signal name. */
  readonly exits: (number | string)[] = [];

  constructor(spec: AgentSpec) {
    this.spec = spec;
    this.dataDir = mkdtempSync(join(tmpdir(), "lt-agent-data-"));
    dataDirs.push(this.dataDir);
    this.proc = this.#spawn();
  }

  #spawn(): ChildProcess {
    const s = this.spec;
    const argv = [
      "--unhandled-rejections=strict",
      join(ROOT, "bin/lt-agent"),
      "--server",
      s.server,
      "--pod",
      s.pod,
      "--http-port",
      "0",
      "--heartbeat-ms",
      "300",
      "--data-dir",
      this.dataDir,
      ...(s.args ?? []),
    ];
    const [cmd, ...rest] = [...(s.wrap ?? []), process.execPath, ...argv];
    const p = spawn(cmd as string, rest, {
      cwd: ROOT,
      env: { ...process.env, ...s.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    p.stdout?.on("data", (b: Buffer) => {
      this.stdout = (this.stdout + b.toString()).slice(-400_000);
    });
    p.stderr?.on("data", (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-400_000);
    });
    p.once("exit", (code, sig) => this.exits.push(code ?? sig ?? -1));
    return p;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The agent's log so far (its JSON lines go to stderr). */
  get log(): string {
    return this.stderr;
  }

  /** Resolves with the exit code (or signal name) once the process ends. */
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
    if (this.alive) throw new Error(`agent ${this.spec.pod} is still running`);
    this.proc = this.#spawn();
  }

  /** Structured log lines of stderr (JSON lines; others skipped). */
  logLines(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.stderr.split("\n")) {
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    return out;
  }
}

export function startAgent(spec: AgentSpec): AgentProcess {
  return new AgentProcess(spec);
}

export interface CtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `./bin/ltctl` with args; never rejects. */
export function ltctl(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<CtlResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--unhandled-rejections=strict", join(ROOT, "bin/ltctl"), ...args],
      { cwd: ROOT, timeout: timeoutMs, env: { ...process.env, ...env }, maxBuffer: 20 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const c = (err as { code?: unknown } | null)?.code;
        resolve({ code: err ? (typeof c === "number" ? c : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Polls `f` until it returns something other than undefined/false. */
export async function until<T>(
  what: string,
  f: () => Promise<T | undefined | false> | T | undefined | false,
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

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A small valid JetStream config: one stream per pod, one publisher and one pull consumer, `seconds` long. */
export function faultConfig(
  natsUrl: string | string[],
  o: { seconds: number; name?: string; rate?: number; replicas?: number; storage?: "memory" | "file" } = {
    seconds: 10,
  },
): Record<string, unknown> {
  const name = o.name ?? "fault";
  const prefix = `${name.toUpperCase()}_{pod}`;
  return {
    load_test_specs: [
      {
        name: `${name}_{pod}`,
        nats_url: natsUrl,
        use_jetstream: true,
        client_id_prefix: `${name}_{pod}`,
        streams: [
          {
            name_prefix: prefix,
            count: 1,
            replicas: o.replicas ?? 1,
            subjects: [`${name}.{pod}.{}`],
            storage: o.storage ?? "memory",
          },
        ],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: prefix,
          publish_rate_per_second: o.rate ?? 100,
          publish_pattern: "steady",
          message_size_bytes: 128,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: prefix,
          type: "pull",
          count_per_stream: 1,
          durable_name_prefix: `${name}_{pod}`,
          ack_wait_seconds: 5,
          max_ack_pending: 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: o.seconds, ramp_up_seconds: 0 },
      },
    ],
    storage: { type: "stdout" },
    stats_collection_interval_seconds: 1,
  };
}
