// Text table and JSON output for bench scripts: ours vs baseline vs Go, with ratios and CPU per message.
import { cpus, loadavg } from "node:os";
import type { BenchReport, BenchRow, Measurement } from "./model.ts";

export interface TableLabels {
  readonly ours?: string;
  readonly baseline?: string;
  readonly go?: string;
}

/** 1234567 → "1.23 M", 42600 → "42.6 k", 512 → "512". */
export function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} k`;
  return n.toFixed(0);
}

function ratio(a: Measurement | undefined, b: Measurement | undefined): string {
  return a && b && b.rate > 0 ? `${(a.rate / b.rate).toFixed(2)}x` : "";
}

function cpuRatio(a: Measurement | undefined, b: Measurement | undefined): string {
  return a && b && b.cpuUsPerMsg > 0 ? `${(a.cpuUsPerMsg / b.cpuUsPerMsg).toFixed(2)}x` : "";
}

function us(m: Measurement | undefined): string {
  return m ? m.cpuUsPerMsg.toFixed(2) : "";
}

/**
 * A Markdown table (readable as plain text too): rates and CPU µs/msg of each side present in any row,
 * and the ratios between them (ours/baseline, ours/Go, baseline/Go; CPU ours/baseline and ours/Go).
 * Columns no row fills are left out, so a baseline-vs-Go bench shows just those.
 */
export function renderTable(rows: readonly BenchRow[], labels: TableLabels = {}): string {
  const L = { ours: labels.ours ?? "ours", baseline: labels.baseline ?? "baseline", go: labels.go ?? "Go" };
  const has = {
    ours: rows.some((r) => r.ours),
    baseline: rows.some((r) => r.baseline),
    go: rows.some((r) => r.go),
  };
  type Col = { head: string; cell: (r: BenchRow) => string; right: boolean };
  const cols: Col[] = [{ head: "scenario", cell: (r) => r.scenario, right: false }];
  const unit = rows.some((r) => r.unit);
  if (unit) cols.push({ head: "unit", cell: (r) => r.unit ?? "", right: false });
  for (const k of ["ours", "baseline", "go"] as const)
    if (has[k]) cols.push({ head: L[k], cell: (r) => (r[k] ? fmtRate(r[k].rate) : "–"), right: true });
  if (has.ours && has.baseline)
    cols.push({ head: `${L.ours}/${L.baseline}`, cell: (r) => ratio(r.ours, r.baseline), right: true });
  if (has.ours && has.go)
    cols.push({ head: `${L.ours}/${L.go}`, cell: (r) => ratio(r.ours, r.go), right: true });
  if (has.baseline && has.go)
    cols.push({ head: `${L.baseline}/${L.go}`, cell: (r) => ratio(r.baseline, r.go), right: true });
  for (const k of ["ours", "baseline", "go"] as const)
    if (has[k]) cols.push({ head: `µs/msg ${L[k]}`, cell: (r) => us(r[k]), right: true });
  if (has.ours && has.baseline)
    cols.push({
      head: `CPU ${L.ours}/${L.baseline}`,
      cell: (r) => cpuRatio(r.ours, r.baseline),
      right: true,
    });
  if (has.ours && has.go)
    cols.push({ head: `CPU ${L.ours}/${L.go}`, cell: (r) => cpuRatio(r.ours, r.go), right: true });
  if (rows.some((r) => r.note)) cols.push({ head: "note", cell: (r) => r.note ?? "", right: false });

  const cells = rows.map((r) => cols.map((c) => c.cell(r)));
  const width = cols.map((c, i) => Math.max(c.head.length, 3, ...cells.map((row) => row[i]!.length)));
  const pad = (s: string, i: number) => (cols[i]!.right ? s.padStart(width[i]!) : s.padEnd(width[i]!));
  const line = (vals: string[]) => `| ${vals.map(pad).join(" | ")} |`;
  const rule = `|${width.map((w, i) => (cols[i]!.right ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(cols.map((c) => c.head)), rule, ...cells.map(line)].join("\n");
}

/**
 * Bench script options from argv: `--json` (one JSON document on stdout instead of the table), `--seconds S`
 * (per measurement), `--repeat N` (measure each pair N times, report medians; default 1).
 */
export function parseBenchArgs(argv: readonly string[]): {
  json: boolean;
  seconds: number | undefined;
  repeat: number;
} {
  const json = argv.includes("--json");
  const i = argv.indexOf("--seconds");
  const seconds = i >= 0 ? Number(argv[i + 1]) : undefined;
  if (seconds !== undefined && !(seconds > 0)) throw new Error("--seconds wants a positive number");
  const r = argv.indexOf("--repeat");
  const repeat = r >= 0 ? Number(argv[r + 1]) : 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error("--repeat wants a positive integer");
  return { json, seconds, repeat };
}

/** The environment every report carries: Node, cores, 1-minute load average now (the box is shared). */
export function benchEnv(extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    node: process.version,
    cores: cpus().length,
    load1: Number(loadavg()[0]!.toFixed(2)),
    ...extra,
  };
}

/** The report as one JSON document (pretty, newline-terminated) for `--json`. */
export function formatJson(report: BenchReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report as text: header lines, the table, the notes. */
export function formatText(report: BenchReport, labels: TableLabels = {}): string {
  const env = Object.entries(report.env)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const notes = report.notes.map((n) => `- ${n}`);
  return [
    `${report.bench} bench, ${report.startedAt}`,
    env,
    "",
    renderTable(report.rows, labels),
    ...(notes.length ? ["", ...notes] : []),
    "",
  ].join("\n");
}

/** A plain Markdown table from a header and rows of cells (numbers right-aligned). */
export function simpleTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const right = head.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every((r) => typeof r[i] === "number" || /^[\d.,]+\s*(x|%|ms|k|M)?$/.test(String(r[i]))),
  );
  const width = head.map((h, i) => Math.max(h.length, 3, ...cells.map((r) => (r[i] ?? "").length)));
  const pad = (s: string, i: number) => (right[i] ? s.padStart(width[i]!) : s.padEnd(width[i]!));
  const line = (vals: readonly string[]) => `| ${vals.map(pad).join(" | ")} |`;
  const rule = `|${width.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(head), rule, ...cells.map(line)].join("\n");
}

/** One titled table of a multi-table bench report. */
export interface BenchSection {
  readonly title?: string;
  readonly table: string;
}

/**
 * Writes a bench's result to stdout: with `json`, one document `{ bench, startedAt, env, ...data, notes }`;
 * otherwise a header line, the environment, each section (title, table) and the notes as a list. `sections`
 * runs only for text, so JSON output never pays for table layout.
 */
export function writeBench(
  json: boolean,
  doc: {
    readonly bench: string;
    readonly env: Record<string, string | number>;
    readonly notes: readonly string[];
    readonly data: Record<string, unknown>;
  },
  sections: () => readonly BenchSection[],
): void {
  const startedAt = new Date().toISOString();
  if (json) {
    const out = { bench: doc.bench, startedAt, env: doc.env, ...doc.data, notes: doc.notes };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const env = Object.entries(doc.env)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const body = sections().flatMap((s) => (s.title ? [s.title, "", s.table, ""] : [s.table, ""]));
  process.stdout.write(
    [`${doc.bench} bench, ${startedAt}`, env, "", ...body, ...doc.notes.map((n) => `- ${n}`), ""].join("\n"),
  );
}
