// Core NATS queue groups (`consumers.queue_group`): the consumers of one stream subscribe in one queue group, so
// each message reaches one of them. The loss rule (loss.ts) reads a consumer as "receives every message of its
// stream", which holds for the group as a whole, not for a member: so the members of a stream's group share one
// ConsumerState (one set of sequence trackers) and count as one consumer there, while each member counts what
// it received (the load spread). A message that reached two members is then a duplicate, one that reached none
// is lost, exactly as for a single consumer.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { ExpandedConsumer } from "../config/index.ts";
import type { QueueGroupStats } from "../stats/index.ts";
import type { ConsumerState } from "./consumer.ts";

/**
 * Members listed one by one in a snapshot (`per_member`) up to this many per group; beyond it only the
 * group's count, total, least and most: a snapshot stays small whatever `count_per_stream` is.
 */
export const QUEUE_MEMBERS_LISTED = 100;

/** A stream's queue group as the share runs it: one ConsumerRun for the loss rule, its members inside. */
export class QueueGroupRun {
  readonly spec: ExpandedConsumer;
  readonly state: ConsumerState;
  readonly group: string;
  /** Messages each member received, in member order (consumer n of the stream). */
  readonly received: number[] = [];
  readonly #subs: Subscription[] = [];
  /** The first member's connection (ConsumerRun's: flushed when the share settles). */
  nc: NatsConnection;

  constructor(first: ExpandedConsumer, group: string, state: ConsumerState, nc: NatsConnection) {
    this.spec = first;
    this.group = group;
    this.state = state;
    this.nc = nc;
  }

  /** One more member on `nc`, subscribed to each of the stream's subjects in the group. */
  join(nc: NatsConnection, subjects: readonly string[]): void {
    const i = this.received.push(0) - 1;
    const state = this.state;
    const received = this.received;
    for (const subject of subjects) {
      this.#subs.push(
        nc.subscribe(subject, {
          queue: this.group,
          callback: (_err, msg) => {
            received[i]!++;
            state.onData(msg.data);
          },
        }),
      );
    }
  }

  async close(): Promise<void> {
    for (const s of this.#subs) s.unsubscribe();
  }

  stats(): QueueGroupStats {
    const r = this.received;
    let total = 0;
    let min = r.length > 0 ? Number.POSITIVE_INFINITY : 0;
    let max = 0;
    for (const n of r) {
      total += n;
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
    return {
      stream: this.spec.stream,
      group: this.group,
      members: r.length,
      received: total,
      min,
      max,
      ...(r.length <= QUEUE_MEMBERS_LISTED ? { per_member: [...r] } : {}),
    };
  }
}
