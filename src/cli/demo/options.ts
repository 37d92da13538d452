// What `ltctl demo` is asked to do (DemoOptions), what it may use of the outside world (DemoContext), and the
// exit codes it returns. Filled by src/cli/commands/demo.ts, the only part that reads argv, env and signals.
import type { NatsCliOptions } from "../commands/nats.ts";
import type { CliIo } from "../io.ts";

/** Exit codes of `ltctl demo` beyond 0: the demo failed; bad usage or config; interrupted (Ctrl-C). */
export const DEMO_EXIT = { failed: 1, usage: 2, interrupted: 130 } as const;

export interface DemoOptions {
  /** The NATS to use (--server, else NATS_URL); undefined starts a local nats-server. */
  readonly server?: string;
  /** Control-plane prefix; default `lt` on the demo's own server, a unique `demo_xxxxxx` on a given one. */
  readonly prefix?: string;
  /** Config to push; default examples/demo.json. */
  readonly config?: string;
  /** Overrides every spec's duration_seconds (the ramp shrinks to at most half of it). */
  readonly durationS?: number;
  /** JSON lines on stdout instead of the human view. */
  readonly json: boolean;
  /** After the report, keep everything running until Ctrl-C. */
  readonly keep: boolean;
  /** Credentials for the control plane (--creds, --nkey, --user, --token), passed to the agents as well. */
  readonly auth: Pick<NatsCliOptions, "creds" | "nkey" | "user" | "password" | "token">;
}

export interface DemoContext {
  readonly io: CliIo;
  /** The node binary that runs the agents (process.execPath). */
  readonly node: string;
  /** Aborts on the first Ctrl-C / SIGTERM: stop cleanly, print what was measured. */
  readonly signal: AbortSignal;
  /** Aborts on the second: kill every child at once. */
  readonly force: AbortSignal;
  /** The working folder, to show paths relative to it. */
  readonly cwd: string;
}
