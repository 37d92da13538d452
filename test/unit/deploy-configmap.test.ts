// The default config of the Kubernetes ConfigMap passes `ltctl validate` with the environment the Deployment
// gives each pod (POD_NAME from the downward API, NATS_URL, NATS_CREDS_MOUNT_PATH), and expands to what the
// pod needs: its own stream names, the NATS_URL servers, the creds file in the mounted Secret.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { main } from "../../src/cli/index.ts";
import { loadConfig } from "../../src/config/index.ts";

const KUBECTL = process.env["KUBECTL"] ?? "kubectl";
const POD = "lt-agent-7c9d8b6f5d-x2k9q"; // what metadata.name of a Deployment's pod looks like

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { optional?: boolean } };
}
interface Rendered {
  config: unknown;
  env: Record<string, string>;
}

/** The ConfigMap's config.json and the agent container's environment, as pod POD would see it. */
function rendered(dir: string): Rendered {
  const r = spawnSync(KUBECTL, ["kustomize", dir], { encoding: "utf8" });
  if (r.error)
    assert.fail(`'${KUBECTL}' not found: install kubectl (Debian: kubernetes-client; .ci/run does)`);
  assert.equal(r.status, 0, r.stderr);
  const objs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()) as {
    kind: string;
    data?: Record<string, string>;
    spec?: { template: { spec: { containers: { name: string; env: EnvVar[] }[] } } };
  }[];
  const cm = objs.find((o) => o.kind === "ConfigMap");
  const deploy = objs.find((o) => o.kind === "Deployment");
  assert.ok(cm?.data?.["config.json"] && deploy?.spec);
  const container = deploy.spec.template.spec.containers.find((c) => c.name === "lt-agent")!;
  const env: Record<string, string> = {};
  for (const e of container.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = POD;
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[e.name] = "nats-lt";
    else assert.equal(e.valueFrom?.secretKeyRef?.optional, true, `${e.name} is optional or literal`);
  }
  return { config: JSON.parse(cm.data["config.json"]), env };
}

async function ltctl(args: string[], env: Record<string, string>) {
  let out = "";
  let err = "";
  const code = await main(["node", "ltctl", ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    isTTY: false,
    hostname: "not-the-pod",
    setExitCode: () => {},
  });
  return { code, out, err };
}

for (const dir of ["deploy/k8s", "deploy/k8s/overlays/large"]) {
  test(`deploy-configmap - ${dir}: the default config passes ltctl validate with the pod's environment`, async () => {
    const { config, env } = rendered(dir);
    const tmp = mkdtempSync(join(tmpdir(), "lt-cm-"));
    try {
      const file = join(tmp, "config.json");
      writeFileSync(file, JSON.stringify(config));
      const r = await ltctl(["validate", file, "--json"], env);
      assert.equal(r.code, 0, `ltctl validate failed:\n${r.err}${r.out}`);
      const res = JSON.parse(r.out) as { ok: boolean; pod: string };
      assert.equal(res.ok, true);
      assert.equal(res.pod, POD, "{pod} comes from POD_NAME (the downward API), not the host name");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test("deploy-configmap - the expanded spec uses the pod's name, NATS_URL and the mounted admin.creds", () => {
  const { config, env } = rendered("deploy/k8s");
  const res = loadConfig(config, { pod: env["POD_NAME"]!, env });
  assert.ok(res.ok, res.ok ? "" : JSON.stringify(res.issues));
  const spec = res.config.load_test_specs[0]!;
  assert.equal(spec.name, `load_test_${POD}`);
  assert.equal(spec.nats_url, env["NATS_URL"]);
  assert.equal(spec.nats_creds_file, `${env["NATS_CREDS_MOUNT_PATH"]}/admin.creds`);
  assert.equal(spec.streams[0]!.name_prefix, `load_stream_${POD}`);
});

test("deploy-configmap - without the Deployment's NATS_URL the same config is rejected, naming the variable", async () => {
  const { config, env } = rendered("deploy/k8s");
  const { NATS_URL: _, ...rest } = env;
  const res = loadConfig(config, { pod: POD, env: rest });
  assert.equal(res.ok, false);
  assert.ok(!res.ok && res.issues.some((i) => /NATS_URL/.test(i.message)), JSON.stringify(res));
});
