// GET /metrics of a real lt-agent during a real run (issue 5's acceptance test; http-shim.test.ts checks the
// same rules on synthetic snapshots): scraped twice, parsed with a Prometheus text-format parser.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { pushConfig, startHttpAgent } from "../harness/agent-http.ts";
import { faultConfig, SKIP_UNBUILT, sleep, until } from "../harness/agents.ts";
import { startServer } from "../harness/index.ts";

type Family = {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; buckets?: Record<string, string> }>;
};
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => Family[];

interface Scrape {
  readonly text: string;
  readonly fams: Family[];
}

const family = (s: Scrape, name: string) => s.fams.find((f) => f.name === name);
const metric = (s: Scrape, name: string) => family(s, name)?.metrics[0];
const HISTOGRAMS = ["lt_publish_ack_latency_seconds", "lt_end_to_end_latency_seconds"];

/** Buckets non-decreasing with le, +Inf present and equal to _count; returns _count. */
function checkHistogram(s: Scrape, name: string, when: string): number {
  const fam = family(s, name);
  assert.equal(fam?.type, "HISTOGRAM", `${when}: ${name} is a histogram`);
  const buckets = fam.metrics[0]?.buckets ?? {};
  assert.ok("+Inf" in buckets, `${when}: ${name} has a +Inf bucket`);
  const les = Object.keys(buckets).sort((a, b) => Number(a) - Number(b));
  assert.ok(les.length >= 5, `${when}: ${name} has ${les.length} buckets`);
  assert.equal(les[les.length - 1], "+Inf");
  const counts = les.map((le) => Number(buckets[le]));
  for (let i = 1; i < counts.length; i++)
    assert.ok(
      counts[i]! >= counts[i - 1]!,
      `${when}: ${name} cumulative at le=${les[i]}: ${counts[i - 1]} then ${counts[i]}`,
    );
  // parse-prometheus-text-format 1.1.1 drops _count/_sum of labelled histograms: read _count from the text.
  const count = Number(new RegExp(`^${name}_count\\{[^}]*\\} (\\S+)$`, "m").exec(s.text)?.[1]);
  assert.ok(Number.isInteger(count), `${when}: ${name}_count is in the text`);
  assert.equal(counts[counts.length - 1], count, `${when}: ${name} +Inf bucket equals _count`);
  return count;
}

test("metrics - /metrics of a real agent mid-run parses, lt_published_total grows between scrapes, histogram buckets are cumulative and +Inf equals _count", {
  skip: SKIP_UNBUILT,
  timeout: 60_000,
}, async () => {
  await using server = await startServer();
  const { agent, base } = await startHttpAgent(server.url, "m1", ["--workers", "1"]);
  try {
    const scrape = async (): Promise<Scrape> => {
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
      const text = await res.text();
      return { text, fams: parsePrometheus(text) };
    };
    const pushed = await pushConfig(
      server.url,
      faultConfig(server.url, { seconds: 6, name: "mlive", rate: 200 }),
    );

    // The first scrape once the agent has a snapshot of this run with something published.
    const first = await until(
      "a scrape with the run's first publishes",
      async () => {
        const s = await scrape();
        const m = metric(s, "lt_published_total");
        return m?.labels?.["run"] === pushed.run_id && Number(m.value) > 0 ? s : undefined;
      },
      20_000,
      200,
    );
    await sleep(1_500);
    const second = await scrape();

    for (const [when, s] of [
      ["first", first],
      ["second", second],
    ] as const) {
      const info = metric(s, "lt_info")?.labels ?? {};
      assert.equal(info["run"], pushed.run_id, `${when}: run label`);
      assert.equal(info["pod"], "m1", `${when}: pod label`);
      assert.equal(info["spec"], "mlive_m1", `${when}: spec label`);
      assert.equal(info["phase"], "running", `${when}: scraped during the run`);
      assert.deepEqual(metric(s, "lt_published_total")?.labels, {
        run: pushed.run_id,
        spec: "mlive_m1",
        pod: "m1",
      });
      assert.ok(
        s.fams.some((f) => f.name.startsWith("lt_process_")),
        `${when}: process metrics`,
      );
    }

    const published1 = Number(metric(first, "lt_published_total")?.value);
    const published2 = Number(metric(second, "lt_published_total")?.value);
    assert.ok(published2 > published1, `lt_published_total grew: ${published1} then ${published2}`);
    // 200 msg/s for at most 6 s, with room for a late or early schedule.
    assert.ok(published2 <= 6 * 200 * 1.2, `published ${published2}`);

    const counts = HISTOGRAMS.map((name) => [
      checkHistogram(first, name, "first"),
      checkHistogram(second, name, "second"),
    ]);
    for (const [i, [c1, c2]] of counts.entries()) {
      assert.ok(c2! >= c1!, `${HISTOGRAMS[i]}_count never shrinks within a step: ${c1} then ${c2}`);
      assert.ok(c2! > 0, `${HISTOGRAMS[i]} has samples`);
    }
    // Every recorded latency belongs to a published (ack) or consumed (end-to-end) message.
    const [ack2, e2e2] = counts.map(([, c2]) => c2!);
    assert.ok(ack2! <= published2, `acks ${ack2} <= published ${published2}`);
    const consumed2 = Number(metric(second, "lt_consumed_total")?.value);
    assert.ok(e2e2! <= consumed2, `end-to-end samples ${e2e2} <= consumed ${consumed2}`);

    // The stream gauges name the run's stream.
    const streams = family(second, "lt_stream_messages")?.metrics ?? [];
    assert.ok(
      streams.some((m) => m.labels?.["stream"]?.startsWith("MLIVE_m1") && Number(m.value) > 0),
      JSON.stringify(streams),
    );
    assert.equal(agent.alive, true, agent.log);
  } finally {
    await agent.kill();
  }
});
