// The end of a graceful stop, within one deadline: the run stops (the engine drains and emits its final
// snapshot), every queued snapshot is sent, presence is removed, the HTTP shim and the connection close.
import type { NatsConnection } from "@nats-io/transport-node";
import type { AgentLogger } from "./log.ts";
import type { SnapshotOutbox } from "./outbox.ts";
import {
  NC_DRAIN_MIN_MS,
  SHUTDOWN_AFTER_OUTBOX_MS,
  SHUTDOWN_AFTER_RUN_MS,
  SHUTDOWN_OUTBOX_MIN_MS,
  SHUTDOWN_RUN_MIN_MS,
  sleep,
} from "./timings.ts";

export interface Leaving {
  readonly log: AgentLogger;
  /** Stops the current run, waiting at most the given time. */
  readonly stopRun: (timeoutMs: number) => Promise<void>;
  readonly outbox: SnapshotOutbox;
  /** Removes this agent's presence, if the control plane was ever reached. */
  readonly removePresence: () => Promise<void>;
  /** Closes the HTTP shim, if it started. */
  readonly closeHttp: () => Promise<void>;
  readonly nc: () => NatsConnection | undefined;
}

/** Runs the steps of a graceful stop, each bounded so that all of them end near `deadline` (epoch ms). */
export async function leave(l: Leaving, deadline: number): Promise<void> {
  await l.stopRun(Math.max(SHUTDOWN_RUN_MIN_MS, deadline - Date.now() - SHUTDOWN_AFTER_RUN_MS));
  const sent = await l.outbox.drain(
    Math.max(SHUTDOWN_OUTBOX_MIN_MS, deadline - Date.now() - SHUTDOWN_AFTER_OUTBOX_MS),
  );
  if (!sent) l.log.warn("control plane unreachable; unsent snapshots lost", { queued: l.outbox.size });
  l.outbox.close();
  await l.removePresence();
  await l.closeHttp();
  const nc = l.nc();
  if (nc && !nc.isClosed()) {
    await Promise.race([nc.drain().catch(() => {}), sleep(Math.max(NC_DRAIN_MIN_MS, deadline - Date.now()))]);
    if (!nc.isClosed()) await nc.close().catch(() => {});
  }
  l.log.info("stopped");
}
