// The per-interval series `ltctl watch` draws: the run's snapshots as they are published (a core subscription
// on its stats subjects, as the dashboard's feed), after the recent ones read from the stats stream, through
// src/stats' LiveSeries (each snapshot's own interval, a pod once per interval, a lost snapshot a gap).
import type { Subscription } from "@nats-io/transport-node";
import type { ControlClient } from "../../control/index.ts";
import { type LivePoint, LiveSeries, parseSnapshot, type Snapshot } from "../../stats/index.ts";
import { CHART_POINTS } from "../format/interval-chart.ts";

export class WatchSeries {
  readonly #client: ControlClient;
  #series = new LiveSeries({ keep: CHART_POINTS * 2 });
  #sub: Subscription | undefined;
  #run: string | undefined;

  constructor(client: ControlClient) {
    this.#client = client;
  }

  get intervalS(): number | undefined {
    return this.#series.intervalS;
  }

  points(): LivePoint[] {
    return this.#series.points();
  }

  /** Follows `run` (from its recent history on); a new run starts a new series. */
  async follow(run: string | undefined, pods: number): Promise<void> {
    if (run === this.#run) return;
    this.close();
    this.#run = run;
    this.#series = new LiveSeries({ keep: CHART_POINTS * 2 });
    if (run === undefined) return;
    const series = this.#series;
    // Snapshots published while the history is read wait, then follow it in order.
    let early: Snapshot[] | undefined = [];
    this.#sub = this.#client.nc.subscribe(this.#client.names.statsFilter(run), {
      callback: (err, msg) => {
        if (err) return;
        let s: Snapshot | undefined;
        try {
          s = parseSnapshot(msg.json());
        } catch {
          return; // not JSON: skipped, as every reader of the stats subjects does
        }
        if (!s) return;
        if (early) early.push(s);
        else series.add(s);
      },
    });
    try {
      const recent = await this.#client.stats({ run, limit: (CHART_POINTS + 2) * Math.max(1, pods) });
      for (const s of recent.reverse()) series.add(s);
    } catch {
      // No history (the stream is unreachable for now): the chart starts with what arrives.
    }
    for (const s of early) series.add(s);
    early = undefined;
  }

  close(): void {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    this.#series.close();
  }
}
