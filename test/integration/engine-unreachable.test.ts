// A target no client can reach: the schedule is not thinned out to what the client manages. Every slot not
// sent by the end is counted unsent with its lateness, the result says target vs achieved and who fell behind,
// and memory stays flat however far behind the publisher falls (its backlog is a count, never a buffer).
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTarget, verdict } from "../../src/cli/format/verdict.ts";
import type { Snapshot } from "../../src/stats/index.ts";
import { startServer } from "../harness/index.ts";
import { run } from "./engine-helpers.ts";

const RATE = 5_000_000;
const DURATION_S = 3;

for (const jetstream of [false, true]) {
  const kind = jetstream ? "JetStream" : "core NATS";
  test(`engine - ${kind} at an unreachable 5,000,000 msg/s counts every slot (sent or unsent), says who fell behind, and keeps memory flat`, async (t) => {
    await using srv = await startServer({ jetstream });
    const snaps: Snapshot[] = [];
    const { finals } = await run(
      [
        {
          name: "flood",
          nats_url: srv.url,
          use_jetstream: jetstream,
          client_id_prefix: "lt-flood",
          streams: [
            { name_prefix: "FLOOD", count: 1, replicas: 1, subjects: ["flood.{}"], storage: "memory" },
          ],
          publishers: {
            count_per_stream: 1,
            stream_name_prefix: "FLOOD",
            publish_rate_per_second: RATE,
            publish_pattern: "steady",
            message_size_bytes: 32,
            track_latency: false,
          },
          consumers: {
            stream_name_prefix: "FLOOD",
            type: "pull",
            count_per_stream: 0,
            durable_name_prefix: "flood",
            ack_wait_seconds: 5,
            max_ack_pending: 1000,
            ack_policy: "explicit",
          },
          behavior: { duration_seconds: DURATION_S, ramp_up_seconds: 0 },
        },
      ],
      { onSnapshot: (s: Snapshot) => snaps.push(s) },
    );
    const f = finals[0]!;
    assert.equal(f.phase, "done", JSON.stringify(f.errors));
    const scheduled = RATE * DURATION_S;
    assert.ok((f.unsent ?? 0) > 0, "the slots the client never reached are counted");
    assert.equal(
      f.published + f.unsent!,
      scheduled,
      "published + unsent = scheduled: no slot dropped uncounted",
    );
    // Their lateness is in send_delay: one value per slot, sent or not; the earliest unsent waited most of the run.
    assert.equal(f.latency_ms.send_delay?.count, scheduled);
    assert.ok(
      (f.latency_ms.send_delay?.max ?? 0) > 1000,
      `send_delay max ${f.latency_ms.send_delay?.max} ms`,
    );
    assert.equal(f.target_rate, RATE, "the target is the run's mean ask");
    assert.ok(f.publish_rate < RATE * 0.99);
    const line = verdict(f);
    assert.match(
      line ?? "",
      /^verdict: the (load generator|server|server or the network) fell behind \(/,
      renderTarget(f),
    );
    // Memory: the whole process (test runner and server client included). A buffer of even 8 bytes per unsent
    // slot would add over 100 MB (14 million or more slots); counters, fixed-size histograms and the lane's
    // window do not grow. 64 MB leaves room for the heap's own growth and GC timing between samples.
    const rss = [...snaps.filter((s) => s.phase === "running"), f].map((s) => s.system?.rss_mb ?? 0);
    assert.ok(rss.length >= 3 && rss[0]! > 0, `rss samples ${rss}`);
    const growth = Math.max(...rss) - rss[0]!;
    t.diagnostic(`${renderTarget(f).trim()} | unsent ${f.unsent} | RSS ${rss.join(", ")} MB`);
    assert.ok(growth < 64, `RSS grew ${growth.toFixed(1)} MB after the first second (${rss.join(", ")} MB)`);
  });
}
