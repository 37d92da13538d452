// Reads the newest snapshots from the stats stream without scanning it: find the smallest tail window
// [start, last] that holds `limit` matching messages (an ephemeral consumer's num_pending counts them for us,
// widening the window 8x at a time), then fetch just that window once.
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { parseSnapshot, type Snapshot } from "../stats/index.ts";
import { parseJson } from "./messages.ts";

const FETCH_CHUNK = 1000;

export async function readNewestSnapshots(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  limit: number,
): Promise<Snapshot[]> {
  if (limit <= 0) return [];
  const info = await jsm.streams.info(stream);
  const { first_seq: first, last_seq: last, messages } = info.state;
  if (messages === 0) return [];
  let window = Math.max(limit * 2, 64);
  let start: number;
  let pending: number;
  for (;;) {
    start = Math.max(first, last - window + 1);
    pending = await countFrom(jsm, stream, filter, start);
    if (pending >= limit || start === first) break;
    window *= 8;
  }
  const out: Array<{ s: Snapshot; seq: number }> = [];
  if (pending > 0) {
    const ci = await jsm.consumers.add(stream, consumerConfig(filter, start));
    try {
      const consumer = await js.consumers.get(stream, ci.name);
      let left = pending;
      while (left > 0) {
        const batch = Math.min(left, FETCH_CHUNK);
        const msgs = await consumer.fetch({ max_messages: batch, expires: 2_000 });
        let got = 0;
        for await (const m of msgs) {
          got++;
          const s = parseSnapshot(parseJson(m.string()));
          if (s) out.push({ s, seq: m.seq });
        }
        if (got === 0) break;
        left -= got;
      }
    } finally {
      await jsm.consumers.delete(stream, ci.name).catch(() => {});
    }
  }
  // Newest first by the time the snapshot was taken (a snapshot buffered during an outage arrives late but
  // sorts where it belongs), stream order breaking ties.
  out.sort((a, b) => Date.parse(b.s.ts) - Date.parse(a.s.ts) || b.seq - a.seq);
  return out.slice(0, limit).map((x) => x.s);
}

async function countFrom(
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  start: number,
): Promise<number> {
  const ci = await jsm.consumers.add(stream, consumerConfig(filter, start));
  await jsm.consumers.delete(stream, ci.name).catch(() => {});
  return ci.num_pending;
}

function consumerConfig(filter: string, start: number) {
  return {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: start,
    filter_subject: filter,
    inactive_threshold: nanos(30_000),
    mem_storage: true,
    num_replicas: 1,
  };
}

/**
 * The latest value of every key of a KV bucket under `keyFilter`, read in one pass with an ephemeral
 * last-per-subject consumer. (`kv.keys()` never ends while keys keep changing, as presence does every
 * heartbeat; this reads exactly the messages pending when it starts, plus any newer ones that arrive meanwhile.)
 */
export async function readKvLatest(
  js: JetStreamClient,
  jsm: JetStreamManager,
  bucket: string,
  keyFilter = ">",
): Promise<Map<string, string>> {
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  const ci = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.LastPerSubject,
    filter_subject: `${prefix}${keyFilter}`,
    inactive_threshold: nanos(30_000),
    mem_storage: true,
    num_replicas: 1,
  });
  const out = new Map<string, string>();
  try {
    let left = ci.num_pending;
    if (left === 0) return out;
    const consumer = await js.consumers.get(stream, ci.name);
    while (left > 0) {
      const msgs = await consumer.fetch({ max_messages: Math.min(left, FETCH_CHUNK), expires: 1_000 });
      let got = 0;
      for await (const m of msgs) {
        got++;
        const key = m.subject.slice(prefix.length);
        const op = m.headers?.get("KV-Operation");
        if (op === "DEL" || op === "PURGE") out.delete(key);
        else out.set(key, m.string());
        if (m.info.pending === 0) {
          left = 0;
          break;
        }
      }
      if (got === 0) break;
      if (left > 0) left -= got;
    }
  } finally {
    await jsm.consumers.delete(stream, ci.name).catch(() => {});
  }
  return out;
}
