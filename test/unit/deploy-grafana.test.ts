// deploy/grafana statically: the dashboard is a well-formed Grafana dashboard whose every query is valid PromQL
// over the lt_* families, filtered by the run and pod variables, and covering what issue 11 asks for; the
// provisioning files point Grafana at the compose Prometheus and at the folder compose mounts. That the names
// exist on a real agent's /metrics is test/integration/grafana-metrics.test.ts.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { readCompose } from "../harness/compose.ts";
import {
  DASHBOARD_PATH,
  dashboardMetricNames,
  dataPanels,
  parsePromQL,
  queries,
  readDashboard,
} from "../harness/grafana.ts";

const dashboard = readDashboard();
const compose = readCompose("docker-compose.yml");
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's syntax for the datasource variable's value
const DATASOURCE_VAR = "${datasource}";

test("deploy-grafana - the dashboard has a uid, a title, a schema version and panels on a 24-column grid", () => {
  assert.match(dashboard.uid, /^[a-zA-Z0-9_-]{1,40}$/);
  assert.ok(dashboard.title.length > 0);
  assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36);
  const ids = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, "panel ids are unique");
  for (const p of dashboard.panels) {
    const g = p.gridPos;
    assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24, `"${p.title}" fits the 24-column grid`);
    assert.ok(g.h > 0 && g.y >= 0, `"${p.title}" has a height and a row`);
  }
  assert.ok(dataPanels(dashboard).length >= 10);
});

test("deploy-grafana - every data panel queries the Prometheus datasource variable with uniquely named targets", () => {
  const vars = dashboard.templating.list;
  const ds = vars.find((v) => v.type === "datasource");
  assert.equal(ds?.name, "datasource");
  assert.equal(ds["query"], "prometheus");
  for (const p of dataPanels(dashboard)) {
    assert.deepEqual(p.datasource, { type: "prometheus", uid: DATASOURCE_VAR }, `"${p.title}" datasource`);
    const targets = p.targets ?? [];
    assert.ok(targets.length > 0, `"${p.title}" has targets`);
    const refs = targets.map((t) => t.refId);
    assert.equal(new Set(refs).size, refs.length, `"${p.title}" refIds are unique`);
    for (const t of targets) {
      assert.equal(t.datasource?.uid, DATASOURCE_VAR, `"${p.title}" ${t.refId} datasource`);
      assert.ok(t.expr.trim().length > 0, `"${p.title}" ${t.refId} has a query`);
    }
  }
  for (const v of vars.filter((x) => x.type === "query"))
    assert.equal(v.datasource?.uid, DATASOURCE_VAR, `$${v.name} datasource`);
});

test("deploy-grafana - every query is valid PromQL selecting lt_* metrics, filtered by $run and $pod", () => {
  const qs = queries(dashboard);
  assert.ok(qs.length >= 20);
  for (const q of qs) {
    const parsed = parsePromQL(q.expr);
    assert.deepEqual(parsed.errors, [], `${q.where}: ${q.expr}`);
    assert.ok(parsed.metrics.length > 0, `${q.where} selects a metric`);
    for (const [i, name] of parsed.metrics.entries()) {
      assert.match(name, /^lt_[a-z0-9_]+$/, `${q.where}: metric ${name}`);
      if (q.where === "variable $run") continue;
      const m = parsed.matchers[i]!;
      assert.ok(m.includes('run=~"$run"'), `${q.where}: ${name} is filtered by $run (${m.join(", ")})`);
      if (q.where !== "variable $pod")
        assert.ok(m.includes('pod=~"$pod"'), `${q.where}: ${name} is filtered by $pod`);
    }
  }
});

test("deploy-grafana - the PromQL check is not vacuous: a syntax error and a missing selector are caught", () => {
  assert.notDeepEqual(parsePromQL("sum(rate(lt_published_total[$__rate_interval])").errors, []);
  assert.notDeepEqual(parsePromQL("histogram_quantile(0.99, sum by (le) rate(x[1m]))").errors, []);
  const ok = parsePromQL(
    'histogram_quantile(0.9, sum by (le) (rate(lt_a_bucket{run=~"$run"}[$__rate_interval])))',
  );
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.metrics, ["lt_a_bucket"]);
  assert.deepEqual(ok.matchers, [['run=~"$run"']]);
});

test("deploy-grafana - it shows target vs achieved, per-interval latency quantiles, lost / duplicates / unsent / unconsumed, per pod", () => {
  const names = dashboardMetricNames(dashboard);
  for (const n of [
    "lt_target_rate",
    "lt_published_total",
    "lt_lost_total",
    "lt_duplicates_total",
    "lt_unsent_total",
    "lt_unconsumed_total",
  ])
    assert.ok(names.includes(n), `the dashboard uses ${n}`);
  const exprs = queries(dashboard).map((q) => q.expr);
  // Per-interval quantiles: histogram_quantile over the rate of each latency histogram's buckets.
  for (const h of ["publish_ack", "end_to_end", "send_delay", "publish_service"]) {
    const name = `lt_${h}_latency_seconds_bucket`;
    const perInterval = exprs.filter(
      (e) =>
        e.includes("histogram_quantile(") &&
        new RegExp(`rate\\(${name}\\{[^}]*\\}\\[\\$__rate_interval\\]\\)`).test(e),
    );
    assert.ok(perInterval.length > 0, `per-interval quantiles of ${name}`);
    for (const e of perInterval) assert.match(e, /by \((pod, )?le\)/, `${e} aggregates buckets by le`);
  }
  assert.ok(
    exprs.some((e) => /^histogram_quantile\(0\.99, sum by \(pod, le\)/.test(e)),
    "a p99 per pod",
  );
  assert.ok(
    exprs.some((e) => e.includes("rate(lt_published_total") && e.includes("lt_target_rate")),
    "achieved over target in one query",
  );
  for (const n of ["lt_lost_total", "lt_duplicates_total", "lt_unsent_total", "lt_unconsumed_total"])
    assert.ok(
      exprs.some((e) => e.startsWith("sum by (pod)") && e.includes(n)),
      `${n} per pod`,
    );
});

// ---- provisioning and compose --------------------------------------------------------------------------

interface Mount {
  source: string;
  target: string;
}
function mountsOf(service: string): Mount[] {
  return (compose.services[service]?.volumes ?? []).map((v) => {
    if (typeof v !== "string") return { source: v.source ?? "", target: v.target };
    const [source = "", target = ""] = v.split(":");
    return { source, target };
  });
}
/** The host path compose mounts at `containerPath` (or at a folder above it), or undefined. */
function hostPath(mounts: Mount[], containerPath: string): string | undefined {
  const m = mounts.find((x) => containerPath === x.target || containerPath.startsWith(`${x.target}/`));
  return m ? join(m.source, containerPath.slice(m.target.length)) : undefined;
}

test("deploy-grafana - compose runs a pinned Grafana in the monitoring profile, beside Prometheus, on this machine only", () => {
  const g = compose.services["grafana"];
  assert.ok(g, "a grafana service");
  assert.deepEqual(g.profiles, ["monitoring"]);
  assert.deepEqual(compose.services["prometheus"]?.profiles, ["monitoring"]);
  assert.match(g.image ?? "", /^grafana\/grafana(-oss)?:\d+\.\d+\.\d+$/, "an exact image version");
  const deps = Array.isArray(g.depends_on) ? g.depends_on : Object.keys(g.depends_on ?? {});
  assert.ok(deps.includes("prometheus"));
  const env = g.environment as Record<string, string>;
  assert.equal(env["GF_AUTH_ANONYMOUS_ORG_ROLE"], "Viewer", "anonymous visitors only view");
  assert.match(env["GF_SECURITY_ADMIN_PASSWORD"] ?? "", /^\$\{GRAFANA_ADMIN_PASSWORD[:}-]/);
  assert.deepEqual(g.ports, ["127.0.0.1:3000:3000"]);
  for (const m of mountsOf("grafana")) {
    assert.ok(m.source.startsWith("./deploy/grafana/"), `${m.source} is in deploy/grafana`);
    assert.ok(existsSync(m.source), `${m.source} exists`);
  }
});

test("deploy-grafana - the provisioned datasource is the compose Prometheus, with its scrape interval", () => {
  const mounts = mountsOf("grafana");
  const dir = hostPath(mounts, "/etc/grafana/provisioning/datasources");
  assert.ok(dir, "provisioning/datasources is mounted");
  const file = YAML.parse(readFileSync(join(dir, "prometheus.yml"), "utf8")) as {
    datasources: { type: string; url: string; isDefault?: boolean; jsonData?: { timeInterval?: string } }[];
  };
  assert.equal(file.datasources.length, 1);
  const ds = file.datasources[0]!;
  assert.equal(ds.type, "prometheus");
  assert.equal(ds.isDefault, true, "the dashboard's datasource variable picks it");
  const url = new URL(ds.url);
  assert.ok(compose.services[url.hostname], `${url.hostname} is a compose service`);
  assert.equal(compose.services[url.hostname]?.image?.split(":")[0], "prom/prometheus");
  assert.equal(url.port, "9090");
  const prom = YAML.parse(readFileSync("deploy/prometheus.yml", "utf8")) as {
    global: { scrape_interval: string };
  };
  // $__rate_interval is derived from timeInterval: it must be the real scrape interval.
  assert.equal(ds.jsonData?.timeInterval, prom.global.scrape_interval);
});

test("deploy-grafana - the dashboard provider reads the mounted folder that holds this dashboard", () => {
  const mounts = mountsOf("grafana");
  const dir = hostPath(mounts, "/etc/grafana/provisioning/dashboards");
  assert.ok(dir, "provisioning/dashboards is mounted");
  const file = YAML.parse(readFileSync(join(dir, "nats-lt.yml"), "utf8")) as {
    providers: { type: string; options: { path: string } }[];
  };
  const provider = file.providers[0]!;
  assert.equal(provider.type, "file");
  const folder = hostPath(mounts, provider.options.path);
  assert.ok(folder, `${provider.options.path} is mounted`);
  assert.ok(existsSync(join(folder, "nats-lt.json")));
  assert.equal(join(folder, "nats-lt.json"), DASHBOARD_PATH);
  const env = (compose.services["grafana"]?.environment ?? {}) as Record<string, string>;
  const home = env["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"];
  assert.equal(hostPath(mounts, home ?? ""), DASHBOARD_PATH, "the home dashboard is this one");
});
