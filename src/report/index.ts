// The door of src/report: run reports built from snapshots, their renderers, run comparison and thresholds.
// Sits between stats and cli: imports stats (and config types) only; everything here is pure.

import { parseThresholds } from "../config/index.ts";
import {
  evaluateThresholds,
  formatThresholdResult,
  type Snapshot,
  type ThresholdResult,
} from "../stats/index.ts";
import { buildRunReport, type RunReport } from "./model.ts";
import { renderCsv, renderJson } from "./render-data.ts";
import { renderHtml } from "./render-html.ts";
import { renderMarkdown, renderTable } from "./render-text.ts";

export { type AchievedLines, combineAchieved, type StepAchieved, stepLabel } from "./achieved.ts";
export {
  type CompareOptions,
  type CompareRenderOptions,
  type CompareRow,
  type Comparison,
  compareReports,
  type Direction,
  directionOf,
  renderComparison,
  type Verdict,
} from "./compare.ts";
export { type KneePage, type KneePoint, kneeCharts, renderKneeHtml } from "./knee.ts";
export {
  type BuildOptions,
  buildRunReport,
  type CurvePoint,
  type PodStep,
  REPORT_VERSION,
  type RunReport,
  type StepReport,
  type Summary,
} from "./model.ts";
export { CSV_COLUMNS, csvColumns, renderCsv, renderJson } from "./render-data.ts";
export { type HtmlOptions, percentileX, renderHtml } from "./render-html.ts";
export { renderMarkdown, renderTable } from "./render-text.ts";
export { achievedHeadline } from "./sections.ts";
export { MAX_SERIES_POINTS, type SeriesLatency, type SeriesPoint } from "./series.ts";
export { formatThresholdResult, type ThresholdResult };

export const REPORT_FORMATS = ["table", "json", "csv", "html", "md"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Renders a report in one of the formats `ltctl report --format` takes. */
export function renderReport(report: RunReport, format: ReportFormat): string {
  switch (format) {
    case "table":
      return renderTable(report);
    case "json":
      return renderJson(report);
    case "csv":
      return renderCsv(report);
    case "html":
      return renderHtml(report);
    case "md":
      return renderMarkdown(report);
  }
}

/** Guesses a format from a file name (`.html`, `.csv`, `.json`, `.md`), else undefined. */
export function formatFromFileName(file: string): ReportFormat | undefined {
  const m = /\.(html?|csv|json|md|markdown|txt)$/i.exec(file);
  if (!m) return undefined;
  const ext = m[1]!.toLowerCase();
  return ext.startsWith("htm")
    ? "html"
    : ext === "markdown"
      ? "md"
      : ext === "txt"
        ? "table"
        : (ext as ReportFormat);
}

export interface ThresholdCheck {
  readonly results: ThresholdResult[];
  /** False when a threshold failed (`ltctl` then exits 99). */
  readonly passed: boolean;
  /** One line per threshold (✓ / ✗, the measured value), empty when there are none. */
  readonly text: string;
}

/**
 * The gate `ltctl run`, `ltctl report` and `ltctl watch --until-done` share: checks the config's `thresholds`
 * block against the cluster-wide summary of the run's snapshots. No thresholds (or no snapshots): passes.
 */
export function checkThresholds(
  thresholds: Readonly<Record<string, string>> | undefined,
  snapshots: readonly Snapshot[],
  run?: string,
): ThresholdCheck {
  const parsed = parseThresholds(thresholds).thresholds;
  if (parsed.length === 0) return { results: [], passed: true, text: "" };
  const results =
    snapshots.length === 0
      ? evaluateThresholds(parsed, {})
      : buildRunReport(snapshots, { run, thresholds: parsed }).thresholds;
  return fromResults(results);
}

/** The same gate for a report already built (its `thresholds`). */
export function thresholdCheckOf(report: RunReport): ThresholdCheck {
  return fromResults(report.thresholds);
}

function fromResults(results: ThresholdResult[]): ThresholdCheck {
  const passed = results.every((r) => r.ok);
  return {
    results,
    passed,
    text: results.map((r) => `${formatThresholdResult(r)}\n`).join(""),
  };
}

export { alignTable, bytes, type Column } from "./text-table.ts";
