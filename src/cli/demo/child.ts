// A child process the demo started and must stop: output kept in a log file and a short tail in memory, a
// graceful stop (SIGTERM, then SIGKILL after a grace period) and an immediate kill. Nothing here reads `process`.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";

export interface ChildOptions {
  /** Shown in messages ("nats-server", "agent demo-publish"). */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where stdout and stderr go. */
  readonly logFile: string;
  /** How many output lines to keep in memory for error messages. @default 40 */
  readonly tailLines?: number;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Raised when the command is not installed (spawn ENOENT). */
export class CommandNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`${command}: command not found`);
    this.name = "CommandNotFoundError";
  }
}

export class Child {
  readonly label: string;
  readonly logFile: string;
  readonly #proc: ChildProcess;
  readonly #log: WriteStream;
  readonly #tail: string[] = [];
  readonly #tailLines: number;
  #partial = "";
  #exit: ExitInfo | undefined;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;

  private constructor(proc: ChildProcess, opts: ChildOptions, log: WriteStream) {
    this.label = opts.label;
    this.logFile = opts.logFile;
    this.#proc = proc;
    this.#log = log;
    this.#tailLines = opts.tailLines ?? 40;
    this.exited = new Promise((resolve) => {
      proc.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    const keep = (b: Buffer) => {
      log.write(b);
      const lines = (this.#partial + b.toString()).split("\n");
      this.#partial = lines.pop() ?? "";
      this.#tail.push(...lines.filter((l) => l.trim() !== ""));
      if (this.#tail.length > this.#tailLines) this.#tail.splice(0, this.#tail.length - this.#tailLines);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
  }

  /**
   * Starts the process in its own process group, so a Ctrl-C in the terminal reaches only `ltctl`, which then
   * stops its children in order (agents first, the server last). Rejects with CommandNotFoundError on ENOENT.
   */
  static async start(opts: ChildOptions): Promise<Child> {
    const log = createWriteStream(opts.logFile, { flags: "a" });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
    const proc = spawn(opts.command, [...opts.args], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      proc.once("spawn", () => resolve());
      proc.once("error", (e: NodeJS.ErrnoException) => {
        log.end();
        reject(e.code === "ENOENT" ? new CommandNotFoundError(opts.command) : e);
      });
    });
    return new Child(proc, opts, log);
  }

  get pid(): number {
    return this.#proc.pid ?? -1;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  /** The last lines the process wrote (stdout and stderr together). */
  tail(n = this.#tailLines): string[] {
    const all = this.#partial.trim() ? [...this.#tail, this.#partial] : this.#tail;
    return all.slice(-n);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. True when it stopped by itself. */
  async stop(graceMs: number): Promise<boolean> {
    if (!this.running) return this.#finish(true);
    this.#signal("SIGTERM");
    let graceful = true;
    const timer = setTimeout(() => {
      graceful = false;
      this.#signal("SIGKILL");
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    return this.#finish(graceful);
  }

  /** SIGKILL now (a second Ctrl-C). */
  kill(): void {
    if (this.running) this.#signal("SIGKILL");
  }

  #signal(sig: NodeJS.Signals): void {
    try {
      this.#proc.kill(sig);
    } catch {
      // already gone
    }
  }

  async #finish(graceful: boolean): Promise<boolean> {
    await new Promise<void>((r) => this.#log.end(() => r()));
    return graceful;
  }
}
