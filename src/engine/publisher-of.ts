// The sender of one publisher: an open-model Publisher on its schedule, or a closed-loop one
// (`publish_rate_per_second: "max"`); both stop after `message_count` messages when it is given.
import type { ExpandedPublisher } from "../config/index.ts";
import { ClosedLoopPublisher } from "./closed-loop.ts";
import type { ShareMetrics } from "./metrics.ts";
import { Publisher } from "./publisher.ts";
import { Schedule } from "./schedule.ts";
import type { ShareSpec } from "./share.ts";
import type { ReadyPublisher } from "./share-publishers.ts";

/** What every publisher of a share has in common. */
export interface PublisherStart {
  readonly source: number;
  /** performance.now() and epoch ms of the step's start (the same instant). */
  readonly startPerf: number;
  readonly startEpoch: number;
  readonly metrics: ShareMetrics;
}

export function publisherOf(
  spec: ShareSpec,
  p: ExpandedPublisher,
  r: ReadyPublisher,
  s: PublisherStart,
): Publisher | ClosedLoopPublisher {
  const common = {
    idx: r.i,
    source: s.source,
    subject: p.subject,
    lane: r.lane,
    payloads: r.payloads,
    trackLatency: p.trackLatency,
    startPerf: s.startPerf,
  };
  if (p.closedLoop) {
    return new ClosedLoopPublisher({ ...common, durationMs: spec.durationMs, maxMessages: p.messageCount });
  }
  return new Publisher({
    ...common,
    schedule: new Schedule({
      ratePerSec: p.ratePerSec,
      pattern: p.pattern,
      burstSize: p.burstSize,
      rampUpMs: spec.rampUpMs,
      ...(spec.shape === undefined ? {} : { shape: spec.shape }),
      durationMs: spec.durationMs,
      phase: r.phase,
      ...(p.messageCount === undefined ? {} : { maxMessages: p.messageCount }),
    }),
    startEpoch: s.startEpoch,
    metrics: s.metrics,
  });
}
