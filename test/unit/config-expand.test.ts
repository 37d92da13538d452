// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${VAR} expansion
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandString, parseConfigText, resolvePodName } from "../../src/config/index.ts";
import { edited, loadBad, loadOk, root, seedText, spec } from "../fixtures/config.ts";

const SEED_ENV = { NATS_URL: "nats://n1:4222", NATS_CREDS_MOUNT_PATH: "/etc/nats" };

describe("config - the seed's example", () => {
  it("expands to 5 streams load_stream_p1_1..5 with subjects test.1.p1..test.5.p1", () => {
    const r = parseConfigText(seedText(), { pod: "p1", env: SEED_ENV });
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.issues));
    const s = r.plan.steps[0]!.spec;
    assert.equal(r.plan.steps.length, 1);
    assert.deepEqual(
      s.streams.map((x) => x.name),
      [1, 2, 3, 4, 5].map((i) => `load_stream_p1_${i}`),
    );
    assert.deepEqual(
      s.streams.map((x) => x.subjects),
      [1, 2, 3, 4, 5].map((i) => [`test.${i}.p1`]),
    );
  });

  it("has 50 publishers and 25 consumers, names and creds expanded", () => {
    const r = parseConfigText(seedText(), { pod: "p1", env: SEED_ENV });
    assert.ok(r.ok);
    const s = r.plan.steps[0]!.spec;
    assert.equal(s.publishers.length, 50);
    assert.equal(s.consumers.length, 25);
    assert.equal(s.name, "load_test_p1");
    assert.equal(s.clientIdPrefix, "load_tester_p1");
    assert.equal(s.credsFile, "/etc/nats/admin.creds");
    assert.deepEqual(s.servers, ["nats://n1:4222"]);
    assert.equal(s.useJetStream, true);
    assert.deepEqual(s.publishers[0], {
      id: "load_stream_p1_1-p1",
      stream: "load_stream_p1_1",
      subject: "test.1.p1",
      ratePerSec: 1000,
      pattern: "steady",
      burstSize: 1,
      messageSize: 1024,
      trackLatency: true,
    });
    assert.deepEqual(s.consumers[0], {
      id: "load_stream_p1_1-c1",
      stream: "load_stream_p1_1",
      durableName: "consumer_p1_1_1",
      type: "pull",
      ackPolicy: "explicit",
      ackWaitMs: 30_000,
      maxAckPending: 1000,
      consumeDelayMs: 0,
      // The seed's consumer kind: deliver new, every message counted for loss, a continuous pull.
      kind: {
        deliverPolicy: "new",
        maxDeliver: -1,
        doubleAck: false,
        lossScope: "all",
        pullMode: "consume",
        fetchBatch: 100,
        fetchExpiresMs: 5000,
      },
    });
    assert.equal(s.durationMs, 300_000);
    assert.equal(s.rampUpMs, 30_000);
    assert.deepEqual(r.plan.storage, { type: "badger", path: "/var/lib/lt/stats.db" });
    const st = s.streams[0]!;
    assert.equal(st.maxMsgs, 100000);
    assert.equal(st.maxBytes, 104857600);
    assert.equal(st.storage, "file");
    assert.equal(st.maxAgeMs, 60_000);
  });

  it("without NATS_URL fails naming NATS_URL and load_test_specs[0].nats_url", () => {
    const r = parseConfigText(seedText(), { pod: "p1", env: { NATS_CREDS_MOUNT_PATH: "/etc/nats" } });
    assert.ok(!r.ok);
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0]!.path, "load_test_specs[0].nats_url");
    assert.match(r.issues[0]!.message, /environment variable NATS_URL is not set/);
  });
});

describe("config - expansion", () => {
  const ctx = (env: Record<string, string | undefined> = {}, pod = "p1") => ({ pod, env });

  it("{pod} is replaced in every string", () => {
    assert.deepEqual(expandString("a.{pod}.{pod}", ctx()), { ok: true, value: "a.p1.p1" });
  });

  it("${VAR} takes the variable's value", () => {
    assert.deepEqual(expandString("x${A}y", ctx({ A: "1" })), { ok: true, value: "x1y" });
  });

  it("${VAR:-default} takes the default when the variable is unset or empty", () => {
    assert.deepEqual(expandString("${A:-nats://h:4222}", ctx()), { ok: true, value: "nats://h:4222" });
    assert.deepEqual(expandString("${A:-d}", ctx({ A: "" })), { ok: true, value: "d" });
    assert.deepEqual(expandString("${A:-d}", ctx({ A: "v" })), { ok: true, value: "v" });
  });

  it("${VAR} set to an empty string is empty, not missing", () => {
    assert.deepEqual(expandString("[${A}]", ctx({ A: "" })), { ok: true, value: "[]" });
  });

  it("$${ escapes a literal ${", () => {
    assert.deepEqual(expandString("$${A}", ctx()), { ok: true, value: "${A}" });
  });

  it("environment values are not expanded again, {pod} after the environment is", () => {
    assert.deepEqual(expandString("${A}", ctx({ A: "${B}" })), { ok: true, value: "${B}" });
    assert.deepEqual(expandString("${A}", ctx({ A: "s.{pod}" })), { ok: true, value: "s.p1" });
  });

  it("a missing variable names the variable and suggests a default", () => {
    const r = expandString("${NATS_URL}", ctx());
    assert.deepEqual(r, {
      ok: false,
      messages: ["environment variable NATS_URL is not set (use ${NATS_URL:-default} for a default)"],
    });
  });

  it("invalid and unterminated references are errors", () => {
    assert.equal(expandString("${1A}", ctx()).ok, false);
    assert.equal(expandString("${A", ctx()).ok, false);
  });

  it("a missing variable names the variable and the JSON path of every use", () => {
    const s = spec({ nats_url: "${NATS_URL}", nats_creds_file: "${CREDS_DIR}/a.creds" });
    const issues = loadBad(root({}, [spec(), s]));
    assert.deepEqual(
      issues.map((i) => i.path),
      ["load_test_specs[1].nats_url", "load_test_specs[1].nats_creds_file"],
    );
    assert.match(issues[1]!.message, /CREDS_DIR/);
  });

  it("expansion happens before validation: expanded values are what gets checked", () => {
    const s = edited(spec(), (c) => {
      c.nats_url = "${TARGET}";
    });
    loadOk(root({}, [s]), ctx({ TARGET: "nats://h:4222" }));
    assert.deepEqual(loadBad(root({}, [s]), ctx({ TARGET: "gopher://h:70" })), [
      {
        path: "load_test_specs[0].nats_url",
        message: '"gopher://h:70": scheme must be nats, tls, ws or wss',
      },
    ]);
  });

  it("{} in subjects is the stream's 1-based index; other {} are left alone", () => {
    const s = edited(spec(), (c) => {
      c.streams[0].count = 3;
      c.streams[0].subjects = ["a.{}", "b.{}.{pod}.>"];
    });
    const streams = loadOk(root({}, [s])).plan.steps[0]!.spec.streams;
    assert.deepEqual(
      streams.map((x) => x.subjects),
      [
        ["a.1", "b.1.p1.>"],
        ["a.2", "b.2.p1.>"],
        ["a.3", "b.3.p1.>"],
      ],
    );
  });

  it("nats_url may be a comma-separated list or (our extension) an array", () => {
    const servers = (nats_url: unknown) => loadOk(root({}, [spec({ nats_url })])).plan.steps[0]!.spec.servers;
    assert.deepEqual(servers("nats://a:4222, nats://b:4222"), ["nats://a:4222", "nats://b:4222"]);
    assert.deepEqual(servers(["nats://a:4222", "tls://b:4443"]), ["nats://a:4222", "tls://b:4443"]);
    assert.deepEqual(servers("localhost:4222"), ["localhost:4222"]);
  });

  it("nats_nkey_file (our extension) reaches the plan as nkeyFile, ${VAR} and {pod} expanded; absent by default", () => {
    const nkeyFile = (s: Record<string, unknown>, env: Record<string, string> = {}) =>
      loadOk(root({}, [spec(s)]), { pod: "p1", env }).plan.steps[0]!.spec.nkeyFile;
    assert.equal(
      nkeyFile({ nats_nkey_file: "${NKEYS}/{pod}.nk" }, { NKEYS: "/etc/nkeys" }),
      "/etc/nkeys/p1.nk",
    );
    assert.equal(nkeyFile({ nats_nkey_file: "${NKEY_FILE:-}" }), undefined);
    assert.equal(nkeyFile({}), undefined);
  });

  it("resolvePodName prefers POD_NAME, else the host name", () => {
    assert.equal(resolvePodName({ POD_NAME: "lt-0" }, "host"), "lt-0");
    assert.equal(resolvePodName({}, "host"), "host");
    assert.equal(resolvePodName({ POD_NAME: "" }, "host"), "host");
  });
});
