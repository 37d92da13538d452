// Issue 14, section C: the spec-level `kv` block, a key-value workload on a JetStream KV bucket: clients put,
// get, update (compare-and-set) and delete over a key space, each operation kind on its own open-model rate,
// and an optional watcher. Cross-field rules (JetStream required, the bucket's stream name free) are in
// checkKv below; rules.ts calls it.
import * as v from "valibot";
import type { ConfigIssue } from "./issues.ts";
import { LIMITS } from "./limits.ts";
import { amount, bool, int, nonEmpty } from "./schema-parts.ts";

/** KV and object store bucket names: nats.js' validateBucket allows only these characters. */
export const bucketName = v.pipe(
  nonEmpty(LIMITS.nameLength),
  v.regex(/^[-\w]+$/, (i) => `expected letters, digits, "-" and "_" only (a bucket name), got '${i.input}'`),
);

/** Operations per second of one client (fractions allowed); 0 = none of that kind. */
const opRate = v.optional(amount(LIMITS.publishRate), 0);

/** The key space: keys `k0` .. `k<count-1>`, each operation's key drawn uniformly or Zipf-skewed. */
export const KvKeysSchema = v.strictObject({
  count: v.optional(int(1, LIMITS.kvKeys, "positive"), 1000),
  distribution: v.optional(
    v.picklist(["uniform", "zipf"], (i) => `expected "uniform" or "zipf", got ${i.received}`),
    "uniform",
  ),
  /** Zipf's s: key k (from 0) is drawn with weight 1 / (k + 1)^s. @default 1 */
  zipf_exponent: v.optional(amount(LIMITS.kvZipfExponent), 1),
});

export const KvRatesSchema = v.strictObject({
  put: opRate,
  get: opRate,
  /** Compare-and-set on the last revision this client saw of the key. */
  update: opRate,
  delete: opRate,
});

export const KvConfigSchema = v.strictObject({
  /** The bucket (its stream is `KV_<bucket>`); created when missing, used as it is when it exists. */
  bucket: v.optional(bucketName, "lt_kv"),
  replicas: v.optional(int(1, LIMITS.replicas, "positive; JetStream allows 1..5"), 1),
  storage: v.optional(
    v.picklist(["memory", "file"], (i) => `expected "memory" or "file", got ${i.received}`),
    "memory",
  ),
  /** Revisions kept per key (nats-server allows 1..64). */
  history: v.optional(int(1, LIMITS.kvHistory, "positive"), 1),
  keys: v.optional(KvKeysSchema, {}),
  /** Bytes of every value written (random bytes, made once). */
  value_size_bytes: v.optional(int(1, LIMITS.messageSize, "positive; 64 MiB is the server's ceiling"), 128),
  clients: v.optional(int(1, LIMITS.kvClients, "positive"), 1),
  /** Operations per second per client, per kind; absent: 1000 puts per second. */
  rates: v.optional(KvRatesSchema, { put: 1000 }),
  /** A watcher counting every change of the bucket (`--mode consume` or `both`). */
  watch: v.optional(bool, false),
});

export type KvConfig = v.InferOutput<typeof KvConfigSchema>;

/** Rules of the `kv` and `object_store` blocks that involve the rest of the spec; paths relative to it. */
export function checkBuckets(spec: {
  use_jetstream: boolean;
  streams: readonly { name_prefix: string; count: number }[];
  kv?: KvConfig;
  object_store?: { bucket: string; rates: { put: number; get: number } };
}): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const blocks = [
    { path: "kv", stream: spec.kv && `KV_${spec.kv.bucket}`, what: "a KV bucket" },
    {
      path: "object_store",
      stream: spec.object_store && `OBJ_${spec.object_store.bucket}`,
      what: "an object store",
    },
  ];
  for (const b of blocks) {
    if (b.stream === undefined) continue;
    if (!spec.use_jetstream) {
      issues.push({
        path: b.path,
        message: `${b.what} is a JetStream stream: set "use_jetstream": true (or remove ${b.path})`,
      });
    }
    const name = b.stream;
    const j = spec.streams.findIndex((s) => {
      const i = name.startsWith(`${s.name_prefix}_`) ? name.slice(s.name_prefix.length + 1) : "";
      return /^[1-9]\d*$/.test(i) && Number(i) <= s.count;
    });
    if (j >= 0) {
      issues.push({
        path: `${b.path}.bucket`,
        message: `its stream ${b.stream} is also streams[${j}]'s; pick another bucket name`,
      });
    }
  }
  const kv = spec.kv;
  if (kv !== undefined) {
    const r = kv.rates;
    if (r.put + r.get + r.update + r.delete === 0 && !kv.watch) {
      issues.push({
        path: "kv.rates",
        message:
          "every rate is 0 and watch is false, so the block does nothing: give a rate (ops/s per client)",
      });
    }
    if (kv.value_size_bytes > LIMITS.defaultMaxPayload) {
      warnings.push(
        `kv.value_size_bytes: ${kv.value_size_bytes} bytes exceeds nats-server's default max_payload (1 MiB); the server must allow it`,
      );
    }
  }
  const os = spec.object_store;
  if (os !== undefined && os.rates.put + os.rates.get === 0) {
    issues.push({
      path: "object_store.rates",
      message: "put and get are both 0, so the block does nothing: give a rate (objects/s per client)",
    });
  }
  return { issues, warnings };
}
