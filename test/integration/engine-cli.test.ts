// `ltctl run` end to end: the seed example scaled down to seconds, run by the built binary.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startServer } from "../harness/index.ts";

function ltctl(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const merged: Record<string, string | undefined> = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
    const p = spawn("./bin/ltctl", args, { env: merged });
    let out = "";
    let err = "";
    p.stdout.on("data", (b) => {
      out += b;
    });
    p.stderr.on("data", (b) => {
      err += b;
    });
    p.on("exit", (code) => resolve({ code, out, err }));
  });
}

test("ltctl run - the seed example scaled down to seconds exits 0 and prints the result table", async () => {
  await using srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "lt-run-"));
  try {
    const seed = JSON.parse(readFileSync("examples/seed.json", "utf8"));
    const spec = seed.load_test_specs[0];
    delete spec.nats_creds_file;
    spec.streams[0].count = 2;
    spec.publishers.count_per_stream = 2;
    spec.publishers.publish_rate_per_second = 100;
    spec.consumers.count_per_stream = 2;
    spec.behavior = { duration_seconds: 3, ramp_up_seconds: 1 };
    const file = join(dir, "seed-small.json");
    writeFileSync(file, JSON.stringify(seed));
    const r = await ltctl(["run", file, "--pod", "t0", "--cleanup"], { NATS_URL: srv.url });
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /load_test_t0 .*· done/);
    assert.match(r.out, /PUBLISHED|published/);
    assert.match(r.out, /end to end\s+[\d,]+\s+[\d.]+/);
    assert.match(r.out, /P99\.99/);
    // 2 streams x 2 publishers x 100/s for 3 s with a 1 s ramp: 4 x (300 - 50) = 1,000 messages.
    const published = Number(/published\s+([\d,]+)/.exec(r.out)?.[1]?.replaceAll(",", ""));
    assert.ok(Math.abs(published - 1000) <= 10, `published ${published}`);
    const lost = Number(/lost\s+([\d,]+)/.exec(r.out)?.[1]?.replaceAll(",", ""));
    assert.equal(lost, 0);

    const bad = await ltctl(["run", file], { NATS_URL: undefined });
    assert.equal(bad.code, 104, `an unset NATS_URL makes the config invalid: ${bad.err}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
