// The demo's run over the control plane, as a user would drive it with ltctl: wait until every agent registers,
// push the config, show the live view until every pod finished, print the cluster-wide report and its verdict;
// on Ctrl-C stop the run and print the report so far.
import { formatIssues } from "../../config/index.ts";
import { type ControlClient, PushRejectedError } from "../../control/index.ts";
import { buildRunReport, renderTable } from "../../report/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { type ClusterView, readClusterView } from "../commands/watch.ts";
import type { DemoOutput } from "./events.ts";
import { agentTails, DemoError, type Fleet } from "./lifecycle.ts";
import { DEMO_EXIT, type DemoContext } from "./options.ts";
import { sleep } from "./ports.ts";
import { judge, totals } from "./verdict.ts";
import { elapsedOf, renderDone, renderKept, renderLive, renderNextSteps } from "./view.ts";

/** How long agents may take to start and register their presence (node start-up and a first heartbeat). */
const REGISTER_TIMEOUT_MS = 20_000;
/** How often to look for their presence meanwhile: a fraction of the 1 s heartbeat, so the push is not late. */
const REGISTER_POLL_MS = 200;
/** From the push to the start barrier: time for every agent to read the config and be ready at once. */
const START_IN_MS = 2_000;
/** Refresh of the live view: the demo config's stats interval, so each refresh has new snapshots. */
const VIEW_REFRESH_MS = 1_000;
/** Beyond the plan's length before the demo gives up: room for the drain and the final snapshots. */
const RUN_OVERTIME_MS = 60_000;
/** With --keep, how often to check that the agents still run. */
const KEEP_CHECK_MS = 1_000;
/** On Ctrl-C: how long to wait for the agents to answer `stop`, and then for their final snapshots. */
const STOP_REPLY_TIMEOUT_MS = 1_500;
const FINAL_SNAPSHOTS_MS = 1_500;
/** On Ctrl-C: the report so far is a courtesy; reading it must not hold up stopping everything. */
const REPORT_SO_FAR_TIMEOUT_MS = 3_000;
/** Every snapshot of the run (a 15 s demo makes a few dozen); a bound, not a sample. */
const SNAPSHOT_LIMIT = 100_000;
const FINISHED = new Set(["done", "stopped", "error"]);

export interface FlowArgs {
  readonly ctx: DemoContext;
  readonly out: DemoOutput;
  readonly fleet: Fleet;
  /** The config to push, as read. */
  readonly raw: unknown;
  /** The header, redrawn above the live view on a terminal. */
  readonly header: string;
  readonly dashboard: string;
  readonly server: string;
  readonly prefix: string;
  readonly totalS: number;
  readonly keep: boolean;
  /** Whether the user gave --config (the closing hints then do not name examples/demo.json). */
  readonly ownConfig: boolean;
}

/** Registration, push, live view, report. Returns the exit code. */
export async function drive(client: ControlClient, a: FlowArgs): Promise<number> {
  const { ctx, out, fleet } = a;
  const { signal } = ctx;
  const pods = fleet.agents.map((x) => x.pod);

  // 1. Every agent registers its presence (or one dies trying).
  const registerBy = Date.now() + REGISTER_TIMEOUT_MS;
  for (;;) {
    fleet.checkAlive();
    const live = new Set((await client.status()).filter((p) => !p.stale).map((p) => p.pod));
    if (pods.every((p) => live.has(p))) break;
    if (signal.aborted) return DEMO_EXIT.interrupted;
    if (Date.now() > registerBy)
      throw new DemoError(
        `agents did not register within ${REGISTER_TIMEOUT_MS / 1000} s (missing: ${pods.filter((p) => !live.has(p)).join(", ")})${agentTails(fleet.agents.filter((x) => !live.has(x.pod)))}`,
      );
    await sleep(REGISTER_POLL_MS, signal);
  }

  // 2. The config goes over NATS, as `ltctl push` sends it.
  let runId: string;
  let startAt: number;
  try {
    const r = await client.push(a.raw, {
      pushedBy: `ltctl demo@${ctx.io.hostname}`,
      startAt: Date.now() + START_IN_MS,
    });
    runId = r.run_id;
    startAt = r.start_at;
  } catch (e) {
    if (e instanceof PushRejectedError) {
      out.fail(
        `the agents' control plane refused the config:\n${formatIssues(e.issues).replace(/^/gm, "  ")}`,
      );
      return DEMO_EXIT.usage;
    }
    throw e;
  }
  out.event({ event: "pushed", run_id: runId, start_at: new Date(startAt).toISOString() });
  out.say(
    `pushed the config over NATS: run ${out.c.bold(runId)}, all pods start together in ${START_IN_MS / 1000} s\n\n`,
  );

  // 3. The live view until every pod reports the run finished.
  const deadline = startAt + a.totalS * 1000 + RUN_OVERTIME_MS;
  let view: ClusterView | undefined;
  for (;;) {
    if (signal.aborted) return interrupted(client, runId, a);
    fleet.checkAlive();
    view = await readClusterView(client, runId);
    draw(view, a, startAt);
    if (finished(view, pods, runId)) break;
    if (Date.now() > deadline)
      throw new DemoError(
        `the run did not finish within ${a.totalS + RUN_OVERTIME_MS / 1000} s${agentTails(fleet.agents)}`,
      );
    await sleep(VIEW_REFRESH_MS, signal);
  }
  if (!out.isTTY) out.say("\n");

  // 4. The report of the whole run, from every snapshot in the stats stream.
  const snapshots = await client.stats({ run: runId, limit: SNAPSHOT_LIMIT });
  const report = buildRunReport(snapshots, { run: runId });
  out.event({ event: "report", run_id: runId, report });
  out.say(
    `${out.c.bold("Cluster-wide report")} (every pod's snapshots; latency percentiles from merged histograms)\n\n`,
  );
  out.say(renderTable(report));
  const verdict = judge(report, view, snapshots);
  for (const w of verdict.warnings) out.warn(w);
  if (verdict.error) {
    out.fail(`the run failed: ${verdict.error}${agentTails(fleet.agents)}`);
    return DEMO_EXIT.failed;
  }
  const role = (r: "publish" | "consume") =>
    fleet.agents.filter((x) => x.mode === r || x.mode === "both").length;
  out.say(
    renderDone(runId, totals(report), { publishing: role("publish"), consuming: role("consume") }, out.c),
  );
  out.say(renderNextSteps(a.ownConfig));
  if (a.keep && !signal.aborted) {
    out.say(renderKept(a.server, a.prefix, a.dashboard));
    out.event({ event: "kept", server: a.server, prefix: a.prefix, dashboard: a.dashboard });
    while (!signal.aborted) {
      fleet.checkAlive();
      await sleep(KEEP_CHECK_MS, signal);
    }
  }
  return 0;
}

/** One refresh: a progress event with --json, else the live view. */
function draw(view: ClusterView, a: FlowArgs, startAt: number): void {
  const { out, ctx } = a;
  if (out.json) {
    out.event({
      event: "progress",
      run_id: view.run,
      elapsed_s: elapsedOf(view),
      agents: view.agents.map((x) => ({ pod: x.pod, state: x.state })),
      cluster: view.cluster?.counters ?? null,
    });
    return;
  }
  ctx.io.out(renderLive(view, { startAt, header: a.header, isTTY: out.isTTY, env: ctx.io.env, c: out.c }));
}

/** Every pod is on the run, in a finished state, and its latest snapshot is past running. */
function finished(view: ClusterView, pods: readonly string[], runId: string): boolean {
  return pods.every((pod) => {
    const agent = view.agents.find((x) => x.pod === pod);
    const snap = view.latest.find((s) => s.pod === pod);
    return (
      agent !== undefined &&
      agent.run_id === runId &&
      FINISHED.has(agent.state) &&
      snap !== undefined &&
      snap.phase !== "running"
    );
  });
}

/** Ctrl-C during the run: agents stop their run (sending what they measured), then the report so far. */
async function interrupted(client: ControlClient, runId: string, a: FlowArgs): Promise<number> {
  const { out } = a;
  out.say(`\n${out.c.yellow("interrupted")}: stopping the run on every agent...\n`);
  try {
    await client.command("stop", { timeoutMs: STOP_REPLY_TIMEOUT_MS });
    await sleep(FINAL_SNAPSHOTS_MS, a.ctx.force);
    const snapshots = await Promise.race([
      client.stats({ run: runId, limit: SNAPSHOT_LIMIT }),
      sleep(REPORT_SO_FAR_TIMEOUT_MS).then(() => [] as Snapshot[]),
    ]);
    if (snapshots.length > 0) {
      const report = buildRunReport(snapshots, { run: runId });
      out.event({ event: "report", run_id: runId, report, interrupted: true });
      out.say(`\n${out.c.bold("Report so far")}\n\n${renderTable(report)}`);
    }
  } catch {
    // the report is a courtesy here; stopping everything matters more
  }
  return DEMO_EXIT.interrupted;
}
