// The PodMonitor component (deploy/k8s/components/podmonitor) for Prometheus Operator users, as
// `kubectl kustomize` renders deploy/k8s/overlays/monitoring: valid against the Operator's CRD schema
// (@kubernetes-models/prometheus-operator) with no unknown field, and scraping the agents' own port and path.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";

const KUBECTL = process.env["KUBECTL"] ?? "kubectl";
const OVERLAY = "deploy/k8s/overlays/monitoring";
const AGENT_HTTP_PORT = 9481; // lt-agent's default --http-port
const QUIET: ["ignore", "pipe", "pipe"] = ["ignore", "pipe", "pipe"]; // kustomize v5 warns about v2 field names

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}
interface Endpoint {
  port?: string;
  path?: string;
  interval?: string;
  honorLabels?: boolean;
}
interface PodMonitor extends K8sObject {
  spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: Endpoint[] };
}
interface Deployment extends K8sObject {
  spec: {
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: { name: string; ports?: { name?: string; containerPort: number }[] }[] };
    };
  };
}
interface Validator {
  (d: unknown): boolean;
  errors?: { instancePath: string; keyword: string; params?: unknown }[] | null;
}

function kubectl(args: string[]): string {
  const r = spawnSync(KUBECTL, args, { encoding: "utf8" });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
    assert.fail(
      `'${KUBECTL}' not found: install kubectl with kustomize (Debian: apt-get install kubernetes-client)`,
    );
  assert.equal(r.status, 0, `${KUBECTL} ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

const parseAll = (text: string) =>
  YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);

function one<T extends K8sObject>(objs: K8sObject[], kind: string): T {
  const found = objs.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind} (got ${found.length})`);
  return found[0] as T;
}

/** The Operator's compiled PodMonitor validator (the package does not export its _schemas folder). */
async function podMonitorValidator(): Promise<Validator> {
  const base = import.meta.resolve("@kubernetes-models/prometheus-operator");
  const file = "./_schemas/ComGithubPrometheusOperatorPrometheusOperatorPkgApisMonitoringV1PodMonitor.js";
  return ((await import(new URL(file, base).href)) as { validate: Validator }).validate;
}

/**
 * Schema errors plus unknown fields. The CRD schemas do not forbid extra properties, but the validator reads
 * every property it knows: validating through a Proxy that records the keys read, a key never read is one the
 * schema does not define (a misspelt `honourLabels` would otherwise pass and be pruned by the API server).
 */
function validateStrict(o: unknown, validate: Validator): string[] {
  const read = new WeakMap<object, Set<string>>();
  const wrap = (v: unknown): unknown =>
    v === null || typeof v !== "object"
      ? v
      : new Proxy(v, {
          get(target, key, receiver) {
            if (typeof key === "string" && !Array.isArray(target)) {
              const keys = read.get(target) ?? new Set<string>();
              read.set(target, keys);
              keys.add(key);
            }
            return wrap(Reflect.get(target, key, receiver));
          },
        });
  const problems = validate(wrap(o))
    ? []
    : (validate.errors ?? []).map(
        (e) => `${e.instancePath || "/"}: ${e.keyword} ${JSON.stringify(e.params)}`,
      );
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}/${i}`);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (!read.get(v)?.has(k)) problems.push(`${path}/${k}: unknown field`);
        walk(x, `${path}/${k}`);
      }
    }
  };
  walk(o, "");
  return problems;
}

const objs = parseAll(kubectl(["kustomize", OVERLAY]));

test("deploy-podmonitor - overlays/monitoring renders the default fleet plus one PodMonitor", () => {
  assert.deepEqual(objs.map((o) => o.kind).sort(), ["ConfigMap", "Deployment", "PodMonitor", "Service"]);
  const pm = one<PodMonitor>(objs, "PodMonitor");
  assert.equal(pm.apiVersion, "monitoring.coreos.com/v1");
  assert.deepEqual(
    parseAll(kubectl(["kustomize", "deploy/k8s"]))
      .map((o) => o.kind)
      .sort(),
    ["ConfigMap", "Deployment", "Service"],
    "the plain deploy/k8s stays without it (no Operator CRD needed)",
  );
});

test("deploy-podmonitor - the PodMonitor is valid against the Operator's schema, without unknown fields", async () => {
  const validate = await podMonitorValidator();
  assert.deepEqual(validateStrict(one(objs, "PodMonitor"), validate), []);
  const bad = structuredClone(one<PodMonitor>(objs, "PodMonitor"));
  (bad.spec.podMetricsEndpoints[0] as Record<string, unknown>)["honourLabels"] = true;
  (bad.spec.podMetricsEndpoints[0] as Record<string, unknown>)["interval"] = 5;
  const problems = validateStrict(bad, validate);
  assert.ok(
    problems.some((p) => p.endsWith("/podMetricsEndpoints/0/honourLabels: unknown field")),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.includes("/podMetricsEndpoints/0/interval: type")),
    problems.join("\n"),
  );
});

test("deploy-podmonitor - it selects the agents' pods and scrapes their http port at /metrics, keeping their pod label", () => {
  const pm = one<PodMonitor>(objs, "PodMonitor");
  const deploy = one<Deployment>(objs, "Deployment");
  const podLabels = deploy.spec.template.metadata.labels;
  assert.ok(Object.keys(pm.spec.selector.matchLabels).length > 0);
  for (const [k, v] of Object.entries(pm.spec.selector.matchLabels))
    assert.equal(podLabels[k], v, `the PodMonitor selects ${k}=${v}, a label of the agents' pods`);
  assert.equal(pm.spec.podMetricsEndpoints.length, 1);
  const ep = pm.spec.podMetricsEndpoints[0]!;
  const container = deploy.spec.template.spec.containers.find((c) => c.name === "lt-agent");
  const port = container?.ports?.find((p) => p.name === ep.port);
  assert.equal(port?.containerPort, AGENT_HTTP_PORT, `port ${ep.port} is the agent's HTTP port`);
  const annotations = deploy.spec.template.metadata.annotations ?? {};
  assert.equal(ep.path, annotations["prometheus.io/path"], "the same path as the scrape annotations");
  assert.equal(ep.path, "/metrics");
  assert.equal(ep.honorLabels, true, "the agent's pod label wins over the target's");
  assert.match(ep.interval ?? "", /^\d+s$/);
});

test("deploy-podmonitor - make deploy's overlay on top of overlays/monitoring puts the PodMonitor in the namespace", () => {
  const dir = mkdtempSync(join(tmpdir(), "lt-podmonitor-"));
  try {
    const env = {
      ...process.env,
      KUBECTL,
      DEPLOY_DIR: join(dir, "overlay"),
      NAMESPACE: "perf-team",
      OVERLAY,
      REPLICAS: "5",
    };
    const rendered = parseAll(
      execFileSync("deploy/k8s-deploy.sh", ["render"], { env, encoding: "utf8", stdio: QUIET }),
    );
    const pm = one<PodMonitor>(rendered, "PodMonitor");
    assert.equal(pm.metadata.namespace, "perf-team");
    assert.equal(one<Deployment>(rendered, "Deployment").metadata.namespace, "perf-team");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
