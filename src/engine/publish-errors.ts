// Which category a failed publish lands in (`errors.<category>` of a snapshot), from nats.js' error classes,
// the NATS status of an empty reply and the JetStream API error code of a PubAck error: never message text.
import type { Msg } from "@nats-io/transport-node";
import {
  isConnectionLost,
  isNoResponders,
  isPermissionDenied,
  isTimeout,
  JsErrorCode,
} from "../nats/index.ts";
import type { ErrorCategory } from "../stats/index.ts";

/** NATS status codes of a reply without payload (a status header only): no responders, request timeout. */
const STATUS_NO_RESPONDERS = 503;
const STATUS_REQUEST_TIMEOUT = 408;

/** JetStream API errors that mean "the stream refuses more": limits with discard new, or storage exhausted. */
const STREAM_FULL: ReadonlySet<number> = new Set([
  JsErrorCode.StreamStoreFailed,
  JsErrorCode.StorageResourcesExceeded,
  JsErrorCode.MemoryResourcesExceeded,
  JsErrorCode.InsufficientResources,
  JsErrorCode.AccountResourcesExceeded,
  JsErrorCode.StreamLimits,
]);

const decoder = new TextDecoder();

/** The category of a JetStream publish failure from its reply (anything but a PubAck). */
export function ackError(msg: Msg): ErrorCategory {
  if (msg.data.length === 0) {
    const code = msg.headers?.code ?? 0;
    return code === STATUS_NO_RESPONDERS
      ? "no_responders"
      : code === STATUS_REQUEST_TIMEOUT
        ? "timeout"
        : "other";
  }
  try {
    const e = (JSON.parse(decoder.decode(msg.data)) as { error?: { err_code?: number } }).error;
    return apiErrorCategory(e?.err_code ?? 0);
  } catch {
    return "other";
  }
}

/** The category of a PubAck's JetStream API error code (`err_code`). */
export function apiErrorCategory(errCode: number): ErrorCategory {
  return STREAM_FULL.has(errCode) ? "stream_full" : "other";
}

/** The category of an error the client threw while publishing (or of its causes). */
export function categorize(err: unknown): ErrorCategory {
  if (isTimeout(err)) return "timeout";
  if (isNoResponders(err)) return "no_responders";
  if (isConnectionLost(err)) return "connection_closed";
  if (isPermissionDenied(err)) return "permission";
  return "other";
}

/**
 * An error a worker thread reported: error classes do not cross threads (a structured clone is a plain Error),
 * so the worker classifies it and sends the category with the message.
 */
export class WorkerError extends Error {
  readonly category: ErrorCategory;
  constructor(message: string, category: ErrorCategory) {
    super(message);
    this.name = "WorkerError";
    this.category = category;
  }
}

/**
 * The category a failed step counts its failure in: the connection to the NATS under test was lost, refused or
 * timed out (`connection_closed`), or anything else (`other`).
 */
export function failureCategory(err: unknown): ErrorCategory {
  if (err instanceof WorkerError) return err.category;
  return isConnectionLost(err) || isTimeout(err) ? "connection_closed" : "other";
}
