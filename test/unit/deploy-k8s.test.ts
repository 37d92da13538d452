// The Kubernetes manifests as `kubectl kustomize` renders them: every object valid against the Kubernetes
// schemas (kubernetes-models) with no unknown field, probes and ports that match the agent, the default
// config equal to examples/seed.json, and `make deploy`'s variables landing where they should.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";

const KUBECTL = process.env["KUBECTL"] ?? "kubectl";
const AGENT_HTTP_PORT = 9481; // lt-agent's default --http-port
const QUIET: ["ignore", "pipe", "pipe"] = ["ignore", "pipe", "pipe"]; // kustomize v5 warns about v2 field names

type Obj = Record<string, unknown>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Obj };
  [k: string]: unknown;
}

/** Runs kubectl; fails with a message that says what to install when it is missing. */
function kubectl(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(KUBECTL, args, { encoding: "utf8", env });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    assert.fail(
      `'${KUBECTL}' not found: the deployment tests need kubectl with kustomize ` +
        "(Debian: apt-get install kubernetes-client; .ci/run installs it)",
    );
  }
  assert.equal(r.status, 0, `${KUBECTL} ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

function parseAll(text: string): K8sObject[] {
  const docs = YAML.parseAllDocuments(text);
  const out: K8sObject[] = [];
  for (const d of docs) {
    assert.deepEqual(d.errors, [], "rendered YAML parses");
    const js = d.toJS() as K8sObject | null;
    if (js !== null) out.push(js);
  }
  return out;
}

function render(dir: string): K8sObject[] {
  return parseAll(kubectl(["kustomize", dir]));
}

// ---- schema validation with unknown-field detection ------------------------------------------------------

/** kubernetes-models' validator module for an object: apps/v1 Deployment -> IoK8sApiAppsV1Deployment. */
function schemaModule(o: K8sObject): string {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["core", o.apiVersion];
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `kubernetes-models/_schemas/IoK8sApi${cap(group!.split(".")[0]!)}${cap(version!)}${o.kind}`;
}

/**
 * The Kubernetes OpenAPI schemas do not forbid extra properties (the API server prunes or rejects them at
 * apply time), so the compiled validators would accept a misspelt `readinesProbe`. They do read every
 * property they know, though: validating through a Proxy that records the keys read, any key that was never
 * read is one the schema does not define.
 */
async function validateStrict(o: K8sObject): Promise<string[]> {
  const mod = (await import(schemaModule(o))) as {
    validate: ((d: unknown) => boolean) & {
      errors?: { instancePath: string; keyword: string; message?: string; params?: Obj }[];
    };
  };
  const read = new WeakMap<object, Set<string>>();
  const wrap = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    return new Proxy(v, {
      get(target, key, receiver) {
        if (typeof key !== "string") return Reflect.get(target, key, receiver);
        if (!Array.isArray(target)) {
          const keys = read.get(target) ?? new Set<string>();
          read.set(target, keys);
          keys.add(key);
        }
        return wrap(Reflect.get(target, key, receiver));
      },
    });
  };
  const problems: string[] = [];
  if (!mod.validate(wrap(o))) {
    for (const e of mod.validate.errors ?? []) {
      problems.push(`${e.instancePath || "/"}: ${e.message ?? e.keyword} ${JSON.stringify(e.params ?? {})}`);
    }
  }
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}/${i}`);
    } else if (v !== null && typeof v === "object") {
      const keys = read.get(v) ?? new Set<string>();
      for (const [k, x] of Object.entries(v)) {
        if (!keys.has(k)) problems.push(`${path}/${k}: unknown field`);
        walk(x, `${path}/${k}`);
      }
    }
  };
  walk(o, "");
  return problems.map((p) => `${o.kind}/${o.metadata.name}${p}`);
}

// ---- helpers to read the agent's objects -----------------------------------------------------------------

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: Obj }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  [probe: string]: unknown;
}
interface PodSpec {
  containers: Container[];
  volumes?: {
    name: string;
    configMap?: { name: string; items?: unknown };
    secret?: { secretName: string };
  }[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
}
interface Deployment extends K8sObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
  };
}

function one<T extends K8sObject>(objs: K8sObject[], kind: string): T {
  const found = objs.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind} (got ${found.length})`);
  return found[0] as T;
}

function agentOf(objs: K8sObject[]): { deploy: Deployment; pod: PodSpec; c: Container } {
  const deploy = one<Deployment>(objs, "Deployment");
  const pod = deploy.spec.template.spec;
  const c = pod.containers.find((x) => x.name === "lt-agent");
  assert.ok(c, "container lt-agent");
  return { deploy, pod, c };
}

function envOf(c: Container, name: string) {
  return c.env?.find((e) => e.name === name);
}

/** A container port given by number or by name, as a number. */
function resolvePort(c: Container, port: unknown): number {
  if (typeof port === "number") return port;
  const p = c.ports?.find((x) => x.name === port);
  assert.ok(p, `port name ${String(port)} is declared by the container`);
  return p.containerPort;
}

/** Kubernetes quantities ("500m", "2", "512Mi", "1Gi") as plain numbers, to compare sizes. */
function quantity(q: string): number {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(q);
  assert.ok(m, `quantity ${q}`);
  const unit: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(m[1]) * (m[2] ? unit[m[2]]! : 1);
}

const base = render("deploy/k8s");
const large = render("deploy/k8s/overlays/large");

// ---- tests -----------------------------------------------------------------------------------------------

test("deploy-k8s - deploy/k8s renders a Deployment, a Service and a ConfigMap, and no placeholder Secret", () => {
  assert.deepEqual(base.map((o) => o.kind).sort(), ["ConfigMap", "Deployment", "Service"]);
  assert.deepEqual(large.map((o) => o.kind).sort(), ["ConfigMap", "Deployment", "Service"]);
});

test("deploy-k8s - every rendered object is valid against the Kubernetes schema, without unknown fields", async () => {
  const problems: string[] = [];
  for (const o of [...base, ...large]) problems.push(...(await validateStrict(o)));
  assert.deepEqual(problems, []);
});

test("deploy-k8s - the strict check reports a misspelt field and a wrong type (it is not vacuous)", async () => {
  const d = structuredClone(one<Deployment>(base, "Deployment"));
  const c = d.spec.template.spec.containers[0]!;
  c["readinesProbe"] = c["readinessProbe"];
  (c["livenessProbe"] as { httpGet: Obj }).httpGet["paht"] = "/healthz";
  (d.spec as Obj)["replicas"] = "three";
  const problems = await validateStrict(d);
  assert.ok(
    problems.some((p) => p.endsWith("/containers/0/readinesProbe: unknown field")),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.endsWith("/livenessProbe/httpGet/paht: unknown field")),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.includes('/spec/replicas: type {"type":"integer"}')),
    problems.join("\n"),
  );
});

test("deploy-k8s - the secret example is valid, marked as a placeholder and not applied by kustomize", async () => {
  const text = readFileSync("deploy/k8s/secret.example.yaml", "utf8");
  assert.match(text, /PLACEHOLDER/);
  assert.match(text, /DO NOT APPLY/);
  const secrets = parseAll(text);
  assert.deepEqual(
    secrets.map((s) => s.metadata.name),
    ["nats-lt-creds", "nats-lt-http"],
  );
  for (const s of secrets) assert.deepEqual(await validateStrict(s), []);
  const { pod, c } = agentOf(base);
  const credsVolume = pod.volumes?.find((v) => v.secret?.secretName === "nats-lt-creds");
  assert.ok(credsVolume, "the Deployment mounts Secret nats-lt-creds");
  const tokenRef = envOf(c, "LT_HTTP_TOKEN")?.valueFrom as { secretKeyRef?: { name: string; key: string } };
  assert.equal(tokenRef.secretKeyRef?.name, "nats-lt-http");
  assert.ok(Object.hasOwn((secrets[1] as Obj)["stringData"] as Obj, tokenRef.secretKeyRef.key));
  assert.ok(Object.hasOwn((secrets[0] as Obj)["stringData"] as Obj, "admin.creds"));
});

for (const [label, objs] of [
  ["deploy/k8s", base],
  ["overlays/large", large],
] as const) {
  test(`deploy-k8s - ${label}: probes GET /healthz on the agent's port, which the Service targets`, () => {
    const { deploy, c } = agentOf(objs);
    const containerPort = resolvePort(c, "http");
    assert.equal(containerPort, AGENT_HTTP_PORT);
    assert.equal(envOf(c, "LT_HTTP_PORT")?.value, String(AGENT_HTTP_PORT), "LT_HTTP_PORT matches the port");
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      const httpGet = (c[probe] as { httpGet?: { path: string; port: unknown } } | undefined)?.httpGet;
      assert.ok(httpGet, `${probe} is an httpGet probe`);
      assert.equal(httpGet.path, "/healthz", `${probe} path`);
      assert.equal(resolvePort(c, httpGet.port), AGENT_HTTP_PORT, `${probe} port`);
    }
    const svc = one<K8sObject & { spec: { selector: Record<string, string>; ports: Obj[] } }>(
      objs,
      "Service",
    );
    assert.equal(svc.spec.ports.length, 1);
    assert.equal(svc.spec.ports[0]!["port"], AGENT_HTTP_PORT);
    assert.equal(resolvePort(c, svc.spec.ports[0]!["targetPort"]), AGENT_HTTP_PORT, "Service targetPort");
    const podLabels = deploy.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector))
      assert.equal(podLabels[k], v, `Service selects ${k}`);
    for (const [k, v] of Object.entries(deploy.spec.selector.matchLabels)) assert.equal(podLabels[k], v);
  });

  test(`deploy-k8s - ${label}: Prometheus annotations point at /metrics on the agent's port`, () => {
    const { deploy } = agentOf(objs);
    const a = deploy.spec.template.metadata.annotations ?? {};
    assert.equal(a["prometheus.io/scrape"], "true");
    assert.equal(a["prometheus.io/port"], String(AGENT_HTTP_PORT));
    assert.equal(a["prometheus.io/path"], "/metrics");
  });

  test(`deploy-k8s - ${label}: the environment names the pod, the NATS and the mounted creds and config`, () => {
    const { pod, c } = agentOf(objs);
    assert.deepEqual(envOf(c, "POD_NAME")?.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
    assert.match(envOf(c, "NATS_URL")?.value ?? "", /^nats:\/\//);
    const mount = (path: string) => c.volumeMounts?.find((m) => m.mountPath === path);
    const volume = (name: string) => pod.volumes?.find((v) => v.name === name);
    const credsPath = envOf(c, "NATS_CREDS_MOUNT_PATH")?.value ?? "";
    const credsMount = mount(credsPath);
    assert.ok(credsMount, `a volume is mounted at NATS_CREDS_MOUNT_PATH (${credsPath})`);
    assert.equal(volume(credsMount.name)?.secret?.secretName, "nats-lt-creds");
    const cfgFile = envOf(c, "LT_DEFAULT_CONFIG")?.value ?? "";
    const cfgMount = mount(cfgFile.slice(0, cfgFile.lastIndexOf("/")));
    assert.ok(cfgMount, `the default config's folder is mounted (${cfgFile})`);
    const cmName = volume(cfgMount.name)?.configMap?.name;
    const cm = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === cmName) as
      | (K8sObject & { data: Record<string, string> })
      | undefined;
    assert.ok(cm, `ConfigMap ${cmName} is rendered alongside`);
    assert.ok(cm.data[cfgFile.slice(cfgFile.lastIndexOf("/") + 1)], "the ConfigMap has the file's key");
    assert.equal(c.args?.join(" "), "--mode both");
  });

  test(`deploy-k8s - ${label}: non-root, resources set, grace period long enough for the final stats`, () => {
    const { pod, c } = agentOf(objs);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    assert.ok(grace >= 30 && grace <= 60, `terminationGracePeriodSeconds ${grace} within 30-60`);
    for (const kind of ["requests", "limits"] as const) {
      for (const r of ["cpu", "memory"]) assert.ok(c.resources?.[kind]?.[r], `${kind}.${r} is set`);
    }
    assert.ok(quantity(c.resources!.limits!["memory"]!) >= quantity(c.resources!.requests!["memory"]!));
    const heap = /--max-old-space-size=(\d+)/.exec(envOf(c, "NODE_OPTIONS")?.value ?? "");
    assert.ok(heap, "NODE_OPTIONS bounds the heap");
    const heapBytes = Number(heap[1]) * 2 ** 20;
    assert.ok(heapBytes < quantity(c.resources!.limits!["memory"]!), "heap below the memory limit");
  });
}

test("deploy-k8s - the large overlay has more pods with bigger resources than the default", () => {
  const a = agentOf(base);
  const b = agentOf(large);
  assert.equal(a.deploy.spec.replicas, 3);
  assert.ok(b.deploy.spec.replicas > a.deploy.spec.replicas);
  for (const kind of ["requests", "limits"] as const) {
    for (const r of ["cpu", "memory"]) {
      assert.ok(
        quantity(b.c.resources![kind]![r]!) > quantity(a.c.resources![kind]![r]!),
        `large ${kind}.${r} is bigger`,
      );
    }
  }
});

test("deploy-k8s - the ConfigMap's default config is the seed's example (examples/seed.json)", () => {
  const seed = JSON.parse(readFileSync("examples/seed.json", "utf8"));
  for (const objs of [base, large]) {
    const cm = one<K8sObject & { data: Record<string, string> }>(objs, "ConfigMap");
    assert.deepEqual(JSON.parse(cm.data["config.json"]!), seed);
  }
});

test("deploy-k8s - make deploy's variables set namespace, image, replicas, NATS_URL and the creds file", () => {
  const dir = mkdtempSync(join(tmpdir(), "lt-deploy-"));
  try {
    const creds = join(dir, "admin.creds");
    writeFileSync(creds, "placeholder");
    const env = {
      ...process.env,
      KUBECTL,
      DEPLOY_DIR: join(dir, "overlay"),
      NAMESPACE: "perf-team",
      IMAGE: "registry.example:5000/team/nats-lt:1.2.3",
      REPLICAS: "7",
      NATS_URL: "nats://a:4222,nats://b:4222",
      CREDS: creds,
      OVERLAY: "deploy/k8s/overlays/large",
    };
    const objs = parseAll(
      execFileSync("deploy/k8s-deploy.sh", ["render"], { env, encoding: "utf8", stdio: QUIET }),
    );
    for (const o of objs) assert.equal(o.metadata.namespace, "perf-team", `${o.kind} namespace`);
    const { deploy, c } = agentOf(objs);
    assert.equal(deploy.spec.replicas, 7);
    assert.equal(c.image, "registry.example:5000/team/nats-lt:1.2.3");
    assert.equal(envOf(c, "NATS_URL")?.value, "nats://a:4222,nats://b:4222");
    assert.equal(
      envOf(c, "NATS_CREDS_FILE")?.value,
      `${envOf(c, "NATS_CREDS_MOUNT_PATH")?.value}/admin.creds`,
      "CREDS makes the agent use the mounted creds",
    );
    assert.equal(c.resources?.limits?.["memory"], "4Gi", "the chosen overlay's resources are kept");

    const plain = parseAll(
      execFileSync("deploy/k8s-deploy.sh", ["render"], {
        env: {
          ...process.env,
          KUBECTL,
          DEPLOY_DIR: join(dir, "plain"),
          IMAGE: "nats-lt@sha256:" + "ab".repeat(32),
        },
        encoding: "utf8",
        stdio: QUIET,
      }),
    );
    const p = agentOf(plain);
    assert.equal(p.deploy.metadata.namespace, "nats-lt", "default namespace");
    assert.equal(p.deploy.spec.replicas, 3);
    assert.equal(p.c.image, `nats-lt@sha256:${"ab".repeat(32)}`);
    assert.equal(envOf(p.c, "NATS_CREDS_FILE"), undefined);

    const bad = spawnSync("deploy/k8s-deploy.sh", ["render"], {
      env: { ...process.env, KUBECTL, DEPLOY_DIR: join(dir, "bad"), REPLICAS: "lots" },
      encoding: "utf8",
    });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /REPLICAS='lots' is not a whole number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
