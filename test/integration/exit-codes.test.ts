// The built `ltctl` tells an invalid config (104) from a run that failed its thresholds (99), as k6 does.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { ltctl as runLtctl } from "../harness/agents.ts";
import { startServer } from "../harness/index.ts";
import { smallSpec } from "./engine-helpers.ts";

// Each call runs a short local step; a generous bound so a busy machine does not cut it off.
const RUN_MS = 60_000;
const ltctl = (args: string[]) => runLtctl(args, {}, RUN_MS);

test("exit codes - the constants are distinct and follow k6 for the two a CI gates on", () => {
  const codes = Object.values(EXIT);
  assert.equal(new Set(codes).size, codes.length, "one meaning per code");
  assert.equal(EXIT.thresholdsFailed, 99);
  assert.equal(EXIT.invalidConfig, 104);
});

test("exit codes - bin/ltctl exits 104 on an invalid config and 99 when a run fails its thresholds, 0 when it passes", async () => {
  await using srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "lt-exit-"));
  try {
    const write = (name: string, config: unknown) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(config));
      return file;
    };
    const spec = (name: string) =>
      smallSpec(srv.url, name, { behavior: { duration_seconds: 1, ramp_up_seconds: 0 } });
    const invalid = write("invalid.json", { load_test_specs: [{ ...spec("bad"), streams: "none" }] });
    for (const cmd of ["validate", "run"]) {
      const r = await ltctl([cmd, invalid, "--pod", "p1"]);
      assert.equal(r.code, 104, `ltctl ${cmd}: ${r.stderr}`);
      assert.match(r.stderr, /load_test_specs\[0\]\.streams/);
    }

    const failing = write("failing.json", {
      load_test_specs: [spec("thrfail")],
      thresholds: { "publish_ack.p99_ms": "< 0.000001", lost: "== 0" },
    });
    const failed = await ltctl(["run", failing, "--pod", "p1", "--cleanup"]);
    assert.equal(failed.code, 99, failed.stderr);
    assert.match(failed.stderr, /threshold failed: publish_ack\.p99_ms < 0\.000001 \(measured [\d.]+\)/);

    const passing = write("passing.json", {
      load_test_specs: [spec("thrpass")],
      thresholds: { lost: "== 0" },
    });
    const passed = await ltctl(["run", passing, "--pod", "p1", "--cleanup"]);
    assert.equal(passed.code, 0, passed.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
