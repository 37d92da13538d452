// Creates (or binds to) the buckets and the stream of one fleet's control plane. Idempotent and safe when
// many pods start at once: a create that loses the race ("already in use") binds to the winner's bucket.
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { type KV, Kvm, type KvOptions } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { nanos } from "@nats-io/transport-node";
import { isNameInUse, isNotFound } from "../nats/index.ts";
import { type ControlNames, controlNames } from "./names.ts";

export interface ControlPlaneOptions {
  /** Stream / bucket replicas (1 or 3 on a cluster). @default 1 */
  readonly replicas?: number;
  /** Presence entries vanish this long after an agent's last heartbeat (ms). @default 20000 */
  readonly presenceTtlMs?: number;
  /** Earlier configs kept in the config bucket (`ltctl history`). @default 64 */
  readonly configHistory?: number;
  /** Snapshots older than this leave the stats stream and the stats KV (ms). @default 7 days */
  readonly statsMaxAgeMs?: number;
  /** Size bound of the stats stream (bytes; oldest snapshots go first). @default 1 GiB */
  readonly statsMaxBytes?: number;
  /** Timeout of each JetStream API call (ms). @default 5000 */
  readonly timeoutMs?: number;
}

export const CONTROL_DEFAULTS = {
  replicas: 1,
  presenceTtlMs: 20_000,
  configHistory: 64,
  statsMaxAgeMs: 7 * 24 * 3600 * 1000,
  statsMaxBytes: 1024 * 1024 * 1024,
  timeoutMs: 5_000,
} as const;

/** Handles to one fleet's control plane. */
export interface ControlPlane {
  readonly names: ControlNames;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly config: KV;
  readonly agents: KV;
  readonly stats: KV;
}

export async function ensureControlPlane(
  nc: NatsConnection,
  prefix = "lt",
  opts: ControlPlaneOptions = {},
): Promise<ControlPlane> {
  const o = { ...CONTROL_DEFAULTS, ...opts };
  const names = controlNames(prefix);
  const js = jetstream(nc, { timeout: o.timeoutMs });
  const jsm = await jetstreamManager(nc, { timeout: o.timeoutMs });
  const kvm = new Kvm(js);
  const common: Partial<KvOptions> = {
    replicas: o.replicas,
    storage: StorageType.File,
    timeout: o.timeoutMs,
  };
  const [config, agents, stats] = await Promise.all([
    bucket(kvm, names.configBucket, { ...common, history: o.configHistory }),
    bucket(kvm, names.agentsBucket, { ...common, history: 1, ttl: o.presenceTtlMs }),
    bucket(kvm, names.statsBucket, { ...common, history: 1, ttl: o.statsMaxAgeMs }),
    statsStream(jsm, names, o),
  ]);
  return { names, js, jsm, config, agents, stats };
}

async function bucket(kvm: Kvm, name: string, opts: Partial<KvOptions>): Promise<KV> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await kvm.create(name, opts);
    } catch (e) {
      // Another pod created it between our lookup and our create (possibly with other limits): bind to it.
      if (attempt < 3 && isNameInUse(e)) return await kvm.open(name, { timeout: opts.timeout });
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
}

async function statsStream(
  jsm: JetStreamManager,
  names: ControlNames,
  o: Required<ControlPlaneOptions>,
): Promise<void> {
  try {
    await jsm.streams.info(names.statsStream);
    return;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  try {
    await jsm.streams.add({
      name: names.statsStream,
      subjects: [`${names.prefix}.stats.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(o.statsMaxAgeMs),
      max_bytes: o.statsMaxBytes,
      num_replicas: o.replicas,
      duplicate_window: nanos(120_000),
      allow_direct: true,
    });
  } catch (e) {
    if (!isNameInUse(e)) throw e;
  }
}
