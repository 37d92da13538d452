// Requested vs achieved on real runs: the engine runs a reachable and an unreachable target against a real
// nats-server, its snapshots go to the stats stream as an agent's would, then `ltctl stats` and `ltctl report`
// read them: the unreachable one ends with the verdict, the reachable one shows at least 99% and none.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
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

const PREFIX = "ach";
const REACHABLE = 200;
/** No client reaches it (engine-unreachable.test.ts): every run ends far below, with unsent slots. */
const UNREACHABLE = 5_000_000;
const VERDICT = /verdict: the (load generator|server|server or the network) fell behind/;

function config(url: string, rate: number): Record<string, unknown> {
  const name = `ach_${rate}`;
  return {
    load_test_specs: [
      {
        name: "ach",
        nats_url: url,
        use_jetstream: false,
        client_id_prefix: name,
        streams: [{ name_prefix: name, count: 1, replicas: 1, subjects: [`${name}.{}`], storage: "memory" }],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: name,
          publish_rate_per_second: rate,
          publish_pattern: "steady",
          message_size_bytes: 32,
          track_latency: false,
        },
        consumers: {
          stream_name_prefix: name,
          type: "pull",
          count_per_stream: 0,
          durable_name_prefix: name,
          ack_wait_seconds: 5,
          max_ack_pending: 1000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: 2, ramp_up_seconds: 0 },
      },
    ],
    stats_collection_interval_seconds: 1,
  };
}

function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    env: {},
    isTTY: false,
    hostname: "test-host",
    setExitCode() {},
  };
  return io;
}

interface StatsJson {
  cluster: {
    pods: string[];
    counters: Record<string, number>;
    target_rate: number;
    achieved_rate: number;
    achieved_pct: number | null;
    verdict: string | null;
  };
}

test("report - an unreachable target ends with the verdict in ltctl stats and ltctl report, a reachable one shows >= 99% and none", {
  timeout: 120_000,
}, async (t) => {
  await using server = await startServer({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    const client = new ControlClient(nc, PREFIX);
    const js = jetstream(nc);
    const names = controlNames(PREFIX);
    const runs = new Map<number, string>();
    for (const rate of [REACHABLE, UNREACHABLE]) {
      const raw = config(server.url, rate);
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
      runs.set(rate, pushed.run_id);
    }
    const conn = ["-s", server.url, "--prefix", PREFIX];
    const cli = async (args: string[]) => {
      const io = captureIo();
      const code = await main(["node", "ltctl", ...args, ...conn], io);
      assert.equal(code, 0, `${args.join(" ")}: ${io.stderr}`);
      return io;
    };

    // Reachable: at least 99% of the target, no verdict, in stats (text and json) and the report.
    const ok = runs.get(REACHABLE)!;
    const okJson = JSON.parse((await cli(["stats", "--run", ok, "--json"])).stdout) as StatsJson;
    assert.equal(okJson.cluster.target_rate, REACHABLE, "the final's target: the step's mean ask");
    assert.ok(okJson.cluster.achieved_pct! >= 99, `achieved ${okJson.cluster.achieved_pct}%`);
    assert.equal(okJson.cluster.verdict, null);
    assert.ok(
      (okJson.cluster.counters.published ?? 0) > 0 && okJson.cluster.pods.length === 1,
      "existing fields kept",
    );
    const okStats = (await cli(["stats", "--run", ok])).stdout;
    const line = /target 200 msg\/s, achieved ([\d,.]+) \(([\d.]+)%\)/.exec(okStats);
    assert.ok(line && Number(line[2]) >= 99, okStats);
    assert.doesNotMatch(okStats, /verdict/);
    const okReport = (await cli(["report", "--run", ok])).stdout;
    const reportLine = /target 200 msg\/s, achieved [\d,.]+ \(([\d.]+)%\)/.exec(okReport);
    // At or above 99%: a final's window can end a hair before its last send (100.1% seen).
    assert.ok(reportLine && Number(reportLine[1]) >= 99, okReport.split("\n\n")[0]);
    assert.doesNotMatch(okReport, /verdict/);

    // Unreachable: under 99%, the verdict in stats and in every report format's numbers.
    const short = runs.get(UNREACHABLE)!;
    const shortJson = JSON.parse((await cli(["stats", "--run", short, "--json"])).stdout) as StatsJson;
    assert.equal(shortJson.cluster.target_rate, UNREACHABLE);
    assert.ok(shortJson.cluster.achieved_pct! < 99, `achieved ${shortJson.cluster.achieved_pct}%`);
    assert.match(shortJson.cluster.verdict ?? "", new RegExp(`^${VERDICT.source} .*p1`));
    assert.ok((shortJson.cluster.counters.unsent ?? 0) > 0, "the slots never sent are counted");
    const shortStats = (await cli(["stats", "--run", short])).stdout;
    assert.match(shortStats, /\n {2}target 5,000,000 msg\/s, achieved [\d,.]+ \([\d.]+%\)\n {2}verdict: /);
    const report = (await cli(["report", "--run", short])).stdout;
    t.diagnostic(report.split("\n\n")[0]!.split("\n").slice(2).join(" | "));
    assert.match(report.split("\n\n")[0]!, VERDICT, "the verdict closes the report's header");
    const csv = parse((await cli(["report", "--run", short, "--format", "csv"])).stdout, {
      columns: true,
    }) as Record<string, string>[];
    const run = csv.find((r) => r.level === "run" && r.scope === "cluster")!;
    assert.equal(Number(run.target_rate), UNREACHABLE);
    assert.equal(Number(run.achieved_pct), shortJson.cluster.achieved_pct);
    const html = join(mkdtempSync(join(tmpdir(), "lt-achieved-")), "short.html");
    const written = await cli(["report", "--run", short, "-o", html]);
    assert.match(written.stderr, VERDICT, "written to a file, the verdict is still on the terminal");
    assert.match(readFileSync(html, "utf8"), new RegExp(`<p class="shortfall">${VERDICT.source}`));
  } finally {
    await nc.close();
  }
});
