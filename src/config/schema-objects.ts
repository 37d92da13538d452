// Issue 14, section C: the spec-level `object_store` block, puts and gets of whole objects of one size on a
// JetStream object store, each on its own open-model rate per client. Its cross-field rules are in
// schema-kv.ts (checkBuckets), beside the KV block's.
import * as v from "valibot";
import { LIMITS } from "./limits.ts";
import { bucketName } from "./schema-kv.ts";
import { amount, int } from "./schema-parts.ts";

/** Objects per second of one client (fractions allowed); 0 = none of that kind. */
const objRate = v.optional(amount(LIMITS.objectRate), 0);

export const ObjectStoreConfigSchema = v.strictObject({
  /** The bucket (its stream is `OBJ_<bucket>`); created when missing, used as it is when it exists. */
  bucket: v.optional(bucketName, "lt_obj"),
  replicas: v.optional(int(1, LIMITS.replicas, "positive; JetStream allows 1..5"), 1),
  storage: v.optional(
    v.picklist(["memory", "file"], (i) => `expected "memory" or "file", got ${i.received}`),
    "memory",
  ),
  /** Bytes of every object put (random bytes, made once). */
  object_size_bytes: v.optional(int(1, LIMITS.objectSize, "positive"), 1_048_576),
  /** The client splits each object into messages of at most this many bytes. */
  chunk_size_bytes: v.optional(
    int(1, LIMITS.messageSize, "positive; 64 MiB is the server's ceiling"),
    131_072,
  ),
  /** Object names (`obj-0` .. `obj-<objects-1>`) puts and gets go round. */
  objects: v.optional(int(1, LIMITS.objects, "positive"), 10),
  clients: v.optional(int(1, LIMITS.objectClients, "positive"), 1),
  /** Objects per second per client, per kind; absent: 5 puts per second. */
  rates: v.optional(v.strictObject({ put: objRate, get: objRate }), { put: 5 }),
});

export type ObjectStoreConfig = v.InferOutput<typeof ObjectStoreConfigSchema>;
