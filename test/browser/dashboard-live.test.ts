// The live dashboard of a real lt-agent during a real two-agent run, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). dashboard.test.ts checks the page on synthetic snapshots;
// here both agents run the engine and the page reads what they publish.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { chromium } from "playwright-core";
import { ControlClient } from "../../src/control/index.ts";
import { type HttpAgent, pushConfig, startHttpAgent } from "../harness/agent-http.ts";
import { faultConfig, ROOT, SKIP_UNBUILT } from "../harness/agents.ts";
import { CHROMIUM, CHROMIUM_ARGS, SKIP_NO_BROWSER } from "../harness/browser.ts";
import { startServer } from "../harness/index.ts";

/** A config whose publish rate ramps up over most of the run, so the throughput shown keeps changing. */
function rampConfig(url: string, name: string, seconds: number, rate: number): Record<string, unknown> {
  const cfg = faultConfig(url, { seconds, name, rate }) as {
    load_test_specs: Array<{ behavior: { duration_seconds: number; ramp_up_seconds: number } }>;
  };
  cfg.load_test_specs[0]!.behavior.ramp_up_seconds = Math.max(1, seconds - 2);
  return cfg;
}

test("dashboard - during a real two-agent run it lists both pods, shows a changing throughput, and a config pushed from its form changes the run id", {
  skip: SKIP_UNBUILT || SKIP_NO_BROWSER,
  timeout: 60_000,
}, async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  const client = new ControlClient(nc);
  const agents: HttpAgent[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    for (const pod of ["a", "b"]) agents.push(await startHttpAgent(server.url, pod, ["--workers", "1"]));
    const a = agents[0]!;
    const first = await pushConfig(server.url, rampConfig(server.url, "dash", 10, 300));

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const origin = new URL(a.base).host;
    const outside: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.host !== origin) outside.push(r.url());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${a.base}/`);
    await page.waitForFunction(() => document.getElementById("self-pod")?.textContent === "a", null, {
      timeout: 10_000,
    });

    // Both pods listed with numbers from their own snapshots of this run.
    await page.waitForFunction(
      (run) => document.getElementById("run-id")?.textContent === run,
      first.run_id,
      { timeout: 15_000 },
    );
    for (const pod of ["a", "b"])
      await page.waitForFunction(
        (p) => {
          const row = document.querySelector(`tr[data-pod="${p}"]`);
          const rate = row?.querySelector(".pod-pub-rate")?.textContent ?? "—";
          return row !== null && rate !== "—" && (row.textContent ?? "").includes(`dash_${p}`);
        },
        pod,
        { timeout: 15_000 },
      );
    assert.equal(await page.locator("#pods tbody tr").count(), 2);

    // The cluster throughput: a number, then a different number as the ramp goes on.
    await page.waitForFunction(
      () => /^\d/.test(document.getElementById("cluster-pub-rate")?.textContent ?? ""),
      null,
      {
        timeout: 10_000,
      },
    );
    const rate1 = (await page.textContent("#cluster-pub-rate")) ?? "";
    await page.waitForFunction((r) => document.getElementById("cluster-pub-rate")?.textContent !== r, rate1, {
      timeout: 10_000,
    });
    const rate2 = (await page.textContent("#cluster-pub-rate")) ?? "";
    assert.match(rate1, /^\d+(\.\d+)?k?$/);
    assert.match(rate2, /^\d+(\.\d+)?k?$/);
    assert.notEqual(rate2, rate1);

    // The charts plot per-interval points (each snapshot's own interval, merged over pods): several of them,
    // with the latest interval's own percentiles under the latency chart.
    await page.waitForFunction(
      () => Number(document.getElementById("chart-lat")?.getAttribute("data-points") ?? 0) >= 3,
      null,
      { timeout: 15_000 },
    );
    assert.match(
      (await page.textContent("#series-info")) ?? "",
      /every 1 s · last interval (e2e|ack) p50 [\d.]+ ms · p99 [\d.]+ ms · max [\d.]+ ms/,
    );

    // A second config pushed from the page's form: a new run on both agents, its id on the page.
    await page.fill("#config-text", JSON.stringify(rampConfig(server.url, "dash2", 4, 200), null, 2));
    await page.click("#btn-push");
    await page.waitForFunction(
      () => /queued as run/.test(document.getElementById("push-result")?.textContent ?? ""),
      null,
      { timeout: 10_000 },
    );
    const active = await client.active();
    assert.ok(active && active.run_id !== first.run_id, `a new run: ${active?.run_id}`);
    assert.match((await page.textContent("#push-result")) ?? "", new RegExp(active.run_id));
    await page.waitForFunction((r) => document.getElementById("run-id")?.textContent === r, active.run_id, {
      timeout: 10_000,
    });
    for (const pod of ["a", "b"])
      await page.waitForFunction(
        (p) => (document.querySelector(`tr[data-pod="${p}"]`)?.textContent ?? "").includes(`dash2_${p}`),
        pod,
        { timeout: 15_000 },
      );
    assert.notEqual(await page.textContent("#run-id"), first.run_id);
    await page.waitForTimeout(2_500); // let the charts draw a few points of the new run (4 s long)
    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test-results/dashboard-live.png"), fullPage: true });
    assert.deepEqual(outside, [], "no request leaves the page's origin");
    assert.deepEqual(errors, []);
    for (const { agent } of agents) assert.equal(agent.alive, true, agent.log);
  } finally {
    await browser.close();
    await Promise.all(agents.map(({ agent }) => agent.kill()));
    await nc.close();
  }
});
