import type { Snapshot } from "../../stats/index.ts";
import type { SnapshotSink } from "./sink.ts";

/** `storage.type: "stdout"`: one JSON line per snapshot on the agent's standard output. */
export function stdoutSink(write: (line: string) => void): SnapshotSink {
  return {
    description: "stdout",
    write: async (s: Snapshot) => write(`${JSON.stringify(s)}\n`),
    sync: async () => {},
    close: async () => {},
  };
}
