// The agent's local storage stays inside its data directory (src/agent/storage/confine.ts): relative paths are
// taken from it, anything leading out is refused naming storage.path and --data-dir.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { confineStorage } from "../../src/agent/index.ts";

const root = mkdtempSync(join(tmpdir(), "lt-confine-unit-"));
after(() => rmSync(root, { recursive: true, force: true }));
const data = join(root, "data");
mkdirSync(join(data, "sub"), { recursive: true });
mkdirSync(join(root, "out"));
symlinkSync(join(root, "out"), join(data, "away"));
symlinkSync(join(data, "sub"), join(data, "near"));

describe("agent - storage confined to --data-dir", () => {
  it("agent - relative and inside paths resolve inside the data directory", () => {
    for (const [path, want] of [
      ["stats.log", join(data, "stats.log")],
      ["./a/b.db", join(data, "a", "b.db")],
      [join(data, "x.log"), join(data, "x.log")],
      ["near/y.log", join(data, "near", "y.log")],
      ["sub/../z.log", join(data, "z.log")],
    ] as const) {
      const r = confineStorage({ type: "file", path }, data);
      assert.ok(r.ok, `${path}: ${JSON.stringify(r)}`);
      assert.equal(r.storage.path, want);
    }
  });

  it("agent - absolute, .. and symlinked paths leading out are refused naming storage.path and --data-dir", () => {
    for (const path of [
      "/etc/passwd",
      "../x.log",
      "a/../../x.log",
      "away/x.log",
      data,
      `${data}-sibling/x`,
    ]) {
      for (const type of ["file", "badger", "stdout"] as const) {
        const r = confineStorage({ type, path }, data);
        assert.equal(r.ok, false, `${type} ${path} was allowed`);
        if (!r.ok) {
          assert.equal(r.issue.path, "storage.path");
          assert.match(r.issue.message, /outside the agent's data directory .*--data-dir/);
        }
      }
    }
  });

  it("agent - stdout storage on /dev/stdout or - writes no file and needs no confinement", () => {
    for (const path of ["/dev/stdout", "-"])
      assert.deepEqual(confineStorage({ type: "stdout", path }, data), {
        ok: true,
        storage: { type: "stdout", path },
      });
  });
});
