// Per-publisher sequence tracking on the consumer side, in fixed memory: a ring bitmap of the last
// WINDOW sequences (1 KiB per publisher per consumer), never a set of everything seen.
//
// Rules (docs/engine.md):
// - first delivery of a sequence in the window: counted once (`unique`); below the highest seen: out_of_order.
// - the same sequence again without a redelivery flag: a duplicate.
// - a JetStream redelivery (delivery count > 1): `redelivered`, never a duplicate nor out of order; it still
//   fills its slot if the first delivery never arrived here.
// - a slot that leaves the window unseen is lost for good (`slidLost`); a sequence older than the window
//   arrives too late to tell a duplicate from a late one: counted out_of_order only.
// - the first sequence seen fixes the window's start (0 when it is inside the first window), so a consumer
//   that joins late does not count what came before it as lost.

export const WINDOW_BITS = 8192;
const WORDS = WINDOW_BITS >>> 5;
const MASK = WINDOW_BITS - 1;

export class SeqTracker {
  readonly #bits = new Uint32Array(WORDS);
  /** Lowest sequence still inside the window. */
  base = -1;
  /** Highest sequence seen. */
  hi = -1;
  unique = 0;
  duplicates = 0;
  outOfOrder = 0;
  redelivered = 0;
  /** Slots that left the window without ever being seen. */
  slidLost = 0;
  /** Sequences whose publish failed (a local publisher's, from its FailLedger); undefined for remote ones. */
  failed: ReadonlySet<number> | undefined;
  /** First deliveries of sequences whose publish failed (stored all the same; see ledger.ts). */
  failedArrived = 0;

  /** Records one delivery. Returns true for a first delivery (not a duplicate, not a redelivery). */
  observe(seq: number, redelivery: boolean): boolean {
    if (this.base < 0) this.base = seq < WINDOW_BITS ? 0 : seq;
    if (redelivery) this.redelivered++;
    if (seq < this.base) {
      if (!redelivery) this.outOfOrder++;
      return false;
    }
    if (seq >= this.base + WINDOW_BITS) this.#slide(seq - WINDOW_BITS + 1);
    const i = seq & MASK;
    const w = i >>> 5;
    const b = 1 << (i & 31);
    const seen = (this.#bits[w]! & b) !== 0;
    if (!seen) {
      this.#bits[w]! |= b;
      this.unique++;
      const f = this.failed;
      if (f !== undefined && f.size !== 0 && f.has(seq)) this.failedArrived++;
    }
    if (redelivery) return false;
    if (seen) {
      this.duplicates++;
      return false;
    }
    if (seq < this.hi) this.outOfOrder++;
    else this.hi = seq;
    return true;
  }

  /** Whether `seq` was received; false when unknown (older than the window). */
  has(seq: number): boolean {
    if (this.base < 0 || seq < this.base || seq >= this.base + WINDOW_BITS) return false;
    const i = seq & MASK;
    return (this.#bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Unseen sequences between the window's start and the highest seen (gaps not yet filled). */
  openGaps(): number {
    if (this.hi < 0) return 0;
    let n = 0;
    for (let s = this.base; s <= this.hi; s++) {
      const i = s & MASK;
      if ((this.#bits[i >>> 5]! & (1 << (i & 31))) === 0) n++;
    }
    return n;
  }

  #slide(newBase: number): void {
    // Every slot below the new base is below the sequence just seen, so it was sent: unseen means lost.
    const leaving = newBase - this.base;
    if (leaving >= WINDOW_BITS) {
      let seen = 0;
      for (let w = 0; w < WORDS; w++) {
        seen += popcount(this.#bits[w]!);
        this.#bits[w] = 0;
      }
      this.slidLost += leaving - seen;
    } else {
      for (let s = this.base; s < newBase; s++) {
        const i = s & MASK;
        const w = i >>> 5;
        const b = 1 << (i & 31);
        if ((this.#bits[w]! & b) === 0) this.slidLost++;
        else this.#bits[w]! &= ~b;
      }
    }
    this.base = newBase;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
