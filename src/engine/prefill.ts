// `behavior.prefill_messages`: a backlog stored in each stream the publishers target before the measured
// window, so consumers with deliver_policy "all" drain it while the live load runs, and the time each took is
// measured (latency kind `drain`, one sample per consumer: from its start until it held the whole backlog).
//
// The backlog is published on the admin connection through nats.js' public js.publish, in windows of
// PREFILL_WINDOW acknowledged publishes, before the shares open: it is setup, not load, so it counts in no
// `published` or `acked`, and a publish that fails ends the step (a backlog with holes would make its drain
// figure and its loss count wrong). Its messages carry the tracking header with their own source id (one per
// step), one publisher index per stream and sequences from 0, without latency tracking (their end-to-end time
// would be the backlog's age): consumers track them like any publisher, so gaps and duplicates show, and the
// loss rule counts them for deliver-all consumers (loss.ts, scope "known").
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ExpandedSpec } from "../config/index.ts";
import type { Logger } from "./api.ts";
import { nowEpoch } from "./clock.ts";
import { newSourceId, PayloadFactory } from "./payload.ts";
import { PREFILL_PUBLISH_TIMEOUT_MS } from "./timings.ts";

/** What the shares need of the step's backlog (plain data: it crosses to worker threads). */
export interface PrefillSpec {
  /** The source id of the backlog's messages. */
  readonly source: number;
  /** Messages stored per stream name. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Publishes in flight per stream while prefilling: acks come back in one round trip per window, so the
 * backlog is stored at tens of thousands of messages per second without an unbounded queue in the client.
 */
const PREFILL_WINDOW = 256;

/**
 * Stores `behavior.prefill_messages` in every stream the publishers target (pods that publish only: a
 * consume-only pod stores nothing). Returns `{ prefill }` for the share spec, or `{}` when there is none.
 */
export async function prefillStreams(
  nc: NatsConnection,
  spec: ExpandedSpec,
  o: { readonly publishing: boolean; readonly signal: AbortSignal; readonly log: Logger },
): Promise<{ prefill?: PrefillSpec }> {
  const n = spec.raw.behavior.prefill_messages ?? 0;
  if (n <= 0 || !o.publishing || !spec.useJetStream) return {};
  const raw = spec.raw;
  const names = new Set<string>();
  for (const sc of raw.streams) {
    if (sc.name_prefix !== raw.publishers.stream_name_prefix) continue;
    for (let i = 1; i <= sc.count; i++) names.add(`${sc.name_prefix}_${i}`);
  }
  const targets = spec.streams.filter((s) => names.has(s.name));
  const source = newSourceId();
  const js = jetstream(nc);
  const started = nowEpoch();
  const stored = await Promise.all(
    targets.map(async (s, pub) => {
      const payloads = new PayloadFactory(raw.publishers.message_size_bytes);
      const subject = concrete(s.subjects[0] ?? s.name);
      let seq = 0;
      while (seq < n && !o.signal.aborted) {
        const batch: Promise<unknown>[] = [];
        for (let k = 0; k < PREFILL_WINDOW && seq < n; k++, seq++) {
          const data = payloads.make(source, pub, seq, nowEpoch(), false);
          batch.push(js.publish(subject, data, { timeout: PREFILL_PUBLISH_TIMEOUT_MS }));
        }
        const failed = (await Promise.allSettled(batch)).find((r) => r.status === "rejected");
        if (failed) {
          throw new Error(
            `behavior.prefill_messages: storing the backlog of stream ${s.name} failed: ${(failed.reason as Error).message}`,
            { cause: failed.reason },
          );
        }
      }
      return [s.name, seq] as const;
    }),
  );
  o.log.info("backlog stored", {
    streams: targets.length,
    per_stream: n,
    seconds: Math.round(nowEpoch() - started) / 1000,
  });
  return { prefill: { source, counts: Object.fromEntries(stored) } };
}

/** A subject inside a stream subject that may hold wildcards: each `*` or `>` token made a literal. */
function concrete(subject: string): string {
  return subject
    .split(".")
    .map((t) => (t === "*" || t === ">" ? "prefill" : t))
    .join(".");
}
