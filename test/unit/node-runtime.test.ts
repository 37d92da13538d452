// The tests run on the supported runtime (Node 24 LTS, package.json's engines), and so do the children they
// start: tests spawn process.execPath, but some start bin/ltctl and bin/lt-agent through their
// `#!/usr/bin/env node`, which finds whatever node is first on PATH. make and .ci/run put Node 24 there
// (scripts/install-node.sh) so those children cannot fall back to an older system node.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = new URL("../../", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const major = (v: string) => Number(/(\d+)/.exec(v)?.[1]);

test("node runtime - the tests run on a Node that package.json's engines accept (make test puts Node 24 first on PATH)", () => {
  const min = /^>=\s*(\d+)$/.exec(pkg.engines.node);
  assert.ok(min, `engines.node is a plain lower bound: ${pkg.engines.node}`);
  assert.ok(
    major(process.version) >= Number(min[1]),
    `running on Node ${process.version}, engines say ${pkg.engines.node}: run make test, or put scripts/install-node.sh --path first on PATH`,
  );
});

test("node runtime - a bin/ script started through its shebang runs on the test runner's Node", () => {
  const shebangs = readdirSync(join(ROOT, "bin")).map(
    (b) => [b, readFileSync(join(ROOT, "bin", b), "utf8").split("\n")[0]] as const,
  );
  assert.ok(shebangs.length >= 2, "bin/ has ltctl and lt-agent");
  for (const [b, line] of shebangs) assert.equal(line, "#!/usr/bin/env node", `bin/${b}`);
  // A script with the same first line, run the way the kernel runs bin/ltctl, reports the node it got.
  const dir = mkdtempSync(join(tmpdir(), "lt-shebang-"));
  try {
    const script = join(dir, "which-node");
    writeFileSync(script, `${shebangs[0]![1]}\nconsole.log(process.version);\n`);
    chmodSync(script, 0o755);
    const r = spawnSync(script, [], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      process.version,
      "the node first on PATH is not the one running the tests: bin/ children would run another Node",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
