// The active config: watched in KV `<prefix>_config/active` (re-watched from the last revision seen when the
// watch ends), each new run handed to the agent once. A malformed entry is skipped and counted, never fatal.
import type { KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/transport-node";
import {
  ACTIVE_KEY,
  type ConfigEntry,
  ConfigEntrySchema,
  type ControlPlane,
  parseJson,
  parseMessage,
} from "../control/index.ts";
import type { AgentLogger } from "./log.ts";
import { REWATCH_DELAY_MS, sleep } from "./timings.ts";

export interface ConfigWatchContext {
  readonly log: AgentLogger;
  /** Aborted when the agent shuts down. */
  readonly signal: AbortSignal;
  /** The config bucket's name, for logs. */
  readonly bucket: () => string | undefined;
  /** A run this agent does not obey yet. */
  readonly onEntry: (entry: ConfigEntry) => void;
}

export class ConfigWatch {
  readonly #c: ConfigWatchContext;
  #lastRunId = "";
  #malformedEntries = 0;
  #malformedRevision = 0;
  #watcher: QueuedIterator<KvWatchEntry> | undefined;

  constructor(ctx: ConfigWatchContext) {
    this.#c = ctx;
  }

  /** Watches until shutdown, resuming after the last revision seen. */
  async loop(plane: () => ControlPlane | undefined): Promise<void> {
    const { signal, log } = this.#c;
    let resume: number | undefined;
    while (!signal.aborted) {
      const p = plane();
      if (!p) return;
      try {
        const it = await p.config.watch({
          key: ACTIVE_KEY,
          ...(resume !== undefined ? { resumeFromRevision: resume + 1 } : {}),
        });
        this.#watcher = it;
        for await (const e of it) {
          resume = e.revision;
          if (e.operation !== "PUT") continue;
          this.offer(e.string(), e.revision);
        }
      } catch (e) {
        if (!signal.aborted) log.warn("config watch ended, re-watching", { error: e });
      }
      if (!signal.aborted) await sleep(REWATCH_DELAY_MS);
    }
  }

  /** Reads the active entry once (beside the watch, which can miss an update while it re-watches). */
  async recheck(plane: ControlPlane): Promise<void> {
    const e = await plane.config.get(ACTIVE_KEY);
    if (e?.operation === "PUT") this.offer(e.string(), e.revision);
  }

  /** An entry's text at a revision: handed on when it names a run not seen yet. */
  offer(text: string, revision: number): void {
    const entry = parseMessage(ConfigEntrySchema, parseJson(text));
    if (!entry) {
      // Skipped and counted, never fatal (a writer of the bucket may put anything there); logged once per revision.
      if (revision !== this.#malformedRevision) {
        this.#malformedRevision = revision;
        this.#malformedEntries++;
        this.#c.log.warn("ignoring a malformed config entry", {
          bucket: this.#c.bucket(),
          revision,
          bytes: text.length,
          malformed_entries: this.#malformedEntries,
        });
      }
      return;
    }
    if (entry.run_id === this.#lastRunId) return;
    this.#lastRunId = entry.run_id;
    this.#c.onEntry(entry);
  }

  /** The agent switched to this run by command: the watch must not switch to it again. */
  obeying(runId: string): void {
    this.#lastRunId = runId;
  }

  stop(): void {
    this.#watcher?.stop();
  }
}
