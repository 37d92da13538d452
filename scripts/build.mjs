#!/usr/bin/env node
// Compiles the tree to dist/ with tsc when it is stale (make build, npm test): bin/ltctl, bin/lt-agent and the
// tests that spawn them run dist/, so `npm test` never runs a stale dist/, and `make test` (which builds first)
// compiles once. `npm run build` always compiles.
//   node scripts/build.mjs --if-stale   compile only when dist/ is stale; say why
// dist/ is stale when a .ts file under src/, test/ or bench/ is newer than its .js in dist/ (tsc writes every
// output on each compile, whoever ran it), when tsconfig.json is newer than the oldest output, or when the last
// compile from here failed (tsc still writes outputs then, but they must not pass for a good build).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FAILED = ".build-failed";
const INPUT_DIRS = ["src", "test", "bench"];

function* sources(root, rel) {
  let entries;
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const child = join(rel, e.name);
    if (e.isDirectory()) yield* sources(root, child);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) yield child;
  }
}

const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Why `root`/dist needs a compile, or undefined when it is up to date. */
export function staleReason(root = ROOT) {
  const dist = join(root, "dist");
  if (existsSync(join(dist, FAILED))) return "the last build failed";
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const dir of INPUT_DIRS) {
    for (const src of sources(root, dir)) {
      const out = mtime(join(dist, src.replace(/\.ts$/, ".js")));
      if (out === undefined) return `${src} was never compiled`;
      if ((mtime(join(root, src)) ?? 0) > out) return `${src} changed since the last build`;
      oldestOutput = Math.min(oldestOutput, out);
    }
  }
  if ((mtime(join(root, "tsconfig.json")) ?? 0) > oldestOutput)
    return "tsconfig.json changed since the last build";
  return undefined;
}

/** Runs tsc on the node running this script; returns its exit status. */
export function compile() {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
  const status = r.status ?? 1;
  const dist = join(ROOT, "dist");
  mkdirSync(dist, { recursive: true });
  if (status === 0) rmSync(join(dist, FAILED), { force: true });
  else writeFileSync(join(dist, FAILED), `tsc exited with ${r.status ?? r.signal}\n`);
  return status;
}

/** Compiles when dist/ is stale, saying why. Returns tsc's exit status (0 when nothing was needed). */
export function buildIfStale() {
  const why = staleReason();
  if (!why) return 0;
  console.error(`build: compiling to dist/ (${why})`);
  const status = compile();
  if (status !== 0) console.error("build: tsc failed (errors above)");
  return status;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(process.argv.includes("--if-stale") ? buildIfStale() : compile());
}
