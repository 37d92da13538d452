import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { connect as netConnect } from "node:net";
import { after, before, describe, test } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/index.ts";
import { ControlClient, controlNames, ensureControlPlane, validateForPush } from "../../src/control/index.ts";
import {
  type HttpContext,
  type HttpServer,
  renderSnapshotMetrics,
  startHttpServer,
} from "../../src/http/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";
import { startServer } from "../harness/index.ts";
import { CONFIG, makeSnapshot } from "./http-fixtures.ts";

type Family = {
  name: string;
  type: string;
  metrics: Array<{
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
};
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => Family[];

describe("http shim against a real nats-server", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let nc: NatsConnection;
  let client: ControlClient;
  let http: HttpServer;
  let base: string;
  let latest: Snapshot | undefined;
  const logs: string[] = [];
  const TOKEN = "tok-123-secret";

  before(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url });
    await ensureControlPlane(nc, "hx");
    client = new ControlClient(nc, "hx");
    const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
      logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
    };
    const ctx: HttpContext = {
      client,
      nc,
      prefix: "hx",
      pod: "pod-a",
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      agentState: () => ({ state: "idle", run_id: "", spec: "", connected: true }),
      validate: (raw) => validateForPush(raw),
      metrics: () => latest,
      log: { info: log("info"), warn: log("warn"), error: log("error") },
      limits: { headersTimeoutMs: 1_500, requestTimeoutMs: 3_000 },
    };
    http = await startHttpServer(ctx);
    base = `http://127.0.0.1:${http.port}`;
  });

  after(async () => {
    await http?.close();
    await nc?.close();
    await server?.[Symbol.asyncDispose]();
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(base + path, {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, ...headers },
    });

  test("http - the test config is valid for the config module", () => {
    assert.equal(loadConfig(CONFIG, { pod: "p", env: {} }).ok, true);
  });

  test("http - GET /healthcheck and /healthz answer ok while the control plane is connected", async () => {
    for (const p of ["/healthcheck", "/healthz"]) {
      const r = await fetch(base + p);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { status: "ok", control_plane: "connected" });
    }
  });

  test("http - GET /config is 404 before any push", async () => {
    assert.equal((await fetch(`${base}/config`)).status, 404);
  });

  test("http - POST /config without the bearer token is 401", async () => {
    const r = await post("/config", JSON.stringify(CONFIG), { authorization: "" });
    assert.equal(r.status, 401);
    const r2 = await post("/config", JSON.stringify(CONFIG), { authorization: "Bearer nope" });
    assert.equal(r2.status, 401);
    assert.ok(!(await r2.text()).includes(TOKEN));
  });

  test("http - POST /config queues a new run, then answers queued false for the same config", async () => {
    const r = await post("/config", JSON.stringify(CONFIG));
    assert.equal(r.status, 200);
    const body = (await r.json()) as { queued: boolean; hash: string; run_id: string };
    assert.equal(body.queued, true);
    assert.match(body.hash, /^[0-9a-f]{64}$/);
    assert.equal((await client.active())?.run_id, body.run_id);
    const again = (await (await post("/config", JSON.stringify(CONFIG))).json()) as typeof body;
    assert.equal(again.queued, false);
    assert.equal(again.hash, body.hash);
  });

  test("http - GET /config returns the active config with URL passwords redacted", async () => {
    const r = await fetch(`${base}/config`);
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.ok(!text.includes("s3cret"), text);
    const cfg = JSON.parse(text) as typeof CONFIG;
    assert.equal(cfg.load_test_specs[0]?.nats_url, "nats://user:***@127.0.0.1:4222");
    assert.ok(!logs.join("\n").includes("s3cret") && !logs.join("\n").includes(TOKEN));
  });

  test("http - an invalid config is 400 with the path of the error and the active run untouched", async () => {
    const before = (await client.active())?.run_id;
    const bad = structuredClone(CONFIG);
    (bad.load_test_specs[0]!.publishers as { publish_rate_per_second: number }).publish_rate_per_second = -5;
    const r = await post("/config", JSON.stringify(bad));
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: string; issues: Array<{ path: string; message: string }> };
    assert.ok(
      body.issues.some((i) => i.path.includes("publish_rate_per_second")),
      JSON.stringify(body),
    );
    assert.equal((await client.active())?.run_id, before);
  });

  test("http - malformed JSON and too deep nesting are 400, non-UTF-8 and non-JSON types are 415", async () => {
    assert.equal((await post("/config", "{not json")).status, 400);
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const r = await post("/config", deep);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /nested/);
    assert.equal((await post("/config", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).status, 415);
    assert.equal((await post("/config", "{}", { "content-type": "text/plain" })).status, 415);
    assert.equal(
      (await post("/config", "{}", { "content-type": "application/json; charset=latin1" })).status,
      415,
    );
  });

  test("http - a body over 1 MiB is 413 without reading it all", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const r = await post("/config", big).catch((e: unknown) => e);
    // Either the 413 arrives, or the server closed the socket while the client was still sending.
    if (r instanceof Response) assert.equal(r.status, 413);
    else assert.ok(r instanceof Error);
    // A declared length over the limit is refused from the headers alone.
    const status = await rawRequest(
      http.port,
      `POST /config HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{`,
    );
    assert.match(status, /^HTTP\/1.1 413/);
  });

  test("http - a cross-origin POST is refused even with the token", async () => {
    const r = await post("/control/stop", "", { origin: "http://evil.example" });
    assert.equal(r.status, 403);
  });

  test("http - a slow-loris client that never finishes its headers is cut off", async () => {
    const started = Date.now();
    const closed = await new Promise<number>((resolve) => {
      const sock = netConnect(http.port, "127.0.0.1", () => {
        sock.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        const drip = setInterval(() => sock.writable && sock.write("X-Drip: 1\r\n"), 300);
        sock.on("close", () => {
          clearInterval(drip);
          resolve(Date.now() - started);
        });
      });
      sock.on("error", () => {});
      sock.resume();
    });
    assert.ok(closed < 8_000, `closed after ${closed} ms`);
  });

  test("http - GET /stats maps published snapshots to the original's records, newest first, every pod", async () => {
    const js = jetstream(nc);
    const names = controlNames("hx");
    const t0 = Date.now() - 10_000;
    for (let i = 1; i <= 3; i++) {
      for (const pod of ["pod-a", "pod-b"]) {
        const s = makeSnapshot("run-1", pod, i, [1, 2, 3, 50], new Date(t0 + i * 1000));
        await js.publish(names.statsSubject("run-1", pod), JSON.stringify(s));
      }
    }
    const r = await fetch(`${base}/stats?limit=4`);
    assert.equal(r.status, 200);
    const recs = (await r.json()) as Array<Record<string, unknown>>;
    assert.equal(recs.length, 4);
    assert.deepEqual(new Set(recs.map((x) => x["Pod"])), new Set(["pod-a", "pod-b"]));
    const times = recs.map((x) => Date.parse(x["Timestamp"] as string));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );
    // biome-ignore lint/suspicious/noExplicitAny: the JSON record is checked field by field below
    const first = recs[0] as Record<string, any>;
    assert.equal(first["Published"], 300);
    assert.equal(first["RunID"], "run-1");
    assert.equal(first["Spec"], "http_test");
    assert.equal(first["PendingMessages"], 7);
    assert.equal(first["Latency"]["Count"], 4);
    assert.ok(first["Latency"]["P99"] >= 49_000_000 && first["Latency"]["P99"] <= 51_000_000, "ns");
    assert.deepEqual(first["Errors"], { timeout: 3 });
    assert.deepEqual(Object.keys(first["RampUp"]).sort(), ["is_active", "progress", "time_remaining"]);
    const onlyB = (await (await fetch(`${base}/stats?limit=10&pod=pod-b`)).json()) as Array<{ Pod: string }>;
    assert.equal(onlyB.length, 3);
    assert.ok(onlyB.every((x) => x.Pod === "pod-b"));
    assert.equal((await fetch(`${base}/stats?limit=0`)).status, 400);
    assert.equal((await fetch(`${base}/stats?limit=abc`)).status, 400);
  });

  test("http - GET /api/v1/stats returns snapshots and a cluster total from merged histograms", async () => {
    const r = await fetch(`${base}/api/v1/stats?limit=10&run=run-1`);
    const body = (await r.json()) as {
      snapshots: Snapshot[];
      cluster: {
        pods: string[];
        counters: { published: number };
        latency_ms: { end_to_end: { count: number } };
      };
    };
    assert.equal(body.snapshots.length, 6);
    assert.deepEqual(body.cluster.pods, ["pod-a", "pod-b"]);
    assert.equal(body.cluster.counters.published, 600);
    assert.equal(body.cluster.latency_ms.end_to_end.count, 8);
  });

  test("http - GET /status lists presence entries and POST /control/stop answers with replies", async () => {
    const r = await fetch(`${base}/status`);
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(await r.json()));
    const stop = await post("/control/stop?pod=nobody", "");
    assert.equal(stop.status, 200);
    assert.deepEqual(((await stop.json()) as { replies: unknown[] }).replies, []);
  });

  test("http - GET /metrics parses, buckets are cumulative and match _count, counters grow between scrapes", async () => {
    latest = makeSnapshot("run-m", "pod-a", 1, [0.3, 0.8, 2, 7, 40, 200]);
    const first = parsePrometheus(await (await fetch(`${base}/metrics`)).text());
    latest = makeSnapshot("run-m", "pod-a", 2, [0.3, 0.8, 2, 7, 40, 200, 1500, 3]);
    const res = await fetch(`${base}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    const text = await res.text();
    const second = parsePrometheus(text);
    // The parser drops labels of histogram series; check them on the text.
    assert.match(text, /lt_end_to_end_latency_seconds_count\{run="run-m",spec="http_test",pod="pod-a"\} 8/);
    const value = (fams: Family[], name: string) =>
      Number(fams.find((f) => f.name === name)?.metrics[0]?.value);
    assert.equal(value(first, "lt_published_total"), 100);
    assert.ok(value(second, "lt_published_total") > value(first, "lt_published_total"));
    for (const name of [
      "lt_end_to_end_latency_seconds",
      "lt_publish_ack_latency_seconds",
      "lt_publish_service_latency_seconds",
      "lt_send_delay_latency_seconds",
    ]) {
      const fam = second.find((f) => f.name === name)!;
      assert.equal(fam.type, "HISTOGRAM");
      const m = fam.metrics[0]!;
      const les = Object.keys(m.buckets!).sort((a, b) => Number(a) - Number(b));
      const counts = les.map((le) => Number(m.buckets![le]));
      for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! >= counts[i - 1]!, `${name} cumulative`);
      // parse-prometheus-text-format 1.1.1 drops _count/_sum of labelled histograms: read _count from the text.
      const count = Number(new RegExp(`^${name}_count\\{[^}]*\\} (\\S+)$`, "m").exec(text)?.[1]);
      assert.equal(count, 8);
      assert.equal(counts[counts.length - 1], 8, "+Inf equals _count");
    }
    // A snapshot of an older agent (no publish_service nor send_delay histogram) still renders the families, empty.
    const older = renderSnapshotMetrics(snapshot({ values: [1, 2] }));
    assert.match(older, /^lt_publish_service_latency_seconds_count\{[^}]*\} 0$/m);
    assert.match(older, /^lt_send_delay_latency_seconds_count\{[^}]*\} 0$/m);
    // Send delays are an eighth of the values: 0.0375, 0.1, 0.25, 0.875, 5, 25, 187.5 and 0.375 ms.
    const sd = second.find((f) => f.name === "lt_send_delay_latency_seconds")!.metrics[0]!;
    assert.equal(Number(sd.buckets!["0.001"]), 5, "the five sends under 1 ms late");
    assert.equal(Number(sd.buckets!["0.01"]), 6, "and 5 ms");
    const sdSum = Number(/^lt_send_delay_latency_seconds_sum\{[^}]*\} (\S+)$/m.exec(text)?.[1]);
    assert.ok(Math.abs(sdSum - 0.2191375) < 0.0005, `_sum ${sdSum} s`);
    const e2e = second.find((f) => f.name === "lt_end_to_end_latency_seconds")!.metrics[0]!;
    assert.equal(Number(e2e.buckets!["0.001"]), 2, "0.3 ms and 0.8 ms are <= 1 ms");
    assert.equal(Number(e2e.buckets!["0.01"]), 5, "0.3, 0.8, 2, 3 and 7 ms");
    const errs = second.find((f) => f.name === "lt_publish_errors_total")!;
    assert.equal(errs.metrics.find((x) => x.labels?.["category"] === "timeout")?.value, "2");
    assert.ok(
      second.some((f) => f.name.startsWith("lt_process_")),
      "process metrics",
    );
  });

  test("http - unknown paths are 404 and wrong methods 405", async () => {
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/config`, { method: "DELETE" })).status, 405);
  });
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const sock = netConnect(port, "127.0.0.1");
    sock.on("error", reject);
    sock.on("data", (b) => {
      out += b.toString();
    });
    sock.on("close", () => resolve(out));
    sock.on("connect", () => sock.write(text));
  });
}
