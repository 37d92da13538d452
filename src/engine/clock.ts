// The engine's clock: epoch milliseconds with sub-millisecond resolution, the time every intended send time,
// ack and arrival is measured in (one process, one clock: end-to-end latency compares like with like).
import { performance } from "node:perf_hooks";

// Read once: `performance.timeOrigin` is a getter, and this runs on every send and every ack
// (docs/performance.md, "Clock").
const ORIGIN = performance.timeOrigin;

/** Epoch ms with sub-ms resolution, the clock of intended times. */
export const nowEpoch = (): number => ORIGIN + performance.now();
