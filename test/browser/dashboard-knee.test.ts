// The dashboard's capacity panel in a real headless Chromium: hidden until a fleet capacity search wrote its
// entry to the control plane, then the knee chart (p99 per kind and achieved by rate asked) with the answer;
// a malformed entry (anyone who can write the config bucket can write one) reads as none and breaks nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { chromium } from "playwright-core";
import {
  CAPACITY_KEY,
  type CapacityEntry,
  ControlClient,
  controlNames,
  ensureControlPlane,
  validateForPush,
} from "../../src/control/index.ts";
import { startHttpServer } from "../../src/http/index.ts";
import { CHROMIUM, CHROMIUM_ARGS, SKIP_NO_BROWSER } from "../harness/browser.ts";
import { startServer } from "../harness/index.ts";

function entry(points: CapacityEntry["points"], end: string): CapacityEntry {
  return {
    v: 1,
    search_id: "s1",
    spec: "knee_test",
    slos: ["publish_ack.p99_ms < 10"],
    end,
    answer: `max sustainable rate ${points.filter((p) => p.passed).at(-1)?.rate ?? 0} msg/s`,
    max_rate: null,
    updated: Date.now(),
    points,
  };
}

test("dashboard - the capacity panel stays hidden without a search, then draws the knee of the newest one; a malformed entry reads as none", {
  skip: SKIP_NO_BROWSER,
  timeout: 90_000,
}, async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  await ensureControlPlane(nc, "knee");
  const client = new ControlClient(nc, "knee");
  const http = await startHttpServer({
    client,
    nc,
    prefix: "knee",
    pod: "pod-a",
    host: "127.0.0.1",
    port: 0,
    agentState: () => ({ state: "idle", connected: true }),
    validate: (raw) => validateForPush(raw),
    metrics: () => undefined,
    log: { info() {}, warn() {}, error() {} },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const api = `http://127.0.0.1:${http.port}/api/v1/capacity`;
    assert.equal((await fetch(api)).status, 404, "no search yet");
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${http.port}/`);
    await page.waitForFunction(() => document.getElementById("conn-text")?.textContent === "live");
    assert.equal(await page.isHidden("#capacity"), true, "no search: no panel");

    // A search under way: two steps so far, then a third that failed.
    await client.putCapacity(
      entry(
        [
          { rate: 1000, achieved: 1000, passed: true, p99_ms: { publish_ack: 2, end_to_end: 3 } },
          { rate: 2000, achieved: 1990, passed: true, p99_ms: { publish_ack: 4, end_to_end: 5 } },
        ],
        "running",
      ),
    );
    await page.waitForFunction(
      () => !(document.getElementById("capacity") as HTMLElement).hidden,
      undefined,
      {
        timeout: 15_000,
      },
    );
    assert.match(
      (await page.textContent("#capacity-meta")) ?? "",
      /knee_test · publish_ack\.p99_ms < 10 · 2 steps · running/,
    );
    await client.putCapacity(
      entry(
        [
          { rate: 1000, achieved: 1000, passed: true, p99_ms: { publish_ack: 2, end_to_end: 3 } },
          { rate: 4000, achieved: 3100, passed: false, p99_ms: { publish_ack: 40, end_to_end: 55 } },
          { rate: 2000, achieved: 1990, passed: true, p99_ms: { publish_ack: 4, end_to_end: 5 } },
        ],
        "converged",
      ),
    );
    await page.waitForFunction(
      () => /3 steps · ended \(converged\)/.test(document.getElementById("capacity-meta")?.textContent ?? ""),
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await page.textContent("#capacity-answer"), "max sustainable rate 2000 msg/s");
    // Both uPlot charts drew, with a legend entry per latency kind.
    assert.equal(await page.locator("#chart-knee canvas").count(), 1);
    assert.equal(await page.locator("#chart-knee-rate canvas").count(), 1);
    const legend = (await page.textContent("#chart-knee")) ?? "";
    assert.match(legend, /end_to_end p99 ms/);
    assert.match(legend, /publish_ack p99 ms/);

    // A malformed entry (an answer over its bound) is refused on read: the API says none, the page keeps the last chart.
    const kv = await new Kvm(nc).open(controlNames("knee").configBucket);
    await kv.put(CAPACITY_KEY, JSON.stringify({ ...entry([], "converged"), answer: "x".repeat(10_000) }));
    assert.equal((await fetch(api)).status, 404);
    assert.equal(await page.textContent("#capacity-answer"), "max sustainable rate 2000 msg/s");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await http.close();
    await nc.close();
  }
});
