// The HTML report: one self-contained file (inline CSS and SVG, no executable script, no external resource), with
// throughput and latency percentiles over time and the HdrHistogram-style percentile curve on a log scale.
import { LATENCY_KINDS } from "../measures/index.ts";
import type { CurvePoint, RunReport } from "./model.ts";
import { achievedHeadline, headline, sections } from "./sections.ts";
import { escapeXml, type Line, lineChart, type Tick } from "./svg.ts";

export const COLOURS = {
  publish: "#2563eb",
  consume: "#16a34a",
  target: "#9ca3af",
  p50: "#16a34a",
  p90: "#ca8a04",
  p99: "#dc2626",
  p999: "#7c3aed",
  max: "#6b7280",
  publish_ack: "#2563eb",
  publish_service: "#0891b2",
  end_to_end: "#dc2626",
  send_delay: "#d97706",
};
/** The report's stylesheet (inline: the file stands alone); the capacity page (knee.ts) shares it. */
export const REPORT_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #111827; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 24px 0 6px; }
.sub { color: #4b5563; margin: 0 0 12px; }
.verdict { font-weight: 600; padding: 6px 10px; display: inline-block; border-radius: 4px; }
.pass { background: #dcfce7; color: #166534; } .fail { background: #fee2e2; color: #991b1b; }
.achieved { font-weight: 600; margin: 0 0 6px; }
.shortfall { color: #991b1b; background: #fef2f2; border-left: 3px solid #dc2626; padding: 4px 8px; margin: 0 0 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
svg.chart { border: 1px solid #e5e7eb; border-radius: 4px; max-width: 100%; height: auto; }
svg .title { font-size: 13px; font-weight: 600; fill: #111827; }
svg .tick, svg .legend { font-size: 11px; fill: #4b5563; } svg .label { font-size: 11px; fill: #374151; }
svg .grid { stroke: #f3f4f6; } svg .axis { stroke: #9ca3af; } svg .empty { fill: #9ca3af; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
th { background: #f9fafb; text-transform: uppercase; font-size: 11px; color: #4b5563; }
.right { text-align: right; } .left { text-align: left; }
`;

/** A latency kind without a colour of its own above. */
export const OTHER_KIND_COLOUR = "#6b7280";

/** x position of a percentile on the HdrHistogram plot: log10(1 / (1 - p)), so 90% -> 1, 99.9% -> 3. */
export function percentileX(p: number): number {
  return Math.log10(1 / (1 - p / 100));
}

const PERCENTILE_TICKS: Tick[] = ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"].map((label, i) => ({
  at: i,
  label,
}));

function curveLine(name: string, colour: string, curve: readonly CurvePoint[]): Line {
  // p100 sits at infinity on this axis; the max is in the tables.
  return {
    name,
    colour,
    points: curve.filter((c) => c.percentile < 100).map((c) => [percentileX(c.percentile), c.ms]),
  };
}

export interface HtmlOptions {
  /** Page title (default: "Load test report <run>"). */
  readonly title?: string;
}

export function renderHtml(report: RunReport, opts: HtmlOptions = {}): string {
  const title = opts.title ?? `Load test report ${report.run_id}`;
  const pts = report.series.points;
  const charts: string[] = [];
  charts.push(
    lineChart({
      title: "Throughput (cluster, messages/s)",
      xLabel: "seconds since start",
      yLabel: "msgs/s",
      yUnit: " msgs/s",
      // A bin some pod's snapshot is missing for has null rates: the line breaks there (a gap, not a dip).
      lines: [
        { name: "publish", colour: COLOURS.publish, points: pts.map((p) => [p.t_s, p.publish_rate ?? NaN]) },
        {
          name: "consume",
          colour: COLOURS.consume,
          points: pts.map((p) => [p.t_s, p.consume_rate ?? NaN]),
          dashed: true,
        },
        ...(pts.some((p) => p.target_rate !== null)
          ? [
              {
                name: "target",
                colour: COLOURS.target,
                points: pts.map((p) => [p.t_s, p.target_rate ?? NaN] as const),
                dashed: true,
              },
            ]
          : []),
      ],
    }),
  );
  for (const kind of ["publish_ack", "end_to_end"] as const) {
    // Each bin's own samples (its intervals' histograms merged); a bin without samples breaks the lines.
    const withSamples = pts.map((p) => ({ t_s: p.t_s, l: p[kind].count > 0 ? p[kind] : undefined }));
    if (!withSamples.some((p) => p.l) && report.cluster.latency_ms[kind].count === 0) continue;
    charts.push(
      lineChart({
        title: `${kind} latency percentiles per interval (ms, log scale)`,
        xLabel: "seconds since start",
        yLabel: "ms",
        yUnit: " ms",
        logY: true,
        lines: (["p50", "p90", "p99", "p999", "max"] as const).map((k) => ({
          name: k === "p999" ? "p99.9" : k,
          colour: COLOURS[k],
          points: withSamples.map((p) => [p.t_s, p.l ? p.l[k] : NaN] as const),
          dashed: k === "max",
        })),
      }),
    );
  }
  const curves: Line[] = [];
  for (const kind of LATENCY_KINDS) {
    const c = report.curves[kind];
    const colour = (COLOURS as Readonly<Record<string, string>>)[kind] ?? OTHER_KIND_COLOUR;
    if (c.length > 0) curves.push(curveLine(kind, colour, c));
  }
  charts.push(
    lineChart({
      title: "Latency by percentile (whole run, merged histograms)",
      xLabel: "percentile (log scale of 1/(1-p))",
      yLabel: "ms",
      yUnit: " ms",
      xTicks: PERCENTILE_TICKS,
      xFormat: (x) => `p${Number((100 * (1 - 10 ** -x)).toPrecision(6))}`,
      lines: curves,
    }),
  );

  const tables = sections(report)
    .map(
      (s) =>
        `<section><h2>${escapeXml(s.title)}</h2><table><thead><tr>${s.columns
          .map((c) => `<th class="${c.align}">${escapeXml(c.header)}</th>`)
          .join("")}</tr></thead><tbody>${s.rows
          .map(
            (r) =>
              `<tr>${s.columns.map((c, i) => `<td class="${c.align}">${escapeXml(r[i] ?? "")}</td>`).join("")}</tr>`,
          )
          .join("\n")}</tbody></table></section>`,
    )
    .join("\n");
  const [h1, sub] = headline(report);
  const verdict =
    report.thresholds.length === 0
      ? ""
      : `<p class="verdict ${report.passed ? "pass" : "fail"}">${report.passed ? "Thresholds passed" : "Thresholds FAILED"}</p>`;
  // Requested vs achieved under the title; each step that fell short of its target gets its verdict line.
  const { target, verdicts } = achievedHeadline(report);
  const achieved = [
    ...(target ? [`<p class="achieved">${escapeXml(target)}</p>`] : []),
    ...verdicts.map((v) => `<p class="shortfall">${escapeXml(v)}</p>`),
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
${REPORT_CSS}
</style>
</head>
<body>
<h1>${escapeXml(h1 ?? "")}</h1>
<p class="sub">${escapeXml(sub ?? "")}</p>
${achieved}
${verdict}
<div class="charts">
${charts.join("\n")}
</div>
${tables}
<script type="application/json" id="report-data">${JSON.stringify(report).replace(/</g, "\\u003c")}</script>
</body>
</html>
`;
}
