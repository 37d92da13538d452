// The agent's local snapshot storage, chosen by the config's `storage` block.
import type { StorageConfig } from "../../config/index.ts";
import { fileSink } from "./file.ts";
import { levelSink } from "./level.ts";
import type { SnapshotSink } from "./sink.ts";
import { stdoutSink } from "./stdout.ts";

export { confineStorage, DEFAULT_DATA_DIR } from "./confine.ts";
export { snapshotKey } from "./level.ts";
export type { SnapshotSink } from "./sink.ts";

/** Opens the sink of a storage block; `stdout` writes with `writeStdout` (the agent passes process.stdout). */
export async function openSink(
  storage: StorageConfig,
  writeStdout: (line: string) => void,
): Promise<SnapshotSink> {
  switch (storage.type) {
    case "stdout":
      return storage.path === "/dev/stdout" || storage.path === "-"
        ? stdoutSink(writeStdout)
        : fileSink(storage.path);
    case "file":
      return fileSink(storage.path);
    case "badger":
      return levelSink(storage.path);
  }
}
