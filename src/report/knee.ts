// The capacity search's knee chart: p99 of each latency kind against the rate asked, and the rate achieved
// against the rate asked (the diagonal is "kept up"). One self-contained HTML page like the run report, and
// the same data as plain JSON for the dashboard (src/http draws it with uPlot from /api/v1/capacity).
import { COLOURS, OTHER_KIND_COLOUR, REPORT_CSS } from "./render-html.ts";
import { escapeXml, type Line, lineChart } from "./svg.ts";

/** One judged step, as the charts read it. */
export interface KneePoint {
  /** The rate asked, msg/s. */
  readonly rate: number;
  readonly achieved: number;
  readonly passed: boolean;
  /** p99 in ms per latency kind the step measured. */
  readonly p99_ms: Readonly<Record<string, number>>;
}

export interface KneePage {
  readonly title: string;
  /** The answer line (max sustainable rate, what broke above it). */
  readonly answer: string;
  readonly slos: readonly string[];
  readonly points: readonly KneePoint[];
  /** Rows of the steps table, already formatted (headers first). */
  readonly table: readonly (readonly string[])[];
}

const PASS = "#16a34a";
const FAIL = "#dc2626";

/** The steps in rate order (a bisection runs them out of order; a line must not double back). */
function byRate(points: readonly KneePoint[]): KneePoint[] {
  return [...points].sort((a, b) => a.rate - b.rate);
}

/** Two SVG charts: p99 per kind vs rate (log y), and achieved vs asked with the kept-up diagonal. */
export function kneeCharts(points: readonly KneePoint[]): string[] {
  const sorted = byRate(points);
  const kinds = [...new Set(sorted.flatMap((p) => Object.keys(p.p99_ms)))];
  const latency: Line[] = kinds.map((k) => ({
    name: `${k} p99`,
    colour: (COLOURS as Readonly<Record<string, string>>)[k] ?? OTHER_KIND_COLOUR,
    points: sorted.map((p) => [p.rate, p.p99_ms[k] ?? Number.NaN] as const),
  }));
  const top = sorted.at(-1)?.rate ?? 0;
  const rate: Line[] = [
    {
      name: "asked (kept up)",
      colour: "#9ca3af",
      dashed: true,
      points: [
        [0, 0],
        [top, top],
      ],
    },
    // The steps by verdict: a gap where the other verdict's step sits.
    {
      name: "passed",
      colour: PASS,
      points: sorted.map((p) => [p.rate, p.passed ? p.achieved : Number.NaN] as const),
    },
    {
      name: "failed",
      colour: FAIL,
      points: sorted.map((p) => [p.rate, p.passed ? Number.NaN : p.achieved] as const),
    },
  ];
  return [
    lineChart({
      title: "Knee: p99 latency by rate asked",
      xLabel: "msg/s asked",
      yLabel: "p99 ms (log)",
      yUnit: " ms",
      logY: true,
      lines: latency,
    }),
    lineChart({
      title: "Rate achieved by rate asked",
      xLabel: "msg/s asked",
      yLabel: "msg/s achieved",
      yUnit: " msg/s",
      lines: rate,
    }),
  ];
}

/** The capacity page: answer, SLOs, the two charts and the steps table; no script, no external resource. */
export function renderKneeHtml(page: KneePage): string {
  const [head, ...rows] = page.table;
  const table = `<table><thead><tr>${(head ?? []).map((h) => `<th>${escapeXml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join("")}</tr>`)
    .join("\n")}</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(page.title)}</title>
<style>
${REPORT_CSS}
</style>
</head>
<body>
<h1>${escapeXml(page.title)}</h1>
<p class="sub">SLOs: ${escapeXml(page.slos.join(", "))}</p>
<p class="achieved">${escapeXml(page.answer)}</p>
<div class="charts">
${kneeCharts(page.points).join("\n")}
</div>
<section><h2>Steps (in the order they ran)</h2>
${table}
</section>
<script type="application/json" id="capacity-data">${JSON.stringify({ points: page.points, answer: page.answer }).replace(/</g, "\\u003c")}</script>
</body>
</html>
`;
}
