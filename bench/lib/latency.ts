// A bare pub→sub pair paced like the engine (open model: message k intended at start + k / rate, sent by a
// timer that sleeps at least 1 ms, as the engine's scheduler does), timing end-to-end latency the same way:
// receive time minus intended send time, into the same HDR histogram. The tool's own latency overhead is
// the engine's figure over this one.
import { connect } from "@nats-io/transport-node";
import type { Percentiles } from "../../src/stats/index.ts";
import { newHistogram, recordMs, summarize } from "../../src/stats/index.ts";

const ORIGIN = performance.timeOrigin;
const nowEpoch = () => ORIGIN + performance.now();

export interface PairResult {
  readonly sent: number;
  readonly received: number;
  readonly e2e: Percentiles;
  readonly sendDelay: Percentiles;
}

export async function barePacedPair(
  url: string,
  o: { subject: string; size: number; rate: number; seconds: number },
): Promise<PairResult> {
  const sc = await connect({ servers: url, name: "bare-lat-sub", noAsyncTraces: true });
  const pc = await connect({ servers: url, name: "bare-lat-pub", noAsyncTraces: true });
  const e2e = newHistogram();
  const sd = newHistogram();
  try {
    let received = 0;
    sc.subscribe(o.subject, {
      callback: (_e, m) => {
        const d = m.data;
        const intended = new DataView(d.buffer, d.byteOffset, 8).getFloat64(0, true);
        recordMs(e2e, nowEpoch() - intended);
        received++;
      },
    });
    await sc.flush();
    const total = Math.floor(o.rate * o.seconds);
    const start = nowEpoch() + 20;
    const interval = 1000 / o.rate;
    let k = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = nowEpoch();
        while (k < total && start + k * interval <= now) {
          const intended = start + k * interval;
          const p = new Uint8Array(o.size);
          new DataView(p.buffer).setFloat64(0, intended, true);
          pc.publish(o.subject, p);
          recordMs(sd, nowEpoch() - intended);
          k++;
        }
        if (k >= total) return resolve();
        const wait = start + k * interval - nowEpoch();
        setTimeout(tick, Math.max(1, Math.floor(wait)));
      };
      tick();
    });
    await pc.flush();
    const deadline = nowEpoch() + 5000;
    while (received < total && nowEpoch() < deadline) await new Promise((r) => setTimeout(r, 10));
    return { sent: k, received, e2e: summarize(e2e), sendDelay: summarize(sd) };
  } finally {
    e2e.destroy();
    sd.destroy();
    await pc.close();
    await sc.close();
  }
}
