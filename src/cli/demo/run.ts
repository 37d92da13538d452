// `ltctl demo`: a local NATS (or the one given), three agents as child processes, the demo config pushed over
// NATS, the live cluster view, the cluster-wide report, and everything it started stopped again.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { formatIssues, parseConfigText } from "../../config/index.ts";
import { type ControlClient, PushRejectedError, validateForPush } from "../../control/index.ts";
import { buildRunReport, type RunReport, renderTable } from "../../report/index.ts";
import type { Snapshot } from "../../stats/index.ts";
import { type NatsCliOptions, withClient } from "../commands/nats.ts";
import { type ClusterView, readClusterView, renderClusterView } from "../commands/watch.ts";
import { palette } from "../format/colour.ts";
import { formatNumber } from "../format/table.ts";
import type { CliIo } from "../io.ts";
import { type AgentProcess, DEMO_PODS, startAgents } from "./agents.ts";
import type { Child } from "./child.ts";
import { type LocalServer, startLocalServer } from "./nats-server.ts";
import { packageRoot } from "./paths.ts";
import { freePort, sleep } from "./ports.ts";
import { Reaper } from "./reaper.ts";

/** Exit codes of `ltctl demo` beyond 0: the demo failed; bad usage or config; interrupted (Ctrl-C). */
export const DEMO_EXIT = { failed: 1, usage: 2, interrupted: 130 } as const;

export interface DemoOptions {
  /** The NATS to use (--server, else NATS_URL); undefined starts a local nats-server. */
  readonly server?: string;
  /** Control-plane prefix; default `lt` on the demo's own server, a unique `demo_xxxxxx` on a given one. */
  readonly prefix?: string;
  /** Config to push; default examples/demo.json. */
  readonly config?: string;
  /** Overrides every spec's duration_seconds (the ramp shrinks to at most half of it). */
  readonly durationS?: number;
  /** JSON lines on stdout instead of the human view. */
  readonly json: boolean;
  /** After the report, keep everything running until Ctrl-C. */
  readonly keep: boolean;
  /** Credentials for the control plane (--creds, --nkey, --user, --token), passed to the agents as well. */
  readonly auth: Pick<NatsCliOptions, "creds" | "nkey" | "user" | "password" | "token">;
}

export interface DemoContext {
  readonly io: CliIo;
  /** The node binary that runs the agents (process.execPath). */
  readonly node: string;
  /** Aborts on the first Ctrl-C / SIGTERM: stop cleanly, print what was measured. */
  readonly signal: AbortSignal;
  /** Aborts on the second: kill every child at once. */
  readonly force: AbortSignal;
  /** The working folder, to show paths relative to it. */
  readonly cwd: string;
}

/** Grace before SIGKILL: an agent drains its run and sends its last snapshot within a few seconds. */
const AGENT_GRACE_MS = 8_000;
const SERVER_GRACE_MS = 5_000;
/**
 * What the reaper does when ltctl was killed: agents first (they drain while their server still answers), then
 * the server; shorter graces than a normal stop, since nobody waits for the results, and all within 15 s.
 */
const REAP_AGENTS = { wave: 0, graceMs: 5_000 } as const;
const REAP_SERVER = { wave: 1, graceMs: 3_000 } as const;
/** How long agents may take to start and register their presence. */
const REGISTER_TIMEOUT_MS = 20_000;
/** Seconds from the push to the start barrier (every pod starts together). */
const START_IN_MS = 2_000;
const HEARTBEAT_MS = 1_000;
const FINISHED = new Set(["done", "stopped", "error"]);

class DemoError extends Error {}

interface Started {
  server: LocalServer | undefined;
  agents: AgentProcess[];
}

export async function runDemo(opts: DemoOptions, ctx: DemoContext): Promise<number> {
  const { io } = ctx;
  const c = palette(io.isTTY && !opts.json, io.env);
  const say = (text: string) => {
    if (!opts.json) io.out(text);
  };
  const event = (e: Record<string, unknown>) => {
    if (opts.json) io.out(`${JSON.stringify({ event: e.event, ts: new Date().toISOString(), ...e })}\n`);
  };
  const fail = (msg: string) => io.err(`${c.red("ltctl demo:")} ${msg}\n`);

  let root: string;
  let raw: unknown;
  let configPath: string;
  try {
    root = packageRoot();
    configPath = opts.config ?? join(root, "examples", "demo.json");
    raw = JSON.parse(readFileSync(configPath, "utf8"));
  } catch (e) {
    fail(`cannot read the config: ${(e as Error).message}`);
    return DEMO_EXIT.usage;
  }
  if (opts.durationS !== undefined) withDuration(raw, opts.durationS);
  const issues = validateForPush(raw);
  if (issues.length > 0) {
    fail(`${configPath} is not a valid config:\n${formatIssues(issues).replace(/^/gm, "  ")}`);
    return DEMO_EXIT.usage;
  }

  const dir = mkdtempSync(join(tmpdir(), "lt-demo-"));
  // First of all, so that whatever the demo starts is stopped even if ltctl is SIGKILLed (no handler runs then).
  let reaper: Reaper;
  try {
    reaper = await Reaper.start({ root, node: ctx.node, dir });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    fail((e as Error).message);
    return DEMO_EXIT.failed;
  }
  const started: Started = { server: undefined, agents: [] };
  const children = () => [
    ...started.agents.map((a) => a.child),
    ...(started.server ? [started.server.child] : []),
  ];
  const onForce = () => {
    for (const ch of children()) ch.kill();
  };
  ctx.force.addEventListener("abort", onForce, { once: true });
  let code: number = DEMO_EXIT.failed;
  const stage = "starting nats-server";
  try {
    let server = opts.server;
    if (server === undefined) {
      say(c.dim("starting a local nats-server with JetStream...\n"));
      started.server = await startLocalServer({
        dir,
        env: io.env,
        signal: ctx.signal,
        onSpawn: (ch) => reaper.watch(ch, REAP_SERVER),
      });
      server = started.server.url;
    }
    if (ctx.signal.aborted) {
      code = DEMO_EXIT.interrupted;
      return code;
    }
    const prefix =
      opts.prefix ?? (opts.server === undefined ? "lt" : `demo_${randomBytes(3).toString("hex")}`);
    const srv = server;
    // Connect first: a given server that does not answer fails before any agent starts.
    code = await withClient(
      { server: srv, prefix, json: opts.json, ...opts.auth },
      io,
      "demo",
      async (client) => {
        const dashboardPort = await freePort();
        started.agents = await startAgents(
          DEMO_PODS.map((p) => ({ ...p, httpPort: p.mode === "both" ? dashboardPort : 0 })),
          {
            root,
            node: ctx.node,
            server: srv,
            prefix,
            dir,
            env: { ...io.env, ...authEnv(opts.auth) },
            heartbeatMs: HEARTBEAT_MS,
            onSpawn: (ch) => reaper.watch(ch, REAP_AGENTS),
          },
        );
        const dashboard = `http://127.0.0.1:${dashboardPort}/`;
        const summary = configSummary(raw, io.env, srv, dir);
        const header = renderHeader({
          server: srv,
          local: started.server,
          dir,
          prefix,
          agents: started.agents,
          dashboard,
          reaperPid: reaper.pid,
          config: displayPath(configPath, ctx.cwd),
          summary,
        });
        event({
          event: "started",
          server: srv,
          local_server: started.server !== undefined,
          nats_server_pid: started.server?.child.pid ?? null,
          temp_dir: dir,
          reaper_pid: reaper.pid,
          prefix,
          config: configPath,
          dashboard,
          agents: started.agents.map((a) => ({ pod: a.pod, mode: a.mode, pid: a.child.pid })),
        });
        say(`${c.bold("ltctl demo")}: ${summary.line}\n\n${header}\n`);
        return drive(client, {
          opts,
          ctx,
          raw,
          started,
          header,
          dashboard,
          server: srv,
          prefix,
          totalS: summary.totalS,
          say,
          event,
          fail,
          c,
        });
      },
    );
  } catch (e) {
    if (ctx.signal.aborted) code = DEMO_EXIT.interrupted;
    else {
      fail(`${stage}: ${(e as Error).message}`);
      code = DEMO_EXIT.failed;
    }
  } finally {
    const n = started.agents.length;
    const hadServer = started.server !== undefined;
    if (n > 0 || hadServer) say(`${c.dim(`stopping ${describeStopping(n, hadServer)}...`)}\n`);
    const pids = children().map((ch) => ch.pid);
    const graceful = await stopAll(started);
    rmSync(dir, { recursive: true, force: true });
    // Everything is stopped and removed: the reaper may go (release waits for it, so nothing outlives ltctl).
    await reaper.release();
    ctx.force.removeEventListener("abort", onForce);
    if (n > 0 || hadServer)
      say(
        `${c.dim(
          `stopped ${describeStopping(n, hadServer)}${graceful ? "" : " (some needed SIGKILL)"}; removed ${dir}`,
        )}\n`,
      );
    event({ event: "stopped", pids, temp_dir: dir, graceful });
    event({ event: "finished", ok: code === 0, exit_code: code });
  }
  return code;
}

interface DriveArgs {
  opts: DemoOptions;
  ctx: DemoContext;
  raw: unknown;
  started: Started;
  header: string;
  dashboard: string;
  server: string;
  prefix: string;
  totalS: number;
  say: (text: string) => void;
  event: (e: Record<string, unknown>) => void;
  fail: (msg: string) => void;
  c: ReturnType<typeof palette>;
}

/** Registration, push, live view, report. Returns the exit code. */
async function drive(client: ControlClient, a: DriveArgs): Promise<number> {
  const { ctx, say, event, fail, c } = a;
  const { io, signal } = ctx;
  const pods = a.started.agents.map((x) => x.pod);

  // 1. Every agent registers its presence (or one dies trying).
  const registerBy = Date.now() + REGISTER_TIMEOUT_MS;
  for (;;) {
    checkAlive(a.started.agents);
    const live = new Set((await client.status()).filter((p) => !p.stale).map((p) => p.pod));
    if (pods.every((p) => live.has(p))) break;
    if (signal.aborted) return DEMO_EXIT.interrupted;
    if (Date.now() > registerBy)
      throw new DemoError(
        `agents did not register within ${REGISTER_TIMEOUT_MS / 1000} s (missing: ${pods.filter((p) => !live.has(p)).join(", ")})${agentTails(a.started.agents.filter((x) => !live.has(x.pod)))}`,
      );
    await sleep(200, signal);
  }

  // 2. The config goes over NATS, as `ltctl push` sends it.
  let runId: string;
  let startAt: number;
  try {
    const r = await client.push(a.raw, {
      pushedBy: `ltctl demo@${io.hostname}`,
      startAt: Date.now() + START_IN_MS,
    });
    runId = r.run_id;
    startAt = r.start_at;
  } catch (e) {
    if (e instanceof PushRejectedError) {
      fail(`the agents' control plane refused the config:\n${formatIssues(e.issues).replace(/^/gm, "  ")}`);
      return DEMO_EXIT.usage;
    }
    throw e;
  }
  event({ event: "pushed", run_id: runId, start_at: new Date(startAt).toISOString() });
  const totalS = a.totalS;
  say(
    `pushed the config over NATS: run ${c.bold(runId)}, all pods start together in ${START_IN_MS / 1000} s\n\n`,
  );

  // 3. The live view until every pod reports the run finished.
  const deadline = startAt + (totalS + 60) * 1000;
  let view: ClusterView | undefined;
  for (;;) {
    if (signal.aborted) return interrupted(client, runId, a);
    checkAlive(a.started.agents);
    view = await readClusterView(client, runId);
    drawView(view, { ...a, startAt, totalS });
    if (finished(view, pods, runId)) break;
    if (Date.now() > deadline)
      throw new DemoError(`the run did not finish within ${totalS + 60} s${agentTails(a.started.agents)}`);
    await sleep(1_000, signal);
  }
  if (!io.isTTY && !a.opts.json) say("\n");

  // 4. The report of the whole run, from every snapshot in the stats stream.
  const snapshots = await client.stats({ run: runId, limit: 100_000 });
  const report = buildRunReport(snapshots, { run: runId });
  event({ event: "report", run_id: runId, report });
  say(
    `${c.bold("Cluster-wide report")} (every pod's snapshots; latency percentiles from merged histograms)\n\n`,
  );
  say(renderTable(report));
  const verdict = judge(report, view, snapshots);
  for (const w of verdict.warnings) {
    io.err(`${c.yellow("warning:")} ${w}\n`);
    event({ event: "warning", message: w });
  }
  if (verdict.error) {
    fail(`the run failed: ${verdict.error}${agentTails(a.started.agents)}`);
    return DEMO_EXIT.failed;
  }
  const m = totals(report);
  say(
    `\n${c.green("✓")} run ${runId} done: ${formatNumber(m.published)} published by ${countMode(a, "publish")} pods, ` +
      `${formatNumber(m.consumed)} consumed (each of the ${countMode(a, "consume")} consuming pods has its own ` +
      `durable consumers and reads every message), ${formatNumber(m.lost)} lost, ${formatNumber(m.duplicates)} duplicates.\n`,
  );
  say(nextSteps(a));
  if (a.opts.keep && !signal.aborted) {
    say(
      `\nThe cluster stays up until Ctrl-C. In another terminal:\n` +
        `  export NATS_URL=${a.server} LT_PREFIX=${a.prefix}\n` +
        `  ./bin/ltctl status; ./bin/ltctl push examples/demo.json; ./bin/ltctl watch --until-done\n` +
        `  dashboard: ${a.dashboard}\n`,
    );
    event({ event: "kept", server: a.server, prefix: a.prefix, dashboard: a.dashboard });
    while (!signal.aborted) {
      checkAlive(a.started.agents);
      await sleep(1_000, signal);
    }
  }
  return 0;
}

/** Ctrl-C during the run: agents stop their run (sending what they measured), then the report so far. */
async function interrupted(client: ControlClient, runId: string, a: DriveArgs): Promise<number> {
  a.say(`\n${a.c.yellow("interrupted")}: stopping the run on every agent...\n`);
  try {
    await client.command("stop", { timeoutMs: 1_500 });
    await sleep(1_500, a.ctx.force);
    const snapshots = await Promise.race([
      client.stats({ run: runId, limit: 100_000 }),
      sleep(3_000).then(() => [] as Snapshot[]),
    ]);
    if (snapshots.length > 0) {
      const report = buildRunReport(snapshots, { run: runId });
      a.event({ event: "report", run_id: runId, report, interrupted: true });
      a.say(`\n${a.c.bold("Report so far")}\n\n${renderTable(report)}`);
    }
  } catch {
    // the report is a courtesy here; stopping everything matters more
  }
  return DEMO_EXIT.interrupted;
}

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

function drawView(view: ClusterView, a: DriveArgs & { startAt: number; totalS: number }): void {
  const { io } = a.ctx;
  const elapsed = Math.max(0, ...view.latest.map((s) => s.elapsed_s));
  if (a.opts.json) {
    a.event({
      event: "progress",
      run_id: view.run,
      elapsed_s: elapsed,
      agents: view.agents.map((x) => ({ pod: x.pod, state: x.state })),
      cluster: view.cluster?.counters ?? null,
    });
    return;
  }
  const line = progressLine(view, a.startAt, elapsed, a.totalS);
  if (io.isTTY) {
    io.out(`\x1b[H\x1b[2J${a.c.bold("ltctl demo")}\n${a.header}\n${renderClusterView(view)}\n${line}\n`);
  } else io.out(`${line}\n`);
}

function progressLine(view: ClusterView, startAt: number, elapsed: number, totalS: number): string {
  const wait = Math.ceil((startAt - Date.now()) / 1000);
  if (view.latest.length === 0 || wait > 0) return `  starting: every pod begins in ${Math.max(0, wait)} s`;
  const counts = new Map<string, number>();
  for (const x of view.agents) counts.set(x.state, (counts.get(x.state) ?? 0) + 1);
  const states = [...counts].map(([state, n]) => `${n} ${state}`).join(", ");
  const t = view.cluster;
  if (!t) return `  ${states}`;
  const k = t.counters;
  const e2e = t.latency_ms.end_to_end;
  return (
    `  ${String(Math.min(Math.round(elapsed), totalS)).padStart(3)}s/${totalS}s  ${states.padEnd(9)}  ` +
    `published ${formatNumber(k.published)}  consumed ${formatNumber(k.consumed)}  ` +
    `${formatNumber(k.publish_rate)} pub/s  ${formatNumber(k.consume_rate)} cons/s  ` +
    `e2e p99 ${e2e.count > 0 ? `${e2e.p99.toFixed(2)} ms` : "-"}  lost ${formatNumber(k.lost)}`
  );
}

/** What makes the demo fail (an error, nothing flowing) and what only deserves a warning. */
function judge(
  report: RunReport,
  view: ClusterView | undefined,
  snapshots: readonly Snapshot[],
): { error?: string; warnings: string[] } {
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

function totals(report: RunReport): {
  published: number;
  consumed: number;
  lost: number;
  duplicates: number;
} {
  const m = report.cluster.metrics;
  return {
    published: m.published ?? 0,
    consumed: m.consumed ?? 0,
    lost: m.lost ?? 0,
    duplicates: m.duplicates ?? 0,
  };
}

function checkAlive(agents: readonly AgentProcess[]): void {
  const dead = agents.filter((x) => !x.child.running);
  if (dead.length === 0) return;
  const d = dead[0]!;
  const exit = d.child.exitInfo;
  throw new DemoError(
    `agent ${d.pod} exited (${exit?.code ?? exit?.signal ?? "?"}) unexpectedly${agentTails(dead)}`,
  );
}

/** The last log lines of some agents, for an error message (their log files go away with the temp folder). */
function agentTails(agents: readonly AgentProcess[]): string {
  const parts = agents
    .map((x) => ({ pod: x.pod, lines: x.child.tail(6) }))
    .filter((t) => t.lines.length > 0)
    .map((t) => `\n  last lines of ${t.pod}:\n${t.lines.map((l) => `    ${l.slice(0, 400)}`).join("\n")}`);
  return parts.join("");
}

async function stopAll(started: Started): Promise<boolean> {
  const agents = await Promise.all(started.agents.map((x) => x.child.stop(AGENT_GRACE_MS)));
  const server = started.server ? await started.server.child.stop(SERVER_GRACE_MS) : true;
  return agents.every(Boolean) && server;
}

function authEnv(auth: DemoOptions["auth"]): Record<string, string> {
  return {
    ...(auth.creds ? { NATS_CREDS_FILE: auth.creds } : {}),
    ...(auth.nkey ? { NATS_NKEY_FILE: auth.nkey } : {}),
    ...(auth.user ? { NATS_USER: auth.user } : {}),
    ...(auth.password ? { NATS_PASSWORD: auth.password } : {}),
    ...(auth.token ? { NATS_TOKEN: auth.token } : {}),
  };
}

function describeStopping(agents: number, server: boolean): string {
  const parts = [];
  if (agents > 0) parts.push(`${agents} agent${agents === 1 ? "" : "s"}`);
  if (server) parts.push("the nats-server");
  return parts.join(" and ");
}

function countMode(a: DriveArgs, role: "publish" | "consume"): number {
  return a.started.agents.filter((x) => x.mode === role || x.mode === "both").length;
}

interface ConfigLine {
  line: string;
  detail: string;
  /** Seconds of the whole plan (every step). */
  totalS: number;
}

/** One line saying what the demo runs, from the plan as the demo-both pod expands it. */
function configSummary(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
  server: string,
  dir: string,
): ConfigLine {
  const loaded = parseConfigText(JSON.stringify(raw), {
    pod: "demo-both",
    env: { ...env, NATS_URL: server, LT_DEMO_DIR: dir },
  });
  if (!loaded.ok) return { line: "the demo config", detail: "", totalS: totalDurationS(raw) };
  const steps = loaded.plan.steps;
  const totalS = steps.reduce((n, s) => n + s.spec.durationMs / 1000, 0);
  const first = steps[0]!.spec;
  const streams = first.streams.length;
  const pubs = first.publishers.length;
  const rate = first.publishers.reduce((n, p) => n + p.ratePerSec, 0);
  return {
    line: `3 agents (publish, consume, both) load ${streams} JetStream stream${streams === 1 ? "" : "s"} for ${totalS} s, then the cluster-wide report.`,
    detail:
      `${streams} streams, ${pubs} publishers and ${first.consumers.length} consumers per pod, ` +
      `~${formatNumber(rate)} msg/s per publishing pod, ${totalS} s with a ${first.rampUpMs / 1000} s ramp`,
    totalS,
  };
}

function renderHeader(h: {
  server: string;
  local: LocalServer | undefined;
  dir: string;
  prefix: string;
  agents: readonly AgentProcess[];
  dashboard: string;
  reaperPid: number;
  config: string;
  summary: ConfigLine;
}): string {
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

function nextSteps(a: DriveArgs): string {
  return (
    "\nWhat next:\n" +
    "  ltctl demo --keep                      the same, then leaves the cluster up to drive by hand\n" +
    "  ltctl push examples/quick.json         run a config on your own agents (lt-agent --server nats://...)\n" +
    "  ltctl run examples/quick.json          one local process, no agents\n" +
    "  ltctl report --format html -o r.html   a run's report with charts (e.g. on a kept demo cluster)\n" +
    `  README.md ("Using it"), docs/config.md (every config field), docs/deploy.md (Kubernetes)\n` +
    (a.opts.config ? "" : "  the config the demo pushed: examples/demo.json\n")
  );
}

function displayPath(p: string, cwd: string): string {
  const rel = relative(cwd, p);
  return rel.startsWith("..") ? p : rel;
}

function totalDurationS(raw: unknown): number {
  const specs = (raw as { load_test_specs?: Array<{ behavior?: { duration_seconds?: unknown } }> })
    .load_test_specs;
  return (specs ?? []).reduce((n, s) => {
    const d = s.behavior?.duration_seconds;
    return n + (typeof d === "number" ? d : 0);
  }, 0);
}

/** Sets every spec's duration to `seconds`; a longer ramp is cut to half of it. Mutates `raw`. */
export function withDuration(raw: unknown, seconds: number): void {
  const specs = (raw as { load_test_specs?: unknown }).load_test_specs;
  if (!Array.isArray(specs)) return;
  for (const s of specs) {
    if (typeof s !== "object" || s === null) continue;
    const spec = s as { behavior?: Record<string, unknown> };
    spec.behavior ??= {};
    spec.behavior.duration_seconds = seconds;
    const ramp = spec.behavior.ramp_up_seconds;
    if (typeof ramp === "number" && ramp > seconds / 2)
      spec.behavior.ramp_up_seconds = Math.floor(seconds / 2);
  }
}
