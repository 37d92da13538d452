// The HTML report in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): its
// charts are drawn and opening it makes no network request.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { buildRunReport, renderHtml } from "../../src/report/index.ts";
import { twoPodRun } from "../fixtures/snapshots.ts";
import { CHROMIUM, CHROMIUM_ARGS, drawnCharts, SKIP_NO_BROWSER } from "../harness/browser.ts";

test("report - the html report opens in Chromium with its charts drawn and no network request", {
  skip: SKIP_NO_BROWSER,
  timeout: 60_000,
}, async () => {
  mkdirSync("test-results", { recursive: true });
  const file = resolve("test-results/report.html");
  const report = buildRunReport(twoPodRun("browser-run", 50, 10), { thresholds: { lost: "== 0" } });
  writeFileSync(file, renderHtml(report));
  const url = pathToFileURL(file).href;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    const requests: string[] = [];
    page.on("request", (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: "load" });
    const charts = await drawnCharts(page);
    assert.equal(charts.length, 4);
    for (const c of charts) {
      assert.ok(c.series.length > 0, `${c.title} has lines`);
      for (const s of c.series) assert.ok(s.width > 100, `${c.title}: ${s.name} is drawn across the chart`);
    }
    assert.match(charts[3]!.title, /percentile/);
    assert.equal(await page.locator("h1").textContent(), "Run browser-run");
    assert.match((await page.locator(".verdict").textContent()) ?? "", /passed/);
    await page.screenshot({ path: "test-results/report-html.png", fullPage: true });
    assert.deepEqual(requests, [], "no network requests");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
