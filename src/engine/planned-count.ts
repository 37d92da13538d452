// What the schedule asks of publishers with a `message_count`: each publisher's planned messages, capped at
// its count, so a step's target (and its requested-vs-achieved verdict) never asks for more than the count.
import { plannedMessages } from "./schedule.ts";
import type { ShareSpec } from "./share.ts";

/** Messages the counted publishers of `spec` are asked in the first `t` ms (publishers alike are grouped). */
export function plannedCounted(spec: ShareSpec, t: number): number {
  const groups = new Map<string, { rate: number; count: number; n: number }>();
  for (const p of spec.publishers) {
    if (p.messageCount === undefined || !(p.ratePerSec > 0)) continue;
    const key = `${p.ratePerSec}/${p.messageCount}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { rate: p.ratePerSec, count: p.messageCount, n: 1 });
  }
  let total = 0;
  for (const g of groups.values()) {
    const one = plannedMessages(g.rate, spec.rampUpMs, spec.durationMs, t, spec.shape);
    total += g.n * Math.min(g.count, one);
  }
  return total;
}
