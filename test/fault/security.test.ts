// Security of the control plane: lt-agent and ltctl work against a nats-server that requires user/password,
// a token, or TLS (a CA and certificates made in the test); and no secret (control-plane password, a
// password inside a spec's nats_url, the HTTP bearer token) appears in any output: agent stderr/stdout,
// ltctl status/stats/history (table, --json, --show), GET /config, /stats, /api/v1/stats, /metrics. Mutual TLS:
// --tls-ca/--tls-cert/--tls-key (or NATS_TLS_*) against a server that verifies client certificates.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type AgentProcess, faultConfig, ltctl, SKIP_UNBUILT, startAgent, until } from "../harness/agents.ts";
import { freePort, type NatsNode, startServer } from "../harness/index.ts";
import { haveOpenssl, makePki } from "../harness/tls.ts";

const dir = mkdtempSync(join(tmpdir(), "lt-sec-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, cfg: unknown): string {
  const f = join(dir, `${name}.json`);
  writeFileSync(f, JSON.stringify(cfg));
  return f;
}

/** Pushes a short run with the given ltctl auth flags, waits for the agent's presence and a snapshot. */
async function roundTrip(
  server: string,
  auth: string[],
  natsUrl: string,
  pod: string,
  env: Record<string, string> = {},
) {
  const file = configFile(pod, faultConfig(natsUrl, { seconds: 3, name: pod.replaceAll("-", "") }));
  const push = await ltctl(
    ["push", file, "--server", server, ...auth, "--start-in", "1", "--wait", "2"],
    env,
  );
  assert.equal(push.code, 0, `push: ${push.stdout}${push.stderr}`);
  const status = await until("the agent in ltctl status", async () => {
    const r = await ltctl(["status", "--server", server, ...auth, "--json"], env);
    const j = JSON.parse(r.stdout) as { agents: { pod: string; stale: boolean }[] };
    return j.agents.find((a) => a.pod === pod && !a.stale) ? r : undefined;
  });
  const stats = await until(
    "a snapshot",
    async () => {
      const r = await ltctl(["stats", "--server", server, ...auth, "--json"], env);
      const j = JSON.parse(r.stdout) as { snapshots: unknown[] };
      return j.snapshots.length > 0 ? r : undefined;
    },
    20_000,
  );
  return { push, status, stats };
}

describe("security - control plane auth", { skip: SKIP_UNBUILT }, () => {
  it("security - agent and ltctl work with user and password; a wrong password is refused", async () => {
    const srv = await startServer({
      extraConfig: 'authorization { users = [ { user: "lt", password: "pw-ctl-s3cret" } ] }\n',
    });
    const agent = startAgent({
      server: srv.url,
      pod: "sec-user",
      args: ["--user", "lt", "--password", "pw-ctl-s3cret"],
    });
    try {
      const auth = ["--user", "lt", "--password", "pw-ctl-s3cret"];
      const noAuthUrl = srv.url.replace("nats://", "nats://lt:pw-ctl-s3cret@");
      await roundTrip(srv.url, auth, noAuthUrl, "sec-user");
      const bad = await ltctl(["status", "--server", srv.url, "--user", "lt", "--password", "wrong"]);
      assert.notEqual(bad.code, 0);
      assert.doesNotMatch(bad.stdout + bad.stderr, /pw-ctl-s3cret/);
    } finally {
      await agent.kill("SIGTERM");
      await srv.stop();
    }
    assert.doesNotMatch(
      agent.stderr + agent.stdout,
      /pw-ctl-s3cret/,
      "the password leaked into the agent's output",
    );
  });

  it("security - agent and ltctl work with a token (flag and NATS_TOKEN)", async () => {
    const srv = await startServer({ extraConfig: 'authorization { token: "tok-ctl-s3cret" }\n' });
    const agent = startAgent({ server: srv.url, pod: "sec-token", env: { NATS_TOKEN: "tok-ctl-s3cret" } });
    try {
      const natsUrl = srv.url.replace("nats://", "nats://tok-ctl-s3cret@");
      await roundTrip(srv.url, ["--token", "tok-ctl-s3cret"], natsUrl, "sec-token");
    } finally {
      await agent.kill("SIGTERM");
      await srv.stop();
    }
    assert.doesNotMatch(agent.stderr + agent.stdout, /tok-ctl-s3cret/);
  });

  it("security - agent and ltctl work over TLS with a CA made in the test", {
    skip: !haveOpenssl() && "no openssl",
  }, async () => {
    const pki = makePki();
    const srv = await startServer({ extraConfig: pki.serverTls(false) });
    const url = `tls://127.0.0.1:${srv.port}`;
    const env = { NODE_EXTRA_CA_CERTS: pki.caFile };
    const agent = startAgent({ server: url, pod: "sec-tls", env });
    try {
      await roundTrip(url, [], url, "sec-tls", env);
      // Without the CA the server's certificate is not trusted.
      const untrusted = await ltctl(["status", "--server", url], { NODE_EXTRA_CA_CERTS: "" });
      assert.notEqual(untrusted.code, 0, "a client without the CA connected");
    } finally {
      await agent.kill("SIGTERM");
      await srv.stop();
      pki.remove();
    }
  });
});

describe("security - mutual TLS for the control plane", {
  skip: SKIP_UNBUILT || (!haveOpenssl() && "no openssl"),
}, () => {
  it("security - with a server that verifies client certificates, agent and ltctl work with --tls-ca/--tls-cert/--tls-key (and NATS_TLS_*), and fail clearly without the client certificate", async () => {
    const pki = makePki();
    const ctl = await startServer({ extraConfig: pki.serverTls(true) });
    const load = await startServer(); // the NATS under test: plain, the engine has no client certificate
    const url = `tls://127.0.0.1:${ctl.port}`;
    const tls = ["--tls-ca", pki.caFile, "--tls-cert", pki.clientCertFile, "--tls-key", pki.clientKeyFile];
    const tlsEnv = {
      NATS_TLS_CA: pki.caFile,
      NATS_TLS_CERT: pki.clientCertFile,
      NATS_TLS_KEY: pki.clientKeyFile,
    };
    const noTrust = { NODE_EXTRA_CA_CERTS: "" };
    const agent = startAgent({ server: url, pod: "sec-mtls", args: tls, env: noTrust });
    const envAgent = startAgent({ server: url, pod: "sec-mtls-env", env: { ...tlsEnv, ...noTrust } });
    const noCert = startAgent({ server: url, pod: "sec-mtls-nocert", args: ["--tls-ca", pki.caFile] });
    try {
      await roundTrip(url, tls, load.url, "sec-mtls", noTrust);
      // ltctl with the NATS_TLS_* environment alone sees both agents (the env-configured one too).
      await until("both mTLS agents in ltctl status (env)", async () => {
        const r = await ltctl(["status", "--server", url, "--json"], { ...tlsEnv, ...noTrust });
        const pods = (JSON.parse(r.stdout) as { agents: { pod: string }[] }).agents.map((a) => a.pod);
        return pods.includes("sec-mtls") && pods.includes("sec-mtls-env") ? pods : undefined;
      });
      // The server is trusted (CA) but no client certificate: refused, exit 3, and the message says why.
      const caOnly = await ltctl(["status", "--server", url, "--tls-ca", pki.caFile], noTrust);
      assert.equal(caOnly.code, 3, caOnly.stdout + caOnly.stderr);
      assert.match(caOnly.stderr, /client certificate/, caOnly.stderr);
      assert.match(caOnly.stderr, /--tls-cert/);
      // Nothing at all: the server's certificate is not trusted.
      const bare = await ltctl(["status", "--server", url], noTrust);
      assert.equal(bare.code, 3, bare.stdout + bare.stderr);
      // Half a key pair, or a file that is not there, is a usage error before any connection.
      const half = await ltctl(["status", "--server", url, "--tls-cert", pki.clientCertFile]);
      assert.equal(half.code, 2);
      assert.match(half.stderr, /--tls-cert and --tls-key go together/);
      const missing = await ltctl(["status", "--server", url, "--tls-ca", `${pki.dir}/nope.pem`]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read TLS file .*nope\.pem/);
      // The agent without a client certificate never joins, and its log says what to pass.
      const hint = await until(
        "the agent without a client certificate to explain itself",
        () =>
          noCert
            .logLines()
            .find(
              (l) =>
                l.msg === "control plane not reachable yet; still trying" &&
                /--tls-cert/.test(String(l.hint)),
            ),
        15_000,
      );
      assert.ok(hint);
      const st = await ltctl(["status", "--server", url, "--json", ...tls]);
      const pods = (JSON.parse(st.stdout) as { agents: { pod: string }[] }).agents.map((a) => a.pod);
      assert.ok(!pods.includes("sec-mtls-nocert"), `an agent without a client certificate joined: ${pods}`);
      assert.ok(noCert.alive, "the agent without a client certificate keeps trying, it does not crash");
    } finally {
      await Promise.all([agent.kill("SIGTERM"), envAgent.kill("SIGTERM"), noCert.kill("SIGTERM")]);
      await ctl.stop();
      await load.stop();
      pki.remove();
    }
    assert.equal(agent.exits.at(-1), 0, agent.stderr.slice(-2000));
  });
});

describe("security - no secret in any output", { skip: SKIP_UNBUILT }, () => {
  const CTL_PW = "ctlpw-XyZ-0001";
  const LOAD_PW = "loadpw-XyZ-0002";
  const HTTP_TOKEN = "httptok-XyZ-0003";
  const secrets = [CTL_PW, LOAD_PW, HTTP_TOKEN];
  let srv: NatsNode | undefined;
  let agent: AgentProcess | undefined;

  after(async () => {
    await agent?.kill("SIGKILL");
    await srv?.stop();
  });

  it("security - passwords in flags and in a spec's nats_url and the HTTP token appear in no output", async () => {
    srv = await startServer({
      extraConfig: `authorization { users = [ { user: "ctl", password: "${CTL_PW}" }, { user: "load", password: "${LOAD_PW}" } ] }\n`,
    });
    const httpPort = await freePort();
    agent = startAgent({
      server: srv.url,
      pod: "sec-leak",
      args: [
        "--user",
        "ctl",
        "--password",
        CTL_PW,
        "--http-port",
        String(httpPort),
        "--http-host",
        "127.0.0.1",
        "--http-token",
        HTTP_TOKEN,
      ],
    });
    const auth = ["--user", "ctl", "--password", CTL_PW];
    const natsUrl = srv.url.replace("nats://", `nats://load:${LOAD_PW}@`);
    const { push, status, stats } = await roundTrip(srv.url, auth, natsUrl, "sec-leak");
    const base = `http://127.0.0.1:${httpPort}`;
    await until("the HTTP shim", async () => (await fetch(`${base}/healthz`)).ok);
    const outputs: Record<string, string> = {
      push: push.stdout + push.stderr,
      status: status.stdout + status.stderr,
      stats: stats.stdout + stats.stderr,
    };
    const hist = await ltctl(["history", "--json", "--server", srv.url, ...auth]);
    const runId = (JSON.parse(hist.stdout) as { configs: { run_id: string }[] }).configs[0]?.run_id ?? "";
    assert.ok(runId, hist.stdout + hist.stderr);
    for (const args of [
      ["status"],
      ["status", "--json"],
      ["stats", "--json"],
      ["history"],
      ["history", "--json"],
      ["history", "--show", runId],
      ["history", "--show", runId, "--json"],
      ["stats"],
    ]) {
      const r = await ltctl([...args, "--server", srv.url, ...auth]);
      outputs[`ltctl ${args.join(" ")}`] = r.stdout + r.stderr;
      assert.equal(r.code, 0, outputs[`ltctl ${args.join(" ")}`]);
    }
    // Redacted, not dropped: the URL keeps its user and host.
    assert.match(outputs[`ltctl history --show ${runId}`] ?? "", /nats:\/\/load:\*\*\*@127\.0\.0\.1/);
    for (const path of ["/config", "/stats?limit=50", "/api/v1/stats", "/metrics", "/healthz", "/status"]) {
      const r = await fetch(`${base}${path}`);
      outputs[`GET ${path}`] = `${r.status} ${await r.text()}`;
    }
    const posted = await fetch(`${base}/config`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${HTTP_TOKEN}` },
      body: JSON.stringify(faultConfig(natsUrl, { seconds: 2, name: "seclk" })),
    });
    outputs["POST /config"] = `${posted.status} ${await posted.text()}`;
    assert.equal(posted.status, 200, outputs["POST /config"]);
    const wrong = await fetch(`${base}/config`, {
      method: "POST",
      body: "{}",
      headers: { authorization: "Bearer nope" },
    });
    outputs["POST /config unauthorized"] = `${wrong.status} ${await wrong.text()}`;
    assert.equal(wrong.status, 401);
    await new Promise((r) => setTimeout(r, 3_000));
    outputs["GET /config after POST"] = await (await fetch(`${base}/config`)).text();
    await agent.kill("SIGTERM");
    outputs["agent stderr"] = agent.stderr;
    outputs["agent stdout"] = agent.stdout;
    assert.ok(agent.stdout.length > 0, "the stdout sink wrote snapshots");
    assert.match(outputs["GET /config"] ?? "", /load/, "GET /config shows the config");
    for (const [where, text] of Object.entries(outputs)) {
      for (const s of secrets) assert.ok(!text.includes(s), `${where} leaks ${s}:\n${text.slice(0, 2000)}`);
    }
  });
});
