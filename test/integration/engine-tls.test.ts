// A spec's `tls` (ca_file, cert_file, key_file) against a real nats-server that verifies client certificates
// (`tls { ... verify: true }`, PKI made with openssl by test/harness/tls.ts): a run with the client certificate
// succeeds in-process (its cleanup too) and over two worker threads, `tls` turns TLS on for a nats:// URL, and a missing client
// certificate, a missing key file or a server without TLS end the step in phase "error" with a message that
// says why, with no unhandled rejection.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EngineOptions } from "../../src/engine/index.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { haveOpenssl, makePki, type TestPki } from "../harness/tls.ts";
import { assertEveryMessage, errorOf, recorder, run, smallSpec } from "./engine-helpers.ts";

const spec = (url: string, tls: Record<string, string>, name: string) => smallSpec(url, name, { tls });

/** Runs one spec with the recorder; a short connect timeout keeps a refused handshake from taking 20 s. */
async function runRecorded(s: unknown, extra: Partial<EngineOptions> = {}) {
  const rec = recorder();
  try {
    const tuning = { connectTimeoutMs: 4000 };
    const { finals } = await run([s], { log: rec.log, tuning, ...extra } as Partial<EngineOptions>);
    assert.equal(finals.length, 1);
    return { f: finals[0]!, rec };
  } finally {
    rec.done();
  }
}

describe("engine tls - a nats-server that verifies client certificates", {
  skip: !haveOpenssl() && "no openssl",
  timeout: 120_000,
}, () => {
  let pki: TestPki;
  let server: NatsNode & AsyncDisposable;
  let mtls: Record<string, string>;
  before(async () => {
    pki = makePki();
    server = await startServer({ extraConfig: pki.serverTls(true) });
    mtls = { ca_file: pki.caFile, cert_file: pki.clientCertFile, key_file: pki.clientKeyFile };
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    pki?.remove();
  });

  it("engine tls - a run with the spec's CA and client certificate publishes and consumes everything (nats:// URL, tls implied)", async () => {
    const { f, rec } = await runRecorded(spec(server.url, mtls, "tlsok"), { cleanup: true });
    assertEveryMessage(f);
    assert.equal(f.publish_errors, 0, JSON.stringify(f.errors));
    assert.deepEqual(rec.rejections, []);
    // Every connection of the run went over TLS with the client certificate (the server verifies it).
    const connz = await server.monitor<{
      connections?: { name?: string; tls_version?: string }[];
    }>("/connz?state=closed&limit=1000");
    const ours = (connz.connections ?? []).filter((c) => c.name?.startsWith("lt-tlsok-"));
    assert.ok(ours.length >= 3, `admin, publish and consume connections: ${JSON.stringify(ours)}`);
    for (const c of ours) assert.ok(c.tls_version, `${c.name} without TLS`);
    // cleanup connected over TLS too: the run's streams are gone.
    const jsz = await server.monitor<{ account_details?: { stream_detail?: { name: string }[] }[] }>(
      "/jsz?accounts=true&streams=true",
    );
    const left = (jsz.account_details ?? []).flatMap((a) => a.stream_detail ?? []).map((x) => x.name);
    assert.deepEqual(
      left.filter((n) => n.startsWith("TLSOK_")),
      [],
    );
  });

  it("engine tls - the same run split over two worker threads connects each worker with the client certificate", async () => {
    const { f } = await runRecorded(spec(server.url, mtls, "tlsw"), { workers: 2 });
    assertEveryMessage(f);
    assert.equal(f.workers?.length, 2, "two workers ran");
  });

  it("engine tls - without a client certificate the step ends in phase error naming TLS and the client certificate", async () => {
    const { f, rec } = await runRecorded(spec(server.url, { ca_file: pki.caFile }, "tlsnc"));
    assert.equal(f.phase, "error");
    assert.match(errorOf(f), /^connection lt-tlsnc-admin to nats:\/\/127\.0\.0\.1:\d+ failed/);
    assert.match(
      errorOf(f),
      /TLS: the server may require a client certificate: tls\.cert_file and tls\.key_file/,
    );
    assert.equal(f.published, 0);
    assert.equal(f.errors.connection_closed, 1);
    assert.ok(rec.lines.some((l) => l.level === "error" && l.msg === "step failed"));
    assert.deepEqual(rec.rejections, []);
  });

  it("engine tls - without tls the server's certificate (private CA) is not trusted, and the error names tls.ca_file", async () => {
    const s = { ...spec(server.url, {}, "tlsnone"), tls: undefined };
    const { f, rec } = await runRecorded(s);
    assert.equal(f.phase, "error");
    // Node 24 appends its own hint (--use-system-ca) to the certificate error, before ours.
    assert.match(errorOf(f), /unable to verify the first certificate\b.*\(TLS: .*tls\.ca_file/);
    assert.deepEqual(rec.rejections, []);
  });

  it("engine tls - a key_file that does not exist ends the step in phase error naming the field and the file", async () => {
    const missing = join(pki.dir, "no-such-client.key");
    const tls = { ...mtls, key_file: missing };
    const { f, rec } = await runRecorded(spec(server.url, tls, "tlsmk"));
    assert.equal(f.phase, "error");
    assert.match(
      errorOf(f),
      /^connection lt-tlsmk-admin to nats:\/\/127\.0\.0\.1:\d+ failed: cannot read tls\.key_file /,
    );
    assert.ok(errorOf(f).includes(`cannot read tls.key_file ${missing}: ENOENT`), errorOf(f));
    assert.equal(f.published, 0);
    assert.equal(f.errors.connection_closed, 1);
    assert.deepEqual(rec.rejections, []);
  });

  it("engine tls - a client certificate with the wrong key ends the step in phase error naming both files", async () => {
    const tls = { ...mtls, key_file: pki.keyFile }; // the server's key: not the client certificate's
    const { f, rec } = await runRecorded(spec(server.url, tls, "tlswk"));
    assert.equal(f.phase, "error");
    assert.match(errorOf(f), /^connection lt-tlswk-admin to .* failed: unusable TLS files \(/);
    assert.ok(errorOf(f).includes(`tls.cert_file ${pki.clientCertFile}`), errorOf(f));
    assert.ok(errorOf(f).includes(`tls.key_file ${pki.keyFile}`), errorOf(f));
    assert.deepEqual(rec.rejections, []);
  });
});

describe("engine tls - a spec with tls against a server without TLS", { timeout: 60_000 }, () => {
  it("engine tls - tls requires TLS even for a nats:// URL: a plain server ends the step in phase error", async () => {
    await using plain = await startServer();
    const { f, rec } = await runRecorded(spec(plain.url, {}, "tlsplain"));
    assert.equal(f.phase, "error");
    assert.match(errorOf(f), /server does not support 'tls'/);
    assert.match(errorOf(f), /TLS: this server offers no TLS/);
    assert.deepEqual(rec.rejections, []);
  });
});
