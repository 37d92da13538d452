// Pure renderers of the fleet views: snapshots, the cluster-wide line, agents, control replies, config history.
import type { ConfigRevision, ControlReply, PresenceView } from "../../control/index.ts";
import {
  type ClusterSummary,
  type ClusterTotal,
  LATENCY_KINDS,
  measureOf,
  type Percentiles,
  type Snapshot,
} from "../../stats/index.ts";
import { formatNumber, renderTable } from "./table.ts";
import { renderAchieved } from "./verdict.ts";

const ms = (p: Percentiles | undefined) =>
  p && p.count > 0 ? `${formatNumber(Number(p.p99.toFixed(2)))}` : "-";

export function timeOf(ts: string | number): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? "-" : d.toISOString().slice(11, 19);
}

export function ago(msAgo: number): string {
  if (msAgo < 1_000) return "now";
  if (msAgo < 60_000) return `${Math.round(msAgo / 1000)}s ago`;
  if (msAgo < 3_600_000) return `${Math.round(msAgo / 60_000)}m ago`;
  return `${Math.round(msAgo / 3_600_000)}h ago`;
}

function errorsOf(s: Snapshot): number {
  return Object.values(s.errors).reduce((a, b) => a + b, 0);
}

/** One row per snapshot, newest first as given. */
export function renderSnapshots(snaps: readonly Snapshot[]): string {
  if (snaps.length === 0) return "no snapshots\n";
  return renderTable(
    [
      { header: "time" },
      { header: "pod" },
      { header: "run" },
      { header: "spec" },
      { header: "phase" },
      { header: "published", align: "right" },
      { header: "consumed", align: "right" },
      { header: "pub/s", align: "right" },
      { header: "cons/s", align: "right" },
      { header: "ack p99 ms", align: "right" },
      { header: "e2e p99 ms", align: "right" },
      { header: "lost", align: "right" },
      { header: "errors", align: "right" },
    ],
    snaps.map((s) => [
      timeOf(s.ts),
      s.pod,
      s.run_id,
      s.spec,
      s.phase,
      formatNumber(s.published),
      formatNumber(s.consumed),
      formatNumber(s.publish_rate),
      formatNumber(s.consume_rate),
      ms(s.latency_ms.publish_ack),
      ms(s.latency_ms.end_to_end),
      formatNumber(s.lost),
      formatNumber(errorsOf(s)),
    ]),
  );
}

/**
 * The cluster-wide line: counters summed over the latest snapshot of each pod, percentiles merged; with a
 * summary's figures, `target X msg/s, achieved Y (Z%)` and, when the pods ended under 99% of it, the verdict.
 */
export function renderCluster(total: ClusterTotal | ClusterSummary): string {
  const c = total.counters;
  const errs = Object.values(total.errors).reduce((a, b) => a + b, 0);
  const pct = (p: Percentiles) =>
    p.count > 0 ? `p50 ${p.p50.toFixed(2)} / p99 ${p.p99.toFixed(2)} / max ${p.max.toFixed(2)} ms` : "-";
  // One line per latency kind of the registry, labels aligned.
  const labels = LATENCY_KINDS.map((k) => measureOf(k)?.label ?? k);
  const width = Math.max(...labels.map((l) => l.length));
  const latency = LATENCY_KINDS.map((k, i) => `  ${labels[i]!.padEnd(width)} ${pct(total.latency_ms[k])}\n`);
  return (
    `cluster (${total.pods.length} pod${total.pods.length === 1 ? "" : "s"}: ${total.pods.join(", ")}): ` +
    `published ${formatNumber(c.published)}, consumed ${formatNumber(c.consumed)}, ` +
    `${formatNumber(c.publish_rate)} pub/s, ${formatNumber(c.consume_rate)} cons/s, lost ${formatNumber(c.lost)}, ` +
    `duplicates ${formatNumber(c.duplicates)}, errors ${formatNumber(errs)}\n` +
    ("achieved_rate" in total ? renderAchieved(total) : "") +
    latency.join("")
  );
}

export function renderAgents(agents: readonly PresenceView[]): string {
  if (agents.length === 0) return "no agents\n";
  return renderTable(
    [
      { header: "pod" },
      { header: "mode" },
      { header: "state" },
      { header: "run" },
      { header: "spec" },
      { header: "last seen" },
      { header: "stale" },
    ],
    agents.map((a) => [
      a.pod,
      a.mode,
      a.state,
      a.run_id || "-",
      a.spec || "-",
      ago(a.age_ms),
      a.stale ? "STALE" : "",
    ]),
  );
}

export function renderReplies(op: string, replies: readonly ControlReply[], target?: string): string {
  const obeyed = replies.filter((r) => r.ok);
  let out =
    replies.length === 0
      ? `${op}: no agent answered${target ? ` (pod ${target})` : ""}\n`
      : `${op}: ${obeyed.length} of ${replies.length} agent${replies.length === 1 ? "" : "s"} obeyed\n`;
  if (replies.length > 0) {
    out += renderTable(
      [{ header: "pod" }, { header: "ok" }, { header: "state" }, { header: "run" }, { header: "error" }],
      replies.map((r) => [r.pod, r.ok ? "yes" : "no", r.state, r.run_id ?? "-", r.error ?? ""]),
    );
  }
  return out;
}

export function renderHistory(revs: readonly ConfigRevision[]): string {
  if (revs.length === 0) return "no configs pushed yet\n";
  return renderTable(
    [
      { header: "rev", align: "right" },
      { header: "run" },
      { header: "pushed at" },
      { header: "by" },
      { header: "starts" },
      { header: "specs" },
    ],
    revs.map((r) => [
      String(r.revision),
      r.run_id,
      new Date(r.pushed_at).toISOString().replace("T", " ").slice(0, 19),
      r.pushed_by,
      timeOf(r.start_at),
      specNames(r.config),
    ]),
  );
}

function specNames(config: unknown): string {
  const specs = (config as { load_test_specs?: Array<{ name?: unknown }> } | null)?.load_test_specs;
  return Array.isArray(specs) ? specs.map((s) => String(s?.name ?? "?")).join(", ") : "-";
}
