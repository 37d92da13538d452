// Draws keys 0 .. count-1 of a key space: uniformly, or Zipf-skewed (key k with weight 1 / (k + 1)^s). Zipf uses
// rejection-inversion sampling (Hörmann and Derflinger, 1996; as Apache Commons' RejectionInversionZipfSampler):
// O(1) memory and time per draw whatever the count, so ten million keys cost no table.

export interface KeySpaceOptions {
  readonly count: number;
  readonly distribution: "uniform" | "zipf";
  /** Zipf's s (> 0; 0 draws uniformly). */
  readonly exponent?: number;
  /** Random source in [0, 1); tests pass a seeded one. @default Math.random */
  readonly random?: () => number;
}

/** Below this |x| the series of log1p(x)/x and expm1(x)/x are exact enough and avoid 0/0. */
const SERIES_BELOW = 1e-8;

export class KeySpace {
  readonly count: number;
  readonly #rand: () => number;
  readonly #zipf: Zipf | undefined;

  constructor(o: KeySpaceOptions) {
    this.count = Math.max(1, Math.floor(o.count));
    this.#rand = o.random ?? Math.random;
    const s = o.exponent ?? 1;
    this.#zipf = o.distribution === "zipf" && s > 0 && this.count > 1 ? new Zipf(this.count, s) : undefined;
  }

  /** The next key, in [0, count). */
  next(): number {
    if (this.#zipf) return this.#zipf.sample(this.#rand) - 1;
    return Math.min(this.count - 1, Math.floor(this.#rand() * this.count));
  }
}

/** Zipf over 1..n with exponent s by rejection-inversion. */
class Zipf {
  readonly #n: number;
  readonly #s: number;
  readonly #hX1: number;
  readonly #hN: number;
  readonly #cut: number;

  constructor(n: number, s: number) {
    this.#n = n;
    this.#s = s;
    this.#hX1 = this.#hIntegral(1.5) - 1;
    this.#hN = this.#hIntegral(n + 0.5);
    this.#cut = 2 - this.#hIntegralInverse(this.#hIntegral(2.5) - this.#h(2));
  }

  sample(rand: () => number): number {
    for (;;) {
      const u = this.#hN + rand() * (this.#hX1 - this.#hN);
      const x = this.#hIntegralInverse(u);
      const k = Math.min(this.#n, Math.max(1, Math.floor(x + 0.5)));
      if (k - x <= this.#cut || u >= this.#hIntegral(k + 0.5) - this.#h(k)) return k;
    }
  }

  #h(x: number): number {
    return Math.exp(-this.#s * Math.log(x));
  }

  #hIntegral(x: number): number {
    const lx = Math.log(x);
    return expm1Over((1 - this.#s) * lx) * lx;
  }

  #hIntegralInverse(x: number): number {
    const t = Math.max(-1, x * (1 - this.#s));
    return Math.exp(log1pOver(t) * x);
  }
}

function log1pOver(x: number): number {
  return Math.abs(x) > SERIES_BELOW ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

function expm1Over(x: number): number {
  return Math.abs(x) > SERIES_BELOW ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}
