// The open-model send schedule of one publisher, as a pure function of time: no timers, no I/O.
//
// Work happens in "operational time" u, counted in messages: the cumulative intended message count N(t) of a
// linear ramp is N(t) = r·t²/(2T) while t < T, then r·T/2 + r·(t − T). Steady sends message k at u = k + phase;
// random draws Poisson arrivals of bursts (u advances by burst · Exp(1)) and sends `burst` messages at one
// instant, so the mean rate stays `ratePerSec` whatever the burst size. The intended send time is N⁻¹(u).

export interface ScheduleOptions {
  /** Target messages per second after the ramp (may be fractional; 0 = never sends). */
  readonly ratePerSec: number;
  readonly pattern: "steady" | "random";
  /** Messages sent at one instant by the random pattern (steady ignores it). @default 1 */
  readonly burstSize: number;
  /** Linear ramp from 0 to the full rate, in ms. */
  readonly rampUpMs: number;
  /** No message is intended at or after this offset, in ms. */
  readonly durationMs: number;
  /** Offset in [0, 1) of a steady publisher's slots, so many publishers do not fire at one instant. */
  readonly phase: number;
  /** Random source in [0, 1); tests pass a seeded one. @default Math.random */
  readonly random?: () => number;
}

export class Schedule {
  readonly #r: number; // messages per ms
  readonly #ramp: number;
  readonly #burst: number;
  readonly #steady: boolean;
  readonly #rand: () => number;
  /** Operational time of the next event. */
  #u: number;
  /** Operational time at the end of the duration: events at u >= this never happen. */
  readonly #uEnd: number;
  /** Intended offset (ms from the step start) of the next event; Infinity when done. */
  nextMs = Number.POSITIVE_INFINITY;
  /** Messages the next event sends (1 for steady, burstSize for random). */
  readonly perEvent: number;

  constructor(o: ScheduleOptions) {
    this.#r = Math.max(0, o.ratePerSec) / 1000;
    this.#ramp = Math.max(0, o.rampUpMs);
    this.#steady = o.pattern !== "random";
    this.#burst = this.#steady ? 1 : Math.max(1, Math.floor(o.burstSize || 1));
    this.perEvent = this.#burst;
    this.#rand = o.random ?? Math.random;
    this.#uEnd = this.#r > 0 ? this.uAt(o.durationMs) : 0;
    this.#u = this.#steady ? o.phase : this.#burst * this.#exp();
    this.#settle();
  }

  /** Cumulative intended messages N(t) at offset t ms. */
  uAt(t: number): number {
    const r = this.#r;
    const T = this.#ramp;
    if (t <= 0) return 0;
    if (t < T) return (r * t * t) / (2 * T);
    return (r * T) / 2 + r * (t - T);
  }

  /** Offset in ms at which N reaches u (N⁻¹). */
  msAt(u: number): number {
    const r = this.#r;
    const T = this.#ramp;
    if (u <= 0) return 0;
    if (u < (r * T) / 2) return Math.sqrt((2 * T * u) / r);
    return T + (u - (r * T) / 2) / r;
  }

  /** Moves to the event after the current one. */
  advance(): void {
    this.#u += this.#steady ? 1 : this.#burst * this.#exp();
    this.#settle();
  }

  /**
   * Skips every event intended before offset `t` ms (the client fell too far behind) and returns how many
   * messages those events would have sent: exact for steady, the expected count for random.
   */
  skipTo(t: number): number {
    if (!Number.isFinite(this.nextMs) || t <= this.nextMs) return 0;
    const target = Math.min(this.uAt(t), this.#uEnd);
    let missed: number;
    if (this.#steady) {
      const k = Math.max(1, Math.ceil(target - this.#u));
      missed = k;
      this.#u += k;
    } else {
      missed = Math.max(this.#burst, Math.round(target - this.#u));
      this.#u = target + this.#burst * this.#exp();
    }
    this.#settle();
    return missed;
  }

  /** Messages of the events not yet sent before the end (counted as missed when a step stops early or stalls). */
  remaining(): number {
    if (!Number.isFinite(this.nextMs)) return 0;
    if (this.#steady) return Math.max(0, Math.ceil(this.#uEnd - this.#u));
    return Math.max(this.#burst, Math.round(this.#uEnd - this.#u));
  }

  #settle(): void {
    this.nextMs = this.#r > 0 && this.#u < this.#uEnd ? this.msAt(this.#u) : Number.POSITIVE_INFINITY;
  }

  #exp(): number {
    return -Math.log(1 - this.#rand());
  }
}

/** A small seeded PRNG (mulberry32) for reproducible random schedules in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
