// Issue 12, finding 8, on a real nats-server and real lt-agents: the HTTP shim is safe by default. Listening
// on every interface without a token, it refuses state-changing requests (reads stay open); on loopback it
// takes them. Whatever it binds, a Host that is not one of the agent's names (DNS rebinding) is refused, for
// every route and for /ws, and a foreign Origin on a POST or /ws too. --http-allowed-hosts adds names;
// --http-insecure-no-token opts out of the token, loudly.
import assert from "node:assert/strict";
import { request } from "node:http";
import { before, describe, it } from "node:test";
import { faultConfig, SKIP_UNBUILT } from "../harness/agents.ts";
import { type Answer, controlPlane, shimAgent, stopAgent } from "./hardening-helpers.ts";

const TOKEN = "shim-tok-123";
const ASK_MS = 10_000;

/** A raw HTTP request (fetch cannot set Host), answered within ASK_MS. */
function ask(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, timeout: ASK_MS }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          text,
          headers: new Headers(res.headers as Record<string, string>),
        }),
      );
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${ASK_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A WebSocket upgrade of /ws: the status line's code (101 when it opened). */
function upgrade(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/ws",
      timeout: ASK_MS,
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("no answer")));
    req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve(0) : reject(e)));
    req.end();
  });
}

describe("hardening - the HTTP shim is safe by default", { skip: SKIP_UNBUILT, timeout: 180_000 }, () => {
  const plane = controlPlane();
  let body: string;
  before(() => {
    body = JSON.stringify(faultConfig(plane.server.url, { seconds: 30 }));
  });

  const json = (extra: Record<string, string> = {}) => ({ "content-type": "application/json", ...extra });

  it("hardening - on 0.0.0.0 without a token, POSTs are refused naming the fix; reads stay open", async () => {
    const { agent, port } = await shimAgent(plane.server.url, "shim-open", { host: "0.0.0.0" });
    try {
      const host = { host: `127.0.0.1:${port}` };
      for (const path of ["/config", "/control/stop", "/control/start"]) {
        const r = await ask(port, "POST", path, json(host), body);
        assert.equal(r.status, 403, `${path}: ${r.text}`);
        assert.match(r.text, /--http-token/);
      }
      assert.equal(await plane.client.active(), undefined, "nothing was written");
      assert.equal((await ask(port, "GET", "/stats?limit=1", host)).status, 200);
      assert.equal((await ask(port, "GET", "/healthz", host)).status, 200);
    } finally {
      await stopAgent(agent);
    }
  });

  it("hardening - a foreign Host (DNS rebinding) is refused on every route and /ws, even on loopback; a foreign Origin too", async () => {
    const { agent, port } = await shimAgent(plane.server.url, "shim-loop");
    try {
      const evil = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
      const post = await ask(port, "POST", "/config", json(evil), body);
      assert.equal(post.status, 421, post.text);
      assert.match(post.text, /--http-allowed-hosts/);
      for (const path of ["/", "/config", "/stats", "/api/v1/stats", "/status", "/metrics"]) {
        assert.equal((await ask(port, "GET", path, { host: evil.host })).status, 421, path);
      }
      assert.notEqual(await upgrade(port, { host: evil.host }), 101, "/ws with a foreign Host opened");
      assert.notEqual(await upgrade(port, { host: `127.0.0.1:${port}`, origin: evil.origin }), 101);
      const foreignOrigin = await ask(
        port,
        "POST",
        "/config",
        json({ host: `127.0.0.1:${port}`, origin: evil.origin }),
        body,
      );
      assert.equal(foreignOrigin.status, 403, foreignOrigin.text);
      assert.equal(await plane.client.active(), undefined, "nothing was written");
      // Loopback names, IP literals and the pod's own name are the agent's; loopback takes POSTs without a token.
      for (const h of [
        `localhost:${port}`,
        `127.0.0.1:${port}`,
        `[::1]:${port}`,
        `shim-loop:${port}`,
        "10.1.2.3",
      ]) {
        assert.equal((await ask(port, "GET", "/healthz", { host: h })).status, 200, h);
      }
      assert.equal(
        await upgrade(port, { host: `localhost:${port}`, origin: `http://localhost:${port}` }),
        101,
      );
      const ok = await ask(
        port,
        "POST",
        "/config",
        json({ host: `localhost:${port}`, origin: `http://localhost:${port}` }),
        body,
      );
      assert.equal(ok.status, 200, ok.text);
    } finally {
      await stopAgent(agent);
    }
  });

  it("hardening - with a token on 0.0.0.0 POSTs work; --http-allowed-hosts adds names; --http-insecure-no-token is logged loudly", async () => {
    const withToken = await shimAgent(plane.server.url, "shim-tok", {
      host: "0.0.0.0",
      args: ["--http-token", TOKEN, "--http-allowed-hosts", "lt.example.com,.internal.example"],
    });
    const noToken = await shimAgent(plane.server.url, "shim-insecure", {
      host: "0.0.0.0",
      args: ["--http-insecure-no-token"],
    });
    try {
      const p = withToken.port;
      const authed = json({ authorization: `Bearer ${TOKEN}` });
      for (const h of ["lt.example.com", `lt.example.com:${p}`, "a.internal.example"]) {
        assert.equal((await ask(p, "GET", "/healthz", { host: h })).status, 200, h);
      }
      assert.equal((await ask(p, "GET", "/healthz", { host: "example.com" })).status, 421);
      assert.equal((await ask(p, "GET", "/healthz", { host: "xinternal.example" })).status, 421);
      const r = await ask(p, "POST", "/config", { ...authed, host: `lt.example.com:${p}` }, body);
      assert.equal(r.status, 200, r.text);
      assert.equal((await ask(p, "POST", "/config", json({ host: `127.0.0.1:${p}` }), body)).status, 401);

      const q = noToken.port;
      const open = await ask(q, "POST", "/control/stop", json({ host: `127.0.0.1:${q}` }), "");
      assert.equal(open.status, 200, open.text);
      const warned = noToken.agent
        .logLines()
        .some((l) => l["level"] === "warn" && /without a token/.test(String(l["msg"])));
      assert.ok(warned, noToken.agent.log.slice(-2_000));
    } finally {
      await Promise.all([stopAgent(withToken.agent), stopAgent(noToken.agent)]);
    }
  });
});
