// ltctl validate, in process through main() with a recording io, and once through the built bin/ltctl.
// The bin test needs `npm run build` first (make test builds before testing); it is skipped without dist/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type CliIo, main } from "../../src/cli/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SEED = `${ROOT}examples/seed.json`;
const QUICK = `${ROOT}examples/quick.json`;
const SEED_ENV = { NATS_URL: "nats://n1:4222", NATS_CREDS_MOUNT_PATH: "/etc/nats" };

function run(args: string[], env: Record<string, string> = {}) {
  let out = "";
  let err = "";
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    isTTY: false,
    hostname: "host1",
    setExitCode: () => {},
  };
  return main(["node", "ltctl", ...args], io).then((code) => ({ code, out, err }));
}

describe("config - ltctl validate", () => {
  it("prints the seed's streams, subjects, publishers and consumers and exits 0", async () => {
    const r = await run(["validate", SEED, "--pod", "p1"], SEED_ENV);
    assert.equal(r.code, 0, r.err);
    for (let i = 1; i <= 5; i++) {
      assert.match(r.out, new RegExp(`load_stream_p1_${i}\\s+test\\.${i}\\.p1`));
    }
    assert.match(r.out, /5 streams, 5 subjects, 50 publishers, 25 consumers, target 50,000 msg\/s/);
  });

  it("without NATS_URL exits 104 (invalid config) naming NATS_URL and load_test_specs[0].nats_url", async () => {
    const r = await run(["validate", SEED, "--pod", "p1"], { NATS_CREDS_MOUNT_PATH: "/etc/nats" });
    assert.equal(r.code, 104);
    assert.match(r.err, /load_test_specs\[0\]\.nats_url: environment variable NATS_URL is not set/);
  });

  it("takes the pod from POD_NAME, else the host name", async () => {
    assert.match((await run(["validate", QUICK], { POD_NAME: "lt-7" })).out, /quick_lt-7_1/);
    assert.match((await run(["validate", QUICK])).out, /quick_host1_1/);
  });

  it("--json prints the summary and the warnings", async () => {
    const r = await run(["validate", SEED, "--pod", "p1", "--json"], SEED_ENV);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.out);
    assert.equal(doc.ok, true);
    assert.equal(doc.summary.steps[0].publishers, 50);
    assert.equal(doc.summary.steps[0].consumers, 25);
    assert.equal(doc.summary.steps[0].targetMsgsPerSec, 50_000);
    assert.deepEqual(doc.warnings, []);
  });

  it("shows the spec's nkey seed file (a path) in the text and in --json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-validate-nkey-"));
    try {
      const cfg = JSON.parse(readFileSync(QUICK, "utf8"));
      cfg.load_test_specs[0].nats_nkey_file = "/nkeys/{pod}.nk";
      const file = join(dir, "nkey.json");
      writeFileSync(file, JSON.stringify(cfg));
      const text = await run(["validate", file, "--pod", "p1"]);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /\n {2}nkey seed file: \/nkeys\/p1\.nk\n/);
      const json = await run(["validate", file, "--pod", "p1", "--json"]);
      assert.equal(JSON.parse(json.out).summary.steps[0].nkeyFile, "/nkeys/p1.nk");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows the spec's tls files (paths) in the text and in --json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-validate-tls-"));
    try {
      const cfg = JSON.parse(readFileSync(QUICK, "utf8"));
      cfg.load_test_specs[0].tls = {
        ca_file: "/tls/ca.pem",
        cert_file: "/tls/client.pem",
        key_file: "/tls/client.key",
      };
      const file = join(dir, "tls.json");
      writeFileSync(file, JSON.stringify(cfg));
      const text = await run(["validate", file]);
      assert.equal(text.code, 0, text.err);
      assert.match(
        text.out,
        /\n {2}tls: required · CA \/tls\/ca\.pem · client certificate \/tls\/client\.pem, key \/tls\/client\.key\n/,
      );
      const json = await run(["validate", file, "--json"]);
      assert.deepEqual(JSON.parse(json.out).summary.steps[0].tls, {
        caFile: "/tls/ca.pem",
        certFile: "/tls/client.pem",
        keyFile: "/tls/client.key",
      });
      cfg.load_test_specs[0].tls = {};
      writeFileSync(file, JSON.stringify(cfg));
      assert.match(
        (await run(["validate", file])).out,
        /\n {2}tls: required · default CAs · no client certificate\n/,
      );
      delete cfg.load_test_specs[0].tls;
      writeFileSync(file, JSON.stringify(cfg));
      assert.doesNotMatch((await run(["validate", file])).out, /tls:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--json on an invalid config prints the issues and exits 104", async () => {
    const r = await run(["validate", SEED, "--json"], {});
    assert.equal(r.code, 104);
    const doc = JSON.parse(r.out);
    assert.equal(doc.ok, false);
    assert.deepEqual(
      doc.issues.map((i: { path: string }) => i.path),
      ["load_test_specs[0].nats_url", "load_test_specs[0].nats_creds_file"],
    );
  });

  it("a missing file or argument is a usage error (exit 2)", async () => {
    assert.equal((await run(["validate", "/no/such/file.json"])).code, 2);
    assert.equal((await run(["validate"])).code, 2);
    assert.equal((await run(["nonsense"])).code, 2);
  });

  it("--help teaches with examples and exits 0", async () => {
    const r = await run(["validate", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /Examples:/);
    assert.match(r.out, /Exit codes: 0 valid, 2 bad usage or unreadable file, 104 invalid config/);
  });

  const built = existsSync(`${ROOT}dist/src/cli/index.js`);
  it("the built bin/ltctl validates the seed", { skip: built ? false : "run npm run build first" }, () => {
    const r = spawnSync(`${ROOT}bin/ltctl`, ["validate", SEED, "--pod", "p1"], {
      env: { PATH: process.env.PATH, ...SEED_ENV },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /50 publishers, 25 consumers/);
    const bad = spawnSync(`${ROOT}bin/ltctl`, ["validate", SEED], {
      env: { PATH: process.env.PATH },
      encoding: "utf8",
    });
    assert.equal(bad.status, 104, "bin/ltctl exits 104 on an invalid config");
    assert.match(bad.stderr, /NATS_URL/);
  });
});
