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

// ── Connections to the NATS under test (connections.ts) ──────────────────────────────────────────────────

/**
 * Pause between reconnect attempts, a quarter of nats.js' 2 s default: after a server restart or a failover
 * the publishers are back within half a second, so the gap a run shows is the server's, not the client's
 * wait; two attempts a second per connection cost a refusing server nothing.
 */
export const RECONNECT_WAIT_MS = 500;

/**
 * Client PINGs (nats.js default: every 2 min): a server that vanished without closing the socket (a
 * partition, a frozen node) is noticed after two unanswered PINGs, 20-30 s rather than 4-6 min, so the
 * connection reconnects within a step instead of after it.
 */
export const PING_INTERVAL_MS = 10_000;

// ── A step's start and end ──────────────────────────────────────────────────────────────────────────────

/**
 * How far ahead of now a step's sending starts (without a start barrier): the start has to reach every worker
 * thread (a postMessage each) and their schedulers, so the first slots are not late by the hand-over itself;
 * 20 ms covers that on a loaded machine and is nothing against a step's duration.
 */
export const START_LEAD_MS = 20;

/**
 * How long after the schedule's last slot late slots may still be sent before the rest count as unsent. A
 * client a little behind at the end (a GC pause, a busy event loop, a window still full after a stall)
 * finishes its schedule; one further behind than this would spill its load past the step (into the next
 * step or past what the user asked for), so its remaining slots are counted, with their lateness, instead.
 */
export const LATE_SEND_GRACE_MS = 1_000;

/**
 * The least time consumers get to catch up after the last send: a pull consumer whose leader died notices
 * after two missed idle heartbeats (PULL_HEARTBEAT_MS, ~2 s) and pulls again from the new leader; 5 s lets it
 * do that and receive the rest. A longer `ack_wait` raises it (redeliveries come only after it).
 */
export const CONSUMER_GRACE_MIN_MS = 5_000;

/** The most time consumers get to catch up, whatever their `ack_wait`: a step should end within a minute. */
export const CONSUMER_GRACE_MAX_MS = 60_000;

/**
 * How long each end-of-step JetStream info request (consumer info when consumers settle, the final stream
 * figures) may take: a healthy server answers in milliseconds; one in a leader election may not answer at
 * all, and the step must still end (the figures are then unknown, or the last sampled ones).
 */
export const END_INFO_TIMEOUT_MS = 2_000;

/**
 * One publish of the prefilled backlog (prefill.ts) may wait this long for its ack: the publish deadline's
 * length, so a backlog stored through a leader election is not failed early.
 */
export const PREFILL_PUBLISH_TIMEOUT_MS = 15_000;

// ── Waiting for consumers to catch up (catch-up.ts) ────────────────────────────────────────────────────

/** How often the catch-up wait polls the shares' progress: a cheap in-process (or postMessage) count. */
export const CATCH_UP_POLL_MS = 50;

/**
 * Without local publishers, consumption that has not grown for this long means the consumers may be done, and
 * JetStream is asked whether anything is pending: a consumer still draining a backlog receives far more often
 * than once a second (pull batches come back to back), so a flat second is worth one question.
 */
export const CATCH_UP_FLAT_MS = 1_000;

/** While consumption is flat, consumer info (`num_pending`) is asked at most this often: not a request storm. */
export const PENDING_ASK_EVERY_MS = 500;

/** How long that consumer info may take before the wait gives up on it (a server in an election). */
export const PENDING_ASK_TIMEOUT_MS = 1_000;

// ── Request/reply services (services.ts, requester.ts, responder.ts) ─────────────────────────────────────

/**
 * Requests in flight per requester connection: the Gate of its requesters. A healthy service answers in
 * milliseconds, so even 100 requesters at 1,000 req/s each keep far fewer in flight; a window this wide only
 * fills when replies stop (responders down: each request then waits out its timeout), and then further slots
 * wait and go late, counted from their intended time, instead of the client's memory growing without bound.
 */
export const REQUEST_WINDOW = 4_096;

/**
 * How often a requester connection looks for requests past their timeout: one sweep over its window, not a
 * timer per request; a timeout is thus counted at most this late (a few percent of the 2 s default).
 */
export const REQUEST_SWEEP_MS = 50;

// ── Sampling while running ─────────────────────────────────────────────────────────────────────────────

/**
 * The shortest gap between two stream-info requests of the stream sampler (stream-sampler.ts): streams are
 * asked one at a time spread over the stats interval, but with many streams no more than one request every
 * 5 ms (200/s), so a thousand streams do not turn sampling into a flood of JetStream API calls.
 */
export const STREAM_SAMPLE_MIN_TICK_MS = 5;

/**
 * The event-loop delay histogram's sampling period (system.ts, `event_loop_p99_ms`): Node's default, fine
 * enough for the millisecond stalls that matter to a load generator, and a timer that itself costs the loop
 * next to nothing.
 */
export const EVENT_LOOP_RESOLUTION_MS = 10;
