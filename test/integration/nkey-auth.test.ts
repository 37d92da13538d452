// NATS nkey users (a server listing users by public key, `authorization { users: [ { nkey: "U..." } ] }`, the
// client signing the server's nonce with the seed "SU..."), made in the test with @nats-io/nkeys: the engine's
// `nats_nkey_file` (in-process and in worker threads), a seed the server does not know, a missing file and a
// file without a seed ending the step in phase "error", and lt-agent / ltctl with `--nkey` for the control
// plane, with no seed in any of their output. JetStream works for nkey users in the global account.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createUser } from "@nats-io/nkeys";
import { ltctl, SKIP_UNBUILT, startAgent } from "../harness/agents.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { pushAndFollow } from "./auth-run.ts";
import { assertEveryMessage, errorOf, recorder, run, smallSpec } from "./engine-helpers.ts";

interface NkeyUser {
  /** The public key the server lists, "U...". */
  readonly pub: string;
  /** The seed, "SU..." (the secret). */
  readonly seed: string;
  /** The seed file (mode 0600). */
  readonly file: string;
}

/** A fresh user nkey, its seed written to `<dir>/<name>.nk` as nsc writes it (the seed and a newline). */
function nkeyUser(dir: string, name: string): NkeyUser {
  const kp = createUser();
  const seed = new TextDecoder().decode(kp.getSeed());
  const file = join(dir, `${name}.nk`);
  writeFileSync(file, `${seed}\n`, { mode: 0o600 });
  return { pub: kp.getPublicKey(), seed, file };
}

/** Server config accepting exactly these users. */
const authorization = (users: readonly NkeyUser[]) =>
  `authorization { users: [ ${users.map((u) => `{ nkey: "${u.pub}" }`).join(", ")} ] }`;

const spec = (url: string, nkeyFile: string, name = "nk", streamPrefix = name.toUpperCase()) =>
  smallSpec(url, name, { nats_nkey_file: nkeyFile }, streamPrefix);

describe("auth - the engine with nats_nkey_file against a server listing nkey users", {
  timeout: 60_000,
}, () => {
  let dir: string;
  let user: NkeyUser;
  let server: NatsNode & AsyncDisposable;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "lt-nkey-"));
    user = nkeyUser(dir, "load");
    server = await startServer({ extraConfig: authorization([user]) });
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("auth - the seed file is written owner-only, as a secret should be", () => {
    assert.equal(statSync(user.file).mode & 0o777, 0o600);
  });

  it("auth - a run with nats_nkey_file publishes and consumes through a server that lists the user's nkey", async () => {
    const { finals } = await run([spec(server.url, user.file)]);
    const f = finals[0]!;
    assertEveryMessage(f);
    assert.equal(f.publish_errors, 0, JSON.stringify(f.errors));
    // nkey users without an account live in the global account, where JetStream is on (nats-server 2.9.10).
    const jsz = await server.monitor<{
      account_details?: { name: string; stream_detail?: { name: string }[] }[];
    }>("/jsz?accounts=true&streams=true");
    const global = jsz.account_details?.find((a) => a.name === "$G");
    const streams = global?.stream_detail?.map((s) => s.name).filter((n) => n.startsWith("NK_"));
    assert.deepEqual(streams?.sort(), ["NK_1", "NK_2"], JSON.stringify(jsz.account_details));
  });

  it("auth - the same run split over two worker threads signs each worker's connections with the seed file", async () => {
    const { finals } = await run([spec(server.url, user.file, "nkw")], { workers: 2 });
    const f = finals[0]!;
    assertEveryMessage(f);
    assert.equal(f.workers?.length, 2, "two workers ran");
  });

  it("auth - the seed of an nkey the server does not list ends the step in phase error naming the authorization violation", async () => {
    const stranger = nkeyUser(dir, "stranger");
    const rec = recorder();
    try {
      const { finals } = await run([spec(server.url, stranger.file, "nkx")], { log: rec.log });
      assert.equal(finals.length, 1);
      const f = finals[0]!;
      assert.equal(f.phase, "error");
      assert.match(errorOf(f), /Authorization Violation/i);
      assert.match(errorOf(f), /^connection lt-nkx-admin to nats:\/\/127\.0\.0\.1:\d+ failed/);
      assert.equal(f.published, 0);
      assert.equal(f.consumed, 0);
      assert.ok(rec.lines.some((l) => l.level === "error" && l.msg === "step failed"));
      const logged = JSON.stringify(rec.lines);
      assert.ok(!errorOf(f).includes(stranger.seed) && !logged.includes(stranger.seed), "the seed leaked");
      assert.deepEqual(rec.rejections, []);
    } finally {
      rec.done();
    }
  });

  it("auth - a nats_nkey_file that does not exist ends the step in phase error naming the field and the file", async () => {
    const missing = join(dir, "no-such-user.nk");
    const rec = recorder();
    try {
      const { finals } = await run([spec(server.url, missing, "nkm")], { log: rec.log });
      const f = finals[0]!;
      assert.equal(f.phase, "error");
      assert.ok(errorOf(f).includes(`cannot read nats_nkey_file ${missing}: ENOENT`), errorOf(f));
      assert.deepEqual(rec.rejections, []);
    } finally {
      rec.done();
    }
  });

  it("auth - a nats_nkey_file holding no seed ends the step in phase error without echoing the file", async () => {
    const notASeed = join(dir, "public-key.nk");
    writeFileSync(notASeed, `${user.pub}\n`, { mode: 0o600 });
    const rec = recorder();
    try {
      const { finals } = await run([spec(server.url, notASeed, "nkb")], { log: rec.log });
      const f = finals[0]!;
      assert.equal(f.phase, "error");
      assert.ok(errorOf(f).includes(`nats_nkey_file ${notASeed} holds no user nkey seed`), errorOf(f));
      assert.ok(!errorOf(f).includes(user.pub), errorOf(f));
      assert.deepEqual(rec.rejections, []);
    } finally {
      rec.done();
    }
  });
});

describe("auth - lt-agent and ltctl with --nkey", { skip: SKIP_UNBUILT }, () => {
  it("auth - an agent and ltctl with --nkey push a config and read stats over a control plane of nkey users, and no seed leaks", {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-nkey-cp-"));
    const agentUser = nkeyUser(dir, "lt-agent");
    const ctlUser = nkeyUser(dir, "ltctl");
    const loadUser = nkeyUser(dir, "lt-load");
    const stranger = nkeyUser(dir, "stranger");
    const secrets = [agentUser, ctlUser, loadUser, stranger].map((u) => u.seed);
    await using server = await startServer({ extraConfig: authorization([agentUser, ctlUser, loadUser]) });
    const cfg = join(dir, "nkey-run.json");
    const config = {
      load_test_specs: [spec(server.url, loadUser.file, "nkc_{pod}", "NKC_{pod}")],
      storage: { type: "stdout" },
      stats_collection_interval_seconds: 1,
    };
    writeFileSync(cfg, JSON.stringify(config));
    const agent = startAgent({ server: server.url, pod: "nkey-a", args: ["--nkey", agentUser.file] });
    const auth = ["--server", server.url, "--nkey", ctlUser.file];
    const outputs: string[] = [];
    try {
      // ltctl status takes the seed file from the environment (NATS_NKEY_FILE), the option before the command.
      await pushAndFollow({
        cfg,
        agent,
        auth,
        outputs,
        status: { args: ["--server", server.url, "status"], env: { NATS_NKEY_FILE: ctlUser.file } },
      });
      // The seed of an nkey the server does not list: ltctl is refused, exits 3 (unreachable), says why.
      const refused = await ltctl(["status", "--server", server.url, "--nkey", stranger.file]);
      outputs.push(refused.stdout, refused.stderr);
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(refused.stderr, /Authorization Violation/i);
      // An unreadable seed file is a usage error naming the flag and the file.
      const none = join(dir, "none.nk");
      const missing = await ltctl(["status", "--server", server.url, "--nkey", none]);
      outputs.push(missing.stdout, missing.stderr);
      assert.equal(missing.code, 2, missing.stderr);
      assert.ok(missing.stderr.includes(`cannot read the nkey seed file ${none} (--nkey`), missing.stderr);
    } finally {
      assert.equal(await agent.kill("SIGTERM"), 0, agent.log);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(agent.exits, [0]);
    const seen = [agent.stderr, agent.stdout, ...outputs].join("\n");
    for (const secret of secrets) {
      assert.ok(!seen.includes(secret), `an nkey seed (${secret.slice(0, 4)}...) appeared in the output`);
    }
    // The agent logged its auth kind and the seed file's path, not its contents.
    const starting = agent.logLines().find((l) => l.msg === "agent starting");
    assert.equal(starting?.auth, "nkey", agent.log);
    assert.equal(starting?.nkey_file, agentUser.file, agent.log);
  });

  it("auth - lt-agent with an unreadable --nkey file exits 2 naming the flag and the file", {
    timeout: 20_000,
  }, async () => {
    const none = join(tmpdir(), `lt-no-such-${process.pid}.nk`);
    const agent = startAgent({ server: "nats://127.0.0.1:1", pod: "nkey-m", args: ["--nkey", none] });
    assert.equal(await agent.exited(), 2, agent.log);
    assert.ok(agent.stderr.includes(`cannot read the nkey seed file ${none} (--nkey`), agent.stderr);
  });
});
