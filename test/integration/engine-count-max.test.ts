// `publishers.message_count` and `publish_rate_per_second: "max"` (issue 14) on a real nats-server: the
// counts equal the server's own (/jsz stream state, /varz in_msgs), a counted run ends before its duration
// and reports rates over the time it ran, a closed loop says so in its snapshots and in `ltctl run`'s output.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { EXIT } from "../../src/cli/exit-codes.ts";
import { buildRunReport, renderReport } from "../../src/report/index.ts";
import { CLOSED_LOOP_LABEL } from "../../src/stats/index.ts";
import { ltctl } from "../harness/agents.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { nowEpoch, run, smallSpec } from "./engine-helpers.ts";

/** Messages each stream holds, by name, from /jsz. */
async function jszMessages(srv: NatsNode): Promise<Map<string, number>> {
  const jsz = await srv.monitor<{
    account_details?: { stream_detail?: { name: string; state: { messages: number } }[] }[];
  }>("/jsz?streams=true");
  const out = new Map<string, number>();
  for (const a of jsz.account_details ?? [])
    for (const s of a.stream_detail ?? []) out.set(s.name, s.state.messages);
  return out;
}

function sumOf(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

test("engine - message_count: every publisher sends exactly its count, the server holds them all, the step ends early", async () => {
  await using srv = await startServer();
  const spec = smallSpec(srv.url, "cnt", { behavior: { duration_seconds: 60, ramp_up_seconds: 0 } });
  const pubs = spec.publishers as Record<string, unknown>;
  pubs.count_per_stream = 3;
  pubs.publish_rate_per_second = 500;
  pubs.message_count = 250;
  const t0 = nowEpoch();
  const { finals } = await run([spec]);
  const took = (nowEpoch() - t0) / 1000;
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  // 2 streams x 3 publishers x 250.
  assert.equal(f.published, 1500);
  assert.equal(f.acked, 1500);
  assert.equal(f.consumed, 1500);
  assert.equal(f.lost, 0);
  assert.equal(f.unsent, 0);
  const jsz = await jszMessages(srv);
  assert.equal(jsz.get("CNT_1"), 750);
  assert.equal(jsz.get("CNT_2"), 750);
  assert.equal(sumOf(jsz), f.published, "published equals the server's stored count");
  // 250 messages at 500/s take 0.5 s: far from the 60 s duration (generous bound for a busy machine).
  assert.ok(took < 30, `the run took ${took}s of its 60s duration`);
  assert.ok(f.window_s !== undefined && f.window_s < 30, `window_s ${f.window_s}`);
  // Rates over the time it ran, not over duration_seconds: 1500 msgs in ~0.5 s is far above 1500/60 = 25/s.
  assert.ok(f.publish_rate > 500, `publish_rate ${f.publish_rate}`);
  assert.ok((f.target_rate ?? 0) > 500, `target_rate ${f.target_rate}`);
});

test("engine - message_count on worker threads: each worker's publishers stop at their count, exactly", async () => {
  await using srv = await startServer();
  const spec = smallSpec(srv.url, "cntw", { behavior: { duration_seconds: 60, ramp_up_seconds: 0 } });
  const pubs = spec.publishers as Record<string, unknown>;
  pubs.count_per_stream = 2;
  pubs.publish_rate_per_second = "max";
  pubs.message_count = 700;
  const { finals } = await run([spec], { workers: 2 });
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.workers?.length, 2, "the 2 streams ran on 2 threads");
  assert.equal(f.published, 2800);
  assert.equal(f.consumed, 2800);
  assert.equal(sumOf(await jszMessages(srv)), 2800);
});

test("engine - message_count longer than the duration: the duration ends it, late slots are counted unsent", async () => {
  await using srv = await startServer();
  const spec = smallSpec(srv.url, "cntd", { behavior: { duration_seconds: 1, ramp_up_seconds: 0 } });
  const pubs = spec.publishers as Record<string, unknown>;
  pubs.publish_rate_per_second = 100;
  pubs.message_count = 100_000;
  const { finals } = await run([spec]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  // 2 publishers x 100/s x 1 s: every intended slot is either sent or unsent, none beyond the duration.
  assert.equal(f.published + (f.unsent ?? 0), 200);
  assert.equal(sumOf(await jszMessages(srv)), f.acked);
});

test('engine - "max": a closed loop on JetStream says closed_loop, has no target, and its counts are the server\'s', async () => {
  await using srv = await startServer();
  const spec = smallSpec(srv.url, "mx", { behavior: { duration_seconds: 2, ramp_up_seconds: 0 } });
  const pubs = spec.publishers as Record<string, unknown>;
  pubs.publish_rate_per_second = "max";
  const { finals, snaps } = await run([spec]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.closed_loop, true);
  assert.ok(
    snaps.every((s) => s.closed_loop === true),
    "every snapshot says closed_loop",
  );
  assert.ok(f.published > 0);
  assert.equal(f.target_rate, 0, "a closed loop asks no rate");
  assert.equal(f.unsent, 0);
  assert.equal(f.acked, f.published);
  assert.equal(f.consumed, f.published);
  assert.equal(f.lost, 0);
  assert.equal(sumOf(await jszMessages(srv)), f.published);
  // The report names it too: its latency section and the text table.
  const report = buildRunReport([...snaps, ...finals]);
  assert.equal(report.closed_loop, true);
  assert.ok(renderReport(report, "table").includes(CLOSED_LOOP_LABEL));
});

test('engine - "max" with message_count on core NATS: exactly the count, equal to the server\'s in_msgs', async () => {
  await using srv = await startServer();
  const spec = smallSpec(srv.url, "mxc", {
    use_jetstream: false,
    behavior: { duration_seconds: 60, ramp_up_seconds: 0 },
  });
  const pubs = spec.publishers as Record<string, unknown>;
  pubs.publish_rate_per_second = "max";
  pubs.message_count = 5000;
  const before = (await srv.monitor<{ in_msgs: number }>("/varz")).in_msgs;
  const t0 = nowEpoch();
  const { finals } = await run([spec]);
  const f = finals[0]!;
  assert.equal(f.phase, "done");
  assert.equal(f.closed_loop, true);
  assert.equal(f.published, 10_000);
  assert.ok((nowEpoch() - t0) / 1000 < 30, "ended on the count, not the 60 s duration");
  const after = (await srv.monitor<{ in_msgs: number }>("/varz")).in_msgs;
  // in_msgs counts client publishes only (the engine's admin connection publishes nothing on core NATS).
  assert.equal(after - before, f.published);
  assert.equal(f.consumed + f.lost, f.published);
});

test('config - "max" is refused where a rate is shaped or capped, and other strings name the path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lt-count-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const base = smallSpec("nats://127.0.0.1:1", "bad");
  const pubs = base.publishers as Record<string, unknown>;
  const cases: [Record<string, unknown>, string][] = [
    [
      { ...base, publishers: { ...pubs, publish_rate_per_second: "fast" } },
      "publishers.publish_rate_per_second",
    ],
    [
      {
        ...base,
        publishers: { ...pubs, publish_rate_per_second: "max" },
        behavior: { duration_seconds: 2, ramp_up_seconds: 1 },
      },
      "behavior.ramp_up_seconds",
    ],
    [
      { ...base, publishers: { ...pubs, publish_rate_per_second: "max", publish_pattern: "random" } },
      "publishers.publish_pattern",
    ],
    [{ ...base, publishers: { ...pubs, message_count: 0 } }, "publishers.message_count"],
  ];
  for (const [spec, path] of cases) {
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ load_test_specs: [spec] }));
    const r = await ltctl(["validate", file]);
    assert.equal(r.code, EXIT.invalidConfig, r.stderr + r.stdout);
    assert.match(r.stderr + r.stdout, new RegExp(path.replaceAll(".", "\\.").replaceAll("[", "\\[")));
  }
});

test('ltctl run - a closed loop is labelled "closed loop: latency is service time"', async (t) => {
  await using srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "lt-max-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = smallSpec(srv.url, "mxr", { behavior: { duration_seconds: 1, ramp_up_seconds: 0 } });
  const pubs = spec.publishers as Record<string, unknown>;
  pubs.publish_rate_per_second = "max";
  pubs.message_count = 2000;
  const file = join(dir, "max.json");
  writeFileSync(file, JSON.stringify({ load_test_specs: [spec] }));
  const r = await ltctl(["run", file, "--workers", "1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(CLOSED_LOOP_LABEL), r.stdout);
  assert.doesNotMatch(r.stdout + r.stderr, /verdict/);
  assert.match(r.stdout, /published\s+4,000/);
});
