// scripts/build.mjs decides whether `npm test` / `make build` must compile before the tests run bin/ scripts
// against dist/: a changed, new or never-compiled source, a changed tsconfig.json, or a failed last compile
// make dist/ stale; an up-to-date dist/ is left alone so `make test` compiles once. Checked on a throwaway tree
// with set file times.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
// @ts-expect-error: a plain .mjs script without type declarations
import { staleReason } from "../../scripts/build.mjs";

const stale = staleReason as (root: string) => string | undefined;
const T0 = 1_700_000_000;

describe("build staleness", () => {
  let root = "";
  const put = (rel: string, at: number) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, "export {};\n");
    utimesSync(p, at, at);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "lt-build-"));
    put("tsconfig.json", T0);
    put("src/a/x.ts", T0);
    put("test/unit/y.test.ts", T0);
    put("dist/src/a/x.js", T0 + 10);
    put("dist/test/unit/y.test.js", T0 + 10);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("build - dist/ with every output newer than its source is up to date", () => {
    assert.equal(stale(root), undefined);
  });

  it("build - a source saved after its output was written makes dist/ stale, naming the file", () => {
    put("test/unit/y.test.ts", T0 + 20);
    assert.match(stale(root) ?? "", /test\/unit\/y\.test\.ts changed/);
  });

  it("build - a new source with no output yet makes dist/ stale", () => {
    put("src/b.ts", T0);
    assert.match(stale(root) ?? "", /src\/b\.ts was never compiled/);
  });

  it("build - a tsconfig.json newer than the oldest output makes dist/ stale", () => {
    put("tsconfig.json", T0 + 20);
    assert.match(stale(root) ?? "", /tsconfig\.json changed/);
  });

  it("build - after a failed compile dist/ is stale even though tsc wrote its outputs", () => {
    put("dist/.build-failed", T0 + 30);
    assert.equal(stale(root), "the last build failed");
  });
});
