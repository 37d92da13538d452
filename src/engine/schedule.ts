// The open-model send schedule of one publisher, as a pure function of time: no timers, no I/O.
//
// Work happens in "operational time" u, counted in messages: the cumulative intended message count N(t) is the
// integral of the rate, a piecewise-linear curve (the seed's ramp, or `behavior.stages`): within a segment
// starting at t₀ with share f₀ and slope s, N(t) = N(t₀) + r·(f₀·Δ + s·Δ²/2), Δ = t − t₀, so a linear ramp of
// T ms gives N(t) = r·t²/(2T) while t < T, then r·T/2 + r·(t − T). Steady sends message k at u = k + phase;
// random draws Poisson arrivals of bursts (u advances by burst · Exp(1)) and sends `burst` messages at one
// instant, so the mean rate stays `ratePerSec` whatever the burst size. The intended send time is N⁻¹(u),
// solved exactly per segment (a quadratic), so stages keep the ramp's exactness.
import { rampShape, type ShapePoint } from "../config/index.ts";

/**
 * Unsent messages are handed out in groups whose intended times differ by at most this share of their
 * lateness: the HDR histograms keep three significant digits (0.1%), so a group lands in about one bucket.
 */
const UNSENT_GROUP_REL = 0.001;
/** ... and by at most this many ms when they are barely late (sub-ms precision there is not worth the calls). */
const UNSENT_GROUP_MIN_MS = 1;

export interface ScheduleOptions {
  /** Target messages per second after the ramp (may be fractional; 0 = never sends). */
  readonly ratePerSec: number;
  readonly pattern: "steady" | "random";
  /** Messages sent at one instant by the random pattern (steady ignores it). @default 1 */
  readonly burstSize: number;
  /** Linear ramp from 0 to the full rate, in ms (ignored when `shape` is given). */
  readonly rampUpMs: number;
  /** The load shape (`behavior.stages`): shares of `ratePerSec` over time; absent = the ramp. */
  readonly shape?: readonly ShapePoint[];
  /** No message is intended at or after this offset, in ms. */
  readonly durationMs: number;
  /** Offset in [0, 1) of a steady publisher's slots, so many publishers do not fire at one instant. */
  readonly phase: number;
  /** Random source in [0, 1); tests pass a seeded one. @default Math.random */
  readonly random?: () => number;
  /** `publishers.message_count`: the schedule ends after this many messages (or at durationMs). @default Infinity */
  readonly maxMessages?: number;
}

/** The step's timing an operation schedule follows (the ramp, or the stages' shape, as the publishers'). */
export interface WorkloadTiming {
  readonly durationMs: number;
  readonly rampUpMs: number;
  readonly shape?: readonly ShapePoint[];
}

/** A steady open-model schedule of `ratePerSec` operations (requests, KV and object operations) over `t`. */
export function steadySchedule(ratePerSec: number, t: WorkloadTiming, phase: number): Schedule {
  return new Schedule({
    ratePerSec,
    pattern: "steady",
    burstSize: 1,
    rampUpMs: t.rampUpMs,
    ...(t.shape === undefined ? {} : { shape: t.shape }),
    durationMs: t.durationMs,
    phase,
  });
}

export class Schedule {
  readonly #r: number; // messages per ms
  readonly #curve: Curve;
  readonly #burst: number;
  readonly #steady: boolean;
  readonly #rand: () => number;
  /** Operational time of the next event. */
  #u: number;
  /** Operational time at the end of the duration: events at u >= this never happen. */
  readonly #uEnd: number;
  /** Intended offset (ms from the step start) of the next event; Infinity when done. */
  nextMs = Number.POSITIVE_INFINITY;
  /** Messages of the events before the next one (counted against maxMessages). */
  #given = 0;
  readonly #max: number;

  constructor(o: ScheduleOptions) {
    this.#r = Math.max(0, o.ratePerSec) / 1000;
    this.#curve = new Curve(this.#r, o.shape ?? rampShape(Math.max(0, o.rampUpMs)));
    this.#steady = o.pattern !== "random";
    this.#burst = this.#steady ? 1 : Math.max(1, Math.floor(o.burstSize || 1));
    this.#max = o.maxMessages ?? Number.POSITIVE_INFINITY;
    this.#rand = o.random ?? Math.random;
    this.#uEnd = this.#r > 0 ? this.uAt(o.durationMs) : 0;
    this.#u = this.#steady ? o.phase : this.#burst * this.#exp();
    this.#settle();
  }

  /** Messages the next event sends (1 for steady, burstSize for random; fewer when maxMessages ends it). */
  get perEvent(): number {
    return Math.min(this.#burst, this.#max - this.#given);
  }

  /** Cumulative intended messages N(t) at offset t ms. */
  uAt(t: number): number {
    return this.#curve.at(t);
  }

  /** Offset in ms at which N reaches u (N⁻¹). */
  msAt(u: number): number {
    return this.#curve.inverse(u);
  }

  /** Moves to the event after the current one. */
  advance(): void {
    this.#given += this.perEvent;
    this.#u += this.#steady ? 1 : this.#burst * this.#exp();
    this.#settle();
  }

  /**
   * Ends the schedule at offset `t` ms (the step stopped sending) and returns how many messages of the events
   * intended before `t` were never sent: exact for steady, the expected count for random (the next event's
   * burst plus one message per unit of operational time up to `t`). Events intended at or after `t` are not
   * counted: they were never due. `late(ms, count)` receives how late those unsent messages are at `t`,
   * `count` messages at a time whose intended times lie within UNSENT_GROUP_REL of their lateness (or
   * UNSENT_GROUP_MIN_MS): a bounded number of calls (about 10,000 for an hour behind), never one per slot,
   * so a publisher millions of slots behind costs no memory and little time.
   */
  unsentBefore(t: number, late: (ms: number, count: number) => void): number {
    const next = this.nextMs;
    this.nextMs = Number.POSITIVE_INFINITY;
    if (!Number.isFinite(next) || t <= next) return 0;
    const u0 = this.#u;
    const target = Math.min(this.uAt(t), this.#uEnd);
    const n = Math.min(
      this.#max - this.#given,
      this.#steady ? Math.max(1, Math.ceil(target - u0)) : this.#burst + Math.max(0, Math.round(target - u0)),
    );
    // Steady messages sit one unit of operational time apart; random ones are spread evenly from the next
    // event to `t` (their expected density: one message per unit).
    const step = this.#steady ? 1 : Math.max(0, target - u0) / n;
    const uOf = (j: number) => u0 + j * step;
    for (let j = 0; j < n; ) {
      const at = this.msAt(uOf(j));
      const width = Math.max(UNSENT_GROUP_MIN_MS, (t - at) * UNSENT_GROUP_REL);
      const g =
        step > 0 ? Math.min(n - j, Math.max(1, Math.ceil((this.uAt(at + width) - uOf(j)) / step))) : n;
      late(t - this.msAt(uOf(j + (g - 1) / 2)), g);
      j += g;
    }
    return n;
  }

  #settle(): void {
    this.nextMs =
      this.#r > 0 && this.#u < this.#uEnd && this.#given < this.#max
        ? this.msAt(this.#u)
        : Number.POSITIVE_INFINITY;
  }

  #exp(): number {
    return -Math.log(1 - this.#rand());
  }
}

/**
 * N(t) of a piecewise-linear rate `r` x shape (messages per ms), and its inverse. The shape's points start at
 * 0 ms; two points at one instant are a jump; the last point's share holds for ever.
 */
class Curve {
  readonly #ms: number[];
  readonly #f: number[];
  /** Slope of the share in segment i (per ms); 0 for the last one and for jumps. */
  readonly #slope: number[];
  /** N at each point. */
  readonly #n: number[];
  readonly #r: number;
  /** Segment of the last inverse: sends ask for rising u, so the search starts there. */
  #seg = 0;

  constructor(r: number, shape: readonly ShapePoint[]) {
    const pts = shape.length > 0 && shape[0]!.ms <= 0 ? shape : [{ ms: 0, factor: 0 }, ...shape];
    this.#r = r;
    this.#ms = pts.map((p, i) => (i === 0 ? 0 : p.ms));
    this.#f = pts.map((p) => Math.max(0, p.factor));
    this.#slope = this.#ms.map((m, i) => {
      const len = (this.#ms[i + 1] ?? m) - m;
      return len > 0 ? (this.#f[i + 1]! - this.#f[i]!) / len : 0;
    });
    this.#n = [0];
    for (let i = 1; i < this.#ms.length; i++)
      this.#n.push(this.#within(i - 1, this.#ms[i]! - this.#ms[i - 1]!));
  }

  /** N at `d` ms into segment i. */
  #within(i: number, d: number): number {
    return this.#n[i]! + this.#r * (this.#f[i]! * d + (this.#slope[i]! * d * d) / 2);
  }

  at(t: number): number {
    if (t <= 0) return 0;
    let i = this.#ms.length - 1;
    while (i > 0 && this.#ms[i]! > t) i--;
    return this.#within(i, t - this.#ms[i]!);
  }

  /** The first offset at which N reaches u (Infinity when it never does). */
  inverse(u: number): number {
    if (u <= 0) return 0;
    const n = this.#n;
    const last = n.length - 1;
    let i = this.#seg;
    if (!(n[i]! < u)) i = 0;
    while (i < last && n[i + 1]! < u) i++;
    this.#seg = i;
    const c = u - n[i]!;
    const a = (this.#r * this.#slope[i]!) / 2;
    const b = this.#r * this.#f[i]!;
    // Δ solving a·Δ² + b·Δ = c, in the form that stays exact when a is 0 or tiny (no cancellation).
    const root = Math.sqrt(Math.max(0, b * b + 4 * a * c));
    let d = b + root > 0 ? (2 * c) / (b + root) : Number.POSITIVE_INFINITY;
    if (i < last) d = Math.min(d, this.#ms[i + 1]! - this.#ms[i]!);
    return this.#ms[i]! + d;
  }
}

/**
 * Messages asked of publishers totalling `ratePerSec` in the first `t` ms of a step (ramp or stages included,
 * none at or after `durationMs`): the target as a count, so a mean target rate over any window is exact for
 * every shape.
 */
export function plannedMessages(
  ratePerSec: number,
  rampUpMs: number,
  durationMs: number,
  t: number,
  shape?: readonly ShapePoint[],
): number {
  const curve = new Curve(Math.max(0, ratePerSec) / 1000, shape ?? rampShape(Math.max(0, rampUpMs)));
  return curve.at(Math.min(t, durationMs));
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
