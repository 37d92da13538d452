// The demo's reaper, demo side. A SIGKILLed `ltctl demo` runs no handler, and its children are detached (their
// own process groups, so a terminal Ctrl-C reaches only ltctl), so nothing would stop them: the nats-server and
// the agents would run forever. The reaper is a small node process the demo starts first, detached as well. It
// learns each child's pid over an IPC channel and, when the demo is gone (the channel closes, or the demo's pid
// stops answering), stops them and removes the demo's temp folder. After a normal end (also Ctrl-C / SIGTERM)
// the demo releases it and it exits without touching anything.
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import type { Child } from "./child.ts";

/** One child to stop when the demo dies. Lower waves are stopped first (agents before the server they use). */
const Watch = v.object({
  type: v.literal("watch"),
  pid: v.pipe(v.number(), v.integer(), v.minValue(2)),
  label: v.string(),
  wave: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** SIGTERM, then SIGKILL after this long. */
  graceMs: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000)),
});

/** Messages from the demo to the reaper. */
export const ReaperMessage = v.variant("type", [
  Watch,
  /** The child exited by itself or was stopped: its pid may be reused, so it must not be signalled. */
  v.object({ type: v.literal("forget"), pid: v.number() }),
  /** The demo ended normally and stopped everything itself: exit without doing anything. */
  v.object({ type: v.literal("release") }),
]);
export type ReaperMessage = v.InferOutput<typeof ReaperMessage>;
export type ReaperWatch = v.InferOutput<typeof Watch>;

/** The reaper's only message to the demo: it listens (messages sent before would be lost). */
export const REAPER_READY = { type: "ready" } as const;

/** A node process that only sets up an IPC listener answers in well under a second; 10 s for a busy machine. */
const READY_TIMEOUT_MS = 10_000;
/** After `release`, the reaper only has to exit; past this it is SIGKILLed so that nothing outlives ltctl. */
const RELEASE_WAIT_MS = 3_000;

export interface ReaperStartOptions {
  /** The package root (where dist/ is). */
  readonly root: string;
  /** Node itself (process.execPath, passed in by the command). */
  readonly node: string;
  /** The demo's temp folder, removed by the reaper when the demo dies. */
  readonly dir: string;
  /** How long the reaper may take to start listening. @default 10000 */
  readonly readyTimeoutMs?: number;
}

export class Reaper {
  readonly #proc: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(proc: ChildProcess, exited: Promise<void>) {
    this.#proc = proc;
    this.#exited = exited;
  }

  /** Starts the reaper and waits until it listens. Throws when it cannot start (dist/ missing, no answer). */
  static async start(o: ReaperStartOptions): Promise<Reaper> {
    const script = join(o.root, "dist", "src", "cli", "demo", "reaper-main.js");
    if (!existsSync(script))
      throw new Error(`${script} is missing: build first (npm run build, or make demo)`);
    // Detached: its own session, so the terminal's Ctrl-C or hang-up, which may take ltctl down, spares it.
    // No inherited stdio: it must not hold ltctl's stdout open for whoever reads it to the end.
    const proc = fork(script, [o.dir], {
      execPath: o.node,
      execArgv: [],
      detached: true,
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    // A send that races the reaper's exit is reported as an 'error' event; unheard, it would crash ltctl.
    proc.on("error", () => {});
    const limit = o.readyTimeoutMs ?? READY_TIMEOUT_MS;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit);
        proc.once("message", () => {
          clearTimeout(timer);
          resolve();
        });
        proc.once("error", (e) => {
          clearTimeout(timer);
          reject(e);
        });
        proc.once("exit", (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`exited (${code ?? signal}) before it was ready`));
        });
      });
    } catch (e) {
      proc.kill("SIGKILL");
      throw new Error(`cannot start the demo's reaper: ${(e as Error).message}`);
    }
    // Unreferenced: should the demo ever forget to release it, ltctl still exits, the channel closes, and the
    // reaper, finding nothing left to stop, exits too.
    proc.unref();
    proc.channel?.unref();
    return new Reaper(proc, exited);
  }

  get pid(): number {
    return this.#proc.pid ?? -1;
  }

  /** Hands a child to the reaper until it exits. */
  watch(child: Child, o: { wave: number; graceMs: number }): void {
    this.#send({ type: "watch", pid: child.pid, label: child.label, wave: o.wave, graceMs: o.graceMs });
    void child.exited.then(() => this.#send({ type: "forget", pid: child.pid }));
  }

  /**
   * The demo has stopped everything itself: the reaper exits without acting. Resolves once it is gone, so that no
   * process outlives `ltctl demo` (SIGKILL after `waitMs` should it not answer).
   */
  async release(waitMs = RELEASE_WAIT_MS): Promise<void> {
    this.#send({ type: "release" });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), waitMs);
    });
    const slow = await Promise.race([this.#exited.then(() => false), late]);
    clearTimeout(timer);
    if (slow) {
      this.#proc.kill("SIGKILL");
      await this.#exited;
    }
    if (this.#proc.connected) this.#proc.disconnect();
  }

  #send(m: ReaperMessage): void {
    if (!this.#proc.connected) return;
    try {
      this.#proc.send(m);
    } catch {
      // the reaper is gone (it died, or exited after release): nothing to tell it
    }
  }
}
