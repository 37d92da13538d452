// The publish fast path (src/engine/wire.ts) on the pinned nats.js client, and the public path beside it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { CoreLane } from "../../src/engine/core-lane.ts";
import type { EngineOptions, StepTuning } from "../../src/engine/index.ts";
import { JsLane } from "../../src/engine/js-lane.ts";
import { FailLedger } from "../../src/engine/ledger.ts";
import { ShareMetrics } from "../../src/engine/metrics.ts";
import { ascii, FrameWriter, rawProtocol } from "../../src/engine/wire.ts";
import { startServer } from "../harness/index.ts";
import { recorder, run, smallSpec } from "./engine-helpers.ts";

const pinned = (pkg: string): string =>
  (
    JSON.parse(readFileSync(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url), "utf8")) as {
      version: string;
    }
  ).version;

/** The same connection with the client's internals hidden, as a client whose internals changed would be. */
function withoutInternals(nc: NatsConnection): NatsConnection {
  return new Proxy(nc, {
    get(target, key) {
      if (key === "protocol") return undefined;
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

test("engine - the pinned nats.js client offers the fast path: lanes take it and its frames arrive byte for byte", async () => {
  await using srv = await startServer();
  const { dependencies } = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as {
    dependencies: Record<string, string>;
  };
  assert.equal(
    pinned("@nats-io/transport-node"),
    dependencies["@nats-io/transport-node"],
    "the pinned client",
  );
  const nc = await connect({ servers: srv.url });
  try {
    const raw = rawProtocol(nc);
    assert.ok(
      raw,
      `nats-core ${pinned("@nats-io/nats-core")} has the protocol handler the fast path writes to`,
    );
    const m = new ShareMetrics();
    const core = new CoreLane(nc, m, new FailLedger(1));
    const js = new JsLane(nc, m, new FailLedger(1));
    assert.equal(core.fast, true, "a core lane uses the fast path");
    assert.equal(js.fast, true, "a JetStream lane uses the fast path");
    assert.equal(
      new CoreLane(nc, m, new FailLedger(1), { publicPath: true }).fast,
      false,
      "unless told not to",
    );
    assert.equal(rawProtocol(withoutInternals(nc)), undefined, "a client without the internals gets none");
    assert.equal(new CoreLane(withoutInternals(nc), m, new FailLedger(1)).fast, false);
    js.close();
    m.destroy();

    const got: string[] = [];
    const sub = nc.subscribe("fp.x", {
      callback: (_e, msg) => {
        got.push(msg.string());
      },
    });
    await nc.flush();
    const before = nc.stats().outMsgs;
    const w = new FrameWriter(nc, raw);
    const head = ascii("PUB fp.x 5\r\n");
    for (const word of ["alpha", "bravo", "delta"]) {
      const at = w.frame(head, -1, new Uint8Array(0), 5);
      for (let i = 0; i < 5; i++) w.view.setUint8(at + i, word.charCodeAt(i));
    }
    w.commit();
    await nc.flush();
    await sub.drain();
    assert.deepEqual(got, ["alpha", "bravo", "delta"]);
    assert.equal(nc.stats().outMsgs - before, 3, "the client's counters include the fast path's frames");
  } finally {
    await nc.close();
  }
});

test("engine - on the public path (nc.publish) a run sends, acks and consumes exactly its schedule, JetStream and core", async () => {
  await using srv = await startServer();
  const rec = recorder();
  try {
    const tuning: StepTuning = { publicPath: true };
    // 2 streams x 1 publisher x 100 msg/s x 2 s = 400 slots per spec.
    const { finals } = await run(
      [smallSpec(srv.url, "pubjs"), smallSpec(srv.url, "pubcore", { use_jetstream: false })],
      { log: rec.log, tuning } as Partial<EngineOptions>,
    );
    assert.equal(finals.length, 2);
    for (const f of finals) {
      assert.equal(f.phase, "done", f.spec);
      assert.equal(f.published + (f.unsent ?? 0), 400, `${f.spec}: every slot sent or counted unsent`);
      assert.equal(f.publish_errors, 0, `${f.spec}: ${JSON.stringify(f.errors)}`);
      assert.equal(f.consumed, f.published, `${f.spec}: consumed == published`);
      assert.equal(f.lost, 0, f.spec);
      assert.equal(f.duplicates, 0, f.spec);
    }
    assert.equal(finals[0]!.acked, finals[0]!.published, "JetStream: acked == published");
    assert.deepEqual(
      rec.lines.filter((l) => /fast path/.test(l.msg)),
      [],
      "the public path was asked for: no fallback warning",
    );
    assert.deepEqual(rec.rejections, []);
  } finally {
    rec.done();
  }
});
