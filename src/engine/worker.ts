// A worker thread's entry: runs one Share behind the message protocol of worker-protocol.ts. Started by
// worker-pool.ts from the built code (dist/engine/worker.js) or, under tsx in tests, from this file.
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { Logger } from "./api.ts";
import { failureCategory } from "./publish-errors.ts";
import { Share } from "./share.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./worker-protocol.ts";

if (!parentPort) throw new Error("engine worker: not started as a worker thread");
const port: MessagePort = parentPort;
const init = workerData as WorkerInit | undefined;
if (init && typeof init.stackTraceLimit === "number") Error.stackTraceLimit = init.stackTraceLimit;

const post = (m: FromWorker) => port.postMessage(m);
const log: Logger = {
  info: (msg, fields) => post({ t: "log", level: "info", msg, fields }),
  warn: (msg, fields) => post({ t: "log", level: "warn", msg, fields }),
  error: (msg, fields) => post({ t: "log", level: "error", msg, fields }),
};

let share: Share | undefined;

async function handle(m: ToWorker): Promise<void> {
  switch (m.t) {
    case "open": {
      share = await Share.open(m.spec, log);
      share.finished.then(() => post({ t: "finished" }));
      post({ t: "reply", id: m.id });
      return;
    }
    case "start":
      share?.start(m.startEpoch);
      return;
    case "stop":
      share?.stop();
      return;
    case "sample": {
      if (!share) throw new Error("not open");
      const value = { sample: share.sample(m.final), caughtUp: share.caughtUp(), sendBusy: share.sendBusy };
      post({ t: "reply", id: m.id, value });
      return;
    }
    case "progress": {
      if (!share) throw new Error("not open");
      post({
        t: "reply",
        id: m.id,
        value: { caughtUp: share.caughtUp(), consumed: share.metrics.counts.consumed },
      });
      return;
    }
    case "drain":
      await share?.drainPublishes(m.timeoutMs);
      post({ t: "reply", id: m.id });
      return;
    case "settle":
      await share?.settle();
      post({ t: "reply", id: m.id });
      return;
    case "close": {
      const s = share;
      share = undefined;
      await s?.close().catch(() => {});
      s?.destroy();
      post({ t: "reply", id: m.id });
      port.close();
      return;
    }
  }
}

port.on("message", (m: ToWorker) => {
  handle(m).catch((err: Error) => {
    if ("id" in m) post({ t: "reply", id: m.id, error: err.message, category: failureCategory(err) });
    else log.error("engine worker", { error: err.message });
  });
});
