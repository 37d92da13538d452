// What a NATS or JetStream failure was, from nats.js' error classes and the server's JetStream error codes,
// never from message text (which changes between client and server versions). Errors are often wrapped
// (`RequestError` around `NoRespondersError`, our own `Error` with a `cause`), so every test walks the chain.
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import {
  AuthorizationError,
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  PermissionViolationError,
  TimeoutError,
} from "@nats-io/transport-node";

/**
 * JetStream API error codes (`err_code`) we act on: nats.js' `JetStreamApiCodes` and, named as in
 * nats-server's errors.json, the ones it lacks.
 */
export const JsErrorCode = {
  ...JetStreamApiCodes,
  /** JSAccountResourcesExceededErr: the account's JetStream limits are used up. */
  AccountResourcesExceeded: 10002,
  /** JSInsufficientResourcesErr. */
  InsufficientResources: 10023,
  /** JSMemoryResourcesExceededErr: the server's memory store is full. */
  MemoryResourcesExceeded: 10028,
  /** JSStorageResourcesExceededErr: the server's file store is full. */
  StorageResourcesExceeded: 10047,
  /** JSStreamLimitsErrF: a stream limit was exceeded. */
  StreamLimits: 10053,
  /** JSStreamNameExistErr: a stream (or KV bucket) of that name exists with another configuration. */
  StreamNameInUse: 10058,
  /** JSStreamStoreFailedF: storing a message failed (max messages / bytes with discard new, …). */
  StreamStoreFailed: 10077,
} as const;

/** Causes followed at most: a wrapped error is a few levels deep, a cycle must not hang us. */
const MAX_CAUSES = 8;

/** `err` and its causes, outermost first. */
export function* causes(err: unknown): Generator<unknown> {
  let e = err;
  for (let i = 0; e !== undefined && e !== null && i < MAX_CAUSES; i++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: any error class, whatever its constructor's parameters
type ErrorClass = abstract new (...args: any[]) => Error;

/** True when `err` or one of its causes is an instance of one of `classes`. */
export function hasError(err: unknown, ...classes: ErrorClass[]): boolean {
  for (const e of causes(err)) if (classes.some((c) => e instanceof c)) return true;
  return false;
}

/** The JetStream API error code (`err_code`) of `err` or its causes, if it is a JetStream API error. */
export function jsApiCode(err: unknown): number | undefined {
  for (const e of causes(err)) if (e instanceof JetStreamApiError) return e.code;
  return undefined;
}

/** A stream or consumer that does not exist (JetStream API 10059 / 10014). */
export function isNotFound(err: unknown): boolean {
  const code = jsApiCode(err);
  return code === JsErrorCode.StreamNotFound || code === JsErrorCode.ConsumerNotFound;
}

/** A stream (or KV bucket) of that name exists with another configuration: someone else created it. */
export function isNameInUse(err: unknown): boolean {
  return jsApiCode(err) === JsErrorCode.StreamNameInUse;
}

/** Nobody listens on the subject (a request's `NoRespondersError`, possibly inside a `RequestError`). */
export function isNoResponders(err: unknown): boolean {
  return hasError(err, NoRespondersError);
}

export function isTimeout(err: unknown): boolean {
  return hasError(err, TimeoutError);
}

/** The connection failed, closed or is draining: nothing more goes out on it. */
export function isConnectionLost(err: unknown): boolean {
  return hasError(err, ConnectionError, ClosedConnectionError, DrainingConnectionError);
}

/** The server refused the operation for this user (permissions, authorization). */
export function isPermissionDenied(err: unknown): boolean {
  return hasError(err, PermissionViolationError, AuthorizationError);
}

/** Node's TLS verification codes that mean "the server's certificate is not trusted" (tls.ca_file, --tls-ca). */
const UNTRUSTED_CERTIFICATE: ReadonlySet<string> = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * What a failed TLS connection points at, from Node's error codes in the chain: the server's certificate is not
 * trusted (`untrusted`), or the handshake failed or was cut (`handshake`: an alert, an OpenSSL error, a reset,
 * typically a server that wants a client certificate). Undefined when no TLS code is there.
 */
export function tlsFailure(err: unknown): "untrusted" | "handshake" | undefined {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (UNTRUSTED_CERTIFICATE.has(code)) return "untrusted";
    if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code === "ECONNRESET")
      return "handshake";
  }
  return undefined;
}
