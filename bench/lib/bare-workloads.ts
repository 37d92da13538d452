// Bare nats.js v3 request/reply and KV loops: the baselines of bench/workloads.ts, written the fastest way the
// public API allows. Request/reply: nats-core 3.4's nc.request() makes, per request, a random token, a deferred
// promise, a timer (util.timeout) and a Map entry on its shared mux; the fastest public way is a hand-made mux,
// one `<inbox>.*` subscription and nc.publish() with a reply subject naming the slot, which makes none of those
// (bareRequests `via: "mux"`; `via: "request"` is the nc.request() loop a user would write first). KV: kv.put /
// kv.get of @nats-io/kv, `inFlight` kept pipelined. Each loop runs a warm-up (JIT, buffers), then counts over
// `durationMs` only, as the engine's side is measured between snapshots after its first second.
import { StorageType } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { newHistogram, type Percentiles, recordMs, summarize } from "../../src/stats/index.ts";
import { type Measurement, measurement } from "./model.ts";

/** How long a loop's stragglers may take to come back after the measured window before the loop gives up. */
const STRAGGLER_MS = 5_000;
const REQUEST_TIMEOUT_MS = 2_000;

const ORIGIN = performance.timeOrigin;
const nowEpoch = () => ORIGIN + performance.now();

async function open(url: string, name: string): Promise<NatsConnection> {
  return await connect({ servers: url, name, noAsyncTraces: true });
}

/** The measured window of a loop: `count()` and this process's CPU read after `warmupMs` and `durationMs` later. */
async function measuredWindow(
  warmupMs: number,
  durationMs: number,
  count: () => number,
  around?: RequestLoop["around"],
): Promise<Measurement> {
  await new Promise((r) => setTimeout(r, warmupMs));
  await around?.before();
  const n0 = count();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const n = count() - n0;
  const cpu = process.cpuUsage(cpu0);
  const m = measurement(n, (performance.now() - t0) / 1000, cpu.user + cpu.system);
  await around?.after();
  return m;
}

/** Resolves once `done()` is true, or after STRAGGLER_MS. */
async function settle(done: () => boolean): Promise<void> {
  const until = performance.now() + STRAGGLER_MS;
  while (!done() && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
}

/** An echo responder in a queue group (m.respond with the request's payload) on its own connection. */
async function responder(url: string, subject: string): Promise<NatsConnection> {
  const nc = await open(url, "bare-responder");
  nc.subscribe(subject, {
    queue: "q",
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  await nc.flush();
  return nc;
}

export interface RequestLoop {
  readonly subject: string;
  readonly size: number;
  /** Requests kept in flight (the engine requester's window). */
  readonly inFlight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly via: "mux" | "request";
  /** Called right before and after the measured window (a profiler's start and stop). */
  readonly around?: { before(): Promise<void>; after(): Promise<void> };
}

/**
 * A closed request loop against an echo responder (two connections in this process): `inFlight` requests out,
 * each reply sending the next. Rate = replies per second over the measured window; errors = failed requests.
 */
export async function bareRequests(url: string, o: RequestLoop): Promise<Measurement> {
  const rc = await responder(url, o.subject);
  const nc = await open(url, "bare-requester");
  const payload = new Uint8Array(o.size);
  let replies = 0;
  let errors = 0;
  let out = 0;
  let stop = false;
  try {
    if (o.via === "mux") {
      const inbox = createInbox();
      nc.subscribe(`${inbox}.*`, {
        callback: (_e, m) => {
          replies++;
          // The reply's subject names the slot: reused at once for the next request.
          if (stop) out--;
          else nc.publish(o.subject, payload, { reply: m.subject });
        },
      });
      for (let i = 0; i < o.inFlight; i++) nc.publish(o.subject, payload, { reply: `${inbox}.${i}` });
      out = o.inFlight;
    } else {
      const one = async () => {
        out++;
        while (!stop) {
          try {
            await nc.request(o.subject, payload, { timeout: REQUEST_TIMEOUT_MS });
            replies++;
          } catch {
            errors++;
          }
        }
        out--;
      };
      for (let i = 0; i < o.inFlight; i++) void one();
    }
    const m = await measuredWindow(o.warmupMs, o.durationMs, () => replies, o.around);
    stop = true;
    await settle(() => out <= 0);
    return errors > 0 ? { ...m, errors } : m;
  } finally {
    await nc.close();
    await rc.close();
  }
}

export interface PacedRequests {
  readonly subject: string;
  readonly size: number;
  /** Requests per second, open model: request k intended at start + k / rate. */
  readonly rate: number;
  readonly seconds: number;
}

/**
 * Requests paced like the engine's requester (open model, a timer sleeping at least 1 ms, the late ones sent at
 * once), over the mux; latency = reply receipt minus intended send time, into the engine's HDR histogram.
 */
export async function barePacedRequests(
  url: string,
  o: PacedRequests,
): Promise<{ sent: number; replies: number; latency: Percentiles }> {
  const rc = await responder(url, o.subject);
  const nc = await open(url, "bare-paced-requester");
  const total = Math.floor(o.rate * o.seconds);
  const intended = new Float64Array(total);
  const h = newHistogram();
  try {
    const inbox = createInbox();
    const prefix = `${inbox}.`;
    let replies = 0;
    nc.subscribe(`${inbox}.*`, {
      callback: (_e, m) => {
        recordMs(h, nowEpoch() - intended[Number(m.subject.slice(prefix.length))]!);
        replies++;
      },
    });
    await nc.flush();
    const payload = new Uint8Array(o.size);
    const start = nowEpoch() + 20;
    const interval = 1000 / o.rate;
    let k = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = nowEpoch();
        while (k < total && start + k * interval <= now) {
          intended[k] = start + k * interval;
          nc.publish(o.subject, payload, { reply: `${prefix}${k}` });
          k++;
        }
        if (k >= total) return resolve();
        setTimeout(tick, Math.max(1, Math.floor(start + k * interval - nowEpoch())));
      };
      tick();
    });
    await settle(() => replies >= total);
    return { sent: k, replies, latency: summarize(h) };
  } finally {
    h.destroy();
    await nc.close();
    await rc.close();
  }
}

export interface KvLoop {
  readonly bucket: string;
  readonly op: "put" | "get";
  readonly size: number;
  /** Keys k0 .. k<keys-1>, used in turn. */
  readonly keys: number;
  /** Operations kept in flight (the engine's KV client window). */
  readonly inFlight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** Creates (or opens) a memory bucket with history 1, as the engine's `kv` block makes by default. */
async function memoryBucket(nc: NatsConnection, bucket: string): Promise<KV> {
  return await new Kvm(nc).create(bucket, { history: 1, storage: StorageType.Memory });
}

/** Puts every key k0 .. k<keys-1> once (untimed: the gets' data). */
export async function fillBucket(url: string, bucket: string, keys: number, size: number): Promise<void> {
  const nc = await open(url, "bare-kv-fill");
  try {
    const kv = await memoryBucket(nc, bucket);
    const value = new Uint8Array(size);
    for (let i = 0; i < keys; i += 256) {
      const batch: Promise<number>[] = [];
      for (let j = i; j < Math.min(keys, i + 256); j++) batch.push(kv.put(`k${j}`, value));
      await Promise.all(batch);
    }
  } finally {
    await nc.close();
  }
}

/**
 * kv.put or kv.get pipelined to `inFlight` on one connection: each answer starts the next operation. Rate =
 * operations answered per second over the measured window; errors = failed operations (a get of a missing key
 * is not one: fill the bucket first).
 */
export async function bareKv(url: string, o: KvLoop): Promise<Measurement> {
  const nc = await open(url, "bare-kv");
  try {
    const kv = await memoryBucket(nc, o.bucket);
    const value = new Uint8Array(o.size);
    let done = 0;
    let errors = 0;
    let next = 0;
    let out = 0;
    let stop = false;
    const ok = () => {
      done++;
      again();
    };
    const bad = () => {
      errors++;
      again();
    };
    const one = () => {
      out++;
      const key = `k${next++ % o.keys}`;
      (o.op === "put" ? kv.put(key, value) : kv.get(key)).then(ok, bad);
    };
    const again = () => {
      out--;
      if (!stop) one();
    };
    for (let i = 0; i < o.inFlight; i++) one();
    const m = await measuredWindow(o.warmupMs, o.durationMs, () => done);
    stop = true;
    await settle(() => out <= 0);
    return errors > 0 ? { ...m, errors } : m;
  } finally {
    await nc.close();
  }
}
