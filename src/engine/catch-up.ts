// After the last send, consumers get a grace period to receive what the stream still holds for them (a
// consumer that stalled in a failover catches up), before the final count.
import type { JetStreamManager } from "@nats-io/jetstream";
import { nowEpoch, sleep, withTimeout } from "./clock.ts";
import {
  CATCH_UP_FLAT_MS,
  CATCH_UP_POLL_MS,
  CONSUMER_GRACE_MAX_MS,
  CONSUMER_GRACE_MIN_MS,
  PENDING_ASK_EVERY_MS,
  PENDING_ASK_TIMEOUT_MS,
} from "./timings.ts";
import type { ShareGroup } from "./worker-pool.ts";

/** The grace period: the longest `ack_wait` of the step's consumers, within CONSUMER_GRACE_MIN/MAX_MS. */
export function consumerGraceMs(consumers: readonly { ackWaitMs: number }[]): number {
  return Math.max(
    CONSUMER_GRACE_MIN_MS,
    Math.min(CONSUMER_GRACE_MAX_MS, Math.max(...consumers.map((c) => c.ackWaitMs))),
  );
}

/**
 * Consumers catch up: with local publishers, until each consumer holds every message they got acknowledged;
 * without them, until JetStream says the consumers have nothing pending (`num_pending` 0), or, where that is
 * unknown (core NATS, info failing), until consumption stays flat for CATCH_UP_FLAT_MS. Bounded by
 * `timeoutMs`.
 */
export async function waitCaughtUp(
  s: ShareGroup,
  local: boolean,
  timeoutMs: number,
  signal: AbortSignal,
  pending?: () => Promise<number | undefined>,
): Promise<void> {
  const deadline = nowEpoch() + timeoutMs;
  let last = -1;
  let flatSince = nowEpoch();
  let askedAt = 0;
  while (nowEpoch() < deadline && !signal.aborted) {
    const { caughtUp, consumed } = await s.progress();
    if (local && caughtUp) return;
    if (consumed !== last) {
      last = consumed;
      flatSince = nowEpoch();
    } else if (!local && nowEpoch() - flatSince > CATCH_UP_FLAT_MS) {
      if (!pending) return;
      if (nowEpoch() - askedAt > PENDING_ASK_EVERY_MS) {
        askedAt = nowEpoch();
        const n = await withTimeout(pending(), PENDING_ASK_TIMEOUT_MS).catch(() => undefined);
        if (n === undefined || n === 0) return;
      }
    }
    await sleep(CATCH_UP_POLL_MS);
  }
}

/** Messages JetStream has not yet delivered to this step's consumers (sum of `num_pending`), or undefined. */
export function consumerPending(
  jsm: JetStreamManager,
  consumers: readonly { stream: string; durableName: string; type?: string }[],
): () => Promise<number | undefined> {
  // Ordered consumers have no durable to ask by name; the others' figures still say when the stream is drained.
  const durables = consumers.filter((c) => c.type !== "ordered");
  return async () => {
    const infos = await Promise.all(durables.map((c) => jsm.consumers.info(c.stream, c.durableName)));
    return infos.reduce((n, ci) => n + ci.num_pending, 0);
  };
}
