// The messages between a step and a worker thread that runs one share (docs/engine.md, "Workers").
//
// parent -> worker: requests carry an id and get exactly one `reply` with the same id; `start` and `stop`
// are fire-and-forget. worker -> parent: replies, `finished` once the share's schedule is sent, and `log`.
//
//   open(spec)  -> reply {}                       connections made, consumers running
//   start(startEpoch)                             publishers send from startEpoch
//   sample(final) -> reply { sample, caughtUp, sendBusy? }   SNAPSHOT: counters + encoded cumulative histograms
//   stop                                          stop sending (slots due and not sent count as unsent)
//   drain(timeoutMs) -> reply {}                  in-flight publishes acknowledged or timed out
//   progress -> reply { caughtUp, consumed }      cheap poll while consumers catch up
//   settle -> reply {}                            consumers stopped, what the server holds for them read
//   close -> reply {}                             connections closed (take the RESULT with sample(final))
import type { ErrorCategory } from "../stats/index.ts";
import type { ShareSample } from "./metrics.ts";
import type { ShareSpec } from "./share.ts";

export type ToWorker =
  | { t: "open"; id: number; spec: ShareSpec }
  | { t: "start"; startEpoch: number }
  | { t: "sample"; id: number; final: boolean }
  | { t: "stop" }
  | { t: "progress"; id: number }
  | { t: "drain"; id: number; timeoutMs: number }
  | { t: "settle"; id: number }
  | { t: "close"; id: number };

export interface SampleReply {
  sample: ShareSample;
  caughtUp: boolean;
  /** Busy share of the worker's event loop while it sent (Share.sendBusy), once sending ended. */
  sendBusy?: number;
}

/** Cheap progress for the catch-up wait (no histograms). */
export interface Progress {
  caughtUp: boolean;
  consumed: number;
}

export type FromWorker =
  | {
      t: "reply";
      id: number;
      value?: unknown;
      error?: string;
      /** What kind of failure `error` is, classified here (error classes do not cross threads). */
      category?: ErrorCategory;
    }
  | { t: "finished" }
  | { t: "log"; level: "info" | "warn" | "error"; msg: string; fields?: Record<string, unknown> };

/** What the parent hands each worker at creation. */
export interface WorkerInit {
  /** The parent's Error.stackTraceLimit (benches run with 0: cheaper errors on the hot path). */
  stackTraceLimit: number;
}
