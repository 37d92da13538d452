// Local copies of every snapshot, as the seed's `storage` block asks: stdout, a JSON-lines file, or an embedded
// key-value store standing in for Badger. Sinks never throw into the run: the agent logs their failures.
import type { Snapshot } from "../../stats/index.ts";

export interface SnapshotSink {
  /** Human name for logs: `stdout`, `file ./x.log`, `badger ./x.db`. */
  readonly description: string;
  write(s: Snapshot): Promise<void>;
  /** Makes everything written so far durable (called at each step end). */
  sync(): Promise<void>;
  close(): Promise<void>;
}
