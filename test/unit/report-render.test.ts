import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "csv-parse/sync";
import {
  buildRunReport,
  CSV_COLUMNS,
  formatFromFileName,
  percentileX,
  REPORT_FORMATS,
  renderCsv,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderReport,
  renderTable,
} from "../../src/report/index.ts";
import { snapshot, twoPodRun } from "../fixtures/snapshots.ts";

const report = buildRunReport(twoPodRun(), { thresholds: { lost: "== 0" } });

test("report - json parses back into the same report", () => {
  assert.deepEqual(JSON.parse(renderJson(report)), JSON.parse(JSON.stringify(report)));
});

test("report - csv parses back with one row per pod per step, cluster rows and run rows", () => {
  const rows = parse(renderCsv(report), { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]!), [...CSV_COLUMNS]);
  // 2 steps x (2 pods + cluster) + run (2 pods + cluster)
  assert.equal(rows.length, 9);
  const stepPods = rows.filter((r) => r.level === "step" && r.scope === "pod");
  assert.equal(stepPods.length, 4);
  const sum = stepPods.reduce((n, r) => n + Number(r.published), 0);
  const run = rows.find((r) => r.level === "run" && r.scope === "cluster")!;
  assert.equal(Number(run.published), sum);
  assert.equal(Number(run.publish_ack_p99_ms), report.cluster.latency_ms.publish_ack.p99);
  // Every latency histogram has its columns, newer ones last so older columns keep their places.
  assert.deepEqual(CSV_COLUMNS.filter((c) => c.endsWith("_count")).slice(0, 4), [
    "publish_ack_count",
    "end_to_end_count",
    "publish_service_count",
    "send_delay_count",
  ]);
  const sendDelay = CSV_COLUMNS.indexOf("send_delay_count");
  assert.deepEqual(CSV_COLUMNS.slice(sendDelay, sendDelay + 10), [
    "send_delay_count",
    ...["min", "mean", "p50", "p90", "p95", "p99", "p999", "p9999", "max"].map((s) => `send_delay_${s}_ms`),
  ]);
  // Columns added after the first layout follow it (in registry order): the older ones keep their places,
  // workloads' own columns (issue 14: services, KV, object store) fall in between by registry order.
  const older = new Set([
    "unconsumed",
    "unsent",
    "bytes_out_rate",
    "bytes_in_rate",
    "target_rate",
    "achieved_rate",
    "achieved_pct",
  ]);
  assert.deepEqual(
    CSV_COLUMNS.slice(sendDelay + 10).filter((c) => older.has(c)),
    [...older],
  );
  assert.equal(CSV_COLUMNS.indexOf("published"), 9);
  assert.equal(run.publish_service_count, "0");
  assert.equal(run.publish_service_p99_ms, "", "no service samples in these snapshots: empty cells");
  assert.equal(run.send_delay_count, "0");
  assert.equal(run.send_delay_p99_ms, "", "no send-delay samples in these snapshots: empty cells");
  assert.equal(rows.find((r) => r.level === "step" && r.pod === "b" && r.spec === "beta")!.phase, "done");
});

test("report - send delay reaches the csv columns, the latency table and the html percentile curve", () => {
  // The same run with each pod's client late by 0.1 ms per message sent so far (pod b twice as late).
  const late = buildRunReport(
    twoPodRun().map((s) => {
      const lag = s.pod === "b" ? 0.2 : 0.1;
      return snapshot({
        ...s,
        values: [1, 2],
        sendDelay: Array.from({ length: s.published }, (_, i) => lag * (i + 1)),
      });
    }),
  );
  const sd = late.cluster.latency_ms.send_delay;
  assert.ok(sd.count > 0);
  const rows = parse(renderCsv(late), { columns: true }) as Record<string, string>[];
  const run = rows.find((r) => r.level === "run" && r.scope === "cluster")!;
  assert.equal(Number(run.send_delay_count), sd.count);
  assert.equal(Number(run.send_delay_p99_ms), sd.p99);
  assert.equal(Number(run.send_delay_max_ms), sd.max);
  const podB = rows.find((r) => r.level === "run" && r.pod === "b")!;
  assert.equal(Number(podB.send_delay_max_ms), late.pods[1]!.summary.latency_ms.send_delay.max);
  const row = renderTable(late)
    .split("\n")
    .find((l) => /^ {2}cluster +send_delay /.test(l))!;
  assert.equal(row.split(/ +/)[3], String(sd.count), "the table's send_delay row counts every send");
  const html = renderHtml(late);
  assert.match(html, /<path class="series" data-series="send_delay" d="M[\d.]+ [\d.]+ L/);
  assert.doesNotMatch(renderHtml(report), /data-series="send_delay"/, "no samples: no curve");
});

test("report - csv quotes cells holding commas and quotes", () => {
  const odd = buildRunReport(twoPodRun().map((s) => ({ ...s, spec: 'a "quoted", spec' })));
  const rows = parse(renderCsv(odd), { columns: true }) as Record<string, string>[];
  assert.equal(rows[0]!.spec, 'a "quoted", spec');
});

test("report - html is one file with svg charts and no URL to an external host", () => {
  const html = renderHtml(report);
  assert.match(html, /^<!doctype html>/);
  assert.equal(
    (html.match(/<svg /g) ?? []).length,
    4,
    "throughput, two latency-over-time charts, percentile curve",
  );
  assert.match(html, /Throughput \(cluster, messages\/s\)/);
  assert.match(html, /Latency by percentile/);
  assert.match(html, /99\.999%/);
  assert.match(html, /<path class="series" data-series="publish" d="M[\d.]+ [\d.]+ L/);
  assert.doesNotMatch(html, /https?:\/\//);
  assert.doesNotMatch(html, /<script(?! type="application\/json")/);
  assert.doesNotMatch(html, /<link |@import|src=/);
});

test("report - html escapes names that look like markup", () => {
  const evil = buildRunReport(
    twoPodRun().map((s) => ({ ...s, pod: `<img src=x onerror=alert(1)>${s.pod}` })),
  );
  const html = renderHtml(evil);
  assert.doesNotMatch(html, /<img/);
});

test("report - the percentile axis puts 90% at 1 and 99.999% at 5, as HdrHistogram plots it", () => {
  assert.equal(percentileX(0), 0);
  assert.ok(Math.abs(percentileX(90) - 1) < 1e-9);
  assert.ok(Math.abs(percentileX(99.999) - 5) < 1e-6);
});

test("report - the terminal table lists cluster and pods with aligned columns", () => {
  const text = renderTable(report);
  assert.match(text, /^Run r1\n/);
  const lines = text.split("\n");
  const header = lines.find((l) => l.includes("PUBLISHED") && l.includes("ACKED"))!;
  const cluster = lines[lines.indexOf(header) + 1]!;
  assert.match(cluster, /^ {2}cluster +120 +120 +120 /);
  assert.equal(cluster.indexOf("120") + 3, header.indexOf("PUBLISHED") + "PUBLISHED".length);
  // The latency table has a row per histogram: response time, service time, end to end, send delay.
  assert.deepEqual(
    lines
      .filter((l) => /^ {2}cluster +(publish_ack|publish_service|end_to_end|send_delay) /.test(l))
      .map((l) => l.split(/ +/)[2]),
    ["publish_ack", "publish_service", "end_to_end", "send_delay"],
  );
  assert.match(text, /✓ lost == 0 \(measured 0\)/);
  assert.ok(!text.includes("\u001b["), "no colour codes");
});

test("report - markdown has pipe tables with right-aligned numbers", () => {
  const md = renderMarkdown(report);
  assert.match(md, /^# Run r1/);
  assert.match(md, /\| scope \| published \|/);
  assert.match(md, /\| --- \| ---: \|/);
  assert.match(md, /## Percentile curve/);
});

test("report - every format renders and a file name suggests its format", () => {
  for (const f of REPORT_FORMATS) assert.ok(renderReport(report, f).length > 100, f);
  assert.equal(formatFromFileName("out/report.HTML"), "html");
  assert.equal(formatFromFileName("r.csv"), "csv");
  assert.equal(formatFromFileName("r.md"), "md");
  assert.equal(formatFromFileName("report"), undefined);
});
