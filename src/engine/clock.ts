// The engine's clock: epoch milliseconds with sub-millisecond resolution, the time every intended send time,
// ack and arrival is measured in (one process, one clock: end-to-end latency compares like with like).
import { performance } from "node:perf_hooks";

// Read once: `performance.timeOrigin` is a getter, and this runs on every send and every ack
// (docs/performance.md, "Clock").
const ORIGIN = performance.timeOrigin;

/** Epoch ms with sub-ms resolution, the clock of intended times. */
export const nowEpoch = (): number => ORIGIN + performance.now();

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `p`, or a rejection after `ms` (`no answer in <ms> ms`) when it has not settled by then. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
