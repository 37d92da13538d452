// The snapshots of one step: its start, the previous snapshot (for interval rates), the interval histograms,
// and what the schedule asked, turned into wire snapshots by buildSnapshot.
import type { PlanStep } from "../config/index.ts";
import type { Phase, Snapshot, StreamStats } from "../stats/index.ts";
import { encodeHistogram, newHistogram } from "../stats/index.ts";
import type { EngineOptions } from "./api.ts";
import { nowEpoch } from "./clock.ts";
import { IntervalHists } from "./interval.ts";
import { perKind, type ShareSample, zeroCounters } from "./metrics.ts";
import { buildSnapshot, type WorkerFigures } from "./snapshot.ts";
import type { SystemSampler } from "./system.ts";

/** A final snapshot's extra: when sending stopped (epoch ms), and how busy the sending threads were. */
export interface FinalFigures {
  readonly sendEnd: number;
  readonly busy?: number;
}

export class StepSnapshots {
  readonly #step: PlanStep;
  readonly #opts: EngineOptions;
  readonly #system: SystemSampler;
  readonly #intervals = new IntervalHists();
  #startEpoch = nowEpoch();
  #prev: { at: number; published: number; consumed: number } | undefined;
  /** Messages the schedule asks in the first `t` ms of the step (undefined until the share is open). */
  #planned: ((t: number) => number) | undefined;

  constructor(step: PlanStep, opts: EngineOptions, system: SystemSampler) {
    this.#step = step;
    this.#opts = opts;
    this.#system = system;
  }

  /** When sending starts (epoch ms; until then, when the step began). */
  get startEpoch(): number {
    return this.#startEpoch;
  }

  /** Sending starts at `startEpoch`; `planned(t)` is what the schedule asks in its first `t` ms. */
  begin(startEpoch: number, planned: (t: number) => number): void {
    this.#startEpoch = startEpoch;
    this.#planned = planned;
  }

  /**
   * A snapshot. Running ones carry the interval's rates (since the previous snapshot); a final one (`final`:
   * when sending stopped, and how busy the sending threads were) carries means over the measured window, from
   * the start until sending ended or the schedule did, whichever came first, so a final says what the step
   * asked and reached, never what its last second did. The target is the count the schedule asked in the same
   * span (ramp included) over its length, so target and achieved compare like for like: a publisher that
   * caught up late in the grace still reached its target; slots never sent (unsent) are what is missing.
   */
  make(
    sample: ShareSample,
    phase: Phase,
    streams?: StreamStats[],
    workers?: WorkerFigures[],
    final?: FinalFigures,
  ): Snapshot {
    const opts = this.#opts;
    const startEpoch = this.#startEpoch;
    const prev = this.#prev;
    const now = nowEpoch();
    const sendEnd = final?.sendEnd;
    const from = sendEnd === undefined ? (prev?.at ?? startEpoch) : startEpoch;
    const to =
      sendEnd === undefined
        ? now
        : Math.max(from, Math.min(sendEnd, startEpoch + this.#step.spec.durationMs));
    const planned = this.#planned;
    const asked = planned ? planned(to - startEpoch) - planned(from - startEpoch) : 0;
    const snap = buildSnapshot(sample, {
      runId: opts.runId,
      pod: opts.pod,
      mode: opts.mode,
      step: this.#step,
      phase,
      now,
      startEpoch,
      // buildSnapshot's rates cover now - prev.at: for a final, the measured window from zero counts.
      prev: sendEnd === undefined ? prev : { at: now - (to - from), published: 0, consumed: 0 },
      targetRate: asked / Math.max(1e-3, (to - from) / 1000),
      system: { ...this.#system.sample(), ...busyFigure(final?.busy) },
      streams,
      workers,
      // Snapshots taken while waiting at the start barrier cover nothing yet (0 s).
      interval: {
        seconds: Math.max(0, now - (prev?.at ?? startEpoch)) / 1000,
        hist: this.#intervals.next(sample.hist),
      },
    });
    if (this.#step.spec.publishers.some((p) => p.closedLoop)) snap.closed_loop = true;
    if (sendEnd !== undefined) snap.window_s = Math.round(to - from) / 1000;
    this.#prev = { at: now, published: snap.published, consumed: snap.consumed };
    return snap;
  }
}

/**
 * `system.send_busy_pct`: how busy the busiest sending thread's event loop was while it sent (SendBusy), so a
 * verdict can tell a saturated load generator from one the server held back.
 */
function busyFigure(busy: number | undefined): Record<string, number> {
  return busy === undefined ? {} : { send_busy_pct: Math.round(busy * 1000) / 10 };
}

/** A sample of nothing: the error snapshot of a step whose share never opened. */
export function emptySample(): ShareSample {
  const h = newHistogram();
  const e = encodeHistogram(h);
  h.destroy();
  return { counters: zeroCounters(), errors: {}, hist: perKind(() => e) };
}
