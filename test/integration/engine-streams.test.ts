// Streams that exist before a run, against a real nats-server (src/engine/streams.ts ensureStream): a different
// limit is updated to the config's, a change the server refuses (storage) ends the step in phase "error" naming
// the stream and the field, and `cleanup` deletes only the streams the run created.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type JetStreamManager, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsNode, startServer } from "../harness/index.ts";
import { errorOf, recorder, run } from "./engine-helpers.ts";

/** One spec: `count` streams `<PREFIX>_<i>` on `<name>.<i>`, one steady publisher each at 50 msg/s, 2 s. */
function spec(url: string, name: string, stream: Record<string, unknown> = {}) {
  const prefix = name.toUpperCase();
  return {
    name,
    nats_url: url,
    use_jetstream: true,
    client_id_prefix: `lt-${name}`,
    streams: [
      { name_prefix: prefix, count: 1, replicas: 1, subjects: [`${name}.{}`], storage: "memory", ...stream },
    ],
    publishers: {
      count_per_stream: 1,
      stream_name_prefix: prefix,
      publish_rate_per_second: 50,
      publish_pattern: "steady",
      message_size_bytes: 64,
      track_latency: false,
    },
    consumers: {
      stream_name_prefix: prefix,
      type: "pull",
      count_per_stream: 0,
      durable_name_prefix: name,
      ack_wait_seconds: 5,
      max_ack_pending: 1000,
      ack_policy: "explicit",
    },
    behavior: { duration_seconds: 2, ramp_up_seconds: 0 },
  };
}

async function streamNames(jsm: JetStreamManager): Promise<string[]> {
  const names: string[] = [];
  for await (const n of jsm.streams.names()) names.push(n);
  return names.sort();
}

describe("engine streams - streams that exist before the run", { timeout: 90_000 }, () => {
  let server: NatsNode & AsyncDisposable;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  before(async () => {
    server = await startServer();
    nc = await connect({ servers: server.url, name: "streams-test" });
    jsm = await jetstreamManager(nc);
  });
  after(async () => {
    await nc?.close();
    await server?.[Symbol.asyncDispose]();
  });

  it("engine streams - a stream with the same name and subjects but another max_msgs is updated to the config's and the step is done", async () => {
    await jsm.streams.add({
      name: "UPD_1",
      subjects: ["upd.1"],
      storage: StorageType.Memory,
      max_msgs: 10_000,
    });
    const { finals } = await run([spec(server.url, "upd", { max_msgs: 30 })]);
    const f = finals[0]!;
    assert.equal(f.phase, "done", errorOf(f));
    assert.equal(f.published, 100);
    assert.equal(f.publish_errors, 0, JSON.stringify(f.errors));
    const info = await jsm.streams.info("UPD_1");
    assert.equal(info.config.max_msgs, 30, "the config's max_msgs replaced the stream's 10,000");
    assert.equal(info.config.max_age, 60e9, "the config's default max_age (1m) came with it");
    // The server made the stream with a 2 min duplicate window and refuses a max_age below it on update.
    assert.equal(info.config.duplicate_window, 60e9, "the duplicate window came down to max_age");
    assert.deepEqual(info.config.subjects, ["upd.1"]);
    assert.equal(info.state.messages, 30, "the new limit holds: 100 published, the last 30 kept");
    assert.equal(info.state.last_seq, 100);
  });

  it("engine streams - a stream stored in a file where the config says memory ends the step in phase error naming the stream and storage", async () => {
    await jsm.streams.add({ name: "STO_1", subjects: ["sto.1"], storage: StorageType.File });
    const rec = recorder();
    try {
      const { finals } = await run([spec(server.url, "sto", { storage: "memory" })], { log: rec.log });
      assert.equal(finals.length, 1);
      const f = finals[0]!;
      assert.equal(f.phase, "error");
      const msg = errorOf(f);
      assert.match(msg, /stream STO_1/, msg);
      assert.match(msg, /storage \(server: "file", config: "memory"\)/, msg);
      assert.match(
        msg,
        /refused to update it \(stream configuration update can not change storage type\)/,
        msg,
      );
      assert.equal(f.published, 0, "nothing is sent to a stream that is not as configured");
      assert.equal(f.errors.other, 1, JSON.stringify(f.errors));
      assert.deepEqual(rec.rejections, []);
      assert.ok(
        rec.lines.some((l) => l.level === "error" && String(l.fields?.error).includes("STO_1")),
        "the failure is logged with the stream's name",
      );
    } finally {
      rec.done();
    }
    const info = await jsm.streams.info("STO_1");
    assert.equal(info.config.storage, StorageType.File, "the stream is left as it was");
  });

  it("engine streams - cleanup deletes the streams the run created and keeps the ones that were there; without it all stay", async () => {
    // KEEP_1 exists beforehand; KEEP_2 and KEEP_3 are created by the first run, which does not clean up.
    await jsm.streams.add({ name: "KEEP_1", subjects: ["keep.1"], storage: StorageType.Memory });
    const kept = await run([spec(server.url, "keep", { count: 3 })]);
    assert.equal(kept.finals[0]!.phase, "done", errorOf(kept.finals[0]!));
    assert.deepEqual(
      (await streamNames(jsm)).filter((n) => n.startsWith("KEEP_")),
      ["KEEP_1", "KEEP_2", "KEEP_3"],
      "without cleanup the run's streams stay for inspection",
    );

    // CLEAN_1 exists beforehand; CLEAN_2 and CLEAN_3 are created by this run and deleted at its end.
    await jsm.streams.add({ name: "CLEAN_1", subjects: ["clean.1"], storage: StorageType.Memory });
    const cleaned = await run([spec(server.url, "clean", { count: 3 })], { cleanup: true });
    const f = cleaned.finals[0]!;
    assert.equal(f.phase, "done", errorOf(f));
    assert.equal(f.published, 300);
    assert.equal(f.acked, 300, JSON.stringify(f.errors));
    const names = await streamNames(jsm);
    assert.deepEqual(
      names.filter((n) => n.startsWith("CLEAN_")),
      ["CLEAN_1"],
      "the pre-existing stream is kept",
    );
    assert.equal((await jsm.streams.info("CLEAN_1")).state.messages, 100, "with the run's messages in it");
    assert.deepEqual(
      names.filter((n) => n.startsWith("KEEP_")),
      ["KEEP_1", "KEEP_2", "KEEP_3"],
      "another run's streams are untouched",
    );
  });
});
