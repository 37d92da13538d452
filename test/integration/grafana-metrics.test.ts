// The Grafana dashboard against a real agent: every metric name its queries select (panels and variables,
// parsed as PromQL by test/harness/grafana.ts) is on GET /metrics of one lt-agent while it runs a JetStream
// config, so no panel of deploy/grafana/dashboards/nats-lt.json stays empty for want of a family.
// Same harness as metrics-live.test.ts: a real nats-server, a real agent with its shim, a config pushed over NATS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pushConfig, startHttpAgent } from "../harness/agent-http.ts";
import { faultConfig, SKIP_UNBUILT, sleep } from "../harness/agents.ts";
import { dashboardMetricNames, readDashboard } from "../harness/grafana.ts";
import { startServer } from "../harness/index.ts";

/** Sample names of a Prometheus text exposition (`lt_x_bucket{le="1"} 3` -> `lt_x_bucket`). */
function sampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** The `run` and `phase` labels of lt_info, when the agent has a snapshot. */
function info(text: string): { run?: string; phase?: string } {
  const line = /^lt_info\{([^}]*)\}/m.exec(text)?.[1] ?? "";
  const label = (k: string) => new RegExp(`(?:^|,)${k}="([^"]*)"`).exec(line)?.[1];
  const run = label("run");
  const phase = label("phase");
  return { ...(run !== undefined ? { run } : {}), ...(phase !== undefined ? { phase } : {}) };
}

// Long enough for several snapshots (the config's stats interval is 1 s) and a stream sample while it runs.
const RUN_S = 8;
const SCRAPE_EVERY_MS = 250;

test("grafana - every metric the dashboard queries is on /metrics of a real agent mid-run", {
  skip: SKIP_UNBUILT,
  timeout: 60_000,
}, async () => {
  const wanted = dashboardMetricNames(readDashboard());
  assert.ok(wanted.length >= 10, `the dashboard selects ${wanted.length} metrics`);
  await using server = await startServer();
  const { agent, base } = await startHttpAgent(server.url, "g1", ["--workers", "1"]);
  try {
    const pushed = await pushConfig(
      server.url,
      faultConfig(server.url, { seconds: RUN_S, name: "graf", rate: 200 }),
    );
    // Scrape while the run is on: the best scrape is the one with the fewest dashboard names missing.
    let best: { missing: string[]; published: number } | undefined;
    const deadline = Date.now() + (RUN_S + 20) * 1000;
    for (;;) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const now = info(text);
      if (now.run === pushed.run_id && now.phase !== "running" && best !== undefined) break;
      if (now.run === pushed.run_id && now.phase === "running") {
        const have = sampleNames(text);
        const missing = wanted.filter((n) => !have.has(n));
        const published = Number(/^lt_published_total\{[^}]*\} (\S+)$/m.exec(text)?.[1] ?? 0);
        if (best === undefined || missing.length < best.missing.length) best = { missing, published };
        if (missing.length === 0 && published > 0) break;
      }
      assert.ok(Date.now() < deadline, `the run ${pushed.run_id} was scraped while running\n${agent.log}`);
      await sleep(SCRAPE_EVERY_MS);
    }
    assert.ok(best, "a scrape during the run");
    assert.deepEqual(
      best.missing,
      [],
      `dashboard metrics absent from /metrics of a running agent: ${best.missing.join(", ")}`,
    );
    assert.ok(best.published > 0, "the scrape is of a run that published");
    assert.equal(agent.alive, true, agent.log);
  } finally {
    await agent.kill();
  }
});
