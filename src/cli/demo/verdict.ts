// Whether the demo's run went well: what makes it fail (a pod in error, nothing flowing) and what only deserves a
// warning (one pod that published or consumed nothing). Pure.
import type { RunReport } from "../../report/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import type { ClusterView } from "../commands/watch.ts";

export interface Verdict {
  /** Why the run failed; undefined when it did not. */
  error?: string;
  warnings: string[];
}

export interface Totals {
  published: number;
  consumed: number;
  lost: number;
  duplicates: number;
}

export function totals(report: RunReport): Totals {
  const m = report.cluster.metrics;
  return {
    published: m.published ?? 0,
    consumed: m.consumed ?? 0,
    lost: m.lost ?? 0,
    duplicates: m.duplicates ?? 0,
  };
}

export function judge(
  report: RunReport,
  view: ClusterView | undefined,
  snapshots: readonly Snapshot[],
): Verdict {
  const warnings: string[] = [];
  const errored = (view?.agents ?? []).filter((x) => x.state === "error");
  const latest = view?.latest ?? [];
  const stepErrors = latest.filter((s) => s.phase === "error");
  if (errored.length > 0 || stepErrors.length > 0) {
    const why = [
      ...errored.map((x) => `${x.pod}: ${x.error ?? "error"}`),
      ...stepErrors.map((s) => `${s.pod}: ${(s as { error?: string }).error ?? "step failed"}`),
    ];
    return { error: [...new Set(why)].join("; "), warnings };
  }
  if (snapshots.length === 0) return { error: "no snapshot reached the stats stream", warnings };
  const m = totals(report);
  if (m.published === 0) return { error: "nothing was published", warnings };
  if (m.consumed === 0) return { error: "nothing was consumed", warnings };
  for (const s of latest) {
    if (s.mode !== "consume" && s.published === 0)
      warnings.push(`${s.pod} (mode ${s.mode}) published nothing`);
    if (s.mode !== "publish" && s.consumed === 0) warnings.push(`${s.pod} (mode ${s.mode}) consumed nothing`);
  }
  return { warnings };
}
