// The door of src/http: the HTTP compatibility shim, Prometheus /metrics and the live dashboard.
// See docs/http.md.

// Secret redaction lives in src/control (one function for http, cli and the agent); re-exported for users of this door.
export { redactSecrets, redactUrl } from "../control/index.ts";
export { type BodyLimits, DEFAULT_BODY_LIMITS, HttpError, jsonDepth } from "./body.ts";
export { cumulativeCounts, LATENCY_BUCKETS_S } from "./buckets.ts";
export { DEFAULT_HTTP_LIMITS, type HttpContext, type HttpLimits, type HttpLogger } from "./context.ts";
export { METRICS_CONTENT_TYPE, renderSnapshotMetrics } from "./metrics.ts";
export { type OriginalRecord, toOriginalRecord } from "./original-record.ts";
export { type HttpServer, startHttpServer } from "./server.ts";
