// A pushed config says where each agent writes its local copy of the snapshots (`storage.path`); anyone who can
// push a config could otherwise make every pod create and append to any file it may write. Paths are confined
// to the agent's data directory: relative ones are taken from it, anything that leads out (an absolute path
// elsewhere, "..", a symlink inside that points out) is refused naming the field.
import { realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { ConfigIssue, StorageConfig } from "../../config/index.ts";

/** Where an agent keeps local files when `--data-dir` (env LT_DATA_DIR) is not given. */
export const DEFAULT_DATA_DIR = "/var/lib/lt";

/** `stdout` storage with these paths writes to the process's standard output, not a file. */
const STDOUT_PATHS = new Set(["/dev/stdout", "-"]);

/** The storage block with its path resolved inside `dataDir`, or the issue that refuses it. */
export function confineStorage(
  storage: StorageConfig,
  dataDir: string,
): { ok: true; storage: StorageConfig } | { ok: false; issue: ConfigIssue } {
  if (storage.type === "stdout" && STDOUT_PATHS.has(storage.path)) return { ok: true, storage };
  const base = resolve(dataDir);
  const target = resolve(base, storage.path);
  const refuse = (how: string) => ({
    ok: false as const,
    issue: {
      path: "storage.path",
      message: `${storage.path} is outside the agent's data directory ${base}${how} (--data-dir, env LT_DATA_DIR); use a path inside it, e.g. a relative one such as stats.log`,
    },
  });
  if (!inside(base, target)) return refuse("");
  // Symlinks: the deepest part of the path that exists must resolve inside the data directory's real path.
  const realBase = existingReal(base);
  const realTarget = existingReal(target);
  if (realBase !== undefined && realTarget !== undefined && !inside(realBase, realTarget))
    return refuse(" (through a symbolic link)");
  return { ok: true, storage: { ...storage, path: target } };
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** `path` with its deepest existing ancestor's symlinks resolved (the rest appended as written). */
function existingReal(path: string): string | undefined {
  let p = path;
  for (;;) {
    try {
      return join(realpathSync(p), relative(p, path));
    } catch {
      const parent = dirname(p);
      if (parent === p) return undefined;
      p = parent;
    }
  }
}
