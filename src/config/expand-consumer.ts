// A consumer's JetStream kind as the engine applies it (schema-jetstream.ts): the deliver policy after its
// default (rules-jetstream.ts: "all" on a workqueue stream, else "new"), filters with `{}` made the stream's
// index, redelivery limits in milliseconds, and which messages the loss rule may count for it.
import { parseDuration } from "./duration.ts";
import { effectiveDeliverPolicy } from "./rules-jetstream.ts";
import type { LoadTestSpec, StreamConfig } from "./schema.ts";
import type { DeliverPolicyName } from "./schema-jetstream.ts";

/**
 * Which messages a consumer must receive, so which the loss rule may call lost (loss.ts):
 * - `all`: deliver policy "new", no filter: every message published from its start (the seed's rule);
 * - `known`: deliver policy "all", no filter: every message of this run's own publishers and prefill; other
 *   sources may be an earlier run's messages, whose gaps are no loss of this run;
 * - `none`: a filter, or a policy that starts elsewhere (last, last_per_subject, by_start_*): it is not meant
 *   to receive every message, so none is counted lost (duplicates, redeliveries and order still are).
 */
export type LossScope = "all" | "known" | "none";

export interface ConsumerKind {
  readonly deliverPolicy: DeliverPolicyName;
  readonly optStartSeq?: number;
  readonly optStartTime?: string;
  /** Filter subjects, `{}` replaced by the stream's index. */
  readonly filterSubjects?: readonly string[];
  /** -1 = unlimited. */
  readonly maxDeliver: number;
  /** Redelivery delays; when set, the server's ack wait is the first one. */
  readonly backoffMs?: readonly number[];
  readonly doubleAck: boolean;
  readonly lossScope: LossScope;
  /** Pull and ordered consumers: a continuous consume(), or a loop of fetch() with the three below. */
  readonly pullMode: "consume" | "fetch";
  readonly fetchBatch: number;
  readonly fetchMaxBytes?: number;
  readonly fetchExpiresMs: number;
}

/** A fetch's messages and expiry when not given: nats.js' fetch default batch, and the pull loop's expiry. */
export const FETCH_BATCH_DEFAULT = 100;
export const FETCH_EXPIRES_DEFAULT_MS = 5_000;

/** The kind of the consumers of stream config `sc`'s i-th stream. */
export function consumerKind(con: LoadTestSpec["consumers"], sc: StreamConfig, i: number): ConsumerKind {
  const deliverPolicy = effectiveDeliverPolicy(con.deliver_policy, sc.retention);
  const filterSubjects = con.filter_subjects?.map((f) => f.replaceAll("{}", String(i)));
  const lossScope: LossScope =
    filterSubjects !== undefined || (deliverPolicy !== "new" && deliverPolicy !== "all")
      ? "none"
      : deliverPolicy === "all"
        ? "known"
        : "all";
  return {
    deliverPolicy,
    ...(con.opt_start_seq === undefined ? {} : { optStartSeq: con.opt_start_seq }),
    ...(con.opt_start_time === undefined ? {} : { optStartTime: con.opt_start_time }),
    ...(filterSubjects === undefined ? {} : { filterSubjects }),
    maxDeliver: con.max_deliver ?? -1,
    ...(con.backoff === undefined ? {} : { backoffMs: con.backoff.map((d) => parseDuration(d) ?? 0) }),
    doubleAck: con.double_ack === true,
    lossScope,
    pullMode: con.pull_mode ?? "consume",
    fetchBatch: con.fetch_batch ?? FETCH_BATCH_DEFAULT,
    ...(con.fetch_max_bytes === undefined ? {} : { fetchMaxBytes: con.fetch_max_bytes }),
    fetchExpiresMs: con.fetch_expires_ms ?? FETCH_EXPIRES_DEFAULT_MS,
  };
}
