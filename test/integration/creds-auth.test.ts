// NATS .creds files (user JWT + nkey seed) against a real nats-server in operator mode (test/harness/operator.ts
// makes the operator, accounts and users without nsc): the engine's `nats_creds_file`, a refused or missing
// creds file ending the step in phase "error", a user whose JWT denies publishing, and lt-agent / ltctl with
// `--creds` for the control plane, with neither the seed nor the JWT in any of their output.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EngineOptions } from "../../src/engine/index.ts";
import { ltctl, SKIP_UNBUILT, startAgent } from "../harness/agents.ts";
import { makeOperator, type NatsNode, startServer, type TestOperator } from "../harness/index.ts";
import { pushAndFollow } from "./auth-run.ts";
import { assertEveryMessage, errorOf, recorder, run, smallSpec } from "./engine-helpers.ts";

const spec = (url: string, creds: string, name = "cred", streamPrefix = name.toUpperCase()) =>
  smallSpec(url, name, { nats_creds_file: creds }, streamPrefix);

describe("auth - the engine with nats_creds_file against an operator-mode server", {
  timeout: 60_000,
}, () => {
  let op: TestOperator;
  let server: NatsNode & AsyncDisposable;
  before(async () => {
    op = await makeOperator();
    server = await startServer({ extraConfig: op.serverConfig });
  });
  after(async () => {
    await server?.[Symbol.asyncDispose]();
    op?.remove();
  });

  it("auth - a run with nats_creds_file publishes and consumes through an operator-mode server", async () => {
    const user = await op.user("load");
    const { finals } = await run([spec(server.url, user.file)]);
    const f = finals[0]!;
    assertEveryMessage(f);
    assert.equal(f.publish_errors, 0, JSON.stringify(f.errors));
    // The streams were made in the creds user's account (JetStream enabled by its account JWT).
    const jsz = await server.monitor<{
      account_details?: { id: string; stream_detail?: { name: string }[] }[];
    }>("/jsz?accounts=true&streams=true");
    const account = jsz.account_details?.find((a) => a.id === op.account);
    const streams = account?.stream_detail?.map((s) => s.name).filter((n) => n.startsWith("CRED_"));
    assert.deepEqual(streams?.sort(), ["CRED_1", "CRED_2"], JSON.stringify(jsz.account_details));
  });

  it("auth - the same run split over two worker threads authenticates each worker's connections with the creds file", async () => {
    const user = await op.user("load-workers");
    const { finals } = await run([spec(server.url, user.file, "credw")], { workers: 2 });
    const f = finals[0]!;
    assertEveryMessage(f);
    assert.equal(f.workers?.length, 2, "two workers ran");
  });

  it("auth - a creds file of an account the server does not know ends the step in phase error naming the authorization violation", async () => {
    const stranger = await op.strangerUser("stranger");
    const rec = recorder();
    try {
      const { finals } = await run([spec(server.url, stranger.file, "credx")], { log: rec.log });
      assert.equal(finals.length, 1);
      const f = finals[0]!;
      assert.equal(f.phase, "error");
      assert.match(errorOf(f), /Authorization Violation/i);
      assert.match(errorOf(f), /^connection lt-credx-admin to nats:\/\/127\.0\.0\.1:\d+ failed/);
      assert.equal(f.published, 0);
      assert.equal(f.consumed, 0);
      assert.equal(f.errors.connection_closed, 1);
      assert.ok(rec.lines.some((l) => l.level === "error" && l.msg === "step failed"));
      assert.doesNotMatch(errorOf(f), new RegExp(stranger.seed));
      assert.deepEqual(rec.rejections, []);
    } finally {
      rec.done();
    }
  });

  it("auth - a run without creds against an operator-mode server ends in phase error naming the authorization violation", async () => {
    const rec = recorder();
    try {
      const { finals } = await run([spec(server.url, "", "credn")], { log: rec.log });
      const f = finals[0]!;
      assert.equal(f.phase, "error");
      assert.match(errorOf(f), /Authorization Violation/i);
      assert.deepEqual(rec.rejections, []);
    } finally {
      rec.done();
    }
  });

  it("auth - a nats_creds_file that does not exist ends the step in phase error naming the file", async () => {
    const missing = join(op.dir, "no-such-user.creds");
    const rec = recorder();
    try {
      const { finals } = await run([spec(server.url, missing, "credm")], { log: rec.log });
      const f = finals[0]!;
      assert.equal(f.phase, "error");
      assert.match(errorOf(f), /ENOENT/);
      assert.ok(errorOf(f).includes(missing), errorOf(f));
      assert.deepEqual(rec.rejections, []);
    } finally {
      rec.done();
    }
  });

  it("auth - a user whose JWT denies publishing to the stream subjects has every publish counted as a permission error and nothing lost", async () => {
    const user = await op.user("no-publish", { pub: { deny: ["credp.>"] } });
    const rec = recorder();
    try {
      const extra = { log: rec.log, tuning: { ackTimeoutMs: 1000, publishAttemptTimeoutMs: 300 } };
      const { finals } = await run([spec(server.url, user.file, "credp")], extra as Partial<EngineOptions>);
      const f = finals[0]!;
      assert.equal(f.phase, "done", errorOf(f));
      assert.ok(f.published > 0, `published ${f.published}`);
      assert.equal(f.acked, 0);
      assert.equal(f.publish_errors, f.published, JSON.stringify(f.errors));
      assert.equal(f.errors.permission, f.published, JSON.stringify(f.errors));
      assert.equal(f.consumed, 0);
      assert.equal(f.lost, 0);
      assert.ok(
        rec.lines.some((l) => l.msg === "permission violation" && l.fields?.op === "publish"),
        "the violation is logged",
      );
      assert.deepEqual(rec.rejections, []);
    } finally {
      rec.done();
    }
  });
});

describe("auth - lt-agent and ltctl with --creds", { skip: SKIP_UNBUILT }, () => {
  it("auth - an agent and ltctl with --creds push a config and read stats over an operator-mode control plane, and the creds leak nowhere", {
    timeout: 60_000,
  }, async () => {
    const op = await makeOperator();
    await using server = await startServer({ extraConfig: op.serverConfig });
    const agentUser = await op.user("lt-agent");
    const ctlUser = await op.user("ltctl");
    const loadUser = await op.user("lt-load");
    const secrets = [agentUser, ctlUser, loadUser].flatMap((u) => [u.seed, u.jwt]);
    const cfg = join(op.dir, "creds-run.json");
    const config = {
      load_test_specs: [spec(server.url, loadUser.file, "credc_{pod}", "CREDC_{pod}")],
      storage: { type: "stdout" },
      stats_collection_interval_seconds: 1,
    };
    writeFileSync(cfg, JSON.stringify(config));
    const agent = startAgent({ server: server.url, pod: "cred-a", args: ["--creds", agentUser.file] });
    const auth = ["--server", server.url, "--creds", ctlUser.file];
    const outputs: string[] = [];
    try {
      await pushAndFollow({ cfg, agent, auth, outputs });
      // Creds of an account the server does not know: ltctl is refused, exits 3 (unreachable), says why.
      const stranger = await op.strangerUser("stranger");
      const refused = await ltctl(["status", "--server", server.url, "--creds", stranger.file]);
      outputs.push(refused.stdout, refused.stderr);
      secrets.push(stranger.seed, stranger.jwt);
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(refused.stderr, /Authorization Violation/i);
      const missing = await ltctl(["status", "--server", server.url, "--creds", join(op.dir, "none.creds")]);
      assert.equal(missing.code, 2, missing.stderr);
      assert.match(missing.stderr, /cannot read credentials .*none\.creds/);
    } finally {
      assert.equal(await agent.kill("SIGTERM"), 0, agent.log);
      op.remove();
    }
    assert.deepEqual(agent.exits, [0]);
    const seen = [agent.stderr, agent.stdout, ...outputs].join("\n");
    for (const secret of secrets) {
      assert.ok(!seen.includes(secret), `a creds secret (${secret.slice(0, 4)}...) appeared in the output`);
    }
    // The agent logged its auth kind, not the file's contents.
    assert.ok(
      agent.logLines().some((l) => l.msg === "agent starting" && JSON.stringify(l).includes('"creds"')),
      agent.log,
    );
  });
});
