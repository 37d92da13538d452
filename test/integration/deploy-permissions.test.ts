// deploy/k8s/nats-permissions.conf against a real nats-server: a real lt-agent process whose control-plane
// user is `lt-agent` and whose load runs as `lt-load` seeds its default config, runs it, reports presence and
// snapshots and answers a control command, and the server logs no permission violation on the way; each user
// is refused what belongs to the other.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import { startServer } from "../harness/index.ts";

const PW = { agent: "agent-secret", load: "load-secret", admin: "admin-secret" };

/**
 * The permissions file as a server config: passwords filled in, an unrestricted `admin` user for the test's
 * own checks (playing ltctl), and `no_auth_user: lt-load` so the engine's connection (a spec's nats_url, no
 * creds file) is the load user: nats-server users need no .creds file.
 */
function serverConfig(): string {
  const text = readFileSync("deploy/k8s/nats-permissions.conf", "utf8")
    .replaceAll("$LT_AGENT_PASSWORD", JSON.stringify(PW.agent))
    .replaceAll("$LT_LOAD_PASSWORD", JSON.stringify(PW.load));
  const withAdmin = text.replace(
    /authorization \{\n {2}users: \[\n/,
    `authorization {\n  users: [\n    { user: "admin", password: "${PW.admin}" }\n`,
  );
  assert.notEqual(withAdmin, text, "the authorization block has the expected shape");
  return `${withAdmin}\nno_auth_user: "lt-load"\n`;
}

function loadConfig(url: string) {
  return {
    load_test_specs: [
      {
        name: "perm_{pod}",
        nats_url: url,
        use_jetstream: true,
        client_id_prefix: "perm_{pod}",
        streams: [
          {
            name_prefix: "load_stream_{pod}",
            count: 2,
            replicas: 1,
            subjects: ["test.{}.{pod}"],
            storage: "memory",
            max_msgs: 10000,
          },
        ],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: "load_stream_{pod}",
          publish_rate_per_second: 100,
          publish_pattern: "steady",
          message_size_bytes: 64,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: "load_stream_{pod}",
          type: "pull",
          count_per_stream: 1,
          durable_name_prefix: "consumer_{pod}",
          ack_wait_seconds: 30,
          max_ack_pending: 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: 3, ramp_up_seconds: 0 },
      },
    ],
    storage: { type: "stdout" },
    stats_collection_interval_seconds: 1,
  };
}

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether the server logged a publish violation by `user` on `subject` (after `f` tried it). */
async function violates(
  server: { log: string },
  nc: NatsConnection,
  user: string,
  subject: string,
  f: () => Promise<unknown>,
): Promise<boolean> {
  await f().catch(() => {});
  await nc.flush().catch(() => {});
  const needle = `Publish Violation - User "${user}", Subject "${subject}"`;
  return await until(
    `the violation of ${subject}`,
    3_000,
    async () => server.log.includes(needle) || undefined,
  )
    .then(() => true)
    .catch(() => false);
}

test("deploy-permissions - an agent runs a whole test with only the least-privilege users' permissions", async () => {
  await using server = await startServer({ extraConfig: serverConfig() });
  const dir = mkdtempSync(join(tmpdir(), "lt-perm-"));
  const cfgFile = join(dir, "default.json");
  writeFileSync(cfgFile, JSON.stringify(loadConfig(server.url)));
  const pod = "perm-pod-0";
  let agentLog = "";
  const agent: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      'const m = await import("./src/agent/index.ts"); process.exitCode = await m.main(process.argv);',
      "lt-agent",
    ],
    {
      env: {
        ...process.env,
        NATS_URL: server.url,
        NATS_USER: "lt-agent",
        NATS_PASSWORD: PW.agent,
        POD_NAME: pod,
        LT_HTTP_PORT: "0",
        LT_DEFAULT_CONFIG: cfgFile,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  agent.stdout?.on("data", (b: Buffer) => {
    agentLog = (agentLog + b.toString()).slice(-20_000);
  });
  agent.stderr?.on("data", (b: Buffer) => {
    agentLog = (agentLog + b.toString()).slice(-20_000);
  });
  const admin = await connect({ servers: server.url, user: "admin", pass: PW.admin });
  try {
    const ctl = new ControlClient(admin);
    const active = await until("the agent to seed its default config", 20_000, async () => ctl.active());
    const done = await until("a final snapshot with traffic", 40_000, async () => {
      const snaps = await ctl.latest(active.run_id);
      const s = snaps.find((x) => x.pod === pod);
      return s && s.phase === "done" ? s : undefined;
    });
    assert.ok(done.published > 0, "published under lt-load");
    assert.ok(done.consumed > 0, "consumed under lt-load");
    const history = await ctl.stats({ pod, limit: 5 });
    assert.ok(history.length > 0, "snapshot history reached stream LT_STATS");
    const presence = await ctl.status();
    assert.ok(
      presence.some((p) => p.pod === pod),
      "presence in KV lt_agents",
    );
    const replies = await ctl.command("stop", { pod, timeoutMs: 5_000 });
    assert.deepEqual(
      replies.map((r) => r.pod),
      [pod],
      "the agent answers a control request (allow_responses)",
    );
    const violations = server.log.split("\n").filter((l) => /violation/i.test(l));
    assert.deepEqual(violations, [], "no permission violation while the agent worked");
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- agent log ---\n${agentLog}\n--- server log ---\n${server.log}`,
    );
  } finally {
    const exited = new Promise((r) => agent.once("exit", r));
    agent.kill("SIGTERM");
    const timer = setTimeout(() => agent.kill("SIGKILL"), 25_000);
    await exited;
    clearTimeout(timer);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("deploy-permissions - each user is refused what belongs to the other", async () => {
  await using server = await startServer({ extraConfig: serverConfig() });
  const agentNc = await connect({ servers: server.url, user: "lt-agent", pass: PW.agent });
  const loadNc = await connect({ servers: server.url }); // no_auth_user: lt-load
  try {
    await new ControlClient(agentNc).plane(); // lt-agent may create the control plane
    const asAgent = await jetstreamManager(agentNc, { timeout: 1_000 });
    assert.ok(
      await violates(server, agentNc, "lt-agent", "$JS.API.STREAM.DELETE.KV_lt_config", () =>
        asAgent.streams.delete("KV_lt_config"),
      ),
      "lt-agent cannot delete control-plane streams",
    );
    assert.ok(
      await violates(server, agentNc, "lt-agent", "$JS.API.STREAM.CREATE.load_stream_x_1", () =>
        asAgent.streams.add({ name: "load_stream_x_1", subjects: ["test.1.x"] }),
      ),
      "lt-agent cannot create load streams",
    );
    assert.ok(
      await violates(server, agentNc, "lt-agent", "test.1.x", async () => agentNc.publish("test.1.x", "m")),
      "lt-agent cannot publish load",
    );
    const asLoad = await jetstreamManager(loadNc, { timeout: 2_000 });
    await asLoad.streams.add({ name: "load_stream_x_1", subjects: ["test.1.x"] });
    assert.equal((await jetstream(loadNc).publish("test.1.x", "m")).seq, 1, "lt-load publishes its load");
    for (const subject of ["lt.control.all", "$KV.lt_config.active", "lt.stats.r.p"]) {
      assert.ok(
        await violates(server, loadNc, "lt-load", subject, async () => loadNc.publish(subject, "x")),
        `lt-load cannot publish ${subject}`,
      );
    }
  } finally {
    await agentNc.close();
    await loadNc.close();
  }
});
