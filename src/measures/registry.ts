// The one registry of measurements (the shape of k6's metrics/builtin.go): every counter, latency kind and
// gauge a snapshot carries, declared once. The snapshot schema (src/stats), the engine's counters, the
// threshold vocabulary (src/config), the Prometheus families (src/http), the CSV columns and report rows
// (src/report) and `ltctl run`'s figures (src/cli) are all derived from MEASURES.
//
// To add a counter:
//   1. add one entry below (name is the snake_case wire name; `optional: true`, since older snapshots lack it;
//      place it where it reads best: its position is its column and row order everywhere);
//   2. add the line that increments it in the engine: `metrics.counts.<name>++` on a ShareMetrics
//      (src/engine/metrics.ts), or set it in `Share.sample()` when it is computed at the end.
// Everything else (schema field, threshold name, lt_<name>_total, CSV column, report row) follows.
// A latency kind is the same: one entry of kind "latency", then `recordMs(metrics.hist.<name>, ms)`.
// Wire names never change: a renamed measurement is a new entry, the old one kept (optional) so older
// snapshots still read (see missed_sends -> unsent).

/** What a measurement is: a cumulative count, a latency histogram (recorded in µs, reported in ms), a gauge. */
export type MeasureKind = "counter" | "latency" | "gauge";

/** What one unit of a measurement is (latencies are milliseconds on the wire, seconds in Prometheus). */
export type MeasureUnit = "messages" | "bytes" | "attempts" | "slots" | "samples" | "events" | "ms" | "msg/s";

export interface Measure {
  /** The snake_case wire name (snapshot field, threshold name, CSV column; Prometheus `lt_<name>…`). */
  readonly name: string;
  readonly kind: MeasureKind;
  readonly unit: MeasureUnit;
  /** One sentence: what it counts. Prometheus HELP, report rows, docs. */
  readonly help: string;
  /** Label for people (tables, `ltctl run`). */
  readonly label: string;
  /** Older snapshots may lack it: it parses as absent and merges as 0 (count 0 for a latency kind). */
  readonly optional?: boolean;
  /**
   * Where it sits in a snapshot: top level (default), or under `nats` (the engine's connection figures,
   * which are neither thresholds nor report columns).
   */
  readonly place?: "nats";
  /** Which way is worse when two runs are compared (`ltctl compare`); absent: neither (a volume). */
  readonly worse?: "higher" | "lower";
  /** A counter's run-mean rate (per measured second), named so in thresholds, compare and CSV. */
  readonly rate?: string;
  /** Reported per worker thread too (`workers[]`; a latency kind as `<name>_count`). */
  readonly perWorker?: boolean;
  /** Zero in a healthy run: human tables show it only when it is not 0. */
  readonly quiet?: boolean;
  /** Short column header in the report's totals table; absent: not a column there (it still has a row). */
  readonly column?: string;
  /** The entry that replaced this one: kept so older snapshots read; new agents fill the replacement. */
  readonly replacedBy?: string;
}

export type Registry = readonly Measure[];

export const MEASURES = [
  // Counters: cumulative for the step, summed over pods, in the order tables and CSV show them.
  {
    name: "published",
    kind: "counter",
    unit: "messages",
    label: "published",
    help: "Messages published (sent to the server).",
    rate: "publish_rate",
    perWorker: true,
    column: "published",
  },
  {
    name: "publish_errors",
    kind: "counter",
    unit: "messages",
    label: "publish errors",
    help: "Publishes that failed, in any category (see errors).",
    worse: "higher",
    perWorker: true,
  },
  {
    name: "publish_retries",
    kind: "counter",
    unit: "attempts",
    label: "publish retries",
    help: "JetStream publish attempts repeated after no responders or a silent attempt (same message).",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "publish_duplicates",
    kind: "counter",
    unit: "messages",
    label: "publish duplicates",
    help: "JetStream publishes the server refused as duplicates of a stored message (publishers.dedupe: a repeated Nats-Msg-Id).",
    optional: true,
    quiet: true,
  },
  {
    name: "acked",
    kind: "counter",
    unit: "messages",
    label: "acked",
    help: "Publishes acknowledged by JetStream.",
    perWorker: true,
    column: "acked",
  },
  {
    name: "consumed",
    kind: "counter",
    unit: "messages",
    label: "consumed",
    help: "Messages consumed.",
    rate: "consume_rate",
    perWorker: true,
    column: "consumed",
  },
  {
    name: "acks_sent",
    kind: "counter",
    unit: "messages",
    label: "acks sent",
    help: "Acks sent by consumers.",
  },
  {
    name: "redelivered",
    kind: "counter",
    unit: "messages",
    label: "redelivered",
    help: "Redeliveries (JetStream delivery count above one).",
    worse: "higher",
    column: "redeliv",
  },
  {
    name: "duplicates",
    kind: "counter",
    unit: "messages",
    label: "duplicates",
    help: "Deliveries of a publisher sequence already received.",
    worse: "higher",
    column: "dup",
  },
  {
    name: "lost",
    kind: "counter",
    unit: "messages",
    label: "lost",
    help: "Acknowledged (core NATS: sent) messages that never arrived.",
    worse: "higher",
    perWorker: true,
    column: "lost",
  },
  {
    name: "unconsumed",
    kind: "counter",
    unit: "messages",
    label: "unconsumed",
    help: "Messages still pending for the consumers when the step ended: a backlog, not loss.",
    optional: true,
    worse: "higher",
    perWorker: true,
  },
  {
    name: "unconfirmed_delivered",
    kind: "counter",
    unit: "messages",
    label: "unconfirmed, arrived",
    help: "Publishes counted as failed (no ack before the deadline) that were stored and delivered anyway.",
    optional: true,
    quiet: true,
  },
  {
    name: "out_of_order",
    kind: "counter",
    unit: "messages",
    label: "out of order",
    help: "Messages received below the highest sequence seen of their publisher.",
    worse: "higher",
  },
  {
    name: "unsent",
    kind: "counter",
    unit: "slots",
    label: "unsent",
    help: "Scheduled send slots not sent when the step ended (the client fell behind; counted, never dropped).",
    optional: true,
    worse: "higher",
    perWorker: true,
  },
  {
    name: "missed_sends",
    kind: "counter",
    unit: "slots",
    label: "missed sends",
    help: "Send slots the publisher could not serve on time (older agents; newer ones count unsent).",
    optional: true,
    worse: "higher",
    perWorker: true,
    quiet: true,
    replacedBy: "unsent",
  },
  {
    name: "negative_latency",
    kind: "counter",
    unit: "samples",
    label: "negative e2e",
    help: "End-to-end samples received before their send time (clock skew between hosts).",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "remote_latency",
    kind: "counter",
    unit: "samples",
    label: "remote e2e",
    help: "End-to-end samples of messages another pod (or worker) published: exact only where clocks agree.",
    optional: true,
    quiet: true,
  },
  // Request/reply services (`services`): each request ends as exactly one of a reply, a timeout or no responders.
  {
    name: "requests",
    kind: "counter",
    unit: "messages",
    label: "requests",
    help: "Requests the requesters sent (each ends as a reply, a timeout or no responders).",
    optional: true,
    quiet: true,
    rate: "request_rate",
  },
  {
    name: "replies",
    kind: "counter",
    unit: "messages",
    label: "replies",
    help: "Replies the requesters received within the request timeout.",
    optional: true,
    quiet: true,
    rate: "reply_rate",
  },
  {
    name: "request_timeouts",
    kind: "counter",
    unit: "messages",
    label: "request timeouts",
    help: "Requests unanswered within the request timeout.",
    optional: true,
    quiet: true,
    worse: "higher",
  },
  {
    name: "no_responders",
    kind: "counter",
    unit: "messages",
    label: "no responders",
    help: "Requests the server answered with no responders (nobody listened on the subject).",
    optional: true,
    quiet: true,
    worse: "higher",
  },
  {
    name: "served",
    kind: "counter",
    unit: "messages",
    label: "served",
    help: "Requests the responders answered (their $SRV stats' num_requests, summed).",
    optional: true,
    quiet: true,
    rate: "serve_rate",
  },
  {
    name: "bytes_out",
    kind: "counter",
    unit: "bytes",
    label: "bytes out",
    help: "Payload bytes published.",
    rate: "bytes_out_rate",
    column: "out",
  },
  {
    name: "bytes_in",
    kind: "counter",
    unit: "bytes",
    label: "bytes in",
    help: "Payload bytes consumed.",
    rate: "bytes_in_rate",
    column: "in",
  },
  // The KV workload (`kv`): operations that completed, by kind, and what the watcher saw.
  {
    name: "kv_puts",
    kind: "counter",
    unit: "events",
    label: "kv puts",
    help: "KV puts the server acknowledged.",
    optional: true,
    quiet: true,
    rate: "kv_put_rate",
  },
  {
    name: "kv_gets",
    kind: "counter",
    unit: "events",
    label: "kv gets",
    help: "KV gets that found a value.",
    optional: true,
    quiet: true,
    rate: "kv_get_rate",
  },
  {
    name: "kv_get_misses",
    kind: "counter",
    unit: "events",
    label: "kv get misses",
    help: "KV gets of a key without a value (never written, or deleted).",
    optional: true,
    quiet: true,
  },
  {
    name: "kv_updates",
    kind: "counter",
    unit: "events",
    label: "kv updates",
    help: "KV compare-and-set updates the server accepted.",
    optional: true,
    quiet: true,
    rate: "kv_update_rate",
  },
  {
    name: "kv_cas_conflicts",
    kind: "counter",
    unit: "events",
    label: "kv CAS conflicts",
    help: "KV updates refused because the key changed since the revision the client saw.",
    optional: true,
    quiet: true,
    worse: "higher",
  },
  {
    name: "kv_deletes",
    kind: "counter",
    unit: "events",
    label: "kv deletes",
    help: "KV deletes the server acknowledged.",
    optional: true,
    quiet: true,
    rate: "kv_delete_rate",
  },
  {
    name: "kv_watch_updates",
    kind: "counter",
    unit: "events",
    label: "kv watch updates",
    help: "Changes of the KV bucket its watcher received.",
    optional: true,
    quiet: true,
  },
  // The object store workload (`object_store`): whole objects put and read back, and their bytes.
  {
    name: "obj_puts",
    kind: "counter",
    unit: "events",
    label: "obj puts",
    help: "Objects put into the object store (every chunk and the metadata acknowledged).",
    optional: true,
    quiet: true,
    rate: "obj_put_rate",
  },
  {
    name: "obj_gets",
    kind: "counter",
    unit: "events",
    label: "obj gets",
    help: "Objects read back whole from the object store.",
    optional: true,
    quiet: true,
    rate: "obj_get_rate",
  },
  {
    name: "obj_bytes_put",
    kind: "counter",
    unit: "bytes",
    label: "obj bytes put",
    help: "Object bytes put (objects put x object size).",
    optional: true,
    quiet: true,
    rate: "obj_put_bytes_rate",
  },
  {
    name: "obj_bytes_got",
    kind: "counter",
    unit: "bytes",
    label: "obj bytes got",
    help: "Object bytes read back.",
    optional: true,
    quiet: true,
    rate: "obj_get_bytes_rate",
  },
  // The connection to the NATS under test (snapshot `nats`), summed over the share's connections.
  {
    name: "reconnects",
    kind: "counter",
    unit: "events",
    label: "reconnects",
    help: "Reconnects of the connections to the NATS under test.",
    place: "nats",
  },
  {
    name: "in_msgs",
    kind: "counter",
    unit: "messages",
    label: "messages in",
    help: "Messages the connections to the NATS under test received (protocol level).",
    place: "nats",
  },
  {
    name: "out_msgs",
    kind: "counter",
    unit: "messages",
    label: "messages out",
    help: "Messages the connections to the NATS under test sent (protocol level).",
    place: "nats",
  },
  {
    name: "in_bytes",
    kind: "counter",
    unit: "bytes",
    label: "bytes in (wire)",
    help: "Bytes the connections to the NATS under test received (protocol level).",
    place: "nats",
  },
  {
    name: "out_bytes",
    kind: "counter",
    unit: "bytes",
    label: "bytes out (wire)",
    help: "Bytes the connections to the NATS under test sent (protocol level).",
    place: "nats",
  },
  // Latency kinds: HDR histograms (`hist`, µs) and their summaries (`latency_ms`), in reading order: a
  // publish's response time, its service time, end to end, then how late the client itself sent.
  {
    name: "publish_ack",
    kind: "latency",
    unit: "ms",
    label: "publish ack",
    help: "Publish to JetStream ack (response time: ack minus intended send).",
    worse: "higher",
  },
  {
    name: "publish_service",
    kind: "latency",
    unit: "ms",
    label: "publish service",
    help: "JetStream service time: ack minus the acknowledged attempt's actual send.",
    optional: true,
    worse: "higher",
  },
  {
    name: "end_to_end",
    kind: "latency",
    unit: "ms",
    label: "end to end",
    help: "Publish to consume (receive minus send time, before any consume delay).",
    worse: "higher",
    perWorker: true,
  },
  {
    name: "drain",
    kind: "latency",
    unit: "ms",
    label: "backlog drain",
    help: "Time a consumer took to receive the backlog stored before the run (behavior.prefill_messages), from its start; one sample per consumer.",
    optional: true,
    worse: "higher",
  },
  {
    name: "ack",
    kind: "latency",
    unit: "ms",
    label: "ack confirm",
    help: "Double ack (consumers.double_ack): the server's confirmation of an ack minus the ack's send.",
    optional: true,
    worse: "higher",
  },
  {
    name: "request",
    kind: "latency",
    unit: "ms",
    label: "request",
    help: "Request to reply (reply receipt minus the request's intended send time).",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "send_delay",
    kind: "latency",
    unit: "ms",
    label: "send delay",
    help: "How late this pod sent: actual minus intended send of every publish (the load generator's own lag).",
    optional: true,
    worse: "higher",
    perWorker: true,
  },
  // KV and object store operations: completion minus the operation's intended time (open model).
  {
    name: "kv_put",
    kind: "latency",
    unit: "ms",
    label: "kv put",
    help: "KV put: acknowledged minus intended time.",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "kv_get",
    kind: "latency",
    unit: "ms",
    label: "kv get",
    help: "KV get: answered (value or miss) minus intended time.",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "kv_update",
    kind: "latency",
    unit: "ms",
    label: "kv update",
    help: "KV compare-and-set update: accepted minus intended time (a revision read first included).",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "kv_delete",
    kind: "latency",
    unit: "ms",
    label: "kv delete",
    help: "KV delete: acknowledged minus intended time.",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "obj_put",
    kind: "latency",
    unit: "ms",
    label: "obj put",
    help: "Object put: the whole object acknowledged minus intended time.",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  {
    name: "obj_get",
    kind: "latency",
    unit: "ms",
    label: "obj get",
    help: "Object get: the whole object read minus intended time.",
    optional: true,
    worse: "higher",
    quiet: true,
  },
  // Gauges: rates over the last interval (a final snapshot: the whole measured window); summed over pods.
  {
    name: "publish_rate",
    kind: "gauge",
    unit: "msg/s",
    label: "pub/s",
    help: "Publishes per second over the last interval.",
    worse: "lower",
  },
  {
    name: "consume_rate",
    kind: "gauge",
    unit: "msg/s",
    label: "cons/s",
    help: "Messages consumed per second over the last interval.",
    worse: "lower",
  },
  {
    name: "target_rate",
    kind: "gauge",
    unit: "msg/s",
    label: "target/s",
    help: "Publishes per second the plan asks of this pod: over the last interval, ramp included (a final: the measured window's mean).",
    optional: true,
  },
] as const satisfies Registry;

/**
 * The registry's entries as typed literals (names are literal types, so derived records are exact). For a
 * registry typed only as `Registry`, every view is plain `Measure`.
 */
export type Entry<M extends Registry = typeof MEASURES> = M[number];
type View<M extends Registry, E> = Measure extends Entry<M> ? Measure : E;
/** Top-level counters of a snapshot (summed, thresholds, CSV, report rows). */
export type SnapshotCounterEntry<M extends Registry = typeof MEASURES> = View<
  M,
  Exclude<Extract<Entry<M>, { kind: "counter" }>, { place: "nats" }>
>;
export type NatsCounterEntry<M extends Registry = typeof MEASURES> = View<
  M,
  Extract<Entry<M>, { place: "nats" }>
>;
export type LatencyEntry<M extends Registry = typeof MEASURES> = View<
  M,
  Extract<Entry<M>, { kind: "latency" }>
>;
export type GaugeEntry<M extends Registry = typeof MEASURES> = View<M, Extract<Entry<M>, { kind: "gauge" }>>;

export type SnapshotCounter = SnapshotCounterEntry["name"];
export type NatsCounter = NatsCounterEntry["name"];
export type LatencyKind = LatencyEntry["name"];
export type Gauge = GaugeEntry["name"];
