import { ClassicLevel } from "classic-level";
import type { Snapshot } from "../../stats/index.ts";
import type { SnapshotSink } from "./sink.ts";

/**
 * `storage.type: "badger"`: Badger is Go-only, so snapshots go to an embedded LevelDB (classic-level) at
 * `path`. Key `<run_id>/<pod>/<ts>` (ts = the snapshot's ISO time, so keys sort by run, pod, then time), value =
 * the snapshot JSON. Writes are synced (`sync: true`) at each step end.
 */
export async function levelSink(path: string): Promise<SnapshotSink> {
  const db = new ClassicLevel<string, string>(path, { valueEncoding: "utf8" });
  await db.open();
  return {
    description: `badger (leveldb) ${path}`,
    write: (s: Snapshot) => db.put(snapshotKey(s), JSON.stringify(s)),
    sync: async () => {
      // A synced write flushes the log, and with it every earlier write.
      await db.put("_sync", new Date().toISOString(), { sync: true });
    },
    close: () => db.close(),
  };
}

/** `<run_id>/<pod>/<ts>`, with the phase appended for step finals so a final never overwrites an interval. */
export function snapshotKey(s: Snapshot): string {
  const base = `${s.run_id}/${s.pod}/${s.ts}`;
  return s.phase === "running" || s.phase === "starting" ? base : `${base}/${s.phase}`;
}
