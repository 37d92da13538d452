// A stalled server (SIGSTOP / SIGCONT on the harness's nats-server) against the open-model schedule: every slot
// due in the stall is sent late, never skipped, and its wait shows in the latency of every kind.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Snapshot } from "../../src/stats/index.ts";
import { type NatsNode, startServer } from "../harness/index.ts";
import { countAbove, nowEpoch, run } from "./engine-helpers.ts";

const RATE = 2000;
const DURATION_S = 10;
/** The freeze: long enough that the old 1 s skip rule dropped most of its slots, well inside the run. */
const STALL_MS = 2000;
/** When the freeze starts, after the step's first snapshot (~1 s in): the stall ends ~5 s into a 10 s run. */
const STALL_AFTER_FIRST_SNAPSHOT_MS = 2000;
/** SIGSTOP / SIGCONT land within some ms of our clock reading (signal delivery and scheduling on a busy 2-core machine). */
const SIGNAL_SLACK_MS = 50;
/** JetStream's publish window: slots due as the freeze began could still go out at once, without a send wait. */
const JS_WINDOW = 256;
/**
 * The catch-up after SIGCONT is measured, not assumed (it took 0.1 s to 5 s here, with the machine's load): the
 * server is polled this often until it has delivered to the consumer every slot due so far, less this lag.
 */
const CATCH_UP_POLL_MS = 50;
const CAUGHT_UP_LAG_MS = 100;
/** A catch-up longer than this is a hang, not a slow machine. */
const CATCH_UP_LIMIT_MS = 30_000;

function spec(url: string, jetstream: boolean) {
  return {
    name: "stall",
    nats_url: url,
    use_jetstream: jetstream,
    client_id_prefix: "lt-stall",
    streams: [{ name_prefix: "STALL", count: 1, replicas: 1, subjects: ["stall.{}"], storage: "memory" }],
    publishers: {
      count_per_stream: 1,
      stream_name_prefix: "STALL",
      publish_rate_per_second: RATE,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: true,
    },
    consumers: {
      stream_name_prefix: "STALL",
      type: "pull",
      count_per_stream: 1,
      durable_name_prefix: "stall",
      ack_wait_seconds: 30,
      max_ack_pending: 10_000,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: DURATION_S, ramp_up_seconds: 0 },
  };
}

/** Messages the server has delivered to our consumer so far (JetStream: its deliveries; core: all sent out). */
async function delivered(srv: NatsNode, jetstream: boolean): Promise<number> {
  if (!jetstream) return (await srv.monitor<{ out_msgs: number }>("/varz")).out_msgs;
  const jsz = await srv.monitor<{
    account_details?: { stream_detail?: { consumer_detail?: { delivered: { consumer_seq: number } }[] }[] }[];
  }>("/jsz?consumers=true");
  return jsz.account_details?.[0]?.stream_detail?.[0]?.consumer_detail?.[0]?.delivered.consumer_seq ?? 0;
}

/**
 * Runs the spec and freezes the server once, mid-run; returns the final snapshot, the freeze's epoch ms and
 * when the catch-up after it ended (the server had delivered every slot due, within CAUGHT_UP_LAG_MS).
 */
async function runWithStall(srv: NatsNode, jetstream: boolean) {
  let stopAt = 0;
  let contAt = 0;
  let caughtUpAt = 0;
  let frozen: Promise<void> | undefined;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const { finals } = await run([spec(srv.url, jetstream)], {
    onSnapshot: (s: Snapshot) => {
      if (frozen || s.phase !== "running") return;
      const startEpoch = Date.parse(s.ts) - s.elapsed_s * 1000;
      frozen = (async () => {
        await pause(STALL_AFTER_FIRST_SNAPSHOT_MS);
        stopAt = nowEpoch();
        srv.pause();
        await pause(STALL_MS);
        contAt = nowEpoch();
        srv.resume();
        while (nowEpoch() - contAt < CATCH_UP_LIMIT_MS) {
          const asked = nowEpoch();
          const due = (RATE * (asked - CAUGHT_UP_LAG_MS - startEpoch)) / 1000;
          if ((await delivered(srv, jetstream)) >= due) {
            caughtUpAt = asked;
            return;
          }
          await pause(CATCH_UP_POLL_MS);
        }
      })();
    },
  });
  await frozen;
  assert.ok(stopAt > 0 && contAt > stopAt, "the server was frozen during the run");
  assert.ok(caughtUpAt > 0, `no catch-up within ${CATCH_UP_LIMIT_MS} ms of the freeze`);
  return { f: finals[0]!, stopAt, contAt, caughtUpAt };
}

/** Values of an encoded histogram (µs) above `ms` milliseconds. */

/**
 * The samples above STALL_MS / 2. A slot intended at t inside the freeze is sent (or acknowledged, or received)
 * no earlier than the SIGCONT, so every slot due in the first half of the stall waited over STALL_MS / 2: that
 * many at least (less the signal slack). At most, those plus the slots the measured catch-up made wait that
 * long (due up to its end, the poll's lag and interval included), those already in flight when the freeze
 * began (one window, 256), and as many again for second copies of retried publishes that counted as deliveries
 * and made the catch-up look over up to 256 slots early.
 */
function assertStallShows(
  kind: string,
  above: number,
  x: { stopAt: number; contAt: number; caughtUpAt: number; f: Snapshot },
  sentWithoutWait = 0,
): string {
  const { stopAt, contAt, caughtUpAt, f } = x;
  const firstHalfMs = contAt - stopAt - STALL_MS / 2;
  const catchUpMs = caughtUpAt - contAt + CATCH_UP_POLL_MS;
  const lo = Math.floor((RATE * (firstHalfMs - SIGNAL_SLACK_MS)) / 1000) - sentWithoutWait;
  const hi = Math.ceil((RATE * (firstHalfMs + catchUpMs)) / 1000) + 2 * JS_WINDOW;
  const scheduled = RATE * DURATION_S;
  assert.ok(
    above >= lo && above <= hi,
    `${kind}: ${above} samples over ${STALL_MS / 2} ms (${((100 * above) / scheduled).toFixed(1)}% of ${scheduled}), ` +
      `want ${lo}..${hi}: the slots due in the first half of a ${contAt - stopAt} ms freeze; ` +
      JSON.stringify({ ...f, hist: undefined, streams: undefined }),
  );
  return `${kind} ${above} over ${STALL_MS / 2} ms (${lo}..${hi}, catch-up ${catchUpMs.toFixed(0)} ms)`;
}

test("engine - a frozen JetStream server's slots are all sent late, none skipped, and their wait shows in publish_ack and end_to_end", async (t) => {
  await using srv = await startServer();
  const stall = await runWithStall(srv, true);
  const { f } = stall;
  assert.equal(f.phase, "done", JSON.stringify(f.errors));
  const scheduled = RATE * DURATION_S;
  assert.equal(f.published + (f.unsent ?? 0), scheduled, "published + unsent = scheduled");
  assert.equal(f.unsent, 0, "the run outlasts the stall: every slot went out");
  assert.equal(f.publish_errors, 0, JSON.stringify(f.errors));
  assert.equal(f.acked, f.published, "every publish acknowledged");
  assert.equal(f.lost, 0);
  // The server's own count: every acknowledged message once, plus the second copies retries stored (an
  // attempt unanswered for 2 s in the freeze is sent again; the consumer counts the copy as a duplicate).
  const jsz = await srv.monitor<{ messages: number }>("/jsz");
  assert.equal(jsz.messages, f.acked + f.duplicates, "server's stored messages = acked + duplicates");
  assert.equal(f.consumed, jsz.messages, "every stored message consumed");
  // Requested vs reached: the run's means, not the last second's.
  assert.equal(f.target_rate, RATE);
  assert.ok(Math.abs(f.publish_rate - RATE) < 1, `publish_rate ${f.publish_rate}, the run's mean`);
  t.diagnostic(assertStallShows("publish_ack", countAbove(f.hist.publish_ack, STALL_MS / 2), stall));
  t.diagnostic(assertStallShows("end_to_end", countAbove(f.hist.end_to_end, STALL_MS / 2), stall));
  // The client was late only because the server was: send_delay carries the same wait, less the slots that
  // still found room in the publish window when the freeze began (they went out at once).
  t.diagnostic(assertStallShows("send_delay", countAbove(f.hist.send_delay, STALL_MS / 2), stall, JS_WINDOW));
});

test("engine - a frozen core NATS server's slots are all sent late, none skipped, and their wait shows in end_to_end", async (t) => {
  await using srv = await startServer({ jetstream: false });
  const stall = await runWithStall(srv, false);
  const { f } = stall;
  assert.equal(f.phase, "done", JSON.stringify(f.errors));
  const scheduled = RATE * DURATION_S;
  assert.equal(f.published + (f.unsent ?? 0), scheduled, "published + unsent = scheduled");
  assert.equal(f.unsent, 0, "the run outlasts the stall: every slot went out");
  assert.equal(f.lost, 0);
  // The server's own counts: every publish reached it, every one was delivered to our subscription.
  const varz = await srv.monitor<{ in_msgs: number; out_msgs: number }>("/varz");
  assert.equal(varz.in_msgs, f.published, "server in_msgs = published");
  assert.equal(varz.out_msgs, f.consumed, "server out_msgs = consumed");
  assert.equal(f.consumed, f.published);
  t.diagnostic(assertStallShows("end_to_end", countAbove(f.hist.end_to_end, STALL_MS / 2), stall));
  // No bound on send_delay here: core publishes go into the socket on time until two flushes (up to 2,000
  // messages) wait for their PONG, so how much of the stall waits in the client depends on when the freeze
  // caught the flushes. The wait is the server's either way, and end_to_end shows it.
});
