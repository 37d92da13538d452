// Failed publishes of a share's own publishers, kept so that `lost` counts only acknowledged messages that never
// arrived (docs/engine.md, "Loss, duplicates, order, redeliveries").
//
// A publish fails when no PubAck came before its deadline (timeout, no responders), the server refused it,
// or the connection closed. Such a message may still have been stored (the ack was lost, or an earlier attempt
// was stored): a consumer then receives it. Each consumer's tracker counts those arrivals (`failedArrived`):
// at failure time when the tracker has already seen the sequence, afterwards when the sequence arrives and is
// in the failed set. The loss of one (consumer, publisher) is then
//   sent - failed - (unique received - failed that arrived)   = acknowledged messages never received.
// Only the error path touches the ledger; a publish that succeeds costs nothing here.
import type { SeqTracker } from "./sequence.ts";

/** Failed sequences remembered per share; beyond it only counts are kept (the rule above becomes a bound). */
export const LEDGER_MAX_SEQS = 1_000_000;

export class FailLedger {
  /** Failed publishes per publisher index. */
  readonly count: Float64Array;
  /** Failed sequences per publisher index (until LEDGER_MAX_SEQS in all). */
  readonly seqs: Set<number>[];
  /** Set when a failed sequence could not be remembered any more. */
  overflow = false;
  #kept = 0;
  /** The trackers of the consumers that receive publisher `pub` (set by the share). */
  trackersOf: (pub: number) => Iterable<SeqTracker> = () => [];

  constructor(publishers: number) {
    this.count = new Float64Array(publishers);
    this.seqs = Array.from({ length: publishers }, () => new Set<number>());
  }

  /** Publisher `pub`'s message `seq` failed for good. */
  fail(pub: number, seq: number): void {
    this.count[pub]! += 1;
    if (this.#kept >= LEDGER_MAX_SEQS) {
      this.overflow = true;
      return;
    }
    this.#kept++;
    this.seqs[pub]!.add(seq);
    for (const t of this.trackersOf(pub)) if (t.has(seq)) t.failedArrived++;
  }
}
