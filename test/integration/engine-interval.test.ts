// Per-interval histograms of a real run: every snapshot carries the samples of its own interval, and the
// intervals of a step add up, bucket by bucket, to the step's cumulative histograms.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LATENCY_KINDS, mergeEncoded, summarize } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { run, smallSpec } from "./engine-helpers.ts";

test("engine - a step's interval histograms add up to its cumulative ones, and each covers its own interval", async () => {
  const server = await startServer();
  try {
    const { snaps, finals } = await run([
      smallSpec(server.url, "ivl", { behavior: { duration_seconds: 3, ramp_up_seconds: 0 } }),
    ]);
    const final = finals[0]!;
    assert.equal(final.phase, "done");
    assert.ok(snaps.length >= 3, `snapshots: ${snaps.length}`);
    for (const s of snaps) {
      assert.ok(s.hist_interval, "every snapshot carries its interval's histograms");
      assert.ok(typeof s.interval_s === "number" && s.interval_s >= 0);
    }
    // The intervals tile the step: their lengths add up to the final's elapsed time (rounding aside).
    const covered = snaps.reduce((t, s) => t + (s.interval_s ?? 0), 0);
    assert.ok(
      Math.abs(covered - final.elapsed_s) < 0.05 * snaps.length + 0.1,
      `${covered} vs ${final.elapsed_s}`,
    );
    for (const kind of LATENCY_KINDS) {
      const merged = mergeEncoded(snaps.map((s) => s.hist_interval?.[kind]));
      const whole = mergeEncoded([final.hist[kind]]);
      assert.deepEqual(
        summarize(merged),
        summarize(whole),
        `${kind}: intervals merge to the cumulative histogram`,
      );
      merged.destroy();
      whole.destroy();
    }
    assert.ok(final.latency_ms.publish_ack.count > 500, "samples were taken");
  } finally {
    await server.stop();
  }
});
