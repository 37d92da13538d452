// The KV workload (`kv`) against a real nats-server: every operation the schedule asked is accounted for, and the
// counts equal the bucket's own figures (its stream's sequence and message count, kv.status()).
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import type { Snapshot } from "../../src/stats/index.ts";
import { startCluster, startServer } from "../harness/index.ts";
import { countAbove, errorOf, nowEpoch, run } from "./engine-helpers.ts";

const SECONDS = 2;

/** A spec whose only load is its `kv` block (the seed's tables are required: a stream without clients). */
function kvSpec(url: string, name: string, kv: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const prefix = name.toUpperCase();
  return {
    name,
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: `lt-${name}`,
    streams: [{ name_prefix: prefix, count: 1, replicas: 1, subjects: [`${name}.{}`] }],
    publishers: {
      count_per_stream: 0,
      stream_name_prefix: prefix,
      publish_rate_per_second: 1,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: false,
    },
    consumers: {
      stream_name_prefix: prefix,
      type: "pull",
      count_per_stream: 0,
      durable_name_prefix: name,
      ack_wait_seconds: 5,
      max_ack_pending: 100,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: SECONDS, ramp_up_seconds: 0 },
    kv,
    ...extra,
  };
}

const errorsOf = (f: Snapshot) => Object.values(f.errors).reduce((a, n) => a + n, 0);
const c = (f: Snapshot, name: string) => (f as unknown as Record<string, number>)[name] ?? 0;
const latencyCount = (f: Snapshot, kind: string) =>
  (f.latency_ms as Record<string, { count: number } | undefined>)[kind]?.count ?? 0;

async function bucketState(url: string, bucket: string) {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const si = await jsm.streams.info(`KV_${bucket}`);
    const status = await (await new Kvm(nc).open(bucket)).status();
    return {
      messages: si.state.messages,
      lastSeq: si.state.last_seq,
      values: status.values,
      config: si.config,
    };
  } finally {
    await nc.close();
  }
}

test("engine kv - puts, gets and deletes add up to the schedule and to the bucket's stream, and the watcher sees every write", async () => {
  await using server = await startServer();
  const kv = {
    bucket: "kv_mix",
    history: 64,
    keys: { count: 50 },
    clients: 2,
    rates: { put: 100, get: 50, delete: 10 },
    watch: true,
  };
  const { finals } = await run([kvSpec(server.url, "kvmix", kv)]);
  const f = finals[0]!;
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(errorsOf(f), 0, JSON.stringify(f.errors));
  assert.equal(f.unsent ?? 0, 0);
  // Steady schedules: rate x duration slots per client and kind, every one done.
  assert.equal(c(f, "kv_puts"), 2 * 100 * SECONDS);
  assert.equal(c(f, "kv_gets") + c(f, "kv_get_misses"), 2 * 50 * SECONDS);
  assert.equal(c(f, "kv_deletes"), 2 * 10 * SECONDS);
  assert.ok(c(f, "kv_get_misses") > 0, "some gets find a key not written yet or deleted");
  assert.ok(c(f, "kv_gets") > 0);
  const writes = c(f, "kv_puts") + c(f, "kv_deletes");
  const st = await bucketState(server.url, "kv_mix");
  // history 64 keeps every revision of 50 keys (about 9 writes each): each write is one message.
  assert.equal(st.lastSeq, writes, "the bucket's last revision is the writes made");
  assert.equal(st.messages, writes);
  assert.equal(st.values, st.messages, "kv.status() agrees with the stream");
  assert.equal(c(f, "kv_watch_updates"), writes, "the watcher received every write");
  for (const [kind, counter] of [
    ["kv_put", "kv_puts"],
    ["kv_delete", "kv_deletes"],
  ] as const)
    assert.equal(latencyCount(f, kind), c(f, counter), kind);
  assert.equal(latencyCount(f, "kv_get"), c(f, "kv_gets") + c(f, "kv_get_misses"));
});

test("engine kv - two clients updating three keys conflict, and every update is done, a conflict or an error", async () => {
  await using server = await startServer();
  const kv = { bucket: "kv_cas", keys: { count: 3 }, clients: 2, rates: { update: 100 } };
  const { finals } = await run([kvSpec(server.url, "kvcas", kv)]);
  const f = finals[0]!;
  assert.equal(f.phase, "done", errorOf(f));
  const scheduled = 2 * 100 * SECONDS;
  assert.equal(c(f, "kv_updates") + c(f, "kv_cas_conflicts") + errorsOf(f) + (f.unsent ?? 0), scheduled);
  assert.equal(errorsOf(f), 0, JSON.stringify(f.errors));
  assert.ok(c(f, "kv_cas_conflicts") > 0, "the other client's writes make revisions stale");
  assert.ok(c(f, "kv_updates") > 0);
  // A refused compare-and-set stores nothing: the bucket's revisions are the accepted updates.
  const st = await bucketState(server.url, "kv_cas");
  assert.equal(st.lastSeq, c(f, "kv_updates"));
  assert.equal(latencyCount(f, "kv_update"), c(f, "kv_updates"));
});

test("engine kv - a publish pod runs the operations, a consume pod the watcher; over worker threads it runs once", async () => {
  await using server = await startServer();
  // history 64 keeps every revision (3 per key): a watcher behind a busy event loop still finds each one.
  const kv = {
    bucket: "kv_split",
    history: 64,
    keys: { count: 100 },
    clients: 3,
    rates: { put: 50 },
    watch: true,
  };
  // Two streams with publishers, so two worker threads: the kv block must run in one of them only.
  const spec = kvSpec(server.url, "kvsplit", kv, {
    streams: [{ name_prefix: "KVSPLIT", count: 2, replicas: 1, subjects: ["kvsplit.{}"] }],
  });
  (spec.publishers as Record<string, unknown>).count_per_stream = 1;
  (spec.publishers as Record<string, unknown>).publish_rate_per_second = 20;
  // The consume pod watches until the publish pod is done (worker threads take a while to start), then stops.
  const stop = new AbortController();
  const watching = run(
    [{ ...spec, client_id_prefix: "lt-kvsplit-c", behavior: { duration_seconds: 60, ramp_up_seconds: 0 } }],
    { mode: "consume", pod: "con", signal: stop.signal },
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const pub = await run([spec], { mode: "publish", pod: "pub", workers: 2 });
  stop.abort();
  const con = await watching;
  const p = pub.finals[0]!;
  const w = con.finals[0]!;
  assert.equal(p.phase, "done", errorOf(p));
  assert.equal(w.phase, "stopped", errorOf(w));
  assert.equal((p as { workers?: unknown[] }).workers?.length, 2, "two worker threads");
  assert.equal(
    c(p, "kv_puts") + (p.unsent ?? 0) + errorsOf(p),
    3 * 50 * SECONDS,
    "the block ran in one share",
  );
  assert.equal(c(p, "kv_watch_updates"), 0, "no watcher in publish mode");
  assert.equal(c(w, "kv_puts"), 0, "no operations in consume mode");
  const st = await bucketState(server.url, "kv_split");
  assert.equal(st.lastSeq, c(p, "kv_puts"));
  assert.equal(c(w, "kv_watch_updates"), c(p, "kv_puts"), "the consume pod's watcher saw every put");
});

test("engine kv - puts on an R3 bucket of a three-node cluster equal its stream", async () => {
  await using cluster = await startCluster(3);
  const kv = {
    bucket: "kv_r3",
    replicas: 3,
    storage: "file",
    keys: { count: 100 },
    clients: 2,
    rates: { put: 100 },
  };
  const { finals } = await run([kvSpec(cluster.urls, "kvr3", kv)]);
  const f = finals[0]!;
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(errorsOf(f), 0, JSON.stringify(f.errors));
  assert.equal(c(f, "kv_puts"), 2 * 100 * SECONDS);
  const st = await bucketState(cluster.urls, "kv_r3");
  assert.equal(st.config.num_replicas, 3);
  assert.equal(st.config.storage, "file");
  assert.equal(st.lastSeq, c(f, "kv_puts"));
  // history 1: one message per key written.
  assert.ok(st.messages <= 100 && st.messages > 0);
});

test("engine kv - a value over the server's max_payload ends the step once, naming kv.value_size_bytes", async () => {
  await using server = await startServer({ extraConfig: "max_payload: 65536\n" });
  const kv = { bucket: "kv_big", value_size_bytes: 100_000, rates: { put: 10 } };
  const { finals } = await run([kvSpec(server.url, "kvbig", kv)]);
  const f = finals[0]!;
  assert.equal(f.phase, "error");
  assert.match(errorOf(f), /kv\.value_size_bytes 100000 exceeds the server's max_payload of 65536/);
  assert.equal(c(f, "kv_puts"), 0);
  assert.equal(errorsOf(f), 1, "counted once, not per operation");
});

test("engine kv - a watcher of a bucket with earlier changes and no new ones counts none and does not wait for them", async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  const kv = await new Kvm(nc).create("kv_idle");
  for (let i = 0; i < 5; i++) await kv.put(`k${i}`, "x");
  await nc.close();
  const started = Date.now();
  const { finals } = await run(
    [kvSpec(server.url, "kvidle", { bucket: "kv_idle", rates: { put: 0 }, watch: true })],
    {
      mode: "consume",
    },
  );
  const f = finals[0]!;
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(c(f, "kv_watch_updates"), 0);
  assert.equal(errorsOf(f), 0);
  // The step lasts its 2 s plus the start lead and the 1 s late-send grace (~3.5 s); waiting for revisions the
  // watcher never gets would add its 5 s catch-up bound (~8.5 s). 7 s leaves a busy machine 3.5 s.
  assert.ok(Date.now() - started < 7_000, `${Date.now() - started} ms`);
});

/** The freeze of the open-model test: well inside the run, longer than the client's in-flight bound lasts. */
const STALL_MS = 1_500;
/** Puts per second: 600 slots fall in the freeze, more than the 256 a client keeps in flight. */
const STALL_RATE = 400;
/** SIGSTOP / SIGCONT land within some ms of our clock reading on a busy machine. */
const SIGNAL_SLACK_MS = 100;

test("engine kv - a frozen server's operations are all done late, none skipped, their latency counted from the intended time", async () => {
  await using server = await startServer();
  const kv = { bucket: "kv_stall", keys: { count: 100 }, clients: 1, rates: { put: STALL_RATE } };
  const seconds = 5;
  let frozen: Promise<void> | undefined;
  const { finals } = await run(
    [kvSpec(server.url, "kvstall", kv, { behavior: { duration_seconds: seconds, ramp_up_seconds: 0 } })],
    {
      onSnapshot: (s: Snapshot) => {
        if (frozen || s.phase !== "running") return;
        frozen = (async () => {
          server.pause();
          const stopAt = nowEpoch();
          await new Promise((r) => setTimeout(r, STALL_MS));
          server.resume();
          assert.ok(nowEpoch() - stopAt >= STALL_MS);
        })();
      },
    },
  );
  await frozen;
  const f = finals[0]!;
  assert.ok(frozen, "the server was frozen during the run");
  assert.equal(f.phase, "done", errorOf(f));
  assert.equal(errorsOf(f), 0, JSON.stringify(f.errors));
  assert.equal(f.unsent ?? 0, 0, "every slot of the freeze was sent after it");
  assert.equal(c(f, "kv_puts"), STALL_RATE * seconds, "no slot skipped");
  // Slots due in the first half of the freeze were answered after it: each waited over half of it.
  const firstHalf = (STALL_RATE * (STALL_MS / 2 - SIGNAL_SLACK_MS)) / 1000;
  const hist = (f as { hist?: Record<string, string> }).hist;
  assert.ok(countAbove(hist?.kv_put, STALL_MS / 2) >= firstHalf, `${countAbove(hist?.kv_put, STALL_MS / 2)}`);
  // Past 256 in flight the gate closed: the slots due from then until the thaw started late (send_delay).
  const gated = (STALL_RATE * (STALL_MS - (256 / STALL_RATE) * 1000 - SIGNAL_SLACK_MS)) / 1000;
  assert.ok(
    countAbove(hist?.send_delay, 1) >= gated / 2,
    `${countAbove(hist?.send_delay, 1)} >= ${gated / 2}`,
  );
});
