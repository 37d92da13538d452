// docker-compose.yml's topology without containers: its three NATS services started as nats-server processes
// with the same server names, cluster name, routes and JetStream (read from the file), an R3 stream across
// them, and the environment each agent service would get, pointed at the local servers.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ControlClient } from "../../src/control/index.ts";
import {
  agentServices,
  composeAgentEnv,
  natsServices,
  readCompose,
  startComposeNats,
} from "../harness/compose.ts";
import { freePort } from "../harness/index.ts";
import { ltctlJson, ROOT, SKIP, shortConfig, tempDir, until } from "./agent-fleet.ts";

const compose = readCompose("docker-compose.yml");

test("compose topology - the three NATS services form the compose file's cluster and carry an R3 stream", async () => {
  const { cluster, specs, urls } = await startComposeNats(compose);
  await using _ = cluster;
  assert.equal(specs.length, 3);
  for (const s of specs) {
    const node = cluster.node(s.serverName);
    const varz = await node.monitor<{
      server_name: string;
      cluster?: { name?: string };
      jetstream?: unknown;
    }>("/varz");
    assert.equal(varz.server_name, s.serverName);
    assert.equal(varz.cluster?.name, s.clusterName, `${s.service} joins cluster ${s.clusterName}`);
    assert.ok(varz.jetstream, `${s.service} runs JetStream`);
    const routez = await node.monitor<{ num_routes: number }>("/routez");
    assert.ok(routez.num_routes >= specs.length - 1, `${s.service} is routed to the other nodes`);
  }

  // Connect through the servers an agent is given, as it would in the compose network.
  const agent = agentServices(compose)[0]!;
  const env = composeAgentEnv(compose, agent, urls);
  const nc = await connect({ servers: env["NATS_URL"]!.split(","), name: env["POD_NAME"] });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.add({ name: "COMPOSE_R3", subjects: ["compose.>"], num_replicas: 3 });
    assert.equal(info.config.num_replicas, 3);
    const js = jetstream(nc);
    for (let i = 1; i <= 10; i++) assert.equal((await js.publish(`compose.${i}`, `m${i}`)).seq, i);
    const after = await jsm.streams.info("COMPOSE_R3");
    assert.equal(after.state.messages, 10);
    const placed = [after.cluster?.leader, ...(after.cluster?.replicas ?? []).map((r) => r.name)].sort();
    assert.deepEqual(
      placed,
      specs.map((s) => s.serverName).sort(),
      "leader and replicas on the three compose nodes",
    );
    // Every node answers for the stream (reads through each server in turn).
    for (const s of specs) {
      const direct = await connect({ servers: urls[s.service]! });
      const msg = await (await jetstreamManager(direct)).streams.getMessage("COMPOSE_R3", { seq: 10 });
      assert.equal(msg?.string(), "m10", `read via ${s.service}`);
      await direct.close();
    }
  } finally {
    await nc.close();
  }
});

test("compose topology - composeAgentEnv gives each agent its compose environment with local NATS URLs", () => {
  const specs = natsServices(compose);
  const urls = Object.fromEntries(specs.map((s, i) => [s.service, `nats://127.0.0.1:${14222 + i}`]));
  const agents = agentServices(compose);
  assert.equal(agents.length, 3);
  const pods = new Set<string>();
  agents.forEach((a, i) => {
    const env = composeAgentEnv(compose, a, urls, 19481 + i);
    assert.deepEqual(
      env["NATS_URL"]!.split(",").sort(),
      Object.values(urls).sort(),
      `${a} reaches all servers`,
    );
    assert.equal(env["LT_HTTP_PORT"], String(19481 + i));
    assert.match(env["LT_MODE"]!, /^(publish|consume|both)$/);
    pods.add(env["POD_NAME"]!);
  });
  assert.equal(pods.size, 3);
  assert.throws(
    () => composeAgentEnv(compose, agents[0]!, {}),
    /is not a NATS service of the compose file/,
    "an unmapped server is an error, not a silent fallback to the container host name",
  );
});

test("compose topology - the three agent services, run as processes with their compose environment, all take a push", {
  skip: SKIP,
  timeout: 90_000,
}, async () => {
  const { cluster, urls } = await startComposeNats(compose);
  await using _ = cluster;
  const services = agentServices(compose);
  const agents: ChildProcess[] = [];
  const nc = await connect({ servers: Object.values(urls) });
  try {
    const client = new ControlClient(nc);
    for (const svc of services) {
      const env = {
        ...process.env,
        ...composeAgentEnv(compose, svc, urls, await freePort()),
        LT_HTTP_HOST: "127.0.0.1",
      };
      agents.push(spawn(join(ROOT, "bin/lt-agent"), ["--heartbeat-ms", "300"], { env, stdio: "ignore" }));
    }
    const pods = services.map((s) => composeAgentEnv(compose, s, urls)["POD_NAME"]!).sort();
    await until(
      "every compose agent present",
      async () => (await client.status()).length === services.length,
      30_000,
    );
    const dir = tempDir();
    const file = join(dir, "compose.json");
    writeFileSync(file, JSON.stringify(shortConfig(Object.values(urls).join(","), 2, dir, "compose")));
    const push = await ltctlJson(["push", file, "--server", Object.values(urls).join(",")]);
    assert.deepEqual([...push.acked_by].sort(), pods, JSON.stringify(push));
    await until(
      "every compose agent ran the push",
      async () => (await client.status()).every((p) => p.run_id === push.run_id && p.state === "done"),
      30_000,
    );
    const latest = await client.latest(push.run_id);
    assert.deepEqual([...new Set(latest.map((s) => s.pod))].sort(), pods);
    assert.ok(
      latest.every((s) => s.published > 0),
      "every mode here publishes (both, both, publish)",
    );
  } finally {
    await nc.close();
    for (const a of agents) a.kill("SIGKILL");
  }
});
