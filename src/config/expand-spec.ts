import { parseDuration } from "./duration.ts";
import { type ConsumerKind, consumerKind } from "./expand-consumer.ts";
import { type ExpandedMessages, expandMessages } from "./expand-messages.ts";
import { type PublishMode, publishMode } from "./expand-publish.ts";
import type { LoadTestSpec, StreamConfig } from "./schema.ts";
import { countFields, rateOf } from "./schema-count.ts";
import type { KvConfig } from "./schema-kv.ts";
import type { ObjectStoreConfig } from "./schema-objects.ts";
import type { ServicesConfig } from "./schema-services.ts";
import { splitServers } from "./servers.ts";
import { type ShapePoint, shapeOf } from "./stages.ts";

/** One JetStream stream to create: a StreamConfig's i-th stream, `{}` in its subjects replaced by i. */
export interface ExpandedStream {
  /** `${name_prefix}_${i}`, i from 1. */
  name: string;
  subjects: string[];
  replicas: number;
  retention: StreamConfig["retention"];
  storage: StreamConfig["storage"];
  /** 0 = unlimited. */
  maxAgeMs: number;
  discard: StreamConfig["discard"];
  discardNewPerSubject: boolean;
  /** -1 = unlimited (also for the three below). */
  maxMsgs: number;
  maxBytes: number;
  maxMsgsPerSubject: number;
  maxConsumers: number;
  /** `messages_per_stream_per_second`: 0 = no cap. */
  messagesPerSecondCap: number;
  /** `duplicate_window` in ms; absent = the server's. */
  duplicateWindowMs?: number;
}

/** One publisher (its message fields: expand-messages.ts; its JetStream publish mode: expand-publish.ts). */
export interface ExpandedPublisher extends ExpandedMessages, PublishMode {
  /** `${stream}-p${n}`, n from 1. */
  id: string;
  stream: string;
  /** The stream's first subject. */
  subject: string;
  /** Effective messages per second, after the stream's cap. May be fractional. */
  ratePerSec: number;
  pattern: "steady" | "random";
  burstSize: number;
  messageSize: number;
  trackLatency: boolean;
  /** `message_count`: the publisher stops after this many messages; absent = only the duration ends it. */
  messageCount?: number;
  /** `publish_rate_per_second: "max"`: a closed loop (ratePerSec is then 0: no schedule, no target). */
  closedLoop?: boolean;
}

/** One consumer. */
export interface ExpandedConsumer {
  /** `${stream}-c${n}`, n from 1. */
  id: string;
  stream: string;
  /** `${durable_name_prefix}_${i}_${n}`: i the stream's index (as in its name), n from 1. */
  durableName: string;
  /** "ordered": an ephemeral ordered consumer (nats.js), no durable, no acks (expand-consumer.ts). */
  type: "push" | "pull" | "ordered";
  ackPolicy: "explicit" | "none" | "all";
  ackWaitMs: number;
  maxAckPending: number;
  consumeDelayMs: number;
  filterSubject?: string;
  /** Deliver policy, filters, redelivery limits, double ack, loss scope (expand-consumer.ts); absent = the seed's. */
  kind?: ConsumerKind;
  /** `consumers.queue_group` (core NATS): the stream's consumers share its messages, each reaching one. */
  queueGroup?: string;
}

/**
 * TLS files for the connections to the NATS under test (`tls` of the spec, empty strings left out). Present,
 * even empty, means TLS is required.
 */
export interface ExpandedTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** A spec with everything counted out: what an engine creates and runs. */
export interface ExpandedSpec {
  name: string;
  servers: string[];
  credsFile?: string;
  /** `nats_nkey_file`: a user nkey seed file (the path; the seed is read when a connection opens). */
  nkeyFile?: string;
  tls?: ExpandedTls;
  useJetStream: boolean;
  clientIdPrefix: string;
  durationMs: number;
  rampUpMs: number;
  /** `behavior.stages` as a curve of shares of each publisher's rate; absent = the ramp (rampUpMs). */
  shape?: ShapePoint[];
  streams: ExpandedStream[];
  publishers: ExpandedPublisher[];
  consumers: ExpandedConsumer[];
  /** Request/reply services (`services`), as validated: core NATS whatever useJetStream says. */
  services?: ServicesConfig;
  /** The KV workload (`kv`), as validated. */
  kv?: KvConfig;
  /** The object store workload (`object_store`), as validated. */
  objectStore?: ObjectStoreConfig;
  /** The validated spec (after multipliers for repeat iterations). */
  raw: LoadTestSpec;
}

/** Expands one validated spec; `warnings` say where a stream cap scales publishers down. */
export function expandSpec(spec: LoadTestSpec, where: string): { spec: ExpandedSpec; warnings: string[] } {
  const warnings: string[] = [];
  const { publishers: pub, consumers: con } = spec;
  const streams: ExpandedStream[] = [];
  const publishers: ExpandedPublisher[] = [];
  const consumers: ExpandedConsumer[] = [];
  spec.streams.forEach((sc, j) => {
    const targeted = sc.name_prefix === pub.stream_name_prefix;
    const total = pub.count_per_stream * rateOf(pub.publish_rate_per_second);
    const cap = sc.messages_per_stream_per_second;
    let rate = rateOf(pub.publish_rate_per_second);
    if (targeted && pub.count_per_stream > 0 && cap > 0 && cap < total) {
      rate = cap / pub.count_per_stream;
      warnings.push(
        `${where}.streams[${j}]: messages_per_stream_per_second ${cap} is below ${pub.count_per_stream} publishers x ${pub.publish_rate_per_second}/s = ${total}/s; each publisher is scaled down to ${round(rate)}/s`,
      );
    }
    for (let i = 1; i <= sc.count; i++) {
      const name = `${sc.name_prefix}_${i}`;
      const subjects = sc.subjects.map((s) => s.replaceAll("{}", String(i)));
      streams.push({
        name,
        subjects,
        replicas: sc.replicas,
        retention: sc.retention,
        storage: sc.storage,
        maxAgeMs: parseDuration(sc.max_age) ?? 0,
        discard: sc.discard,
        discardNewPerSubject: sc.discard_new_per_subject,
        maxMsgs: sc.max_msgs,
        maxBytes: sc.max_bytes,
        maxMsgsPerSubject: sc.max_msgs_per_subject,
        maxConsumers: sc.max_consumers,
        messagesPerSecondCap: cap,
        ...(sc.duplicate_window === undefined
          ? {}
          : { duplicateWindowMs: parseDuration(sc.duplicate_window) }),
      });
      if (targeted) {
        const messages = expandMessages(pub, i, subjects[0] as string);
        for (let n = 1; n <= pub.count_per_stream; n++) {
          publishers.push({
            id: `${name}-p${n}`,
            stream: name,
            ratePerSec: rate,
            pattern: pub.publish_pattern,
            burstSize: pub.publish_burst_size,
            trackLatency: pub.track_latency,
            ...countFields(pub),
            ...publishMode(pub),
            ...messages,
          });
        }
      }
      if (sc.name_prefix === con.stream_name_prefix) {
        for (let n = 1; n <= con.count_per_stream; n++) {
          consumers.push({
            id: `${name}-c${n}`,
            stream: name,
            durableName: `${con.durable_name_prefix}_${i}_${n}`,
            type: con.type,
            ackPolicy: con.ack_policy,
            ackWaitMs: con.ack_wait_seconds * 1000,
            maxAckPending: con.max_ack_pending,
            consumeDelayMs: con.consume_delay_ms,
            kind: consumerKind(con, sc, i),
            ...(con.queue_group === undefined ? {} : { queueGroup: con.queue_group }),
          });
        }
      }
    }
  });
  const expanded: ExpandedSpec = {
    name: spec.name,
    servers: splitServers(spec.nats_url),
    useJetStream: spec.use_jetstream,
    clientIdPrefix: spec.client_id_prefix,
    durationMs: spec.behavior.duration_seconds * 1000,
    rampUpMs: spec.behavior.ramp_up_seconds * 1000,
    streams,
    publishers,
    consumers,
    raw: spec,
  };
  const shape = shapeOf(spec.behavior, rateOf(pub.publish_rate_per_second));
  if (shape !== undefined) expanded.shape = shape;
  if (spec.services !== undefined) expanded.services = spec.services;
  if (spec.kv !== undefined) expanded.kv = spec.kv;
  if (spec.object_store !== undefined) expanded.objectStore = spec.object_store;
  if (spec.nats_creds_file !== "") expanded.credsFile = spec.nats_creds_file;
  if (spec.nats_nkey_file !== "") expanded.nkeyFile = spec.nats_nkey_file;
  if (spec.tls !== undefined) {
    const { ca_file, cert_file, key_file } = spec.tls;
    expanded.tls = {
      ...(ca_file !== "" ? { caFile: ca_file } : {}),
      ...(cert_file !== "" ? { certFile: cert_file } : {}),
      ...(key_file !== "" ? { keyFile: key_file } : {}),
    };
  }
  return { spec: expanded, warnings };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
