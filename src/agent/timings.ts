// Every wait, timeout and period of the agent, each with why it has its value. The engine keeps its own in
// src/engine/timings.ts; a late joiner's lead (`JOIN_LEAD_MS`) lives beside its rule in join.ts.

/**
 * Presence entries expire after this many heartbeats (the bucket's TTL): a pod that died leaves `ltctl status`
 * on its own, while an outage of a few beats (readers call an entry stale after 3) does not make it vanish.
 */
export const PRESENCE_TTL_BEATS = 10;

/**
 * A presence put may take one heartbeat (a slower one is overtaken by the next), but at least this long, so
 * a short `--heartbeat-ms` on a busy server does not time out every put.
 */
export const PRESENCE_PUT_MIN_TIMEOUT_MS = 1_000;

/**
 * Every this many heartbeats the agent also reads the active config entry and compares it with what it obeys:
 * belt and braces beside the watch, which can miss an update while it re-watches. Every 5th beat (10 s at
 * the default heartbeat) catches a missed push quickly without a KV read per beat.
 */
export const ACTIVE_RECHECK_BEATS = 5;

/**
 * Waits between attempts to reach the control plane's buckets: this much longer each attempt, up to the cap.
 * Short at first so a fleet started beside its server joins within a second, capped so an agent waiting for
 * `ltctl setup` does not hammer the server.
 */
export const PLANE_RETRY_STEP_MS = 500;
export const PLANE_RETRY_MAX_MS = 3_000;

/**
 * Pause before re-watching the active config after the watch ended (connection lost, consumer gone): a server
 * that refuses at once does not make the agent spin; well under the recheck period, so a push is seen soon.
 */
export const REWATCH_DELAY_MS = 1_000;

/**
 * How long a run switch waits for the current run to stop before starting the next: the engine's JetStream
 * publish deadline (15 s), the longest a draining run can sit on publishes to a server in trouble.
 */
export const RUN_STOP_TIMEOUT_MS = 15_000;

/**
 * A `stop` command waits this long for the run to finish before replying, so the reply usually carries the
 * final state; a run still draining after it is reported `stopped` anyway and finishes on its own.
 */
export const STOP_COMMAND_WAIT_MS = 3_000;

/**
 * Default budget of `Agent.shutdown`: a run's stop (up to the 15 s publish deadline) plus a few seconds to send
 * the queued snapshots and leave. lt-agent passes its own, `SHUTDOWN_BUDGET_MS`.
 */
export const DEFAULT_SHUTDOWN_BUDGET_MS = 18_000;

/**
 * Budget for a graceful stop of lt-agent: in-flight JetStream publishes may take up to the engine's 15 s
 * publish deadline when the NATS under test is in trouble, then the final snapshot is flushed. Our manifests
 * and compose file grant 45 s (Kubernetes' default is 30 s).
 */
export const SHUTDOWN_BUDGET_MS = 25_000;

/**
 * Shutdown splits its budget: the run gets what is left minus `SHUTDOWN_AFTER_RUN_MS` (kept for the outbox,
 * presence and the connection), but at least `SHUTDOWN_RUN_MIN_MS` to emit its final snapshot; the outbox gets
 * what is left minus `SHUTDOWN_AFTER_OUTBOX_MS` (presence removal and the connection's drain), but at least
 * `SHUTDOWN_OUTBOX_MIN_MS` to send that final snapshot on a healthy connection.
 */
export const SHUTDOWN_AFTER_RUN_MS = 4_000;
export const SHUTDOWN_RUN_MIN_MS = 1_000;
export const SHUTDOWN_AFTER_OUTBOX_MS = 2_000;
export const SHUTDOWN_OUTBOX_MIN_MS = 500;

/** Removing presence at shutdown is a courtesy (the TTL removes it anyway): never wait long for it. */
export const PRESENCE_DELETE_TIMEOUT_MS = 1_000;

/** The connection's drain gets what is left of the budget, but at least this, to flush what was just sent. */
export const NC_DRAIN_MIN_MS = 200;

/** Timeout of one snapshot put / publish: a healthy control plane answers in milliseconds; a stuck one is retried. */
export const OUTBOX_SEND_TIMEOUT_MS = 3_000;

/**
 * Retry waits of the outbox while the control plane is away: doubling from the first to the cap, so a short
 * blip costs a tenth of a second and a long outage one attempt every 2 s (a returning plane is seen promptly).
 */
export const OUTBOX_FIRST_BACKOFF_MS = 100;
export const OUTBOX_MAX_BACKOFF_MS = 2_000;

/** How often a draining outbox checks whether its queue is empty: fine-grained, the shutdown budget is seconds. */
export const OUTBOX_DRAIN_POLL_MS = 50;

/** While the first connect is retried silently by nats.js, say so this often (and hint at TLS). */
export const CONNECT_WAIT_LOG_MS = 5_000;

/** After a signal, how long a still-starting agent may finish its start before shutdown begins. */
export const START_SETTLE_MS = 2_000;

/** Control-plane reconnect wait: nats.js's default 2 s halved, so presence and the outbox resume sooner. */
export const RECONNECT_WAIT_MS = 1_000;

/** Control-plane ping interval: a dead connection is noticed within a few heartbeats. */
export const PING_INTERVAL_MS = 10_000;

/** Before a forced exit, time for the event loop to finish writing logs. */
export const EXIT_GRACE_MS = 300;

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
