import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { Snapshot } from "../../stats/index.ts";
import type { SnapshotSink } from "./sink.ts";

/** `storage.type: "file"`: JSON lines appended to `path` (created with its folder), fsync'd at each step end. */
export async function fileSink(path: string): Promise<SnapshotSink> {
  await mkdir(dirname(path), { recursive: true });
  const fh: FileHandle = await open(path, "a");
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const p = chain.then(f, f);
    chain = p.catch(() => {});
    return p;
  };
  return {
    description: `file ${path}`,
    write: (s: Snapshot) => serial(() => fh.appendFile(`${JSON.stringify(s)}\n`)),
    sync: () => serial(() => fh.sync()),
    close: () =>
      serial(async () => {
        await fh.sync().catch(() => {});
        await fh.close();
      }),
  };
}
