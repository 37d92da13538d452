// Where each snapshot goes: the control plane (the outbox), the shim's /metrics (the metrics cache) and the
// run's local storage (the sink). One interface, so the runner hands a snapshot to every output alike.
import type { Snapshot } from "../stats/index.ts";
import type { AgentLogger } from "./log.ts";
import type { SnapshotSink } from "./storage/index.ts";

/** A destination of snapshots. `put` takes them in order and never throws: an output logs its own failures. */
export interface Output {
  put(s: Snapshot): void;
}

/** The latest snapshot, which the HTTP shim serves as /metrics. */
export class MetricsCache implements Output {
  #latest: Snapshot | undefined;

  get latest(): Snapshot | undefined {
    return this.#latest;
  }

  put(s: Snapshot): void {
    this.#latest = s;
  }
}

/**
 * A run's local storage: writes one after another (never blocking the run), made durable at each step's end
 * (a snapshot that is neither running nor starting); failures are logged, the run goes on.
 */
export class SinkOutput implements Output {
  readonly #sink: SnapshotSink;
  readonly #log: AgentLogger;
  #chain: Promise<void> = Promise.resolve();

  constructor(sink: SnapshotSink, log: AgentLogger) {
    this.#sink = sink;
    this.#log = log;
  }

  put(s: Snapshot): void {
    const k = this.#sink;
    const final = s.phase !== "running" && s.phase !== "starting";
    this.#chain = this.#chain
      .then(() => k.write(s))
      .then(() => (final ? k.sync() : undefined))
      .catch((e) => this.#log.warn("local storage write failed", { error: e }));
  }

  /** Waits for every write, then closes the sink. */
  async close(): Promise<void> {
    await this.#chain;
    await this.#sink.close().catch((e) => this.#log.warn("closing local storage failed", { error: e }));
  }
}
