// How busy a thread's event loop was while its publishers sent. It tells a load generator that could not keep
// up (its loop busy all the time: sends wait for the CPU) from one held back by the server (its loop mostly
// idle: sends wait for acks or flushes), which send delay alone cannot: both make sends late.
import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { nowEpoch } from "./clock.ts";

export class SendBusy {
  #from: EventLoopUtilization | undefined;
  #timer: NodeJS.Timeout | undefined;
  #share: number | undefined;

  /** Sending starts at `startEpoch` (epoch ms): measured from then, so a start barrier's wait does not count. */
  start(startEpoch: number): void {
    this.#timer = setTimeout(
      () => {
        this.#from = performance.eventLoopUtilization();
      },
      Math.max(0, startEpoch - nowEpoch()),
    );
  }

  /** Sending ended (the schedule is sent, or the step stopped it): the first call fixes the figure. */
  end(): void {
    clearTimeout(this.#timer);
    if (this.#share !== undefined || !this.#from) return;
    this.#share = performance.eventLoopUtilization(this.#from).utilization;
  }

  /** Busy share of the sending time in [0, 1]; undefined before the end or when nothing was sent. */
  get share(): number | undefined {
    return this.#share;
  }
}
