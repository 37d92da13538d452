// This agent as the fleet sees it: the status it is in, written as its presence entry every heartbeat (KV
// `<prefix>_agents/<pod>`, expiring after a few missed beats), and removed when it leaves.
import {
  type AgentState,
  CONTROL_VERSION,
  type ControlPlane,
  MAX_ERROR_LENGTH,
  type Presence,
  subjectToken,
} from "../control/index.ts";
import type { Mode } from "../stats/index.ts";
import type { AgentLogger } from "./log.ts";
import {
  ACTIVE_RECHECK_BEATS,
  PRESENCE_DELETE_TIMEOUT_MS,
  PRESENCE_PUT_MIN_TIMEOUT_MS,
  sleep,
} from "./timings.ts";

/** What this agent is doing: shown in presence, in control replies and on /status; changed by run switches. */
export interface AgentStatus {
  state: AgentState;
  runId: string;
  spec: string;
  error: string | undefined;
}

export interface PresenceContext {
  readonly pod: string;
  readonly mode: Mode;
  readonly version: string;
  readonly hostname: string;
  readonly heartbeatMs: number;
  readonly startedAt: number;
  readonly incarnation: string;
  readonly status: AgentStatus;
  /** The HTTP shim's port, once it listens. */
  readonly httpPort: () => number | undefined;
  readonly log: AgentLogger;
  /** Every `ACTIVE_RECHECK_BEATS`th beat: compare the active config entry with what the agent obeys. */
  readonly recheck: (plane: ControlPlane) => Promise<void>;
}

export class PresenceBeat {
  readonly #c: PresenceContext;
  #beats = 0;
  #failing = false;

  constructor(ctx: PresenceContext) {
    this.#c = ctx;
  }

  /** The entry as written now. */
  presence(): Presence {
    const c = this.#c;
    const httpPort = c.httpPort();
    return {
      v: CONTROL_VERSION,
      pod: c.pod,
      mode: c.mode,
      state: c.status.state,
      run_id: c.status.runId,
      spec: c.status.spec,
      version: c.version,
      started_at: c.startedAt,
      incarnation: c.incarnation,
      last_seen: Date.now(),
      http: httpPort ? `http://${c.hostname}:${httpPort}` : "",
      heartbeat_ms: c.heartbeatMs,
      ...(c.status.error ? { error: c.status.error.slice(0, MAX_ERROR_LENGTH) } : {}),
    };
  }

  /** Writes presence (and now and then rechecks the active config); a failure is logged once until it heals. */
  async beat(plane: ControlPlane): Promise<void> {
    const c = this.#c;
    this.#beats++;
    try {
      await plane.agents.put(subjectToken(c.pod), JSON.stringify(this.presence()), {
        timeout: Math.max(PRESENCE_PUT_MIN_TIMEOUT_MS, c.heartbeatMs),
      });
      if (this.#failing) c.log.info("presence restored");
      this.#failing = false;
      if (this.#beats % ACTIVE_RECHECK_BEATS === 0) await c.recheck(plane);
    } catch (e) {
      if (!this.#failing) c.log.warn("cannot write presence", { error: e });
      this.#failing = true;
    }
  }

  /** Removes the entry (leaving), without waiting long: the bucket's TTL removes it anyway. */
  async remove(plane: ControlPlane): Promise<void> {
    await Promise.race([
      plane.agents.delete(subjectToken(this.#c.pod)).catch(() => {}),
      sleep(PRESENCE_DELETE_TIMEOUT_MS),
    ]);
  }
}
