// Machine-readable renderers: JSON (the RunReport itself) and CSV (one row per pod per step, plus cluster rows).
import { LATENCY_STATS } from "../config/index.ts";
import { latencyKinds, MEASURES, type Measure, type Registry, snapshotCounters } from "../measures/index.ts";
import type { Percentiles } from "../stats/index.ts";
import type { RunReport, Summary } from "./model.ts";

/** The whole report as JSON (parses back into a `RunReport`). */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const LEAD = ["run_id", "level", "scope", "pod", "spec_index", "spec", "iteration", "phase", "duration_s"];

/** The count columns: every counter, `errors`, then the counters' run-mean rates, in registry order. */
function counts(m: Registry): string[] {
  const counters = snapshotCounters(m) as Measure[];
  return [...counters.map((e) => e.name), "errors", ...counters.flatMap((e) => (e.rate ? [e.rate] : []))];
}

const STATS_OF = (kind: string) => [`${kind}_count`, ...LATENCY_STATS.map((s) => `${kind}_${s}_ms`)];

/** Requested vs achieved (msg/s, msg/s, percent; the last empty without a target): see Summary. */
const ACHIEVED = ["target_rate", "achieved_rate", "achieved_pct"] as const;

/**
 * The columns of the first CSV layout, in their order. Scripts may read columns by position, so a column keeps
 * its place: columns of this list come first, in this order; a newer measurement's columns follow, in registry
 * order. (Only the order comes from here: a column is written only when its measurement is in the registry.)
 */
const FIRST_LAYOUT: ReadonlyMap<string, number> = new Map(
  [
    ...LEAD,
    ..."published publish_errors publish_retries acked consumed acks_sent redelivered duplicates lost".split(
      " ",
    ),
    ..."unconfirmed_delivered out_of_order missed_sends negative_latency remote_latency".split(" "),
    ..."bytes_out bytes_in errors publish_rate consume_rate".split(" "),
    ...["publish_ack", "end_to_end", "publish_service", "send_delay"].flatMap(STATS_OF),
  ].map((c, i) => [c, i]),
);

/**
 * CSV columns, in order, for a registry of measurements: every counter, `errors`, the counters' run-mean
 * rates, then per latency kind its sample count and statistics, then requested vs achieved (`target_rate`,
 * `achieved_rate`, `achieved_pct`). `level` is `step` or `run`; `scope` is `pod`
 * or `cluster` (then `pod` is empty). Columns of the first layout keep their places; newer ones follow.
 */
export function csvColumns(m: Registry = MEASURES): string[] {
  const derived = [...LEAD, ...counts(m), ...latencyKinds(m).flatMap((e) => STATS_OF(e.name)), ...ACHIEVED];
  const place = (c: string) => FIRST_LAYOUT.get(c) ?? FIRST_LAYOUT.size + derived.indexOf(c);
  return derived.sort((a, b) => place(a) - place(b));
}

export const CSV_COLUMNS: readonly string[] = csvColumns();

function cell(v: string | number | undefined): string {
  if (v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A summary's cells from `duration_s` on, in the order of `columns`. */
function summaryCells(s: Summary, columns: readonly string[], m: Registry): (number | undefined)[] {
  const values = new Map<string, number | undefined>([["duration_s", s.duration_s]]);
  for (const c of counts(m)) values.set(c, s.metrics[c] ?? 0);
  const latency = s.latency_ms as Readonly<Record<string, Percentiles | undefined>>;
  for (const { name } of latencyKinds(m)) {
    const p = latency[name];
    const n = p?.count ?? 0;
    values.set(`${name}_count`, n);
    // No samples: empty cells, not 0 ms.
    for (const st of LATENCY_STATS) values.set(`${name}_${st}_ms`, p && n > 0 ? p[st] : undefined);
  }
  values.set("target_rate", s.target_rate);
  values.set("achieved_rate", s.achieved_rate);
  values.set("achieved_pct", s.achieved_pct ?? undefined);
  return columns.slice(LEAD.length - 1).map((c) => values.get(c));
}

/**
 * RFC 4180 CSV with a header line: for each step one row per pod then its cluster row, then the whole run per
 * pod and cluster-wide. Latency cells are empty where there were no samples.
 */
export function renderCsv(report: RunReport, m: Registry = MEASURES): string {
  const columns = csvColumns(m);
  const lines = [columns.join(",")];
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
        ...summaryCells(p.summary, columns, m),
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
      ...summaryCells(st.cluster, columns, m),
    ]);
  }
  for (const p of report.pods)
    row([report.run_id, "run", "pod", p.pod, "", "", "", "", ...summaryCells(p.summary, columns, m)]);
  row([report.run_id, "run", "cluster", "", "", "", "", "", ...summaryCells(report.cluster, columns, m)]);
  return `${lines.join("\r\n")}\r\n`;
}
