// Bad input on the HTTP shim's POST /config, against a real nats-server and the real validator: random JSON,
// mutated valid configs, random bytes (invalid UTF-8 too), wrong content types, oversized bodies (declared
// and chunked), deep nesting, and slow-loris clients (headers a byte at a time; a body that stalls).
// Every answer is a 4xx (a 200 only for a valid config) with a JSON error, 400s list issues with a path,
// never a 5xx, the process never crashes, and the active config revision only moves on a valid config.
// Short limits (LIMITS) keep the whole file within ~30 s; LT_FUZZ_RUNS raises the number of runs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import fc from "fast-check";
import { ControlClient, configHash, ensureControlPlane, validateForPush } from "../../src/control/index.ts";
import { type HttpContext, type HttpServer, startHttpServer } from "../../src/http/index.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { CONFIG } from "../integration/http-fixtures.ts";

const RUNS = Number(process.env.LT_FUZZ_RUNS ?? 300);
/** Per property: stop early (not a failure) when a slow machine would push the file past its budget. */
const TIME_LIMIT_MS = Number(process.env.LT_FUZZ_TIME_MS ?? 5_000);
const TOKEN = "fuzz-token-1";
const LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxJsonDepth: 64,
  headersTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  keepAliveTimeoutMs: 1_000,
};
/** node checks header/request timeouts once a second (connectionsCheckingInterval): allowed lateness. */
const CHECK_SLACK_MS = 1_000 + 700;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Key = string | number;

const SEEDS: Record<string, Json> = {
  fixture: CONFIG as unknown as Json,
  quick: JSON.parse(readFileSync(new URL("../../examples/quick.json", import.meta.url), "utf8")) as Json,
};

interface Answer {
  status: number;
  text: string;
  body: unknown;
}

describe("fuzz - POST /config on the HTTP shim", () => {
  let server: NatsNode & AsyncDisposable;
  let nc: NatsConnection;
  let client: ControlClient;
  let http: HttpServer;
  let base: string;
  /** The revision and hash the active config must still have (moves only on a 200 queued:true). */
  let expected: { revision: number; hash: string };
  const errors: string[] = [];
  const answered = new Map<number, number>();

  before(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url });
    await ensureControlPlane(nc, "fz");
    client = new ControlClient(nc, "fz");
    const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
      if (level === "error") errors.push(`${msg} ${JSON.stringify(fields ?? {})}`);
    };
    const ctx: HttpContext = {
      client,
      nc,
      prefix: "fz",
      pod: "fuzz-pod",
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      agentState: () => ({ state: "idle", run_id: "", spec: "", connected: true }),
      validate: (raw) => validateForPush(raw),
      metrics: () => undefined,
      log: { info: log("info"), warn: log("warn"), error: log("error") },
      limits: LIMITS,
    };
    http = await startHttpServer(ctx);
    base = `http://127.0.0.1:${http.port}`;
    // One valid config first: everything after it must leave it active.
    const r = await post(JSON.stringify(CONFIG));
    assert.equal(r.status, 200, r.text);
    const active = await client.active();
    assert.ok(active);
    expected = { revision: active.revision, hash: active.hash ?? configHash(active.config) };
  });

  after(async () => {
    await http?.close();
    await nc?.close();
    await server?.[Symbol.asyncDispose]();
  });

  async function post(
    body: string | Uint8Array,
    contentType: string | null = "application/json",
  ): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (contentType !== null) headers["content-type"] = contentType;
    const r = await fetch(`${base}/config`, {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers,
    });
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    answered.set(r.status, (answered.get(r.status) ?? 0) + 1);
    return { status: r.status, text, body: parsed };
  }

  /** The contract of every answer; `valid` says whether the validator accepts the body's JSON. */
  async function checkAnswer(a: Answer, valid: boolean, what: string): Promise<void> {
    const ctx = `${what} -> ${a.status} ${a.text.slice(0, 500)}`;
    assert.ok(a.status < 500, `a 5xx: ${ctx}`);
    assert.ok(a.body !== null && typeof a.body === "object", `not a JSON object: ${ctx}`);
    const b = a.body as {
      error?: unknown;
      issues?: unknown;
      queued?: unknown;
      hash?: unknown;
      run_id?: unknown;
    };
    if (valid) {
      assert.equal(a.status, 200, ctx);
      assert.equal(typeof b.queued, "boolean", ctx);
      assert.match(String(b.hash), /^[0-9a-f]{64}$/, ctx);
      if (b.queued === true) {
        const active = await client.active();
        assert.equal(active?.run_id, b.run_id, ctx);
        expected = { revision: active?.revision ?? -1, hash: String(b.hash) };
      } else assert.equal(b.hash, expected.hash, ctx);
      return;
    }
    assert.ok(a.status >= 400 && a.status < 500, `not a 4xx: ${ctx}`);
    assert.equal(typeof b.error, "string", ctx);
    if (a.status === 400) {
      assert.ok(Array.isArray(b.issues) && b.issues.length > 0, `a 400 without issues: ${ctx}`);
      for (const i of b.issues as Array<{ path?: unknown; message?: unknown }>) {
        assert.equal(typeof i.path, "string", `an issue without a path: ${ctx}`);
        assert.equal(typeof i.message, "string", `an issue without a message: ${ctx}`);
      }
    }
    const active = await client.active();
    assert.equal(active?.revision, expected.revision, `the active config changed: ${ctx}`);
  }

  const validJson = (text: string): { json: boolean; valid: boolean } => {
    try {
      const v = JSON.parse(text) as unknown;
      return { json: true, valid: validateForPush(v).length === 0 };
    } catch {
      return { json: false, valid: false };
    }
  };

  test("fuzz - random JSON values are 400 with issues that have a path; the active config stays", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (value) => {
        const text = JSON.stringify(value) ?? "null";
        const { valid } = validJson(text);
        await checkAnswer(await post(text), valid, `json ${text.slice(0, 200)}`);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  });

  test("fuzz - mutated valid configs are 200 only when valid, else 400 with a path; the revision moves only on 200", async () => {
    const mutation = fc.oneof(
      fc.constant({ kind: "delete" as const }),
      fc.record({ kind: fc.constant("replace" as const), value: fc.jsonValue({ maxDepth: 3 }) }),
      fc.record({
        kind: fc.constant("replace" as const),
        value: fc.constantFrom<Json>(
          1e9,
          -1,
          1e308,
          0.5,
          2 ** 53 + 1,
          1024 ** 3,
          "",
          "x".repeat(20_000),
          "$" + "{UNSET}",
          "nats://u:p@h:4222",
          "\u0000\uffff\ud800",
          [],
          {},
          null,
          true,
          "1000",
        ),
      }),
      fc.record({
        kind: fc.constant("extra" as const),
        key: fc.oneof(
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.constantFrom("__proto__", "constructor"),
        ),
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
    );
    const arb = fc.tuple(
      fc.constantFrom(...Object.keys(SEEDS)),
      fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([seed, muts]) => {
        const doc = structuredClone(SEEDS[seed]) as Json;
        for (const [n, m] of muts) {
          const all = paths(doc);
          if (all.length === 0) break;
          const path = all[n % all.length] as Key[];
          const { parent, key } = parentOf(doc, path);
          if (m.kind === "delete") {
            if (Array.isArray(parent)) parent.splice(key as number, 1);
            else delete parent[key];
          } else if (m.kind === "replace") parent[key] = m.value as Json;
          else {
            const target = parent[key];
            if (target !== null && typeof target === "object" && !Array.isArray(target))
              Object.defineProperty(target, m.key, {
                value: m.value,
                enumerable: true,
                writable: true,
                configurable: true, // a later "delete" mutation may remove it again
              });
            else parent[key] = m.value as Json;
          }
        }
        const text = JSON.stringify(doc);
        const { valid } = validJson(text);
        await checkAnswer(await post(text), valid, `${seed} ${JSON.stringify(muts).slice(0, 300)}`);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  });

  test("fuzz - random bytes, and valid configs with bytes spliced in, are 415 (not UTF-8) or 400 with a path", async () => {
    const good = Buffer.from(JSON.stringify(CONFIG));
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      // A valid config with a few random bytes inserted: breaks the UTF-8 inside strings, or the JSON.
      fc
        .array(fc.tuple(fc.nat({ max: good.length }), fc.uint8Array({ minLength: 1, maxLength: 4 })), {
          minLength: 1,
          maxLength: 3,
        })
        .map((ins) => {
          let buf = good;
          for (const [at, bytes] of ins.sort((a, b) => b[0] - a[0]))
            buf = Buffer.concat([buf.subarray(0, at), bytes, buf.subarray(at)]);
          return new Uint8Array(buf);
        }),
      fc.constantFrom(
        new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
        new Uint8Array([0xc0, 0xaf]),
        new Uint8Array([0xed, 0xa0, 0x80]), // a UTF-16 surrogate in UTF-8: invalid
        new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), // BOM + {}
        new Uint8Array([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), // beyond U+10FFFF
        new Uint8Array(0),
      ),
    );
    await fc.assert(
      fc.asyncProperty(arb, async (bytes) => {
        let text: string | undefined;
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch {
          text = undefined;
        }
        const { valid } = text === undefined ? { valid: false } : validJson(text);
        const a = await post(bytes);
        if (text === undefined)
          assert.equal(a.status, 415, `invalid UTF-8 not refused: ${a.status} ${a.text}`);
        await checkAnswer(a, valid, `bytes ${Buffer.from(bytes).toString("hex").slice(0, 200)}`);
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  });

  test("fuzz - wrong content types are 415 and JSON ones accepted; the active config is never replaced", async () => {
    // The active config: accepted means 200 queued:false. A Uint8Array, so fetch adds no content type.
    const body = new TextEncoder().encode(JSON.stringify((await client.active())?.config));
    const refused = [
      "text/plain",
      "text/html",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "application/octet-stream",
      "*/*",
      "application/json; charset=latin1",
      "application/json; charset=utf-16",
      "application/json; charset=",
      "application/jsonx",
      "json",
    ];
    const accepted = [
      null,
      "",
      "application/json",
      "APPLICATION/JSON",
      "application/json; charset=utf-8",
      'application/json; charset="UTF-8"',
      "text/json",
      "application/merge-patch+json",
      "application/vnd.lt.config+json; charset=utf8",
    ];
    for (const ct of refused) {
      const a = await post(body, ct);
      assert.equal(a.status, 415, `${ct}: ${a.status} ${a.text}`);
      await checkAnswer(a, false, `content-type ${ct}`);
    }
    for (const ct of accepted) {
      const a = await post(body, ct);
      assert.equal(a.status, 200, `${String(ct)}: ${a.status} ${a.text}`);
      assert.equal((a.body as { queued?: boolean }).queued, false);
    }
    const printable = fc.string({
      maxLength: 60,
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          printable,
          printable.map((p) => `application/json;${p}`),
          printable.map((p) => `${p}+json`),
        ),
        async (ct) => {
          const a = await post(body, ct);
          assert.ok([200, 415].includes(a.status), `${ct}: ${a.status} ${a.text}`);
          await checkAnswer(a, a.status === 200, `content-type ${ct}`);
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  });

  test("fuzz - deep nesting is 400 with a path, at any depth, without overflowing the stack", async () => {
    for (const depth of [LIMITS.maxJsonDepth + 1, 1_000, 30_000]) {
      const text = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      const a = await post(text);
      assert.equal(a.status, 400, `${depth}: ${a.text}`);
      await checkAnswer(a, false, `depth ${depth}`);
    }
    // Nested inside an otherwise valid config, and objects rather than arrays.
    const deep = structuredClone(CONFIG) as unknown as { load_test_specs: Array<Record<string, unknown>> };
    let v: unknown = 1;
    for (let i = 0; i < 200; i++) v = { a: v };
    (deep.load_test_specs[0] as Record<string, unknown>).behavior = v;
    const a = await post(JSON.stringify(deep));
    assert.equal(a.status, 400);
    await checkAnswer(a, false, "deep behavior");
    // Brackets inside strings do not count as nesting.
    const inString = structuredClone(CONFIG) as unknown as {
      load_test_specs: Array<Record<string, unknown>>;
    };
    (inString.load_test_specs[0] as Record<string, unknown>).nats_url = "[{".repeat(500);
    const s = await post(JSON.stringify(inString));
    assert.equal(s.status, 400);
    await checkAnswer(s, false, "brackets in a string");
    assert.doesNotMatch(s.text, /nesting/, "brackets in a string were counted as nesting");
    assert.match(s.text, /nats_url/, "the issue names the field");
  });

  test("fuzz - a body over the limit is 413, declared (Content-Length, refused before the body) or chunked", async () => {
    // Declared: the answer comes from the headers alone, nothing of the body is sent.
    const declared = await rawRequest(
      [
        "POST /config HTTP/1.1",
        "host: 127.0.0.1",
        `authorization: Bearer ${TOKEN}`,
        "content-type: application/json",
        `content-length: ${LIMITS.maxBodyBytes + 1}`,
        "",
        "",
      ].join("\r\n"),
    );
    assert.match(declared.head, /^HTTP\/1\.1 413/, declared.head);
    assert.match(declared.body, /"error"/);
    assert.ok(declared.closed, "the connection stays open after a 413 whose body was not read");
    // Chunked: the client keeps sending; the server stops at the limit, answers 413 and hangs up.
    const chunked = await rawRequest(
      [
        "POST /config HTTP/1.1",
        "host: 127.0.0.1",
        `authorization: Bearer ${TOKEN}`,
        "content-type: application/json",
        "transfer-encoding: chunked",
        "",
        "",
      ].join("\r\n"),
      (sock) => {
        const chunk = `${(16 * 1024).toString(16)}\r\n${" ".repeat(16 * 1024)}\r\n`;
        let sent = 0;
        const t = setInterval(() => {
          if (sock.destroyed || !sock.writable || sent > 40) return clearInterval(t);
          sock.write(chunk);
          sent++;
        }, 5);
        return () => clearInterval(t);
      },
    );
    assert.match(chunked.head, /^HTTP\/1\.1 413/, chunked.head);
    assert.ok(chunked.closed, "the connection stays open after a chunked 413");
    // And through fetch, with a body well over the limit.
    let r: Response | Error;
    try {
      r = await fetch(`${base}/config`, {
        method: "POST",
        body: `{"x":"${"y".repeat(LIMITS.maxBodyBytes * 4)}"}`,
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      });
    } catch (e) {
      r = e as Error; // the server may hang up while the client is still sending
    }
    if (r instanceof Response) assert.equal(r.status, 413);
    assert.equal((await client.active())?.revision, expected.revision);
  });

  test("fuzz - a slow-loris client sending headers a byte at a time is cut off within the header timeout", async () => {
    const started = Date.now();
    const r = await rawRequest("", (sock) => {
      const text = `POST /config HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TOKEN}\r\nx-slow: ${"a".repeat(200)}`;
      let i = 0;
      const t = setInterval(() => {
        if (sock.destroyed || !sock.writable) return clearInterval(t);
        sock.write(text[i++ % text.length] as string);
      }, 100);
      return () => clearInterval(t);
    });
    const took = Date.now() - started;
    assert.ok(r.closed, "the slow client was not cut off");
    assert.ok(
      took <= LIMITS.headersTimeoutMs + CHECK_SLACK_MS,
      `cut off after ${took} ms, header timeout ${LIMITS.headersTimeoutMs} ms`,
    );
    assert.ok(took >= LIMITS.headersTimeoutMs - 100, `cut off too early (${took} ms)`);
    assert.match(r.head, /^HTTP\/1\.1 408/, `answer: ${r.head}`);
  });

  test("fuzz - a client that stalls mid-body is cut off within the request timeout", async () => {
    for (const trickle of [false, true]) {
      const started = Date.now();
      const r = await rawRequest(
        [
          "POST /config HTTP/1.1",
          "host: 127.0.0.1",
          `authorization: Bearer ${TOKEN}`,
          "content-type: application/json",
          "content-length: 1000",
          "",
          '{"load_test_specs": [',
        ].join("\r\n"),
        trickle
          ? (sock) => {
              // A byte every 300 ms: never idle, never done.
              const t = setInterval(() => {
                if (sock.destroyed || !sock.writable) return clearInterval(t);
                sock.write(" ");
              }, 300);
              return () => clearInterval(t);
            }
          : undefined,
      );
      const took = Date.now() - started;
      assert.ok(r.closed, `the stalled client (trickle ${trickle}) was not cut off`);
      assert.ok(
        took <= LIMITS.requestTimeoutMs + CHECK_SLACK_MS,
        `cut off after ${took} ms, request timeout ${LIMITS.requestTimeoutMs} ms (trickle ${trickle})`,
      );
      assert.match(r.head, /^HTTP\/1\.1 408/, `answer (trickle ${trickle}): ${r.head}`);
    }
  });

  test("fuzz - afterwards the shim still answers, nothing failed inside, and the active config is the last valid one", async (t) => {
    t.diagnostic(`answers by status: ${JSON.stringify(Object.fromEntries([...answered].sort()))}`);
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    const active = await client.active();
    assert.equal(active?.revision, expected.revision);
    assert.equal(active?.hash ?? "", expected.hash);
    assert.deepEqual(errors, [], "the shim logged internal errors");
    for (const status of answered.keys()) assert.ok(status < 500, `a ${status} was answered`);
  });

  /** Sends `head` on a raw socket, runs `feed` (which returns its stopper), collects the answer until close. */
  function rawRequest(
    head: string,
    feed?: (sock: Socket) => () => void,
    timeoutMs = 8_000,
  ): Promise<{ head: string; body: string; closed: boolean }> {
    return new Promise((resolve) => {
      let data = "";
      let stop = () => {};
      const sock = netConnect(http.port, "127.0.0.1", () => {
        if (head) sock.write(head);
        if (feed) stop = feed(sock);
      });
      const finish = (closed: boolean) => {
        clearTimeout(timer);
        stop();
        sock.destroy();
        const [h = "", ...rest] = data.split("\r\n\r\n");
        resolve({ head: h, body: rest.join("\r\n\r\n"), closed });
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      sock.on("data", (b) => {
        data += b.toString();
      });
      sock.on("error", () => {}); // EPIPE / ECONNRESET while feeding a socket the server closed
      sock.once("close", () => finish(true));
    });
  }
});

/** Every path to a value inside a JSON document (root excluded). */
function paths(doc: Json, at: Key[] = []): Key[][] {
  const out: Key[][] = [];
  if (Array.isArray(doc)) {
    for (const [i, v] of doc.entries()) out.push([...at, i], ...paths(v, [...at, i]));
  } else if (doc !== null && typeof doc === "object")
    for (const [k, v] of Object.entries(doc)) out.push([...at, k], ...paths(v, [...at, k]));
  return out;
}

function parentOf(doc: Json, path: Key[]): { parent: Record<Key, Json>; key: Key } {
  let cur: Json = doc;
  for (const k of path.slice(0, -1)) cur = (cur as Record<Key, Json>)[k] as Json;
  return { parent: cur as unknown as Record<Key, Json>, key: path[path.length - 1] as Key };
}
