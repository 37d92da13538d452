// Reports and comparisons of real runs: the engine runs twice against a real nats-server, its snapshots go
// to the stats stream as an agent's would, then `ltctl report` / `ltctl compare` / `ltctl run` read them.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { parse } from "csv-parse/sync";
import { main } from "../../src/cli/index.ts";
import type { CliIo } from "../../src/cli/io.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { ControlClient, controlNames } from "../../src/control/index.ts";
import { runPlan } from "../../src/engine/index.ts";
import { startServer } from "../harness/index.ts";

function config(url: string, rate: number, thresholds?: Record<string, string>): Record<string, unknown> {
  return {
    load_test_specs: [
      {
        name: "rep",
        nats_url: url,
        use_jetstream: true,
        client_id_prefix: "rep",
        streams: [
          {
            name_prefix: `rep_${rate}`,
            count: 1,
            replicas: 1,
            subjects: [`rep.${rate}.{}`],
            storage: "memory",
            max_age: "1m",
          },
        ],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: `rep_${rate}`,
          publish_rate_per_second: rate,
          publish_pattern: "steady",
          message_size_bytes: 64,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: `rep_${rate}`,
          type: "pull",
          count_per_stream: 1,
          durable_name_prefix: `rep_${rate}`,
          ack_wait_seconds: 30,
          max_ack_pending: 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: 2, ramp_up_seconds: 0 },
      },
    ],
    stats_collection_interval_seconds: 1,
    ...(thresholds ? { thresholds } : {}),
  };
}

function captureIo(env: Record<string, string | undefined> = {}): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    env,
    isTTY: false,
    hostname: "test-host",
    setExitCode() {},
  };
  return io;
}

test("report - two real runs: ltctl compare shows ratios, ltctl report renders csv and fails a threshold with exit 99", {
  timeout: 90_000,
}, async () => {
  await using server = await startServer({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    const client = new ControlClient(nc, "rep");
    const js = jetstream(nc);
    const names = controlNames("rep");
    const runs: string[] = [];
    for (const rate of [100, 200]) {
      const raw = config(
        server.url,
        rate,
        rate === 200 ? { lost: "== 0", "end_to_end.p99_ms": "< 0.001" } : undefined,
      );
      const pushed = await client.push(raw, { pushedBy: "test", startAt: Date.now() });
      const loaded = parseConfigText(JSON.stringify(raw), { pod: "p1", env: {} });
      assert.ok(loaded.ok);
      const publishes: Promise<unknown>[] = [];
      await runPlan(loaded.plan, {
        runId: pushed.run_id,
        pod: "p1",
        mode: "both",
        signal: new AbortController().signal,
        onSnapshot: (s) =>
          publishes.push(js.publish(names.statsSubject(pushed.run_id, "p1"), JSON.stringify(s))),
        log: { info() {}, warn() {}, error() {} },
        statsIntervalMs: 500,
        cleanup: true,
      });
      await Promise.all(publishes);
      runs.push(pushed.run_id);
    }
    const [a, b] = runs as [string, string];
    const conn = ["-s", server.url, "--prefix", "rep"];

    const cmp = captureIo();
    assert.equal(await main(["node", "ltctl", "compare", a, b, ...conn], cmp), 0, cmp.stderr);
    const rate = /^publish_rate +([\d,.]+) +([\d,.]+) +([\d.]+)x/m.exec(cmp.stdout);
    assert.ok(rate, cmp.stdout);
    assert.ok(Number(rate[3]) > 1.5 && Number(rate[3]) < 2.5, `publish rate doubled: ${rate[0]}`);

    const json = captureIo();
    assert.equal(await main(["node", "ltctl", "compare", a, b, ...conn, "--json"], json), 0);
    const parsed = JSON.parse(json.stdout) as { rows: { metric: string; ratio: number | null }[] };
    assert.ok(parsed.rows.find((r) => r.metric === "published")!.ratio! > 1.5);

    const csv = captureIo();
    assert.equal(
      await main(["node", "ltctl", "report", "--run", a, "--format", "csv", ...conn], csv),
      0,
      csv.stderr,
    );
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    const total = rows.find((r) => r.level === "run" && r.scope === "cluster")!;
    assert.ok(Number(total.published) >= 150, `published ${total.published}`);

    // Run B's config carries a threshold it cannot meet: report exits 99 and names it with the measured value.
    const dir = mkdtempSync(join(tmpdir(), "lt-report-"));
    const html = join(dir, "b.html");
    const rep = captureIo();
    assert.equal(
      await main(["node", "ltctl", "report", ...conn, "-o", html], rep),
      99,
      "the active run is B",
    );
    assert.match(rep.stderr, /threshold failed: end_to_end\.p99_ms < 0\.001 \(measured [\d.]+\)/);
    assert.match(readFileSync(html, "utf8"), /<svg /);

    // ltctl run (a local run) exits 99 the same way.
    const file = join(dir, "thr.json");
    writeFileSync(
      file,
      JSON.stringify(config(server.url, 50, { "end_to_end.p99_ms": "< 0.001", lost: "== 0" })),
    );
    const run = captureIo();
    assert.equal(await main(["node", "ltctl", "run", file, "--cleanup"], run), 99, run.stderr);
    assert.match(run.stderr, /threshold failed: end_to_end\.p99_ms < 0\.001 \(measured [\d.]+\)/);
  } finally {
    await nc.close();
  }
});
