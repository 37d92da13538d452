// Joining the control plane over a connection that reconnects forever: waiting for its buckets and stream,
// seeding the default config when none is active, and saying when the connection drops and returns.
import { readFile } from "node:fs/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { type ControlClient, type ControlPlane, PushRejectedError } from "../control/index.ts";
import type { AgentLogger } from "./log.ts";
import { PLANE_RETRY_MAX_MS, PLANE_RETRY_STEP_MS, sleep } from "./timings.ts";

/** A retry is logged on the first attempt and every this many after, so a long wait does not flood the log. */
const PLANE_RETRY_LOG_EVERY = 10;

/** The control plane once it exists, retried until then; undefined when `signal` aborts first. */
export async function awaitPlane(
  client: ControlClient,
  log: AgentLogger,
  signal: AbortSignal,
): Promise<ControlPlane | undefined> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      return await client.plane();
    } catch (e) {
      if (attempt === 0 || attempt % PLANE_RETRY_LOG_EVERY === 0)
        log.warn("control plane not available yet, retrying", { error: e, attempt });
      await sleep(Math.min(PLANE_RETRY_STEP_MS * (attempt + 1), PLANE_RETRY_MAX_MS));
    }
  }
  return undefined;
}

/** Pushes the default config file as `active` only if no config exists yet; every failure is logged, not thrown. */
export async function seedDefault(
  client: ControlClient,
  file: string,
  pod: string,
  log: AgentLogger,
): Promise<void> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    log.error("cannot read the default config; not seeding", { file, error: e });
    return;
  }
  try {
    const r = await client.push(raw, { pushedBy: `default-config@${pod}`, onlyIfEmpty: true });
    if (r.written) log.info("seeded the active config from the default file", { file, run_id: r.run_id });
    else log.info("a config is already active; default file not used", { file });
  } catch (e) {
    if (e instanceof PushRejectedError)
      log.error("default config is invalid; not seeding", { file, issues: e.issues });
    else log.warn("could not seed the default config", { file, error: e });
  }
}

/** Logs the connection's losses and returns until it closes; `onReconnect` runs at each return. */
export async function watchConnection(
  nc: NatsConnection,
  log: AgentLogger,
  onReconnect: () => void,
): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === "disconnect")
      log.warn("control-plane connection lost; reconnecting", { server: s.server });
    else if (s.type === "reconnect") {
      log.info("control-plane connection restored", { server: s.server });
      onReconnect();
    }
  }
}
