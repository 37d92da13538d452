// Exit codes of `ltctl`, one meaning each, so scripts and CI can tell why a command failed (README, docs/reports.md,
// CONTRIBUTING.md). The two a load test gates on follow k6: thresholds failed 99, invalid config 104.
export const EXIT = {
  ok: 0,
  /** A failure without a code of its own: a run or config not found, a command nobody obeyed, a timeout. */
  failed: 1,
  /** Bad command line: unknown option or command, missing argument, unreadable file. */
  usage: 2,
  /** The control-plane NATS could not be reached. */
  unreachable: 3,
  /** A step of a local run ended in phase "error" (e.g. the NATS under test was unreachable). */
  stepFailed: 4,
  /** An SLO threshold failed: the run ran, and did not pass (k6: 99). */
  thresholdsFailed: 99,
  /** The config is invalid (every problem listed on stderr); nothing ran or was pushed (k6: 104). */
  invalidConfig: 104,
  /** Stopped by Ctrl-C / SIGTERM before the plan ended (128 + SIGINT). */
  interrupted: 130,
} as const;
