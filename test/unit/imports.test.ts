// The module map of DESIGN.md and docs/architecture.md, enforced: every import in src/ points downward to a
// module its own may use, and enters another module only through its door (index.ts).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Each module of src/ and the modules it may import (its own files it imports freely). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  measures: [],
  config: ["measures"],
  nats: ["config"],
  stats: ["measures", "config"],
  engine: ["config", "nats", "stats"],
  control: ["config", "nats", "stats"],
  http: ["control", "stats"],
  report: ["stats", "config", "measures"],
  agent: ["engine", "control", "http", "stats", "config"],
  cli: ["control", "report", "stats", "config", "engine"],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

/** Every relative import in `text` (static, `export … from`, `import type`, dynamic `import()`), resolved. */
function importsIn(file: string, text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => resolve(dirname(file), spec));
}

const moduleOf = (path: string) => relative(SRC, path).split(sep)[0]!;

/** Violations of the map in the given files (path and text), as `file -> target: why`. */
function violations(files: readonly { path: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    const from = moduleOf(path);
    for (const target of importsIn(path, text)) {
      const to = moduleOf(target);
      if (to === from) continue;
      const where = `${relative(SRC, path)} -> ${relative(SRC, target)}`;
      if (!(MAY_IMPORT[from] ?? []).includes(to)) out.push(`${where}: ${from} may not import ${to}`);
      else if (relative(join(SRC, to), target) !== "index.ts")
        out.push(`${where}: enter ${to} through its index.ts`);
    }
  }
  return out;
}

test("imports - every module of src/ has a door and a row in the module map", () => {
  const dirs = readdirSync(SRC).filter((d) => statSync(join(SRC, d)).isDirectory());
  assert.deepEqual([...dirs].sort(), Object.keys(MAY_IMPORT).sort());
  for (const d of dirs) assert.ok(statSync(join(SRC, d, "index.ts")).isFile(), `src/${d}/index.ts`);
  for (const m of Object.keys(MAY_IMPORT)) {
    for (const banned of ["cli", "agent"])
      assert.ok(!MAY_IMPORT[m]!.includes(banned), `${m} imports ${banned}`);
  }
});

test("imports - src/ imports only downward, and only through doors", () => {
  const files = tsFiles(SRC).map((path) => ({ path, text: readFileSync(path, "utf8") }));
  assert.ok(files.length > 100, `${files.length} files under src/`);
  assert.deepEqual(violations(files), []);
});

test("imports - the check names an upward import, one around a door, and lets a door import pass", () => {
  const at = (p: string) => join(SRC, p);
  assert.deepEqual(
    violations([
      { path: at("control/x.ts"), text: 'import { runPlan } from "../engine/index.ts";' },
      { path: at("agent/x.ts"), text: 'import type { RunPlan } from "../engine/api.ts";' },
      { path: at("cli/commands/x.ts"), text: 'export { y } from "../../measures/registry.ts";' },
      { path: at("stats/x.ts"), text: 'const m = await import("../report/index.ts");' },
      { path: at("agent/y.ts"), text: 'import { runPlan } from "../engine/index.ts"; import "./z.ts";' },
    ]),
    [
      "control/x.ts -> engine/index.ts: control may not import engine",
      "agent/x.ts -> engine/api.ts: enter engine through its index.ts",
      "cli/commands/x.ts -> measures/registry.ts: cli may not import measures",
      "stats/x.ts -> report/index.ts: stats may not import report",
    ],
  );
});
