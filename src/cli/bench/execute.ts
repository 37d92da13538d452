// Where a bench runs: in this process (ltctl run's engine path, runPlan) or on the fleet (pushed as the active
// config like `ltctl push`, every agent that acknowledged it reporting a final snapshot read back over NATS).
// Both return the final snapshots, one per pod.
import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Plan } from "../../config/index.ts";
import { type ControlClient, isNotFound } from "../../control/index.ts";
import { runPlan } from "../../engine/index.ts";
import type { Mode, Snapshot } from "../../stats/index.ts";
import { sleep } from "../demo/ports.ts";
import { progressDone, renderProgress, shouldPrint } from "../format/progress.ts";
import type { CliIo } from "../io.ts";

/** A pushed bench starts this long after its push, so every agent reads it before the barrier. */
export const BENCH_START_IN_MS = 2_000;
/** How long agents have to acknowledge the push. */
export const BENCH_ACK_WAIT_MS = 5_000;
/** How often the run's stats are read while waiting for every pod's final snapshot. */
export const BENCH_POLL_MS = 500;
/** Beyond its duration, how long a pushed bench may take to drain and report before it counts as failed. */
export const BENCH_FINAL_GRACE_MS = 90_000;
/** How long purging the stream before a local bench may take. */
const PURGE_TIMEOUT_MS = 10_000;

const FINAL = new Set(["done", "error", "stopped"]);

export interface LocalResult {
  readonly finals: Snapshot[];
  readonly all: Snapshot[];
  readonly stopped: boolean;
}

/** Runs the plan here (ltctl run's path), printing a progress line on stderr when `progress`. */
export async function runLocal(
  plan: Plan,
  o: { pod: string; workers: number; progress: boolean; mode: Mode },
  io: CliIo,
): Promise<LocalResult> {
  const ctl = new AbortController();
  const onInt = () => ctl.abort();
  process.once("SIGINT", onInt);
  const all: Snapshot[] = [];
  let last: number | undefined;
  let shown = false;
  const totalS = plan.steps.reduce((n, s) => n + s.spec.durationMs / 1000, 0);
  const log = {
    info: () => {},
    warn: (msg: string, f?: Record<string, unknown>) =>
      io.err(`warning: ${msg}${f ? ` ${JSON.stringify(f)}` : ""}\n`),
    error: (msg: string, f?: Record<string, unknown>) =>
      io.err(`error: ${msg}${f ? ` ${JSON.stringify(f)}` : ""}\n`),
  };
  try {
    const r = await runPlan(plan, {
      runId: randomUUID().slice(0, 8),
      pod: o.pod,
      mode: o.mode,
      signal: ctl.signal,
      onSnapshot: (s) => {
        all.push(s);
        if (!o.progress || s.phase !== "running" || !shouldPrint(io.isTTY, last, s.elapsed_s, 1)) return;
        last = s.elapsed_s;
        shown = true;
        io.err(
          renderProgress(
            {
              elapsed_s: s.elapsed_s,
              total_s: totalS,
              rate: s.publish_rate,
              consume_rate: s.consume_rate,
              p99_ms:
                s.latency_ms.publish_ack.count > 0
                  ? s.latency_ms.publish_ack.p99
                  : s.latency_ms.end_to_end.p99,
              errors: s.publish_errors,
            },
            { isTTY: io.isTTY, env: io.env },
          ),
        );
      },
      log,
      statsIntervalMs: 1000,
      cleanup: false,
      workers: o.workers,
    });
    if (shown) io.err(progressDone(io.isTTY));
    return { finals: r.finals, all, stopped: r.stopped };
  } finally {
    process.removeListener("SIGINT", onInt);
  }
}

/** `--purge`: empties the stream before a local bench (a stream that is not there yet is fine). */
export async function purgeStream(servers: string[], name: string): Promise<void> {
  const nc = await connect({ servers, timeout: PURGE_TIMEOUT_MS, name: "ltctl bench purge" });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(name).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  } finally {
    await nc.close().catch(() => {});
  }
}

/** Deletes durable consumers (a consumer verb's, before a local run) so the bench replays from the start. */
export async function deleteConsumers(
  servers: string[],
  consumers: readonly { stream: string; durableName: string }[],
): Promise<void> {
  const nc = await connect({ servers, timeout: PURGE_TIMEOUT_MS, name: "ltctl bench reset" });
  try {
    const jsm = await jetstreamManager(nc);
    for (const c of consumers) {
      await jsm.consumers.delete(c.stream, c.durableName).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
  } finally {
    await nc.close().catch(() => {});
  }
}

/**
 * Pushes the config to the fleet and waits for every agent that acknowledged it to report a final snapshot.
 * Returns the finals, or a string saying why there are none.
 */
export async function runOnFleet(
  client: ControlClient,
  raw: unknown,
  durationMs: number,
  pushedBy: string,
  io: CliIo,
): Promise<Snapshot[] | string> {
  const r = await client.push(raw, { pushedBy, startAt: Date.now() + BENCH_START_IN_MS });
  const pods = await client.ackedBy(r.run_id, BENCH_ACK_WAIT_MS);
  if (pods.length === 0) return `no agent picked up run ${r.run_id} (is any running? ltctl status)`;
  io.err(`run ${r.run_id} on ${pods.length} agent${pods.length === 1 ? "" : "s"}: ${pods.join(", ")}\n`);
  const deadline = r.start_at + durationMs + BENCH_FINAL_GRACE_MS;
  for (;;) {
    const finals = (await client.latest(r.run_id)).filter((s) => FINAL.has(s.phase));
    const reported = new Set(finals.map((s) => s.pod));
    if (pods.every((p) => reported.has(p))) return finals;
    if (Date.now() > deadline)
      return `run ${r.run_id}: no final snapshot from ${pods.filter((p) => !reported.has(p)).join(", ")} in time`;
    await sleep(BENCH_POLL_MS);
  }
}
