// The live dashboard in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { test } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { chromium } from "playwright-core";
import { ControlClient, controlNames, ensureControlPlane, validateForPush } from "../../src/control/index.ts";
import { startHttpServer } from "../../src/http/index.ts";
import { CHROMIUM, CHROMIUM_ARGS, SKIP_NO_BROWSER } from "../harness/browser.ts";
import { startServer } from "../harness/index.ts";
import { CONFIG, makeSnapshot } from "../integration/http-fixtures.ts";

test("dashboard - shows both pods live, a changing throughput, and a pushed config's new run id", {
  skip: SKIP_NO_BROWSER,
  timeout: 90_000,
}, async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  await ensureControlPlane(nc, "bx");
  const client = new ControlClient(nc, "bx");
  const first = await client.push(CONFIG, { pushedBy: "test" });
  const http = await startHttpServer({
    client,
    nc,
    prefix: "bx",
    pod: "pod-a",
    host: "127.0.0.1",
    port: 0,
    agentState: () => ({ state: "running", run_id: first.run_id, spec: "http_test", connected: true }),
    validate: (raw) => validateForPush(raw),
    metrics: () => undefined,
    log: { info() {}, warn() {}, error() {} },
  });
  const js = jetstream(nc);
  const names = controlNames("bx");
  let n = 0;
  let run = first.run_id;
  const feed = setInterval(() => {
    n++;
    for (const pod of ["pod-a", "pod-b"]) {
      const s = makeSnapshot(run, pod, n, [1, 2, 3 + n, 20 + (n % 7)]);
      js.publish(names.statsSubject(run, pod), JSON.stringify(s)).catch(() => {});
    }
  }, 300);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const outside: string[] = [];
    page.on("request", (r) => {
      if (
        !r.url().startsWith(`http://127.0.0.1:${http.port}`) &&
        !r.url().startsWith(`ws://127.0.0.1:${http.port}`)
      )
        outside.push(r.url());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${http.port}/`);
    await page.waitForSelector('tr[data-pod="pod-a"]', { timeout: 15_000 });
    await page.waitForSelector('tr[data-pod="pod-b"]', { timeout: 15_000 });
    await page.waitForFunction((r) => document.getElementById("run-id")?.textContent === r, first.run_id);
    const rate1 = await page.textContent("#cluster-pub-rate");
    await page.waitForFunction((r) => document.getElementById("cluster-pub-rate")?.textContent !== r, rate1, {
      timeout: 10_000,
    });
    assert.notEqual(await page.textContent("#cluster-pub-rate"), rate1);

    // Push a different config from the form: the active entry changes and the page shows the new run id.
    const next = structuredClone(CONFIG);
    next.load_test_specs[0]!.behavior.duration_seconds = 7;
    await page.fill("#config-text", JSON.stringify(next, null, 2));
    await page.click("#btn-push");
    await page.waitForFunction(() =>
      /queued as run/.test(document.getElementById("push-result")?.textContent ?? ""),
    );
    const active = await client.active();
    assert.ok(active && active.run_id !== first.run_id);
    run = active.run_id;
    await page.waitForFunction((r) => document.getElementById("run-id")?.textContent === r, active.run_id);
    await page.waitForSelector('tr[data-pod="pod-b"]', { timeout: 10_000 });
    await page.waitForTimeout(1_500); // let the charts draw a few points of the new run
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });
    assert.deepEqual(outside, [], "no request leaves the page's origin");
    assert.deepEqual(errors, []);
  } finally {
    clearInterval(feed);
    await browser.close();
    await http.close();
    await nc.close();
  }
});
