// Control commands (`lt.control.all` and `lt.control.pod.<me>`): stop, start and reload, each obeyed after
// any run switch under way, each answered with this agent's state when the sender asked for a reply.
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  type AgentState,
  CONTROL_VERSION,
  type ConfigEntry,
  type ControlCommand,
  ControlCommandSchema,
  type ControlNames,
  type ControlReply,
  DEFAULT_START_DELAY_MS,
  parseJson,
  parseMessage,
} from "../control/index.ts";
import type { ConfigWatch } from "./config-watch.ts";
import type { AgentLogger } from "./log.ts";
import type { AgentStatus } from "./presence.ts";
import type { RunSwitch } from "./run-switch.ts";
import { STOP_COMMAND_WAIT_MS, sleep } from "./timings.ts";

const FINISHED: ReadonlySet<AgentState> = new Set(["done", "error", "stopped", "idle"]);

export interface ControlDispatchContext {
  readonly pod: string;
  readonly log: AgentLogger;
  /** Aborted when the agent shuts down: commands are refused from then on. */
  readonly signal: AbortSignal;
  readonly status: AgentStatus;
  readonly runs: RunSwitch;
  readonly watch: ConfigWatch;
  /** The active config entry, read when a command starts or reloads a run. */
  readonly active: () => Promise<ConfigEntry | undefined>;
  readonly setState: (state: AgentState) => void;
}

/** Subscribes to both control subjects; the subscriptions end at shutdown (unsubscribe). */
export function subscribeControl(
  nc: NatsConnection,
  names: ControlNames,
  ctx: ControlDispatchContext,
): Subscription[] {
  return [names.controlAll, names.controlPod(ctx.pod)].map((subject) =>
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (!err) void onCommand(msg, ctx);
      },
    }),
  );
}

async function onCommand(msg: Msg, ctx: ControlDispatchContext): Promise<void> {
  const cmd = parseMessage(ControlCommandSchema, parseJson(msg.string()));
  let reply: ControlReply;
  if (!cmd) reply = replyOf(ctx, false, "malformed control command");
  else if (ctx.signal.aborted) reply = replyOf(ctx, false, "agent is shutting down");
  else {
    ctx.log.info("control command", { op: cmd.op, run_id: cmd.run_id });
    try {
      reply = await ctx.runs.exclusive(() => obey(cmd, ctx));
    } catch (e) {
      reply = replyOf(ctx, false, e instanceof Error ? e.message : String(e));
    }
  }
  if (msg.reply) msg.respond(JSON.stringify(reply));
}

async function obey(cmd: ControlCommand, ctx: ControlDispatchContext): Promise<ControlReply> {
  const { status, runs } = ctx;
  if (cmd.run_id !== undefined && cmd.run_id !== status.runId)
    return replyOf(ctx, false, `not on run ${cmd.run_id} (on ${status.runId || "none"})`);
  const run = runs.current;
  if (cmd.op === "stop") {
    if (run && !FINISHED.has(status.state)) {
      run.stop();
      await Promise.race([run.done, sleep(STOP_COMMAND_WAIT_MS)]);
      if (status.state === "waiting" || status.state === "running") ctx.setState("stopped");
    }
    return replyOf(ctx, true);
  }
  if (cmd.op === "start" && run && !run.stopping && !FINISHED.has(status.state)) return replyOf(ctx, true);
  const active = await ctx.active();
  if (!active) return replyOf(ctx, false, "no active config");
  ctx.watch.obeying(active.run_id);
  await runs.switchTo(
    active,
    cmd.op,
    cmd.start_at ?? Date.now() + (cmd.op === "reload" ? DEFAULT_START_DELAY_MS : 0),
  );
  return replyOf(ctx, true);
}

function replyOf(ctx: ControlDispatchContext, ok: boolean, error?: string): ControlReply {
  return {
    v: CONTROL_VERSION,
    pod: ctx.pod,
    ok,
    state: ctx.status.state,
    ...(ctx.status.runId ? { run_id: ctx.status.runId } : {}),
    ...(error ? { error } : {}),
  };
}
