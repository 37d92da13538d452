// The live dashboard's requested vs achieved in a real headless Chromium: the server's cluster total carries the
// figures (src/stats achieved.ts), the page says "target X msg/s, achieved Y (Z%)", shows the verdict when the
// pods ended short and hides it when they reached the target, and names unsent slots for what they are.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { chromium } from "playwright-core";
import { ControlClient, controlNames, ensureControlPlane, validateForPush } from "../../src/control/index.ts";
import { startHttpServer } from "../../src/http/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";
import { CHROMIUM, CHROMIUM_ARGS, SKIP_NO_BROWSER } from "../harness/browser.ts";
import { startServer } from "../harness/index.ts";
import { CONFIG } from "../integration/http-fixtures.ts";

/** A pod's final snapshot at `achieved` of a 1,000 msg/s target, taken `at` (a later one replaces it). */
function final(run: string, pod: string, achieved: number, busy: number, at: Date): Snapshot {
  return snapshot({
    run_id: run,
    pod,
    spec: "http_test",
    phase: "done",
    ts: at.toISOString(),
    elapsed_s: 10,
    duration_s: 10,
    target_rate: 1000,
    publish_rate: achieved,
    published: achieved * 10,
    unsent: (1000 - achieved) * 10,
    values: [1, 2, 3],
    sendDelay: [1, 2, 2500],
    system: { send_busy_pct: busy },
  });
}

test("dashboard - says target vs achieved, shows the verdict for pods that ended short and hides it once they reach it", {
  skip: SKIP_NO_BROWSER,
  timeout: 90_000,
}, async () => {
  await using server = await startServer();
  const nc = await connect({ servers: server.url });
  await ensureControlPlane(nc, "bach");
  const client = new ControlClient(nc, "bach");
  const { run_id: run } = await client.push(CONFIG, { pushedBy: "test" });
  const http = await startHttpServer({
    client,
    nc,
    prefix: "bach",
    pod: "pod-a",
    host: "127.0.0.1",
    port: 0,
    agentState: () => ({ state: "done", run_id: run, spec: "http_test", connected: true }),
    validate: (raw) => validateForPush(raw),
    metrics: () => undefined,
    log: { info() {}, warn() {}, error() {} },
  });
  const js = jetstream(nc);
  const names = controlNames("bach");
  const send = (s: Snapshot) => js.publish(names.statsSubject(run, s.pod), JSON.stringify(s));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${http.port}/`);
    await page.waitForFunction(() => document.getElementById("conn-text")?.textContent === "live");

    // pod-a's generator saturated at 400 of 1,000 msg/s, pod-b kept up: 1,400 of 2,000.
    const t0 = Date.now();
    await send(final(run, "pod-a", 400, 99, new Date(t0)));
    await send(final(run, "pod-b", 1000, 30, new Date(t0)));
    await page.waitForFunction(
      () => !(document.getElementById("cluster-verdict") as HTMLElement | null)?.hidden,
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await page.textContent("#cluster-achieved"), "target 2000 msg/s, achieved 1400 (70.0%)");
    assert.match(
      (await page.textContent("#cluster-verdict")) ?? "",
      /^verdict: the load generator fell behind on pod-a \(its event loop 99% busy while sending; send delay p99 2\.5 s\): add workers or pods$/,
    );
    assert.equal(await page.textContent("#cluster-target"), "2000 · 70.0%");
    assert.match((await page.textContent("#cluster-acked")) ?? "", / 6000 unsent$/);
    assert.equal(
      await page.getAttribute("#cluster-acked", "title"),
      "unsent: scheduled slots not sent by the end",
    );

    // Both pods' newer finals reach the target: the line says 100% and the verdict goes.
    await send(final(run, "pod-a", 1000, 40, new Date(t0 + 1000)));
    await send(final(run, "pod-b", 1000, 30, new Date(t0 + 1000)));
    await page.waitForFunction(
      () => (document.getElementById("cluster-verdict") as HTMLElement | null)?.hidden === true,
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await page.textContent("#cluster-achieved"), "target 2000 msg/s, achieved 2000 (100.0%)");
    assert.equal(await page.textContent("#cluster-verdict"), "");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await http.close();
    await nc.close();
  }
});
