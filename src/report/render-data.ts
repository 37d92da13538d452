// Machine-readable renderers: JSON (the RunReport itself) and CSV (one row per pod per step, plus cluster rows).
import { LATENCY_KINDS, LATENCY_STATS } from "../config/index.ts";
import { SNAPSHOT_COUNTER_KEYS } from "../stats/index.ts";
import type { RunReport, Summary } from "./model.ts";

/** The whole report as JSON (parses back into a `RunReport`). */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const COUNTS = [...SNAPSHOT_COUNTER_KEYS, "errors", "publish_rate", "consume_rate"] as const;

/** CSV columns, in order. `level` is `step` or `run`; `scope` is `pod` or `cluster` (then `pod` is empty). */
export const CSV_COLUMNS: readonly string[] = [
  "run_id",
  "level",
  "scope",
  "pod",
  "spec_index",
  "spec",
  "iteration",
  "phase",
  "duration_s",
  ...COUNTS,
  ...LATENCY_KINDS.flatMap((k) => [`${k}_count`, ...LATENCY_STATS.map((s) => `${k}_${s}_ms`)]),
];

function cell(v: string | number | undefined): string {
  if (v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function summaryCells(s: Summary): (string | number | undefined)[] {
  return [
    s.duration_s,
    ...COUNTS.map((k) => s.metrics[k] ?? 0),
    ...LATENCY_KINDS.flatMap((k) => {
      const p = s.latency_ms[k];
      return [p.count, ...LATENCY_STATS.map((st) => (p.count > 0 ? p[st] : undefined))];
    }),
  ];
}

/**
 * RFC 4180 CSV with a header line: for each step one row per pod then its cluster row, then the whole run per
 * pod and cluster-wide. Latency cells are empty where there were no samples.
 */
export function renderCsv(report: RunReport): string {
  const lines = [CSV_COLUMNS.join(",")];
  const row = (cells: (string | number | undefined)[]) => lines.push(cells.map(cell).join(","));
  for (const st of report.steps) {
    for (const p of st.pods) {
      row([
        report.run_id,
        "step",
        "pod",
        p.pod,
        st.spec_index,
        st.spec,
        st.iteration,
        p.phase,
        ...summaryCells(p.summary),
      ]);
    }
    row([
      report.run_id,
      "step",
      "cluster",
      "",
      st.spec_index,
      st.spec,
      st.iteration,
      "",
      ...summaryCells(st.cluster),
    ]);
  }
  for (const p of report.pods)
    row([report.run_id, "run", "pod", p.pod, "", "", "", "", ...summaryCells(p.summary)]);
  row([report.run_id, "run", "cluster", "", "", "", "", "", ...summaryCells(report.cluster)]);
  return `${lines.join("\r\n")}\r\n`;
}
