// The stall of a stream-leader kill on a three-node cluster, against the open-model schedule: every slot due
// while the stream had no leader is sent (retried through the election, never skipped), and the wait shows
// in publish_ack as it does for a frozen server (engine-stall.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Snapshot } from "../../src/stats/index.ts";
import { startCluster } from "../harness/index.ts";
import { countAbove, nowEpoch, run } from "./engine-helpers.ts";

const RATE = 200;
const DURATION_S = 24;
/** The kill comes ~4 s in (3 s after the first snapshot), so the election (2-9 s) ends well before the run. */
const KILL_AFTER_FIRST_SNAPSHOT_MS = 3000;
/**
 * After the new leader answers, publishes caught in the election still wait for their next attempt: an attempt
 * unanswered for 2 s is sent again after 250 ms, and the publish connection may first reconnect (the victim may
 * have been its server). So slots up to 2.5 s + 1 s past the election may wait over STALLED_MS too.
 */
const AFTER_ELECTION_MS = 3500;
/**
 * How much longer the election may look from the test than from the publishes: the test's stream-info poll
 * (every 100 ms, each request waiting up to its 1 s timeout while there is no leader, and needing the meta
 * leader too, which may have died with the stream leader) sees the new leader later than a publish does.
 * Seen: 0.8-1.0 s (polled 6.6 s and 5.5 s, the longest publish_ack 5.8 s and 4.6 s).
 */
const WATCH_LATE_MS = 2000;
/** The wait that counts as "showing the stall": far above a healthy ack (ms), below any election (seconds). */
const STALLED_MS = 1000;

test("engine - a killed R3 stream leader: every slot of the election is sent late, none skipped, and the wait shows in publish_ack", async (t) => {
  await using cluster = await startCluster(3);
  const watcher = await connect({ servers: cluster.urls.split(","), maxReconnectAttempts: -1 });
  t.after(() => watcher.close().catch(() => {}));
  const jsm = await jetstreamManager(watcher, { timeout: 1000 });
  let killAt = 0;
  let backAt = 0;
  let killed: Promise<void> | undefined;
  const { finals } = await run(
    [
      {
        name: "fo",
        nats_url: cluster.urls,
        use_jetstream: true,
        client_id_prefix: "lt-fo",
        streams: [{ name_prefix: "FO", count: 1, replicas: 3, subjects: ["fo.{}"], storage: "file" }],
        publishers: {
          count_per_stream: 1,
          stream_name_prefix: "FO",
          publish_rate_per_second: RATE,
          publish_pattern: "steady",
          message_size_bytes: 64,
          track_latency: true,
        },
        consumers: {
          stream_name_prefix: "FO",
          type: "pull",
          count_per_stream: 1,
          durable_name_prefix: "fo",
          ack_wait_seconds: 30,
          max_ack_pending: 10_000,
          ack_policy: "explicit",
        },
        behavior: { duration_seconds: DURATION_S, ramp_up_seconds: 0 },
      },
    ],
    {
      onSnapshot: (s: Snapshot) => {
        if (killed || s.phase !== "running") return;
        killed = (async () => {
          await new Promise((r) => setTimeout(r, KILL_AFTER_FIRST_SNAPSHOT_MS));
          const leader = (await jsm.streams.info("FO_1")).cluster?.leader;
          const victim = cluster.nodes.find((n) => n.name === leader);
          assert.ok(victim, `leader ${leader} is one of ours`);
          killAt = nowEpoch();
          await victim.kill();
          // Back when the stream answers with a new leader (the time that request was sent).
          for (;;) {
            const asked = nowEpoch();
            const info = await jsm.streams.info("FO_1").catch(() => undefined);
            if (info?.cluster?.leader && info.cluster.leader !== leader) {
              backAt = asked;
              return;
            }
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
      },
    },
  );
  await killed;
  const f = finals[0]!;
  const stallMs = backAt - killAt;
  const figures = JSON.stringify({ ...f, hist: undefined, system: undefined, stall_ms: stallMs });
  assert.ok(stallMs > 0, "the leader was killed and a new one answered");
  assert.equal(f.phase, "done", figures);
  const scheduled = RATE * DURATION_S;
  assert.equal(f.published + (f.unsent ?? 0), scheduled, "published + unsent = scheduled");
  assert.equal(f.unsent, 0, `the run outlasts the election: every slot went out; ${figures}`);
  // The 15 s publish deadline outlasts the election: retries ride it out, nothing fails, nothing is lost.
  assert.equal(f.publish_errors, 0, figures);
  assert.equal(f.acked, f.published, figures);
  assert.equal(f.lost, 0, figures);
  // The server's count on a survivor: every acknowledged message once, plus the copies retries stored.
  const info = await jsm.streams.info("FO_1");
  assert.equal(info.state.messages, f.acked + f.duplicates, `stream holds acked + duplicates: ${figures}`);
  // A slot due in the election more than STALLED_MS before its end waited over STALLED_MS: at least that many
  // (the election as the publishes saw it may be WATCH_LATE_MS shorter than polled). At most: every slot due
  // from the kill to the end of the election, plus the retries after it, plus the publishes in flight.
  const above = countAbove(f.hist.publish_ack, STALLED_MS);
  const lo = Math.floor((RATE * (stallMs - WATCH_LATE_MS - STALLED_MS)) / 1000);
  const hi = Math.ceil((RATE * (stallMs + AFTER_ELECTION_MS)) / 1000) + 256;
  t.diagnostic(
    `election ${stallMs.toFixed(0)} ms polled: publish_ack over ${STALLED_MS} ms: ${above} (${lo}..${hi})`,
  );
  assert.ok(
    above >= lo && above <= hi,
    `${above} publish_ack samples over ${STALLED_MS} ms, want ${lo}..${hi}: ${figures}`,
  );
  // end_to_end carries at least the same wait (the intended time travels in the message); no upper bound: the
  // consumer has its own failover (its pull request or consumer leader may have died with the node, seen
  // adding seconds and 2,800 samples over 1 s), which only adds to it.
  const e2e = countAbove(f.hist.end_to_end, STALLED_MS);
  assert.ok(e2e >= lo, `${e2e} end_to_end samples over ${STALLED_MS} ms, want at least ${lo}`);
});
