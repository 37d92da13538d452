// GET /stats and GET /api/v1/stats: the heavy reads of the shim (up to 1,000 snapshots from the stats stream,
// parsed, redacted, serialized). A gate runs a few at once and queues a bounded number, so a crowd of clients
// cannot pin the agent's CPU or starve its control-plane connection; beyond the queue a client gets 503 and
// Retry-After. Malformed snapshots are skipped, counted and named (subject and sequence) in the answer.
import type { ServerResponse } from "node:http";
import { formatSkipped, redactSecrets, type SkippedSnapshot, safeAggregate } from "../control/index.ts";
import { latestPerPod, type Snapshot } from "../stats/index.ts";
import { HttpError } from "./body.ts";
import type { HttpContext, HttpLimits } from "./context.ts";
import { toOriginalRecord } from "./original-record.ts";
import { json } from "./respond.ts";

/**
 * Stats reads running at once. Each one makes a few JetStream API calls and parses up to 1,000 snapshots; two
 * keep the shim busy on a 2-core pod while leaving the event loop free for control messages in between.
 */
const CONCURRENT_READS = 2;
/** Reads waiting for a turn; more are refused with 503 (a client retries, a crowd does not pile up). */
const QUEUED_READS = 32;
/** Warnings listed in an answer (the count says how many there were). */
const MAX_WARNINGS = 20;

export class StatsRoutes {
  readonly #ctx: HttpContext;
  readonly #limits: HttpLimits;
  #running = 0;
  readonly #waiting: Array<{ go: () => void; fail: (e: Error) => void }> = [];
  #closed = false;

  constructor(ctx: HttpContext, limits: HttpLimits) {
    this.#ctx = ctx;
    this.#limits = limits;
  }

  /** `GET /stats`: the original's records, newest first; `x-lt-skipped` counts malformed snapshots left out. */
  async original(res: ServerResponse, url: URL): Promise<void> {
    const { snapshots, skipped } = await this.#read(url);
    const records = snapshots.map((s) => redactSecrets(toOriginalRecord(s)));
    json(res, 200, records, { "x-lt-skipped": String(skipped.length) });
  }

  /** `GET /api/v1/stats`: full snapshots, the cluster total, and the malformed ones skipped. */
  async full(res: ServerResponse, url: URL): Promise<void> {
    const { snapshots, skipped } = await this.#read(url);
    const { total, dropped } = safeAggregate(latestPerPod(snapshots), (s) => skipped.push(s));
    const shown = dropped.size === 0 ? snapshots : snapshots.filter((s) => !dropped.has(s));
    const cluster = total ?? null;
    json(
      res,
      200,
      redactSecrets({
        snapshots: shown,
        cluster,
        skipped: skipped.length,
        warnings: skipped.slice(0, MAX_WARNINGS).map(formatSkipped),
      }),
      { "x-lt-skipped": String(skipped.length) },
    );
  }

  /** Refuses every waiting read (the shim is closing); running ones finish on their own. */
  close(): void {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w.fail(new HttpError(503, "the agent is shutting down"));
  }

  async #read(url: URL): Promise<{ snapshots: Snapshot[]; skipped: SkippedSnapshot[] }> {
    const q = statsQuery(url, this.#limits);
    await this.#turn();
    try {
      const skipped: SkippedSnapshot[] = [];
      const snapshots = await this.#ctx.client.stats({ ...q, onSkip: (s) => skipped.push(s) });
      if (skipped.length > 0) {
        this.#ctx.log.warn("http: skipped malformed snapshots", {
          skipped: skipped.length,
          first: skipped.slice(0, 3).map(formatSkipped),
        });
      }
      return { snapshots, skipped };
    } finally {
      this.#running--;
      this.#waiting.shift()?.go();
    }
  }

  #turn(): Promise<void> {
    if (this.#closed) return Promise.reject(new HttpError(503, "the agent is shutting down"));
    if (this.#running < CONCURRENT_READS) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= QUEUED_READS) {
      return Promise.reject(new HttpError(503, "too many stats reads at once; retry in a moment"));
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({
        go: () => {
          this.#running++;
          resolve();
        },
        fail: reject,
      });
    });
  }
}

export function statsQuery(url: URL, limits: HttpLimits): { limit: number; pod?: string; run?: string } {
  const raw = url.searchParams.get("limit");
  const limit = raw === null || raw === "" ? 10 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxStatsLimit) {
    throw new HttpError(
      400,
      `limit must be an integer from 1 to ${limits.maxStatsLimit}, got '${raw?.slice(0, 32)}'`,
      [{ path: "limit", message: `expected 1..${limits.maxStatsLimit}` }],
    );
  }
  const pod = url.searchParams.get("pod") || undefined;
  const run = url.searchParams.get("run") || undefined;
  return { limit, ...(pod ? { pod } : {}), ...(run ? { run } : {}) };
}
