// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose interpolation is the point
// Issue 12: the shipped deployments keep the HTTP shim safe. The shims listen beyond loopback, so their POSTs
// need a token: compose takes LT_HTTP_TOKEN from the shell or .env (never a token written in the file), the
// Kubernetes Deployment from the Secret nats-lt-http; neither opts out with --http-insecure-no-token.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import YAML from "yaml";
import { agentServices, readCompose, serviceEnv } from "../harness/compose.ts";

test("deploy - every compose agent takes LT_HTTP_TOKEN by interpolation, none opts out of the token", () => {
  const compose = readCompose("docker-compose.yml");
  const text = readFileSync("docker-compose.yml", "utf8");
  const agents = agentServices(compose);
  assert.ok(agents.length >= 1);
  for (const a of agents) {
    const svc = compose.services[a] as { environment?: Record<string, unknown>; command?: unknown };
    assert.equal(svc.environment?.["LT_HTTP_TOKEN"], "${LT_HTTP_TOKEN:-}", `${a} takes the token from .env`);
    assert.equal(svc.environment?.["LT_HTTP_INSECURE_NO_TOKEN"], undefined, a);
    assert.doesNotMatch(JSON.stringify(svc.command ?? ""), /insecure-no-token/, a);
  }
  assert.doesNotMatch(text, /http-insecure-no-token|LT_HTTP_INSECURE_NO_TOKEN/);
  // The harness interpolates like compose: the shell's value, else empty (a read-only shim).
  const env = serviceEnv(compose, agents[0] as string);
  assert.equal(env["LT_HTTP_TOKEN"], process.env["LT_HTTP_TOKEN"] ?? "");
});

test("deploy - the Kubernetes agents take LT_HTTP_TOKEN from the Secret nats-lt-http and never opt out", () => {
  const text = readFileSync("deploy/k8s/base/deployment.yaml", "utf8");
  type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } };
  const dep = YAML.parse(text) as {
    spec: { template: { spec: { containers: Array<{ env: EnvVar[]; args?: string[] }> } } };
  };
  const c = dep.spec.template.spec.containers[0];
  assert.ok(c);
  const token = c.env.find((e) => e.name === "LT_HTTP_TOKEN");
  assert.equal(token?.valueFrom?.secretKeyRef?.name, "nats-lt-http");
  assert.equal(token?.value, undefined, "no token written in the manifest");
  assert.ok(!c.env.some((e) => e.name === "LT_HTTP_INSECURE_NO_TOKEN"));
  assert.doesNotMatch(JSON.stringify(c.args ?? []), /insecure-no-token/);
  const hosts = c.env.find((e) => e.name === "LT_HTTP_ALLOWED_HOSTS");
  assert.match(String(hosts?.value), /lt-agent/, "the Service's name is an allowed Host");
});
