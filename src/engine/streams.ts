// Streams and durable consumers on the NATS under test: every ExpandedStream field mapped onto JetStream.
// An existing stream with the same config is used as is; with a different one it is updated (its duplicate
// window lowered to max_age when it is longer, as the server does on create), and when the server refuses,
// the error names the stream and the fields that differ. A durable consumer of ours with a different config
// is updated, or deleted and created again when the server cannot change it (type, ack policy, or where it
// starts: deliver policy and its start sequence or time): it belongs to the load tester.
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import type { ConsumerKind, ExpandedConsumer, ExpandedStream } from "../config/index.ts";
import { isNotFound } from "../nats/index.ts";

const NS_PER_MS = 1_000_000;

export function streamConfig(s: ExpandedStream): Partial<StreamConfig> & { name: string } {
  const window =
    s.duplicateWindowMs === undefined
      ? {}
      : { duplicate_window: Math.round(s.duplicateWindowMs * NS_PER_MS) };
  return {
    ...window,
    name: s.name,
    subjects: [...s.subjects],
    retention:
      s.retention === "interest"
        ? RetentionPolicy.Interest
        : s.retention === "workqueue"
          ? RetentionPolicy.Workqueue
          : RetentionPolicy.Limits,
    storage: s.storage === "file" ? StorageType.File : StorageType.Memory,
    num_replicas: s.replicas,
    max_age: s.maxAgeMs * NS_PER_MS,
    discard: s.discard === "new" ? DiscardPolicy.New : DiscardPolicy.Old,
    discard_new_per_subject: s.discard === "new" && s.discardNewPerSubject,
    max_msgs: s.maxMsgs,
    max_bytes: s.maxBytes,
    max_msgs_per_subject: s.maxMsgsPerSubject,
    max_consumers: s.maxConsumers,
  };
}

/** Fields of `want` whose value differs on the server. */
function differences(want: Record<string, unknown>, have: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(want)) {
    const h = have[k];
    const same = Array.isArray(v)
      ? JSON.stringify([...v].sort()) === JSON.stringify([...((h as unknown[]) ?? [])].sort())
      : (h ?? false) === v;
    if (!same) out.push(`${k} (server: ${JSON.stringify(h)}, config: ${JSON.stringify(v)})`);
  }
  return out;
}

/** Creates the stream or brings it to the config. Returns true when this call created it. */
export async function ensureStream(jsm: JetStreamManager, s: ExpandedStream): Promise<boolean> {
  const want = streamConfig(s);
  let have: StreamConfig | undefined;
  try {
    have = (await jsm.streams.info(s.name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw new Error(`stream ${s.name}: ${(err as Error).message}`, { cause: err });
  }
  if (!have) {
    try {
      await jsm.streams.add(want);
      return true;
    } catch (err) {
      throw new Error(`stream ${s.name}: create failed: ${(err as Error).message}`, { cause: err });
    }
  }
  const diff = differences(want, have as unknown as Record<string, unknown>);
  if (diff.length === 0) return false;
  // On create the server caps the duplicate window (default 2 min) at max_age; on update it keeps the
  // stream's window and refuses a max_age below it, so a stream made with max_age 0 could not take our 1m.
  const update: Partial<StreamConfig> = { ...want };
  if (
    want.duplicate_window === undefined &&
    want.max_age &&
    want.max_age > 0 &&
    (have.duplicate_window ?? 0) > want.max_age
  )
    update.duplicate_window = want.max_age;
  try {
    await jsm.streams.update(s.name, update);
  } catch (err) {
    throw new Error(
      `stream ${s.name} exists with a different config and the server refused to update it (${(err as Error).message}): ${diff.join("; ")}`,
      { cause: err },
    );
  }
  return false;
}

export function consumerConfig(c: ExpandedConsumer): Partial<ConsumerConfig> & { durable_name: string } {
  const cfg: Partial<ConsumerConfig> & { durable_name: string } = {
    durable_name: c.durableName,
    ack_policy:
      c.ackPolicy === "none" ? AckPolicy.None : c.ackPolicy === "all" ? AckPolicy.All : AckPolicy.Explicit,
    ack_wait: c.ackWaitMs * NS_PER_MS,
    deliver_policy: DeliverPolicy.New,
  };
  if (c.ackPolicy !== "none") cfg.max_ack_pending = c.maxAckPending;
  if (c.filterSubject) cfg.filter_subject = c.filterSubject;
  if (c.kind) Object.assign(cfg, kindConfig(c.kind));
  if (c.type === "push") cfg.deliver_subject = deliverSubject(c);
  return cfg;
}

/**
 * The consumer config of a kind (expand-consumer.ts). One filter goes as `filter_subject` (every server), several
 * as `filter_subjects` (nats-server 2.10+; nats.js refuses them on older servers, failing the step with its
 * reason). With a backoff the server waits its first delay for an ack instead of ack_wait, and reports it so:
 * ack_wait is set to it, so an unchanged consumer compares equal.
 */
function kindConfig(k: ConsumerKind): Partial<ConsumerConfig> {
  const cfg: Partial<ConsumerConfig> = { deliver_policy: k.deliverPolicy as DeliverPolicy };
  if (k.optStartSeq !== undefined) cfg.opt_start_seq = k.optStartSeq;
  if (k.optStartTime !== undefined) cfg.opt_start_time = k.optStartTime;
  const f = k.filterSubjects;
  if (f?.length === 1) cfg.filter_subject = f[0];
  else if (f !== undefined) cfg.filter_subjects = [...f];
  if (k.maxDeliver !== -1) cfg.max_deliver = k.maxDeliver;
  if (k.backoffMs !== undefined) {
    cfg.backoff = k.backoffMs.map((ms) => Math.round(ms * NS_PER_MS));
    cfg.ack_wait = cfg.backoff[0];
  }
  return cfg;
}

/** Where a durable starts cannot be updated: a change makes it anew (it belongs to the load tester). */
function startChanged(want: Partial<ConsumerConfig>, have: ConsumerConfig): boolean {
  const time = (t: string | undefined) => (t === undefined ? undefined : Date.parse(t));
  return (
    (have.deliver_policy ?? DeliverPolicy.All) !== want.deliver_policy ||
    (have.opt_start_seq || undefined) !== want.opt_start_seq ||
    time(have.opt_start_time) !== time(want.opt_start_time)
  );
}

export function deliverSubject(c: ExpandedConsumer): string {
  return `_lt.deliver.${c.stream}.${c.durableName}`;
}

export async function ensureConsumer(jsm: JetStreamManager, c: ExpandedConsumer): Promise<void> {
  // An ordered consumer is ephemeral: nats.js makes it when the share starts consuming.
  if (c.type === "ordered") return;
  const want = consumerConfig(c);
  let have: ConsumerConfig | undefined;
  try {
    have = (await jsm.consumers.info(c.stream, c.durableName)).config;
  } catch (err) {
    if (!isNotFound(err))
      throw new Error(`consumer ${c.stream}/${c.durableName}: ${(err as Error).message}`, { cause: err });
  }
  const where = `consumer ${c.stream}/${c.durableName}`;
  if (have) {
    const { deliver_policy: _dp, opt_start_seq: _seq, opt_start_time: _time, ...comparable } = want;
    const diff = differences(comparable, have as unknown as Record<string, unknown>);
    const restart = startChanged(want, have);
    if (diff.length === 0 && !restart) return;
    const typeChanged =
      Boolean(have.deliver_subject) !== Boolean(want.deliver_subject) ||
      have.ack_policy !== want.ack_policy ||
      restart;
    if (!typeChanged) {
      try {
        await jsm.consumers.update(c.stream, c.durableName, want);
        return;
      } catch {
        // fall through: recreate
      }
    }
    await jsm.consumers.delete(c.stream, c.durableName);
  }
  try {
    await jsm.consumers.add(c.stream, want);
  } catch (err) {
    throw new Error(`${where}: create failed: ${(err as Error).message}`, { cause: err });
  }
}
