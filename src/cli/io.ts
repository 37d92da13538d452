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

export { EXIT } from "./exit-codes.ts";
