// `ltctl bench` on real servers: every built verb runs against a local nats-server and its counts equal the
// server's (/varz, /jsz, the services' own figures), its --print-config passes `ltctl validate`, --json is one
// JSON object, unknown verbs and misplaced flags exit 2, and --push runs a bench on two agents.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import type { BenchSummary } from "../../src/cli/bench/summary.ts";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { ControlClient } from "../../src/control/index.ts";
import { CLOSED_LOOP_LABEL } from "../../src/stats/index.ts";
import { ltctl as runLtctl, SKIP_UNBUILT, startAgent, until } from "../harness/agents.ts";
import { type NatsNode, startServer } from "../harness/index.ts";

/** A bench is short, but ltctl starts a node process and the machine is shared: the harness's 20 s is tight. */
const BENCH_MS = 90_000;
const ltctl = (args: string[]) => runLtctl(args, {}, BENCH_MS);
const opts = { skip: SKIP_UNBUILT, timeout: BENCH_MS * 2 };

async function bench(args: string[]): Promise<BenchSummary> {
  const r = await ltctl(["bench", ...args, "--json", "--workers", "1"]);
  assert.equal(r.code, 0, `ltctl bench ${args.join(" ")}: ${r.stderr}${r.stdout}`);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, "--json prints one line");
  return JSON.parse(lines[0]!) as BenchSummary;
}

const rate = (s: BenchSummary, side: string) => s.rates.find((r) => r.side === side);

/** A stream's state from /jsz: messages held and the last sequence (every message it ever stored). */
async function streamState(
  srv: NatsNode,
  name: string,
): Promise<{ messages: number; last_seq: number } | undefined> {
  const jsz = await srv.monitor<{
    account_details?: { stream_detail?: { name: string; state: { messages: number; last_seq: number } }[] }[];
  }>("/jsz?streams=true");
  for (const a of jsz.account_details ?? [])
    for (const s of a.stream_detail ?? []) if (s.name === name) return s.state;
  return undefined;
}

async function streamMessages(srv: NatsNode, name: string): Promise<number | undefined> {
  const jsz = await srv.monitor<{
    account_details?: { stream_detail?: { name: string; state: { messages: number } }[] }[];
  }>("/jsz?streams=true");
  for (const a of jsz.account_details ?? [])
    for (const s of a.stream_detail ?? []) if (s.name === name) return s.state.messages;
  return undefined;
}

/** Client subscriptions on `subject` (connz lists each connection's). */
async function subscribers(srv: NatsNode, subject: string): Promise<number> {
  const connz = await srv.monitor<{ connections?: { subscriptions_list?: string[] }[] }>("/connz?subs=1");
  let n = 0;
  for (const c of connz.connections ?? []) for (const x of c.subscriptions_list ?? []) if (x === subject) n++;
  return n;
}

const inMsgs = async (srv: NatsNode) => (await srv.monitor<{ in_msgs: number }>("/varz")).in_msgs;

test(
  "bench pub - core NATS: --msgs split over clients, published equals the server's in_msgs; --csv",
  opts,
  async (t) => {
    await using srv = await startServer();
    const dir = mkdtempSync(join(tmpdir(), "lt-bench-csv-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const csv = join(dir, "pub.csv");
    const before = await inMsgs(srv);
    const s = await bench([
      "pub",
      "bench.core",
      "--msgs",
      "3000",
      "--clients",
      "3",
      "-s",
      srv.url,
      "--csv",
      csv,
    ]);
    assert.equal(s.phase, "done");
    assert.equal(s.closed_loop, true, "the default rate is max");
    assert.equal(rate(s, "publish")?.msgs, 3000);
    assert.ok((rate(s, "publish")?.msgs_per_s ?? 0) > 0);
    assert.equal(s.unsent, 0);
    assert.equal((await inMsgs(srv)) - before, 3000);
    // --csv: the run's snapshots in the report's CSV, the final one's published among them.
    const lines = readFileSync(csv, "utf8").trim().split("\n");
    const col = lines[0]!.split(",").indexOf("published");
    assert.ok(col >= 0, lines[0]);
    assert.ok(
      lines.slice(1).some((l) => l.split(",")[col] === "3000"),
      lines.join("\n"),
    );
  },
);

test(
  "bench js pub - the stream holds exactly what was published, at a rate or closed loop; text names the closed loop",
  opts,
  async () => {
    await using srv = await startServer();
    const s = await bench(["js", "pub", "bench.js", "--msgs", "2000", "--clients", "2", "-s", srv.url]);
    assert.equal(s.phase, "done");
    assert.equal(rate(s, "publish")?.msgs, 2000);
    assert.ok((s.latency_ms.publish_ack?.count ?? 0) === 2000);
    assert.equal(await streamMessages(srv, "benchstream_1"), 2000);
    // An open-model rate, --purge first: the stream then holds only this run's messages.
    const o = await bench([
      "js",
      "pub",
      "bench.js",
      "--msgs",
      "400",
      "--rate",
      "400",
      "--purge",
      "-s",
      srv.url,
    ]);
    assert.equal(o.closed_loop, false);
    assert.equal(rate(o, "publish")?.msgs, 400);
    assert.equal(await streamMessages(srv, "benchstream_1"), 400);
    // Batches of 100 with a Nats-Msg-Id each: every message stored once, none refused as a duplicate.
    const b = await bench([
      "js",
      "pub",
      "bench.js",
      "--msgs",
      "1000",
      "--batch",
      "100",
      "--dedup",
      "--purge",
      "-s",
      srv.url,
    ]);
    assert.equal(rate(b, "publish")?.msgs, 1000);
    assert.equal(b.errors.other ?? 0, 0);
    assert.equal(await streamMessages(srv, "benchstream_1"), 1000);
    const text = await ltctl([
      "bench",
      "js",
      "pub",
      "bench.js",
      "--msgs",
      "500",
      "-s",
      srv.url,
      "--workers",
      "1",
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /publish\s+500 msgs\s+[\d,.]+ msgs\/s ~ [\d,.]+ MB\/s/);
    assert.ok(text.stdout.includes(CLOSED_LOOP_LABEL), text.stdout);
    assert.match(text.stdout, /lost 0, duplicates 0, send delay p99 [\d.]+ ms, unsent 0, errors 0/);
  },
);

test("bench sub - subscribers count what a bench pub sends meanwhile, nothing lost", opts, async () => {
  await using srv = await startServer();
  const sub = bench(["sub", "bench.sub", "--duration", "12", "--clients", "2", "-s", srv.url]);
  // The subscribers are up within their start lead; publish at a rate well inside their window.
  await until("subscribers present", async () => (await subscribers(srv, "bench.sub")) >= 2, 30_000);
  const p = await bench(["pub", "bench.sub", "--msgs", "1000", "--rate", "1000", "-s", srv.url]);
  const s = await sub;
  assert.equal(rate(p, "publish")?.msgs, 1000);
  // Two subscribers each receive every message.
  assert.equal(rate(s, "subscribe")?.msgs, 2000);
  // End-to-end samples between two processes: each reads the clock from its own time origin, so a sample a
  // few µs long can come out negative and is counted apart (negative_latency), never as latency.
  const e2e = s.latency_ms.end_to_end?.count ?? 0;
  assert.ok(e2e > 0 && e2e <= 2000, `end_to_end count ${e2e}`);
  assert.equal(s.lost, 0);
  assert.equal(s.duplicates, 0);
});

test("bench service - a requester's replies are exactly what the responders served", opts, async () => {
  await using srv = await startServer();
  const serve = bench(["service", "serve", "svc.bench", "--clients", "2", "--duration", "8", "-s", srv.url]);
  await until("responders present", async () => (await subscribers(srv, "svc.bench")) >= 2, 30_000);
  const req = await bench([
    "service",
    "request",
    "svc.bench",
    "--rate",
    "100",
    "--duration",
    "2",
    "-s",
    srv.url,
  ]);
  const served = await serve;
  const replies = rate(req, "requests")?.msgs ?? 0;
  assert.ok(replies > 0, JSON.stringify(req));
  assert.equal(rate(served, "served")?.msgs, replies);
  assert.ok((req.latency_ms.request?.count ?? 0) === replies);
});

test(
  "bench kv and obj - every put is one message of the bucket's stream (its last sequence), gets read them back",
  opts,
  async () => {
    await using srv = await startServer();
    const put = await bench([
      "kv",
      "put",
      "--bucket",
      "bkv",
      "--msgs",
      "20",
      "--rate",
      "200",
      "--duration",
      "2",
      "-s",
      srv.url,
    ]);
    const puts = rate(put, "kv put")?.msgs ?? 0;
    assert.ok(puts > 0, JSON.stringify(put));
    assert.equal(put.latency_ms.kv_put?.count, puts);
    assert.equal((await streamState(srv, "KV_bkv"))?.last_seq, puts, "one stream message per put");
    const get = await bench([
      "kv",
      "get",
      "--bucket",
      "bkv",
      "--msgs",
      "20",
      "--rate",
      "200",
      "--duration",
      "2",
      "-s",
      srv.url,
    ]);
    const gets = rate(get, "kv get")?.msgs ?? 0;
    assert.ok(gets > 0);
    assert.equal(get.latency_ms.kv_get?.count, gets);
    assert.equal((await streamState(srv, "KV_bkv"))?.last_seq, puts, "gets store nothing");
    // Objects smaller than a chunk: one chunk and one metadata message per put.
    const op = await bench([
      "obj",
      "put",
      "--bucket",
      "bobj",
      "--size",
      "10000",
      "--rate",
      "5",
      "--duration",
      "2",
      "-s",
      srv.url,
    ]);
    const objs = rate(op, "obj put")?.msgs ?? 0;
    assert.ok(objs > 0, JSON.stringify(op));
    assert.equal((await streamState(srv, "OBJ_bobj"))?.last_seq, 2 * objs);
    const og = await bench([
      "obj",
      "get",
      "--bucket",
      "bobj",
      "--size",
      "10000",
      "--rate",
      "5",
      "--duration",
      "2",
      "-s",
      srv.url,
    ]);
    assert.ok((rate(og, "obj get")?.msgs ?? 0) > 0, JSON.stringify(og));
    assert.equal(og.errors.other ?? 0, 0);
  },
);

/** What /jsz says one durable delivered (its consumer sequence). */
async function delivered(srv: NatsNode, stream: string, consumer: string): Promise<number | undefined> {
  const jsz = await srv.monitor<{
    account_details?: {
      stream_detail?: {
        name: string;
        consumer_detail?: { name: string; delivered: { consumer_seq: number } }[];
      }[];
    }[];
  }>("/jsz?consumers=true");
  for (const a of jsz.account_details ?? [])
    for (const s of a.stream_detail ?? [])
      if (s.name === stream)
        return s.consumer_detail?.find((c) => c.name === consumer)?.delivered.consumer_seq;
  return undefined;
}

test(
  "bench js consume|fetch|ordered - each replays what a js pub stored, exactly; --msgs stores a backlog and times its drain",
  opts,
  async () => {
    await using srv = await startServer();
    await bench(["js", "pub", "bench.rp", "--stream", "RP", "--msgs", "3000", "-s", srv.url]);
    for (const verb of ["consume", "fetch", "ordered"]) {
      const extra = verb === "fetch" ? ["--batch", "250", "--doubleack"] : [];
      const s = await bench([
        "js",
        verb,
        "bench.rp",
        "--stream",
        "RP",
        "--clients",
        "2",
        "--duration",
        "3",
        ...extra,
        "-s",
        srv.url,
      ]);
      assert.equal(s.phase, "done", JSON.stringify(s));
      // Two consumers, each replaying the whole stream from its start.
      assert.equal(rate(s, "subscribe")?.msgs, 6000, `${verb}: ${JSON.stringify(s)}`);
      assert.equal(s.lost, 0);
      assert.equal(s.duplicates, 0);
      if (verb !== "ordered") {
        assert.equal(await delivered(srv, "RP_1", `bench_${verb}_1_1`), 3000, `${verb}: /jsz delivered`);
        assert.equal(await delivered(srv, "RP_1", `bench_${verb}_1_2`), 3000);
      }
      if (verb === "fetch") assert.equal(s.latency_ms.ack?.count, 6000, "every ack confirmed");
    }
    const d = await bench([
      "js",
      "consume",
      "bench.dr",
      "--stream",
      "DR",
      "--msgs",
      "2000",
      "--duration",
      "3",
      "-s",
      srv.url,
    ]);
    assert.equal(rate(d, "subscribe")?.msgs, 2000);
    assert.equal(d.drain?.msgs, 2000);
    assert.ok((d.drain?.max_s ?? 0) > 0);
    assert.equal(await streamMessages(srv, "DR_1"), 2000);
  },
);

test(
  "bench --print-config - every verb's config passes ltctl validate; unknown verbs and misplaced flags exit 2",
  opts,
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "lt-bench-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const verbs = [
      ["pub", "a.b", "--msgs", "10"],
      ["sub", "a.b"],
      ["js", "pub", "a.b", "--rate", "50", "--duration", "5", "--storage", "file", "--replicas", "1"],
      ["service", "serve", "svc.x"],
      ["service", "request", "svc.x", "--rate", "10"],
      ["kv", "put", "--bucket", "b1", "--history", "5", "--rate", "10"],
      ["kv", "get", "--bucket", "b1"],
      ["obj", "put", "--bucket", "b2", "--size", "4096"],
      ["obj", "get", "--bucket", "b2"],
      ["pub", "a.b", "--randomize", "--size", "512"],
      ["js", "consume", "--stream", "S"],
      ["js", "fetch", "a.b", "--batch", "50", "--doubleack", "--acks", "explicit"],
      ["js", "ordered", "--msgs", "1000"],
      ["js", "pub", "a.b", "--batch", "50", "--dedup"],
    ];
    for (const v of verbs) {
      const r = await ltctl(["bench", ...v, "--print-config"]);
      assert.equal(r.code, EXIT.ok, r.stderr);
      const file = join(dir, "c.json");
      writeFileSync(file, r.stdout);
      JSON.parse(readFileSync(file, "utf8"));
      const val = await ltctl(["validate", file]);
      assert.equal(val.code, EXIT.ok, `${v.join(" ")}: ${val.stderr}${val.stdout}`);
    }
    for (const v of [
      ["sub", "a.b", "--batch", "10"],
      ["js", "ordered", "--doubleack"],
      ["pub", "a.b", "--dedup"],
      ["kv", "put", "--rate", "max"],
      ["frob"],
    ]) {
      const r = await ltctl(["bench", ...v]);
      assert.equal(r.code, EXIT.usage, `${v.join(" ")}: ${r.stderr}`);
    }
    const bad = await ltctl(["bench", "pub", "a.b", "--rate", "fast"]);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.stderr, /--rate/);
    const help = await ltctl(["bench", "--help"]);
    assert.equal(help.code, EXIT.ok);
    assert.match(help.stdout, /Examples:/);
  },
);

test(
  "bench --push - a js pub runs on two agents; the fleet's summary adds both, the stream holds both",
  opts,
  async () => {
    await using srv = await startServer();
    const nc = await connect({ servers: srv.url });
    const client = new ControlClient(nc);
    await client.plane();
    const agents = ["a", "b"].map((pod) => startAgent({ server: srv.url, pod }));
    try {
      await until(
        "two agents present",
        async () => (await client.status()).filter((a) => !a.stale).length === 2,
        30_000,
      );
      const r = await ltctl([
        "bench",
        "js",
        "pub",
        "bench.fleet",
        "--msgs",
        "1500",
        "--push",
        "-s",
        srv.url,
        "--json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as BenchSummary;
      assert.deepEqual(s.pods, ["a", "b"]);
      assert.equal(s.phase, "done");
      assert.equal(rate(s, "publish")?.msgs, 3000);
      assert.equal(await streamMessages(srv, "benchstream_1"), 3000);
    } finally {
      await Promise.all(agents.map((a) => a.kill()));
      await nc.close();
    }
  },
);
