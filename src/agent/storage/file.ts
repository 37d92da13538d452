import { constants } from "node:fs";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { Snapshot } from "../../stats/index.ts";
import type { SnapshotSink } from "./sink.ts";

/** `storage.type: "file"`: JSON lines appended to `path` (created with its folder), fsync'd at each step end. */
export async function fileSink(path: string): Promise<SnapshotSink> {
  await mkdir(dirname(path), { recursive: true });
  // O_NOFOLLOW: a symlink put at the path after the data-directory check is refused (ELOOP), not followed.
  const fh: FileHandle = await open(
    path,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o644,
  );
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
