// `ltctl demo`: a local NATS (or the one given), three agents as child processes, the demo config pushed over
// NATS, the live cluster view, the cluster-wide report, and everything it started stopped again. This file wires
// the parts: plan.ts (the config), lifecycle.ts (processes), flow.ts (the run), view.ts and events.ts (output).
import { randomBytes } from "node:crypto";
import { withClient } from "../commands/nats.ts";
import { demoOutput } from "./events.ts";
import { drive } from "./flow.ts";
import { authEnv, Fleet } from "./lifecycle.ts";
import { DEMO_EXIT, type DemoContext, type DemoOptions } from "./options.ts";
import { packageRoot } from "./paths.ts";
import { loadDemoConfig, summarise } from "./plan.ts";
import { freePort } from "./ports.ts";
import { displayPath, renderHeader } from "./view.ts";

export async function runDemo(opts: DemoOptions, ctx: DemoContext): Promise<number> {
  const { io } = ctx;
  const out = demoOutput(io, opts.json);

  let root: string;
  try {
    root = packageRoot();
  } catch (e) {
    out.fail(`cannot read the config: ${(e as Error).message}`);
    return DEMO_EXIT.usage;
  }
  const loaded = loadDemoConfig(root, opts);
  if (!loaded.ok) {
    out.fail(loaded.message);
    return DEMO_EXIT.usage;
  }
  const { raw, path: configPath } = loaded.config;

  let fleet: Fleet;
  try {
    fleet = await Fleet.open(root, ctx.node);
  } catch (e) {
    out.fail((e as Error).message);
    return DEMO_EXIT.failed;
  }
  const onForce = () => fleet.kill();
  ctx.force.addEventListener("abort", onForce, { once: true });
  let code: number = DEMO_EXIT.failed;
  try {
    let server = opts.server;
    if (server === undefined) {
      out.say(out.c.dim("starting a local nats-server with JetStream...\n"));
      server = await fleet.startServer(io.env, ctx.signal);
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
        await fleet.startAgents({
          root,
          node: ctx.node,
          server: srv,
          prefix,
          env: { ...io.env, ...authEnv(opts.auth) },
          dashboardPort,
        });
        const dashboard = `http://127.0.0.1:${dashboardPort}/`;
        const summary = summarise(raw, io.env, srv, fleet.dir);
        const header = renderHeader({
          server: srv,
          local: fleet.server,
          dir: fleet.dir,
          prefix,
          agents: fleet.agents,
          dashboard,
          reaperPid: fleet.reaper.pid,
          config: displayPath(configPath, ctx.cwd),
          summary,
        });
        out.event({
          event: "started",
          server: srv,
          local_server: fleet.server !== undefined,
          nats_server_pid: fleet.server?.child.pid ?? null,
          temp_dir: fleet.dir,
          reaper_pid: fleet.reaper.pid,
          prefix,
          config: configPath,
          dashboard,
          agents: fleet.agents.map((a) => ({ pod: a.pod, mode: a.mode, pid: a.child.pid })),
        });
        out.say(`${out.c.bold("ltctl demo")}: ${summary.line}\n\n${header}\n`);
        return drive(client, {
          ctx,
          out,
          fleet,
          raw,
          header,
          dashboard,
          server: srv,
          prefix,
          totalS: summary.totalS,
          keep: opts.keep,
          ownConfig: opts.config !== undefined,
        });
      },
    );
  } catch (e) {
    if (ctx.signal.aborted) code = DEMO_EXIT.interrupted;
    else {
      out.fail(`starting nats-server: ${(e as Error).message}`);
      code = DEMO_EXIT.failed;
    }
  } finally {
    const started = fleet.describe();
    if (started) out.say(`${out.c.dim(`stopping ${started}...`)}\n`);
    const { pids, graceful } = await fleet.close();
    ctx.force.removeEventListener("abort", onForce);
    if (started)
      out.say(
        `${out.c.dim(`stopped ${started}${graceful ? "" : " (some needed SIGKILL)"}; removed ${fleet.dir}`)}\n`,
      );
    out.event({ event: "stopped", pids, temp_dir: fleet.dir, graceful });
    out.event({ event: "finished", ok: code === 0, exit_code: code });
  }
  return code;
}
