// `ltctl report` of a real two-agent run (issue 5's acceptance test; report-html.test.ts checks the renderer on
// synthetic snapshots): the built ltctl writes the html report, which opens in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core) with its charts drawn and no network request; the csv and json
// formats parse back and agree with each other.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { parse } from "csv-parse/sync";
import { chromium } from "playwright-core";
import { pushConfig } from "../harness/agent-http.ts";
import {
  type AgentProcess,
  faultConfig,
  ltctl,
  ROOT,
  SKIP_UNBUILT,
  startAgent,
  until,
} from "../harness/agents.ts";
import { CHROMIUM, CHROMIUM_ARGS, drawnCharts, SKIP_NO_BROWSER } from "../harness/browser.ts";
import { startServer } from "../harness/index.ts";

interface JsonSummary {
  pods: string[];
  metrics: Record<string, number>;
}
interface JsonReport {
  run_id: string;
  cluster: JsonSummary;
  pods: Array<{ pod: string; summary: JsonSummary }>;
  steps: Array<{ cluster: JsonSummary; pods: Array<{ pod: string; phase: string; summary: JsonSummary }> }>;
  series: {
    interval_s: number;
    points: Array<{
      t_s: number;
      complete: boolean;
      publish_rate: number | null;
      publish_ack: { count: number; p50: number; p99: number; max: number };
    }>;
  };
}

test("report - ltctl report of a real two-agent run: the html opens in Chromium with its charts drawn and no network request, csv and json parse back and agree", {
  skip: SKIP_UNBUILT || SKIP_NO_BROWSER,
  timeout: 60_000,
}, async () => {
  await using server = await startServer();
  const agents: AgentProcess[] = ["a", "b"].map((pod) =>
    startAgent({ server: server.url, pod, args: ["--workers", "1"] }),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const pushed = await pushConfig(
      server.url,
      faultConfig(server.url, { seconds: 4, name: "rlive", rate: 200 }),
    );
    const run = pushed.run_id;
    const conn = ["--run", run, "--server", server.url];

    // The run is over once both pods' final snapshots (phase done) are in the stats stream.
    const report = await until(
      "both pods' final snapshots",
      async () => {
        const r = await ltctl(["report", ...conn, "--format", "json"]);
        if (r.code !== 0) return undefined;
        const rep = JSON.parse(r.stdout) as JsonReport;
        const phases = rep.steps.flatMap((s) => s.pods.map((p) => `${p.pod}:${p.phase}`)).sort();
        return phases.join(",") === "a:done,b:done" ? rep : undefined;
      },
      30_000,
      500,
    );
    assert.equal(report.run_id, run);
    assert.deepEqual(report.cluster.pods, ["a", "b"]);
    assert.deepEqual(report.pods.map((p) => p.pod).sort(), ["a", "b"]);
    const published = report.cluster.metrics["published"]!;
    // 2 pods x 200 msg/s x 4 s, with room for late and early schedules.
    assert.ok(published > 0.5 * 1600 && published <= 1.2 * 1600, `cluster published ${published}`);
    assert.equal(
      report.pods.reduce((n, p) => n + p.summary.metrics["published"]!, 0),
      published,
      "json: per-pod published sum to the cluster's",
    );

    // CSV: parses back; per pod (run level and step level) sums to the cluster row; same cluster as the JSON.
    const csv = await ltctl(["report", ...conn, "--format", "csv"]);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    for (const level of ["run", "step"]) {
      const podRows = rows.filter((r) => r["level"] === level && r["scope"] === "pod");
      const cluster = rows.filter((r) => r["level"] === level && r["scope"] === "cluster");
      assert.deepEqual(podRows.map((r) => r["pod"]).sort(), ["a", "b"], `${level}: one row per pod`);
      assert.equal(cluster.length, 1, `${level}: one cluster row`);
      for (const col of ["published", "acked", "consumed"])
        assert.equal(
          podRows.reduce((n, r) => n + Number(r[col]), 0),
          Number(cluster[0]![col]),
          `csv ${level}: per-pod ${col} sum to the cluster's`,
        );
    }
    const csvCluster = rows.find((r) => r["level"] === "run" && r["scope"] === "cluster")!;
    assert.equal(csvCluster["run_id"], run);
    assert.equal(Number(csvCluster["published"]), published, "json and csv agree on the cluster's published");
    for (const p of report.pods)
      assert.equal(
        Number(rows.find((r) => r["level"] === "run" && r["pod"] === p.pod)?.["published"]),
        p.summary.metrics["published"],
        `json and csv agree on ${p.pod}'s published`,
      );

    // HTML: written by the built ltctl, opened with every request but the file itself blocked and recorded.
    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    const file = join(ROOT, "test-results/report-live.html");
    const html = await ltctl(["report", ...conn, "--format", "html", "-o", file]);
    assert.equal(html.code, 0, html.stderr);
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
    const requests: string[] = [];
    await context.route("**/*", (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    page.on("request", (r) => {
      if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: "load" });
    const charts = await drawnCharts(page);
    assert.equal(charts.length, 4, JSON.stringify(charts));
    for (const c of charts) {
      assert.ok(c.width > 200, `${c.title} is laid out (${c.width} px)`);
      assert.ok(c.series.length > 0, `${c.title} has lines`);
      for (const s of c.series)
        assert.ok(s.width > 100, `${c.title}: ${s.name} is drawn across the chart (${s.width} px)`);
    }
    assert.match(charts[3]!.title, /percentile/);
    assert.equal(await page.locator("h1").textContent(), `Run ${run}`);
    // The report's data embedded in the page is the same run as the json format.
    const embedded = JSON.parse(
      (await page.locator("script#report-data").textContent()) ?? "null",
    ) as JsonReport;
    assert.equal(embedded.cluster.metrics["published"], published);
    // Its time series: one point per stats interval, each from the pods' own intervals. Every latency sample
    // of the run is in exactly one point (the intervals tile it), and no point counts a pod twice (2 pods at
    // 200 msg/s never read near 800).
    const points = embedded.series.points;
    assert.equal(embedded.series.interval_s, 1);
    assert.ok(points.length >= 4, JSON.stringify(points));
    assert.ok(
      points.every((p) => p.complete),
      "no snapshot missing in a healthy run",
    );
    assert.equal(
      points.reduce((n, p) => n + p.publish_ack.count, 0),
      embedded.cluster.metrics["publish_ack.count"],
      "per-interval samples add up to the whole run's",
    );
    for (const p of points)
      assert.ok((p.publish_rate ?? 0) < 1.5 * 400, `t=${p.t_s}: ${p.publish_rate} msg/s`);
    assert.ok(points.filter((p) => p.publish_ack.count > 0).length >= 3, "latency per interval");
    await page.screenshot({ path: join(ROOT, "test-results/report-live.png"), fullPage: true });
    assert.deepEqual(requests, [], "no network requests");
    assert.deepEqual(errors, []);
    assert.match(readFileSync(file, "utf8"), /^<!doctype html>/i);
    for (const agent of agents) assert.equal(agent.alive, true, agent.log);
  } finally {
    await browser.close();
    await Promise.all(agents.map((a) => a.kill()));
  }
});
