// Requested vs achieved in the run report: the numbers in JSON and CSV, the line and the verdict in the table,
// Markdown and HTML header, the steps table's columns, and a run of several steps weighted by their time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "csv-parse/sync";
import {
  buildRunReport,
  renderCsv,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderTable,
} from "../../src/report/index.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { snapshot } from "../fixtures/snapshots.ts";

/** A pod's final snapshot of one step: `seconds` long at `achieved` msg/s of `target`. */
function final(
  pod: string,
  o: { target: number; achieved: number; step?: number; seconds?: number; busy?: number; spec?: string },
): Snapshot {
  const seconds = o.seconds ?? 10;
  const step = o.step ?? 0;
  return snapshot({
    pod,
    spec: o.spec ?? "alpha",
    spec_index: step,
    phase: "done",
    at: step * 100 + seconds,
    elapsed_s: seconds,
    duration_s: seconds,
    published: o.achieved * seconds,
    publish_rate: o.achieved,
    target_rate: o.target,
    sendDelay: [1, 2, 3000],
    ...(o.busy === undefined ? {} : { system: { send_busy_pct: o.busy } }),
  });
}

const reached = buildRunReport([
  final("a", { target: 1000, achieved: 1000 }),
  final("b", { target: 1000, achieved: 995 }),
]);
const short = buildRunReport([
  final("a", { target: 5_000_000, achieved: 120_000, busy: 99 }),
  final("b", { target: 5_000_000, achieved: 130_000, busy: 97 }),
]);

test("report - a run that reached its target: the numbers in json, the line in every text format, no verdict", () => {
  const c = (JSON.parse(renderJson(reached)) as { cluster: Record<string, unknown> }).cluster;
  assert.equal(c.target_rate, 2000);
  assert.equal(c.achieved_rate, 1995);
  assert.equal(c.achieved_pct, 99.75);
  assert.equal(c.verdict, null);
  assert.ok(c.metrics && c.latency_ms && c.pods, "the summary keeps its fields");
  for (const text of [renderTable(reached), renderMarkdown(reached), renderHtml(reached)]) {
    assert.match(text, /target 2,000 msg\/s, achieved 1,995 \(99\.8%\)/);
    assert.doesNotMatch(text, /verdict:/);
  }
});

test("report - a run short of its target: the verdict under the line in the table, markdown and html header", () => {
  assert.equal(short.cluster.achieved_pct, 2.5);
  const verdict =
    /verdict: the load generator fell behind on a, b \(event loops up to 99% busy while sending; send delay p99 3\.0 s\): add workers or pods/;
  assert.match(short.cluster.verdict ?? "", verdict);
  const table = renderTable(short);
  const head = table.split("\n\n")[0]!;
  assert.match(head, /\ntarget 10,000,000 msg\/s, achieved 250,000 \(2\.5%\)\n/);
  assert.match(head, verdict, "in the header block, before the tables");
  assert.match(renderMarkdown(short), new RegExp(`\\n\\*\\*${verdict.source}\\*\\*\\n`));
  const html = renderHtml(short);
  assert.match(html, /<p class="achieved">target 10,000,000 msg\/s, achieved 250,000 \(2\.5%\)<\/p>/);
  assert.match(html, new RegExp(`<p class="shortfall">${verdict.source}</p>`));
  assert.ok(html.indexOf('class="shortfall"') < html.indexOf("<svg"), "the verdict is in the header");
});

test("report - the steps table carries each step's and pod's target and share of it", () => {
  const steps = renderTable(short)
    .split("\n\n")
    .find((s) => s.startsWith("Steps"))!;
  assert.match(steps, /TARGET\/S +OF TARGET/);
  assert.match(steps, /cluster .* 10,000,000 +2\.5%/);
  assert.match(steps, /\ba +done .* 5,000,000 +2\.4%/);
});

test("report - csv carries target_rate, achieved_rate and achieved_pct per row (empty percentage without a target)", () => {
  const rows = parse(renderCsv(short), { columns: true }) as Record<string, string>[];
  const run = rows.find((r) => r.level === "run" && r.scope === "cluster")!;
  assert.equal(Number(run.target_rate), 10_000_000);
  assert.equal(Number(run.achieved_rate), 250_000);
  assert.equal(Number(run.achieved_pct), 2.5);
  const podA = rows.find((r) => r.level === "step" && r.pod === "a")!;
  assert.equal(Number(podA.achieved_pct), 2.4);
  const none = buildRunReport([snapshot({ phase: "done", publish_rate: 10 })]);
  const noTarget = parse(renderCsv(none), { columns: true }) as Record<string, string>[];
  assert.equal(noTarget.at(-1)!.target_rate, "0");
  assert.equal(noTarget.at(-1)!.achieved_pct, "");
  assert.doesNotMatch(renderTable(none), /target \d/, "no line without a target");
});

test("report - a run of several steps weighs them by time and labels each short step's verdict", () => {
  const r = buildRunReport([
    final("a", { target: 1000, achieved: 1000, seconds: 10 }),
    final("a", { target: 2000, achieved: 1000, seconds: 30, step: 1, spec: "beta", busy: 20 }),
  ]);
  // (1000·10 + 2000·30) / 40 asked, (1000·10 + 1000·30) / 40 reached.
  assert.equal(r.cluster.target_rate, 1750);
  assert.equal(r.cluster.achieved_rate, 1000);
  assert.equal(r.cluster.achieved_pct, 57.14);
  assert.equal(r.steps[0]!.cluster.verdict, null);
  assert.match(
    r.cluster.verdict ?? "",
    /^step #1 beta iter 0: verdict: the server or the network fell behind \(its event loop 20% busy/,
  );
  assert.equal(r.cluster.verdict?.split("\n").length, 1, "only the short step");
  assert.match(r.pods[0]!.summary.verdict ?? "", /^step #1 beta iter 0: verdict:/);
  assert.match(
    renderTable(r),
    /\ntarget 1,750 msg\/s, achieved 1,000 \(57\.1%\)\nstep #1 beta iter 0: verdict:/,
  );
});

test("report - html escapes a verdict naming a pod that looks like markup", () => {
  const html = renderHtml(buildRunReport([final("<b>x</b>", { target: 1000, achieved: 10, busy: 99 })]));
  assert.match(html, /fell behind on &#60;b&#62;x&#60;\/b&#62;/);
  assert.doesNotMatch(html, /<b>x<\/b>/);
});
