// Every wait, timeout and period of the engine, each with why it has its value. Tests and benches override
// some through StepTuning; users get these.

// ── Publishing (JetStream lanes) ────────────────────────────────────────────────────────────────────────

/**
 * How long a JetStream publish may take from its first send, retries included, before it counts as failed.
 * Longer than an R3 leader election after a SIGKILL (6-9 s seen on nats-server 2.9), so the publishes caught in
 * a failover are retried through it and the stall shows as latency rather than vanishing into error counts.
 * Also how long in-flight publishes may take to be acknowledged after the last send.
 */
export const PUBLISH_DEADLINE_MS = 15_000;

/**
 * One attempt unanswered this long is sent again (within the deadline), as nats.go's async publish does: a
 * healthy server acks in milliseconds, so 2 s means the request or its reply was lost (a leader that died
 * with it), and waiting longer would only leave less of the deadline for the retry.
 */
export const PUBLISH_ATTEMPT_TIMEOUT_MS = 2_000;

/**
 * Pause before a publish is sent again (no responders, attempt timeout): nats.go's RetryWait. Long enough
 * that a window of retries during an election is not a storm of 503s, short against the 6-9 s election.
 */
export const PUBLISH_RETRY_WAIT_MS = 250;

/**
 * How often a JetStream lane looks for attempts past their attempt timeout: one sweep over the ring per
 * lane, not a timer per message; at the retry wait's granularity, so a timed-out attempt is retried at most
 * one retry wait late.
 */
export const ACK_SWEEP_MS = 250;
