// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these configs test ${VAR} expansion on agents
// Issue 12, finding 2, on real servers and a real lt-agent: a pushed config cannot read the agent's secrets
// through `${VAR}`. The finding's config (`exfil_${NATS_PASSWORD}_${LT_HTTP_TOKEN:-none}_{pod}`) is refused by
// POST /config naming the variable and the field; written straight into the bucket, the agent refuses it the
// same way and no output shows the password or the token. Allowed variables (the default list, and more with
// --config-env) still work.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ControlClient, type PresenceView } from "../../src/control/index.ts";
import { faultConfig, SKIP_UNBUILT, until } from "../harness/agents.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { fetchWithin, shimAgent, stopAgent } from "./hardening-helpers.ts";

const CTL_PW = "ctl-pw-s3cret";
const HTTP_TOKEN = "http-tok-s3cret";
const ASK_MS = 10_000;

describe("hardening - ${VAR} by allow-list on a real agent", { skip: SKIP_UNBUILT, timeout: 180_000 }, () => {
  let ctl: NatsNode;
  let load: NatsNode;
  let nc: NatsConnection;
  let client: ControlClient;

  before(async () => {
    ctl = await startServer({
      extraConfig: `authorization { users = [ { user: "lt", password: "${CTL_PW}" } ] }\n`,
    });
    load = await startServer();
    nc = await connect({ servers: ctl.url, user: "lt", pass: CTL_PW });
    client = new ControlClient(nc, "lt");
    await client.plane();
  });
  after(async () => {
    await nc?.close();
    await ctl?.stop();
    await load?.stop();
  });

  /** An agent holding the secrets of the finding: control-plane password and HTTP token, both from env. */
  function agentEnv(extra: Record<string, string> = {}) {
    return {
      env: {
        NATS_USER: "lt",
        NATS_PASSWORD: CTL_PW,
        LT_HTTP_TOKEN: HTTP_TOKEN,
        NATS_URL: load.url,
        ...extra,
      },
    };
  }

  async function presenceOf(pod: string, f: (p: PresenceView) => boolean): Promise<PresenceView> {
    return until(
      `${pod}'s presence`,
      async () => (await client.status()).find((p) => p.pod === pod && f(p)),
      20_000,
    );
  }

  it("hardening - the exfil config is refused by POST /config and, written to the bucket, by the agent; no output shows a secret", async () => {
    const { agent, base } = await shimAgent(ctl.url, "env-exfil", agentEnv());
    try {
      const exfil = faultConfig(load.url, { seconds: 2 });
      (exfil["load_test_specs"] as Array<Record<string, unknown>>)[0]!["name"] =
        "exfil_${NATS_PASSWORD}_${LT_HTTP_TOKEN:-none}_{pod}";
      const post = await fetchWithin(`${base}/config`, ASK_MS, {
        method: "POST",
        body: JSON.stringify(exfil),
        headers: { "content-type": "application/json", authorization: `Bearer ${HTTP_TOKEN}` },
      });
      assert.equal(post.status, 400, post.text);
      const body = JSON.parse(post.text) as { issues: Array<{ path: string; message: string }> };
      const issue = body.issues.find((i) => i.path === "load_test_specs[0].name");
      assert.ok(issue, post.text);
      assert.match(issue.message, /NATS_PASSWORD/);
      assert.equal(await client.active(), undefined, "nothing was written");

      // Someone who can write the bucket skips the shim's check: the agent refuses it itself.
      const pushed = await client.push(exfil, {
        pushedBy: "attacker",
        validate: () => [],
        startAt: Date.now(),
      });
      const p = await presenceOf("env-exfil", (x) => x.run_id === pushed.run_id && x.state === "error");
      assert.match(p.error ?? "", /load_test_specs\[0\]\.name: \$\{NATS_PASSWORD\} is not expanded here/);
      const outputs = [
        JSON.stringify(await client.status()),
        (await fetchWithin(`${base}/stats?limit=50`, ASK_MS)).text,
        (await fetchWithin(`${base}/api/v1/stats?limit=50`, ASK_MS)).text,
        (await fetchWithin(`${base}/api/v1/agent`, ASK_MS)).text,
        (await fetchWithin(`${base}/status`, ASK_MS)).text,
        agent.stdout,
        agent.stderr,
      ];
      for (const text of outputs) {
        assert.ok(!text.includes(CTL_PW), `the control-plane password leaked: ${text.slice(0, 1_000)}`);
        assert.ok(!text.includes(HTTP_TOKEN), `the HTTP token leaked: ${text.slice(0, 1_000)}`);
      }
    } finally {
      await stopAgent(agent);
    }
  });

  it("hardening - the default allow-list keeps ${NATS_URL} working; another variable needs --config-env", async () => {
    const cfg = faultConfig("${TARGET_URL}", { seconds: 2, name: "envok" });
    const strict = await shimAgent(ctl.url, "env-strict", agentEnv({ TARGET_URL: load.url }));
    const open = await shimAgent(ctl.url, "env-open", {
      ...agentEnv({ TARGET_URL: load.url }),
      args: ["--config-env", "NATS_URL,TARGET_URL"],
    });
    try {
      const run = await client.push(cfg, { pushedBy: "test", startAt: Date.now() + 500 });
      const refused = await presenceOf("env-strict", (x) => x.run_id === run.run_id && x.state === "error");
      assert.match(
        refused.error ?? "",
        /nats_url: \$\{TARGET_URL\} is refused: not in the agent's allow-list/,
      );
      await presenceOf(
        "env-open",
        (x) => x.run_id === run.run_id && (x.state === "running" || x.state === "done"),
      );
      const viaDefault = await client.push(faultConfig("${NATS_URL}", { seconds: 2, name: "envdef" }), {
        pushedBy: "test",
        startAt: Date.now() + 500,
      });
      await presenceOf(
        "env-strict",
        (x) => x.run_id === viaDefault.run_id && (x.state === "running" || x.state === "done"),
      );
    } finally {
      await Promise.all([stopAgent(strict.agent), stopAgent(open.agent)]);
    }
  });
});
