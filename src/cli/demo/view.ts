// What the demo shows a person: the header (what runs where), the live view with the shared progress line, the
// closing line and what to try next. Pure functions of their arguments (and the clock, for the countdown).
import { relative } from "node:path";
import type { ClusterView } from "../commands/watch.ts";
import { progressOf, renderClusterView } from "../commands/watch.ts";
import type { Palette } from "../format/colour.ts";
import { renderProgress } from "../format/progress.ts";
import { formatNumber } from "../format/table.ts";
import type { AgentProcess } from "./agents.ts";
import type { Child } from "./child.ts";
import type { LocalServer } from "./nats-server.ts";
import type { DemoSummary } from "./plan.ts";

export interface Header {
  server: string;
  local: LocalServer | undefined;
  dir: string;
  prefix: string;
  agents: readonly AgentProcess[];
  dashboard: string;
  reaperPid: number;
  /** The config's path as shown (relative to the working folder when inside it). */
  config: string;
  summary: DemoSummary;
}

export function renderHeader(h: Header): string {
  const row = (k: string, v: string) => `  ${k.padEnd(10)} ${v}\n`;
  const pid = (ch: Child) => `pid ${ch.pid}`;
  return (
    row(
      "nats",
      h.local
        ? `${h.server}  local nats-server${h.local.version ? ` ${h.local.version}` : ""} with JetStream (${pid(h.local.child)})`
        : `${h.server}  (given; control-plane prefix ${h.prefix}, so other fleets there are untouched)`,
    ) +
    row("agents", h.agents.map((a) => `${a.pod} (${pid(a.child)})`).join(", ")) +
    row("config", `${h.config}: ${h.summary.detail}`) +
    row("dashboard", `${h.dashboard}  (agent demo-both's live dashboard, while the demo runs)`) +
    row(
      "files",
      `${h.dir}  (${h.local ? "server store, " : ""}agent logs and stats files; removed at the end)`,
    ) +
    row(
      "reaper",
      `pid ${h.reaperPid}: stops all of the above and removes the files should ltctl be killed (even SIGKILL)`,
    )
  );
}

/** The furthest pod's elapsed seconds in its step (what the progress event reports). */
export function elapsedOf(view: ClusterView): number {
  return Math.max(0, ...view.latest.map((s) => s.elapsed_s));
}

/**
 * One refresh of the live view: on a terminal the screen redrawn (header, cluster view, progress bar); elsewhere
 * one plain progress line. Before the start barrier, a countdown instead.
 */
export function renderLive(
  view: ClusterView,
  o: {
    startAt: number;
    header: string;
    isTTY: boolean;
    env: Readonly<Record<string, string | undefined>>;
    c: Palette;
  },
  now = Date.now(),
): string {
  const line = progressLine(view, o.startAt, o.isTTY, o.env, now);
  if (!o.isTTY) return `${line}\n`;
  return `\x1b[H\x1b[2J${o.c.bold("ltctl demo")}\n${o.header}\n${renderClusterView(view)}\n${line}\n`;
}

function progressLine(
  view: ClusterView,
  startAt: number,
  isTTY: boolean,
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): string {
  const wait = Math.ceil((startAt - now) / 1000);
  const progress = progressOf(view);
  if (progress === undefined || wait > 0) return `  starting: every pod begins in ${Math.max(0, wait)} s`;
  const counts = new Map<string, number>();
  for (const x of view.agents) counts.set(x.state, (counts.get(x.state) ?? 0) + 1);
  const states = [...counts].map(([state, n]) => `${n} ${state}`).join(", ");
  // On a terminal the cluster view above already shows the counts, and the bar needs the width.
  const k = view.cluster?.counters;
  const label =
    k && !isTTY
      ? `${states}  published ${formatNumber(k.published)}  consumed ${formatNumber(k.consumed)}  lost ${formatNumber(k.lost)}`
      : states;
  // The shared line of `ltctl run` / `watch`; the demo draws it in place of its own line, so no leading \r.
  const text = renderProgress({ ...progress, label }, { isTTY, env });
  return `  ${text.replace(/^\r/, "").replace(/\n$/, "")}`;
}

/** The closing line of a run that went well. */
export function renderDone(
  runId: string,
  m: { published: number; consumed: number; lost: number; duplicates: number },
  pods: { publishing: number; consuming: number },
  c: Palette,
): string {
  return (
    `\n${c.green("✓")} run ${runId} done: ${formatNumber(m.published)} published by ${pods.publishing} pods, ` +
    `${formatNumber(m.consumed)} consumed (each of the ${pods.consuming} consuming pods has its own ` +
    `durable consumers and reads every message), ${formatNumber(m.lost)} lost, ${formatNumber(m.duplicates)} duplicates.\n`
  );
}

export function renderNextSteps(ownConfig: boolean): string {
  return (
    "\nWhat next:\n" +
    "  ltctl demo --keep                      the same, then leaves the cluster up to drive by hand\n" +
    "  ltctl push examples/quick.json         run a config on your own agents (lt-agent --server nats://...)\n" +
    "  ltctl run examples/quick.json          one local process, no agents\n" +
    "  ltctl report --format html -o r.html   a run's report with charts (e.g. on a kept demo cluster)\n" +
    `  README.md ("Using it"), docs/config.md (every config field), docs/deploy.md (Kubernetes)\n` +
    (ownConfig ? "" : "  the config the demo pushed: examples/demo.json\n")
  );
}

/** With --keep: how to drive the cluster that stays up. */
export function renderKept(server: string, prefix: string, dashboard: string): string {
  return (
    `\nThe cluster stays up until Ctrl-C. In another terminal:\n` +
    `  export NATS_URL=${server} LT_PREFIX=${prefix}\n` +
    `  ./bin/ltctl status; ./bin/ltctl push examples/demo.json; ./bin/ltctl watch --until-done\n` +
    `  dashboard: ${dashboard}\n`
  );
}

export function displayPath(p: string, cwd: string): string {
  const rel = relative(cwd, p);
  return rel.startsWith("..") ? p : rel;
}
