// The interval's histograms of a step's snapshots: each cumulative histogram minus the previous snapshot's.
// Both come from the same fixed-bounds histogram (src/stats), so the difference is exact bucket by bucket: the
// samples recorded between the two snapshots, nothing derived. Done here, once per snapshot off the hot path,
// rather than by recording every sample twice.
import { decodeHistogram, encodeHistogram, type LatencyKind, newHistogram } from "../stats/index.ts";
import { perKind } from "./metrics.ts";

export type EncodedHists = Record<LatencyKind, string>;

export class IntervalHists {
  #prev: EncodedHists | undefined;
  #empty: string | undefined;

  /** The interval's histograms, given this snapshot's cumulative ones; remembers them for the next call. */
  next(cumulative: EncodedHists): EncodedHists {
    const prev = this.#prev;
    this.#prev = cumulative;
    return perKind((kind) => this.#diff(cumulative[kind], prev?.[kind]));
  }

  #diff(cur: string, before: string | undefined): string {
    if (!before) return cur;
    // A share encodes a histogram again only when it recorded something: the same text is an empty interval.
    if (before === cur) return this.#emptyText();
    const h = decodeHistogram(cur);
    const p = decodeHistogram(before);
    // A cumulative histogram never shrinks within a step, except the error path's empty sample: keep it whole.
    if (p.totalCount <= h.totalCount) h.subtract(p);
    p.destroy();
    const text = encodeHistogram(h);
    h.destroy();
    return text;
  }

  #emptyText(): string {
    if (this.#empty === undefined) {
      const h = newHistogram();
      this.#empty = encodeHistogram(h);
      h.destroy();
    }
    return this.#empty;
  }
}
