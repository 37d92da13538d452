/**
 * What a command may use of the outside world. Only `main` (src/cli/index.ts) fills it from `process`; tests
 * pass their own and read what was written.
 */
export interface CliIo {
  /** Writes to standard output (the text is written as is: end lines with "\n"). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether standard output is a terminal (for colour and live views). */
  readonly isTTY: boolean;
  /** This machine's host name: the pod name when `POD_NAME` is not set. */
  readonly hostname: string;
  /** Sets the exit code `main` returns; the last call wins. */
  setExitCode(code: number): void;
}

/** Exit codes of `ltctl` (documented in docs/config.md and `ltctl --help`). */
export const EXIT = {
  ok: 0,
  /** Invalid config (the issue asks for 1 for `ltctl validate`). */
  invalidConfig: 1,
  /** Bad command line: unknown option or command, missing argument, unreadable file. */
  usage: 2,
  /** The control-plane NATS could not be reached. */
  unreachable: 3,
  /** A step of a local run ended in phase "error" (e.g. the NATS under test was unreachable). */
  stepFailed: 4,
  /** An SLO threshold failed: the run did not pass (the same code as an invalid config; the message tells). */
  thresholdsFailed: 1,
  /** Stopped by Ctrl-C / SIGTERM before the plan ended (128 + SIGINT). */
  interrupted: 130,
} as const;
