// docker-compose.yml's topology without containers: its three NATS services started as nats-server processes
// with the same server names, cluster name, routes and JetStream (read from the file), an R3 stream across
// them, and the environment each agent service would get, pointed at the local servers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  agentServices,
  composeAgentEnv,
  natsServices,
  readCompose,
  startComposeNats,
} from "../harness/compose.ts";

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
