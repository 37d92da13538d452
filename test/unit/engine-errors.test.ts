import assert from "node:assert/strict";
import { test } from "node:test";
import { JetStreamApiError, jserrors } from "@nats-io/jetstream/internal";
import {
  AuthorizationError,
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  headers,
  type Msg,
  NoRespondersError,
  PermissionViolationError,
  RequestError,
  TimeoutError,
} from "@nats-io/transport-node";
import {
  ackError,
  apiErrorCategory,
  categorize,
  failureCategory,
  WorkerError,
} from "../../src/engine/publish-errors.ts";
import { isNameInUse, isNoResponders, isNotFound, JsErrorCode, tlsFailure } from "../../src/nats/index.ts";

const apiError = (err_code: number, description: string) =>
  new JetStreamApiError({ code: 400, err_code, description });

/** A JetStream reply to a publish: a JSON body, or no body and a NATS status header. */
function reply(body: unknown, status?: number): Msg {
  const h = status === undefined ? undefined : headers(status, status === 503 ? "No Responders" : "Timeout");
  const data = body === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(body));
  return { data, headers: h } as unknown as Msg;
}

test("errors - a client error is categorised by its class, wrapped or not", () => {
  assert.equal(categorize(new TimeoutError()), "timeout");
  assert.equal(categorize(new RequestError("x", { cause: new NoRespondersError("s") })), "no_responders");
  assert.equal(categorize(new ClosedConnectionError()), "connection_closed");
  assert.equal(categorize(new DrainingConnectionError()), "connection_closed");
  assert.equal(
    categorize(new Error("publish failed", { cause: new ConnectionError("refused") })),
    "connection_closed",
  );
  assert.equal(categorize(new PermissionViolationError("denied", "publish", "a.b")), "permission");
});

test("errors - message text no longer decides a category: a plain Error saying 'timeout' or 'closed' is other", () => {
  assert.equal(categorize(new Error("timeout")), "other");
  assert.equal(categorize(new Error("connection closed")), "other");
  assert.equal(categorize(new Error("no responders")), "other");
  assert.equal(categorize("permission"), "other");
  assert.equal(categorize(undefined), "other");
});

test("errors - a PubAck error is stream_full by its JetStream code, whatever its description says", () => {
  assert.equal(apiErrorCategory(JsErrorCode.StreamStoreFailed), "stream_full");
  assert.equal(
    ackError(reply({ error: { code: 503, err_code: 10077, description: "maximum messages exceeded" } })),
    "stream_full",
  );
  assert.equal(ackError(reply({ error: { code: 400, err_code: 10047, description: "x" } })), "stream_full");
  assert.equal(
    ackError(reply({ error: { code: 400, err_code: 10054, description: "maximum bytes exceeded" } })),
    "other",
  );
  assert.equal(ackError(reply(undefined, 503)), "no_responders");
  assert.equal(ackError(reply(undefined, 408)), "timeout");
  assert.equal(ackError(reply("not json {")), "other");
});

test("errors - not found and name in use are JetStream API codes, not words", () => {
  assert.ok(
    isNotFound(
      new jserrors.StreamNotFoundError({ code: 404, err_code: 10059, description: "stream not found" }),
    ),
  );
  assert.ok(
    isNotFound(
      new jserrors.ConsumerNotFoundError({ code: 404, err_code: 10014, description: "consumer not found" }),
    ),
  );
  assert.ok(isNotFound(new Error("consumer x: lookup", { cause: apiError(10014, "anything") })));
  assert.ok(!isNotFound(new Error("stream not found")), "a message is not a code");
  assert.ok(isNameInUse(apiError(10058, "stream name already in use with a different configuration")));
  assert.ok(!isNameInUse(new Error("already in use")));
  assert.ok(isNoResponders(new RequestError("", { cause: new NoRespondersError("lt.control.all") })));
  assert.ok(!isNoResponders(new Error("503 no responders")));
});

test("errors - a step's failure category survives a worker thread as a WorkerError", () => {
  assert.equal(failureCategory(new ConnectionError("connection refused")), "connection_closed");
  assert.equal(failureCategory(new TimeoutError()), "connection_closed");
  assert.equal(failureCategory(new Error("stream s: create failed")), "other");
  const fromWorker = new WorkerError("connection refused", failureCategory(new ConnectionError("refused")));
  assert.equal(failureCategory(fromWorker), "connection_closed");
});

test("errors - a step that could not connect counts connection_closed whatever refused it", () => {
  const refused = new ConnectionError(
    "connection lt-admin to nats://h:4222 failed: Authorization Violation",
    {
      cause: new AuthorizationError("Authorization Violation"),
    },
  );
  assert.equal(failureCategory(refused), "connection_closed");
});

test("errors - a TLS failure is read from Node's error codes in the chain, not from the message", () => {
  const nodeError = (code: string, message = "x") => Object.assign(new Error(message), { code });
  const wrapped = (code: string) => new ConnectionError("connect failed", { cause: nodeError(code) });
  assert.equal(tlsFailure(wrapped("UNABLE_TO_VERIFY_LEAF_SIGNATURE")), "untrusted");
  assert.equal(tlsFailure(wrapped("DEPTH_ZERO_SELF_SIGNED_CERT")), "untrusted");
  assert.equal(tlsFailure(wrapped("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED")), "handshake");
  assert.equal(tlsFailure(wrapped("ECONNRESET")), "handshake");
  assert.equal(tlsFailure(wrapped("ECONNREFUSED")), undefined);
  assert.equal(
    tlsFailure(new Error("unable to verify the first certificate")),
    undefined,
    "text alone says nothing",
  );
});
