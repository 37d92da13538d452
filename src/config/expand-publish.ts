// A publisher's JetStream publish mode as the engine applies it (schema-jetstream.ts): how it waits for acks and
// whether its messages carry `Nats-Msg-Id`. Fields are left out when they keep today's behaviour.
import type { LoadTestSpec } from "./schema.ts";

/** Publishes of one batch when `batch_size` is not given. */
export const BATCH_SIZE_DEFAULT = 100;

export interface PublishMode {
  /** "sync": one publish in flight per publisher; "batch": `batchSize`, then all acks; absent: async. */
  readonly jsPublish?: "sync" | "batch";
  readonly batchSize?: number;
  /** Messages carry `Nats-Msg-Id` (`<source>.<publisher>.<sequence>`, the same on a retry). */
  readonly dedupe?: boolean;
}

export function publishMode(pub: LoadTestSpec["publishers"]): PublishMode {
  const mode = pub.js_publish ?? "async";
  return {
    ...(mode === "async" ? {} : { jsPublish: mode }),
    ...(mode === "batch" ? { batchSize: pub.batch_size ?? BATCH_SIZE_DEFAULT } : {}),
    ...(pub.dedupe === true ? { dedupe: true } : {}),
  };
}
