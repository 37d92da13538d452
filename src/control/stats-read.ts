// Reads the newest snapshots from the stats stream without scanning it: find the smallest tail window
// [start, last] that holds `limit` matching messages (an ephemeral consumer's num_pending counts them for us,
// widening the window 8x at a time), then fetch just that window once.
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { parseSnapshot, type Snapshot } from "../stats/index.ts";
import { parseJson } from "./messages.ts";
import { histProblem, type OnSkip, rememberOrigin } from "./snapshot-check.ts";

/** A stats message as a usable snapshot, or why not (the reader skips it and says where). */
export function readSnapshot(text: string): Snapshot | string {
  const json = parseJson(text);
  if (json === undefined) return "not JSON";
  const s = parseSnapshot(json);
  if (!s) return "not a snapshot (its fields do not match the snapshot schema)";
  return histProblem(s) ?? s;
}

const FETCH_CHUNK = 1000;

export async function readNewestSnapshots(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  limit: number,
  onSkip?: OnSkip,
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
          // A malformed message is skipped and reported, never fatal: the others are still read.
          const s = readSnapshot(m.string());
          if (typeof s === "string") onSkip?.({ subject: m.subject, seq: m.seq, reason: s });
          else {
            rememberOrigin(s, m.subject, m.seq);
            out.push({ s, seq: m.seq });
          }
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
 * The latest value of every key of a KV bucket under `keyFilter`. Stream info with a subjects filter lists the
 * keys that exist (with their counts), then each key's last message is read directly. Exact while keys keep
 * changing: an ephemeral last-per-subject consumer missed about one read in four here when a key was rewritten
 * between its creation and its delivery (presence changes every heartbeat), and `kv.keys()` never ends then.
 */
export async function readKvLatest(
  jsm: JetStreamManager,
  bucket: string,
  keyFilter = ">",
): Promise<Map<string, string>> {
  const entries = await readKvLatestEntries(jsm, bucket, keyFilter);
  return new Map([...entries].map(([k, e]) => [k, e.text]));
}

/** Like {@link readKvLatest}, with each value's revision (for warnings that name where a bad value is). */
export async function readKvLatestEntries(
  jsm: JetStreamManager,
  bucket: string,
  keyFilter = ">",
): Promise<Map<string, { text: string; revision: number }>> {
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}${keyFilter}` });
  const subjects = Object.keys(info.state.subjects ?? {});
  const out = new Map<string, { text: string; revision: number }>();
  for (let i = 0; i < subjects.length; i += KV_READ_PARALLEL) {
    const chunk = subjects.slice(i, i + KV_READ_PARALLEL);
    const msgs = await Promise.all(
      chunk.map((subject) =>
        // A key deleted or purged since the listing reads as gone, as it now is.
        jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null),
      ),
    );
    for (const m of msgs) {
      if (!m) continue;
      const op = m.header?.get("KV-Operation");
      if (op === "DEL" || op === "PURGE") continue;
      out.set(m.subject.slice(prefix.length), { text: m.string(), revision: m.seq });
    }
  }
  return out;
}

/** Keys read at once by readKvLatest: enough to answer 100 pods in one round trip, bounded for thousands. */
const KV_READ_PARALLEL = 128;
