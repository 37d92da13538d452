// Hand-drawn inline SVG line charts for the HTML report: no script, no dependency, no network; they render in
// any browser, in a CI artifact viewer and with JavaScript off, and the output is deterministic text.

export interface Line {
  readonly name: string;
  readonly colour: string;
  /** [x, y] in chart units; a non-finite y is a gap: the line breaks there. */
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

export interface Tick {
  readonly at: number;
  readonly label: string;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly lines: readonly Line[];
  /** Fixed x ticks (default: evenly spaced "nice" numbers). */
  readonly xTicks?: readonly Tick[];
  /** Plot y on a log10 scale (values <= 0 are dropped). */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
  /** Unit appended to y values in point tooltips. */
  readonly yUnit?: string;
  /** Formats an x value for point tooltips (default: the tick format). */
  readonly xFormat?: (x: number) => string;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** One `<svg>` line chart with axes, grid, legend and a `<title>` on each point. */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 300;
  const m = { l: 64, r: 36, t: 48, b: 46 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const fy = o.logY ? (y: number) => (y > 0 ? Math.log10(y) : Number.NaN) : (y: number) => y;
  const drawn = ([x, y]: readonly [number, number]) => Number.isFinite(x) && Number.isFinite(fy(y));
  const lines = o.lines.map((l) => ({
    ...l,
    pts: l.points.filter(drawn),
    // Where a point is missing the path starts anew (M), so a gap shows as a gap.
    starts: new Set(l.points.filter((p, i) => drawn(p) && (i === 0 || !drawn(l.points[i - 1]!)))),
  }));
  const xs = lines.flatMap((l) => l.pts.map((p) => p[0]));
  const ys = lines.flatMap((l) => l.pts.map((p) => fy(p[1])));
  const out: string[] = [];
  out.push(
    `<svg class="chart" role="img" aria-label="${escapeXml(o.title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`,
    `<text class="title" x="${m.l}" y="18">${escapeXml(o.title)}</text>`,
  );
  if (xs.length === 0) {
    out.push(`<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no samples</text></svg>`);
    return out.join("\n");
  }
  let x0 = Math.min(...xs, ...(o.xTicks ?? []).map((t) => t.at));
  let x1 = Math.max(...xs, ...(o.xTicks ?? []).map((t) => t.at));
  if (x1 === x0) x1 = x0 + 1;
  let y0 = o.logY ? Math.floor(Math.min(...ys)) : Math.min(0, ...ys);
  let y1 = o.logY ? Math.ceil(Math.max(...ys)) : Math.max(...ys) * 1.05;
  if (y1 <= y0) y1 = y0 + 1;
  if (!o.logY) {
    const t = niceTicks(y0, y1);
    y1 = Math.max(y1, t[t.length - 1] ?? y1);
    y0 = Math.min(y0, t[0] ?? y0);
  }
  if (o.xTicks === undefined) {
    const t = niceTicks(x0, x1);
    x0 = Math.min(x0, t[0] ?? x0);
  }
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.t + ph - ((y - y0) / (y1 - y0)) * ph;
  const f = (n: number) => n.toFixed(1);

  // Grid and y labels.
  const yTicks: Tick[] = o.logY
    ? Array.from({ length: y1 - y0 + 1 }, (_, i) => ({ at: y0 + i, label: formatTick(10 ** (y0 + i)) }))
    : niceTicks(y0, y1).map((v) => ({ at: v, label: formatTick(v) }));
  for (const t of yTicks) {
    out.push(
      `<line class="grid" x1="${m.l}" x2="${m.l + pw}" y1="${f(sy(t.at))}" y2="${f(sy(t.at))}"/>`,
      `<text class="tick" x="${m.l - 6}" y="${f(sy(t.at) + 4)}" text-anchor="end">${escapeXml(t.label)}</text>`,
    );
  }
  const xTicks = o.xTicks ?? niceTicks(x0, x1).map((v) => ({ at: v, label: formatTick(v) }));
  for (const t of xTicks) {
    out.push(
      `<line class="grid" x1="${f(sx(t.at))}" x2="${f(sx(t.at))}" y1="${m.t}" y2="${m.t + ph}"/>`,
      `<text class="tick" x="${f(sx(t.at))}" y="${m.t + ph + 16}" text-anchor="middle">${escapeXml(t.label)}</text>`,
    );
  }
  out.push(
    `<line class="axis" x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}"/>`,
    `<line class="axis" x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}"/>`,
    `<text class="label" x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
    `<text class="label" transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`,
  );
  // Lines, points with tooltips, legend.
  let lx = m.l + pw;
  const legend: string[] = [];
  for (const l of [...lines].reverse()) {
    const w = 18 + l.name.length * 7;
    lx -= w + 10;
    legend.push(
      `<line x1="${lx}" x2="${lx + 14}" y1="34" y2="34" stroke="${l.colour}" stroke-width="3"${l.dashed ? ' stroke-dasharray="4 3"' : ""}/>`,
      `<text class="legend" x="${lx + 18}" y="38">${escapeXml(l.name)}</text>`,
    );
  }
  for (const l of lines) {
    if (l.pts.length === 0) continue;
    const d = l.pts.map((p) => `${l.starts.has(p) ? "M" : "L"}${f(sx(p[0]))} ${f(sy(fy(p[1])))}`).join(" ");
    out.push(
      `<path class="series" data-series="${escapeXml(l.name)}" d="${d}" fill="none" stroke="${l.colour}" stroke-width="2"${l.dashed ? ' stroke-dasharray="4 3"' : ""}/>`,
    );
    if (l.pts.length <= 300) {
      for (const [x, y] of l.pts) {
        out.push(
          `<circle cx="${f(sx(x))}" cy="${f(sy(fy(y)))}" r="2.5" fill="${l.colour}"><title>${escapeXml(`${l.name}: ${formatTick(y)}${o.yUnit ?? ""} at ${(o.xFormat ?? formatTick)(x)}`)}</title></circle>`,
        );
      }
    }
  }
  out.push(...legend, "</svg>");
  return out.join("\n");
}
