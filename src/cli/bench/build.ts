// `ltctl bench`: nats bench's words turned into an ordinary config (the one `ltctl run` and `ltctl push` take),
// so a bench validates, prints and runs like any other config. Pure: flags in, a config object or the usage
// problem out; the config loader (src/config) then validates it like a file.

/** The verbs, as typed on the command line (nats bench's). */
export const BUILT_VERBS = [
  "pub",
  "sub",
  "js pub",
  "service serve",
  "service request",
  "kv put",
  "kv get",
  "obj put",
  "obj get",
  "js consume",
  "js fetch",
  "js ordered",
] as const;
export type BenchVerb = (typeof BUILT_VERBS)[number];

/** The consumer verbs: their consumer's settings. */
export const CONSUMER_VERBS: Readonly<Record<string, Record<string, unknown>>> = {
  "js consume": { type: "pull", pull_mode: "consume" },
  "js fetch": { type: "pull", pull_mode: "fetch" },
  "js ordered": { type: "ordered", ack_policy: "none" },
};

/** The bench's flags after commander (strings as typed; numbers checked here). */
export interface BenchFlags {
  server?: string;
  msgs?: string;
  duration?: string;
  rate?: string;
  size?: string;
  clients?: string;
  stream?: string;
  create?: boolean;
  storage?: string;
  replicas?: string;
  purge?: boolean;
  dedup?: boolean;
  batch?: string;
  acks?: string;
  doubleack?: boolean;
  bucket?: string;
  history?: string;
  randomize?: boolean;
}

/** nats bench's defaults: 100,000 messages of 128 bytes, one client, as fast as it goes. */
export const BENCH_DEFAULTS = {
  server: "nats://127.0.0.1:4222",
  msgs: 100_000,
  size: 128,
  clients: 1,
  stream: "benchstream",
  /** Seconds: the bound of a counted run, and the length of one that only listens (sub, service serve). */
  countedSeconds: 60,
  listenSeconds: 10,
  /**
   * Rates per client when --rate is not given, for the workloads that only run on an open-model schedule
   * (requests, KV and object store operations: there is no closed loop for them).
   */
  requestRate: 100,
  kvRate: 1000,
  objRate: 5,
  /** nats bench's bucket name; KV keys (without --msgs); objects of 1 MiB, 10 names (without --size, --msgs). */
  bucket: "benchbucket",
  kvKeys: 1000,
  objectSize: 1_048_576,
  objects: 10,
} as const;

/** What a verb builds: the config, and how to run it (messages per client, the seconds it may last). */
export interface BenchPlan {
  readonly verb: BenchVerb;
  readonly subject: string;
  readonly config: Record<string, unknown>;
  /** Stream to purge before a local run (--purge), as the engine names it. */
  readonly purgeStream?: string;
  /** The consumer verbs: a local run deletes their durables first, so each bench replays from the start. */
  readonly freshConsumers?: boolean;
  /** Messages stored before the window (--msgs of a consumer verb): the backlog whose drain is timed. */
  readonly backlog?: number;
}

/** Parses the words after `bench` into a verb and its subject; a string is the usage problem. */
export function parseVerb(words: readonly string[]): { verb: BenchVerb; subject?: string } | string {
  const two = words.slice(0, 2).join(" ");
  const one = words[0] ?? "";
  const known = (BUILT_VERBS as readonly string[]).includes(two)
    ? two
    : (BUILT_VERBS as readonly string[]).includes(one)
      ? one
      : undefined;
  if (known === undefined)
    return `ltctl bench: unknown verb '${words.join(" ")}'; verbs: ${BUILT_VERBS.join(", ")}`;
  const rest = words.slice(known.split(" ").length);
  if (rest.length > 1) return `ltctl bench ${known}: one subject expected, got '${rest.join(" ")}'`;
  return rest[0] === undefined
    ? { verb: known as BenchVerb }
    : { verb: known as BenchVerb, subject: rest[0] };
}

/** A whole number >= min from a flag, or the usage problem naming it. */
function whole(name: string, raw: string | undefined, min: number, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const n = Number(raw.replaceAll("_", "").replaceAll(",", ""));
  if (!Number.isSafeInteger(n) || n < min) return `--${name} must be a whole number >= ${min}, got ${raw}`;
  return n;
}

/** Builds the config of `verb` from `flags`; a string is the usage problem (exit 2). */
export function buildBench(
  verb: BenchVerb,
  subject: string | undefined,
  flags: BenchFlags,
): BenchPlan | string {
  const consumer = CONSUMER_VERBS[verb] !== undefined;
  const store = verb.startsWith("kv ") || verb.startsWith("obj ");
  // Only js pub has a default subject (nats bench's stream subject); kv and obj take none (--bucket instead).
  if (store && subject !== undefined)
    return `ltctl bench ${verb}: takes no SUBJECT (name the bucket with --bucket), got '${subject}'`;
  const subj = subject ?? (verb.startsWith("js ") ? "bench.js" : store ? "bench.store.unused" : undefined);
  if (subj === undefined) return `ltctl bench ${verb}: give the SUBJECT, e.g. ltctl bench ${verb} bench.test`;
  const sizeDefault = verb.startsWith("obj ") ? BENCH_DEFAULTS.objectSize : BENCH_DEFAULTS.size;
  const clients = whole("clients", flags.clients, 1, BENCH_DEFAULTS.clients);
  const size = whole("size", flags.size, 1, sizeDefault);
  const replicas = whole("replicas", flags.replicas, 1, 1);
  const duration = whole("duration", flags.duration, 1, 0);
  const msgs = whole("msgs", flags.msgs, 1, 0);
  const history = whole("history", flags.history, 1, 1);
  for (const x of [clients, size, replicas, duration, msgs, history])
    if (typeof x === "string") return `ltctl bench ${verb}: ${x}`;
  const rate = rateOf(verb, flags.rate);
  if (typeof rate === "string" && rate !== "max") return rate;
  const storage = flags.storage ?? "memory";
  if (storage !== "memory" && storage !== "file")
    return `ltctl bench ${verb}: --storage must be memory or file, got ${storage}`;
  const acks = flags.acks ?? "explicit";
  if (acks !== "explicit" && acks !== "none" && acks !== "all")
    return `ltctl bench ${verb}: --acks must be explicit, none or all, got ${acks}`;
  if (flags.doubleack === true && (!consumer || verb === "js ordered"))
    return `ltctl bench ${verb}: --doubleack applies to the acking consumer verbs (js consume, js fetch)`;
  const batch = whole("batch", flags.batch, 1, 0);
  if (typeof batch === "string") return `ltctl bench ${verb}: ${batch}`;
  if (
    (flags.batch !== undefined && verb !== "js pub" && verb !== "js fetch") ||
    (flags.dedup && verb !== "js pub")
  )
    return `ltctl bench ${verb}: --batch is for js pub and js fetch, --dedup for js pub`;
  if ((flags.bucket !== undefined || flags.history !== undefined) && !store)
    return `ltctl bench ${verb}: --bucket and --history are for the kv and obj verbs`;
  if (flags.history !== undefined && !verb.startsWith("kv "))
    return `ltctl bench ${verb}: --history is a KV bucket's (kv put, kv get)`;
  if (flags.randomize === true && verb !== "pub" && verb !== "js pub")
    return `ltctl bench ${verb}: --randomize sizes the messages of pub and js pub`;
  const o: Resolved = {
    server: flags.server ?? BENCH_DEFAULTS.server,
    subject: subj,
    clients: clients as number,
    size: size as number,
    replicas: replicas as number,
    duration: duration as number,
    msgs: msgs as number,
    rate: rate as number | "max",
    storage,
    acks,
    stream: flags.stream ?? BENCH_DEFAULTS.stream,
    randomize: flags.randomize === true,
    batch: batch as number,
    dedup: flags.dedup === true,
    bucket: flags.bucket ?? BENCH_DEFAULTS.bucket,
    history: history as number,
  };
  switch (verb) {
    case "pub":
      return { verb, subject: o.subject, config: root(publishSpec(o, false)) };
    case "js pub":
      return {
        verb,
        subject: o.subject,
        config: root(publishSpec(o, true)),
        ...(flags.purge ? { purgeStream: `${o.stream}_1` } : {}),
      };
    case "sub":
      return { verb, subject: o.subject, config: root(subscribeSpec(o)) };
    case "service serve":
    case "service request":
      return { verb, subject: o.subject, config: root(serviceSpec(o, verb === "service serve")) };
    case "js consume":
    case "js fetch":
    case "js ordered":
      return {
        verb,
        subject: o.subject,
        config: root(consumeSpec(o, verb, batch || undefined, flags.doubleack === true)),
        freshConsumers: true,
        ...(o.msgs > 0 ? { backlog: o.msgs } : {}),
        ...(flags.purge ? { purgeStream: `${o.stream}_1` } : {}),
      };
    case "kv put":
    case "kv get":
    case "obj put":
    case "obj get":
      return { verb, subject: o.bucket, config: root(storeSpec(o, verb)) };
  }
}

/**
 * `js consume|fetch|ordered [SUBJECT]`: --clients consumers of --stream replaying it from the start
 * (deliver_policy "all") for --duration (default 10 s): what an earlier `js pub` stored, or with --msgs that many
 * messages stored first (behavior.prefill_messages), whose drain is timed. --batch is fetch's batch size,
 * --acks the ack policy, --doubleack waits for each ack's confirmation.
 */
export function consumeSpec(o: Resolved, verb: string, batch: number | undefined, doubleack: boolean) {
  const spec = subscribeSpec(o);
  const kind = CONSUMER_VERBS[verb] ?? {};
  return {
    ...spec,
    name: `bench_${verb.replace(" ", "_")}`,
    use_jetstream: true,
    consumers: {
      ...consumers(o, o.clients, true),
      // A durable per verb: a fetch bench never resumes where a consume bench left off.
      durable_name_prefix: `bench_${verb.slice(3)}`,
      deliver_policy: "all",
      ...kind,
      ...(batch !== undefined && verb === "js fetch" ? { fetch_batch: batch } : {}),
      ...(doubleack ? { double_ack: true } : {}),
    },
    behavior: {
      duration_seconds: o.duration || BENCH_DEFAULTS.listenSeconds,
      ramp_up_seconds: 0,
      ...(o.msgs > 0 ? { prefill_messages: o.msgs } : {}),
    },
  };
}

/** Open-model rates for the verbs that have no closed loop: their default when --rate is absent. */
const OPEN_ONLY: Readonly<Record<string, number>> = {
  "service request": BENCH_DEFAULTS.requestRate,
  "kv put": BENCH_DEFAULTS.kvRate,
  "kv get": BENCH_DEFAULTS.kvRate,
  "obj put": BENCH_DEFAULTS.objRate,
  "obj get": BENCH_DEFAULTS.objRate,
};

/** --rate for `verb`: a whole number, "max" where a closed loop exists, else a usage problem (a string). */
function rateOf(verb: BenchVerb, raw: string | undefined): number | "max" | string {
  const open = OPEN_ONLY[verb];
  if (raw === undefined) return open ?? "max";
  if (raw === "max") {
    return open === undefined
      ? "max"
      : `ltctl bench ${verb}: runs on an open-model schedule only: give --rate N (per client; default ${open})`;
  }
  const n = whole("rate", raw, 1, 0);
  return typeof n === "string" ? `ltctl bench ${verb}: ${n} (or "max")` : n;
}

interface Resolved {
  server: string;
  subject: string;
  clients: number;
  size: number;
  replicas: number;
  duration: number;
  msgs: number;
  rate: number | "max";
  storage: string;
  acks: string;
  stream: string;
  randomize: boolean;
  /** js pub: publishes per batch (0 = the async window) and de-duplication. */
  batch: number;
  dedup: boolean;
  bucket: string;
  history: number;
}

function root(spec: Record<string, unknown>): Record<string, unknown> {
  return { load_test_specs: [spec], stats_collection_interval_seconds: 1 };
}

/** The stream block every spec carries (core NATS subscribes on its subjects; JetStream creates it). */
function stream(o: Resolved): Record<string, unknown> {
  return {
    name_prefix: o.stream,
    count: 1,
    replicas: o.replicas,
    subjects: [o.subject],
    storage: o.storage,
    // Kept until purged (the seed's default max_age of 1m would empty it under a later js consume).
    max_age: "0s",
  };
}

function consumers(o: Resolved, count: number, jetstream: boolean): Record<string, unknown> {
  return {
    stream_name_prefix: o.stream,
    type: jetstream ? "pull" : "push",
    count_per_stream: count,
    durable_name_prefix: "bench",
    ack_wait_seconds: 30,
    max_ack_pending: 10_000,
    ack_policy: jetstream ? o.acks : "none",
  };
}

/**
 * `pub` / `js pub`: --clients publishers; --msgs in total split evenly over them (rounded up), as nats bench
 * does; without --msgs and --duration, nats bench's 100,000. The duration bounds a counted run.
 */
function publishSpec(o: Resolved, jetstream: boolean): Record<string, unknown> {
  const counted = o.msgs > 0 || o.duration === 0;
  const total = o.msgs > 0 ? o.msgs : BENCH_DEFAULTS.msgs;
  return {
    name: jetstream ? "bench_js_pub" : "bench_pub",
    nats_url: o.server,
    use_jetstream: jetstream,
    client_id_prefix: "ltctl-bench",
    streams: [stream(o)],
    publishers: {
      count_per_stream: o.clients,
      stream_name_prefix: o.stream,
      publish_rate_per_second: o.rate,
      publish_pattern: "steady",
      message_size_bytes: o.size,
      track_latency: true,
      ...(counted ? { message_count: Math.ceil(total / o.clients) } : {}),
      // nats bench's --randomize: sizes between zero and --size (ours are raised to the tracking header).
      ...(o.randomize ? { message_size_range: { min_bytes: 1, max_bytes: o.size } } : {}),
      // js pub --batch N: N publishes, then wait for all their acks; --dedup: Nats-Msg-Id on every publish.
      ...(jetstream && o.batch > 0 ? { js_publish: "batch", batch_size: o.batch } : {}),
      ...(jetstream && o.dedup ? { dedupe: true } : {}),
    },
    consumers: consumers(o, 0, jetstream),
    behavior: { duration_seconds: o.duration || BENCH_DEFAULTS.countedSeconds, ramp_up_seconds: 0 },
  };
}

/** `sub`: --clients core subscribers on SUBJECT for --duration, counting what publishers elsewhere send. */
function subscribeSpec(o: Resolved): Record<string, unknown> {
  return {
    name: "bench_sub",
    nats_url: o.server,
    use_jetstream: false,
    client_id_prefix: "ltctl-bench",
    streams: [stream(o)],
    publishers: {
      count_per_stream: 0,
      stream_name_prefix: o.stream,
      publish_rate_per_second: 1,
      publish_pattern: "steady",
      message_size_bytes: o.size,
      track_latency: true,
    },
    consumers: consumers(o, o.clients, false),
    behavior: { duration_seconds: o.duration || BENCH_DEFAULTS.listenSeconds, ramp_up_seconds: 0 },
  };
}

/** `service serve` / `service request`: the services block with responders or requesters on SUBJECT. */
function serviceSpec(o: Resolved, serve: boolean): Record<string, unknown> {
  const spec = subscribeSpec({ ...o, subject: `${o.subject}.unused`, clients: 0 });
  return {
    ...spec,
    name: serve ? "bench_service_serve" : "bench_service_request",
    services: {
      subject: o.subject,
      responders: { count: serve ? o.clients : 0 },
      requesters: {
        count: serve ? 0 : o.clients,
        // serve runs no requesters: their rate is only a valid placeholder.
        rate_per_second: o.rate === "max" ? BENCH_DEFAULTS.requestRate : o.rate,
        message_size_bytes: o.size,
      },
    },
  };
}

/**
 * `kv put|get` / `obj put|get`: the kv or object_store block on --bucket, --clients clients at --rate
 * operations per second each for --duration (default 10 s). --msgs is the key space (KV, default 1,000) or the
 * object names (default 10); --size the value or object size. A JetStream spec needs a stream: an idle one.
 */
function storeSpec(o: Resolved, verb: "kv put" | "kv get" | "obj put" | "obj get"): Record<string, unknown> {
  // Its own idle stream, so a bench stream of another verb (other subjects) is never touched.
  const spec = subscribeSpec({
    ...o,
    clients: 0,
    stream: `${o.bucket}_idle`,
    subject: `bench.${o.bucket}.idle`,
  });
  const kv = verb.startsWith("kv ");
  const op = verb.endsWith("put") ? "put" : "get";
  const block = kv
    ? {
        kv: {
          bucket: o.bucket,
          replicas: o.replicas,
          storage: o.storage,
          history: o.history,
          keys: { count: o.msgs || BENCH_DEFAULTS.kvKeys },
          value_size_bytes: o.size,
          clients: o.clients,
          rates: { [op]: o.rate },
        },
      }
    : {
        object_store: {
          bucket: o.bucket,
          replicas: o.replicas,
          storage: o.storage,
          object_size_bytes: o.size,
          objects: o.msgs || BENCH_DEFAULTS.objects,
          clients: o.clients,
          rates: { [op]: o.rate },
        },
      };
  return { ...spec, name: `bench_${verb.replace(" ", "_")}`, use_jetstream: true, ...block };
}
