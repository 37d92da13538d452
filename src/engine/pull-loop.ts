// One pull consumer's fetch loop, written for the engine instead of nats.js' `consume()`: pull requests kept
// ahead of the consumer on one inbox subscription, each delivered message handed over as the parser's bytes
// (payload and reply subject), status messages handled as nats.js handles them.
//
// Why (docs/performance.md, "Consume fast path"): per message, nats.js' consume() decodes the subject to a
// string to tell deliveries from status messages, wraps the message in a JsMsg, stamps its heartbeat monitor
// with Date.now(), and the callback's `m.ack()` decodes the reply subject to a string before encoding it back
// (ack-writer.ts). Here a delivery is told apart by its reply subject (JetStream sends status messages to
// the inbox without one), the reply's bytes go straight to the AckWriter, and the heartbeat watchdog reads a
// flag the message path sets.
//
// Flow, as nats.js' PullConsumerMessagesImpl (3.4): `pending` counts messages requested and not yet delivered;
// a delivery takes one, a status with `Nats-Pending-Messages` (408 expired, 409 ended) returns what its request
// will not deliver; when pending falls to the refill mark, one request asks for the rest up to `maxMessages`.
// Two heartbeat intervals without any message (the request died with a consumer leader, or the server went
// away) or a reconnect: pending is forgotten and a fresh request made. A 503 (no JetStream answered the
// request) is retried after a short pause. The subscription lost (permissions) is made again after a pause.
import { createInbox, type Msg, type MsgImpl, type NatsConnection } from "@nats-io/transport-node";

/**
 * The pull request's expiry and idle heartbeat (nats.js defaults: 30 s and 15 s). Short, so a request lost
 * with a consumer leader (failover) is noticed after two missed heartbeats (~2 s) and re-issued; the server
 * sends a heartbeat only while a request waits with nothing to deliver, so it costs nothing under load.
 */
export const PULL_EXPIRES_MS = 5_000;
export const PULL_HEARTBEAT_MS = 1_000;
/** Heartbeat intervals without any message before the loop pulls afresh (nats.js: 2). */
const MISSED_HEARTBEATS = 2;
/**
 * Messages asked for ahead of the consumer, at most (a consumer's `max_ack_pending` caps it lower for explicit
 * acks: the server would not deliver more unacked anyway). NATSJS-NOTES: 1,000 gave 1.4x over nats.js' default
 * 100 with explicit ack; at 100 k msg/s it is 10 ms of messages, far more than a request's round trip.
 */
export const PULL_MAX_MESSAGES = 1_000;
/**
 * Refill when half of what was asked has arrived: one pull request per 500 messages at the default, and the
 * other half (5 ms at 100 k msg/s) is still on its way while the new request travels. nats.js refills at
 * three quarters (a request per 250 messages); the server's cost per request is small either way.
 */
const REFILL_AT = 0.5;
/** After a 503 (no JetStream responder, e.g. mid-election): ask again this soon, not after two heartbeats. */
const NO_RESPONDERS_PAUSE_MS = 250;
/** A lost subscription is made again after this pause (as the share's ConsumeLoop restarts a consume()). */
const RESUBSCRIBE_PAUSE_MS = 500;

/** `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`: the engine uses jetstream(nc)'s default API prefix. */
const NEXT = "$JS.API.CONSUMER.MSG.NEXT";
const PENDING_MESSAGES = "Nats-Pending-Messages";
const STATUS_HEARTBEAT = 100;
const STATUS_NO_RESPONDERS = 503;

export interface PullLoopOptions {
  readonly stream: string;
  readonly consumer: string;
  /** Messages asked for ahead (pending) at most, >= 1. */
  readonly maxMessages: number;
  /** One delivery: its payload and its reply subject (the ack subject), as the parser handed them over. */
  readonly onMessage: (data: Uint8Array, reply: Uint8Array) => void;
  /**
   * Something nats.js would report as a consumer status: `heartbeats_missed`, `no_responders`,
   * `pull_refused` (a 400 or a 409 that ends a request without returning messages, e.g. the consumer was
   * deleted or the server's pull limits were exceeded), `subscription_lost`.
   */
  readonly onStatus: (type: string) => void;
}

export class PullLoop {
  readonly #nc: NatsConnection;
  readonly #o: PullLoopOptions;
  readonly #subject: string;
  readonly #request: string;
  readonly #refillAt: number;
  #inbox = "";
  #sub: { unsubscribe(): void } | undefined;
  #pending = 0;
  #seen = false;
  #missed = 0;
  #connected = true;
  #closed = false;
  readonly #watchdog: NodeJS.Timeout;
  #retry: NodeJS.Timeout | undefined;
  readonly #statusIter: AsyncIterable<{ type: string }> & { stop?: () => void };

  constructor(nc: NatsConnection, o: PullLoopOptions) {
    this.#nc = nc;
    this.#subject = `${NEXT}.${o.stream}.${o.consumer}`;
    const max = Math.max(1, Math.floor(o.maxMessages));
    this.#refillAt = Math.floor(max * REFILL_AT);
    // The request body never changes but for `batch`: its other fields are encoded once.
    this.#request = `,"expires":${PULL_EXPIRES_MS * 1e6},"idle_heartbeat":${PULL_HEARTBEAT_MS * 1e6}}`;
    this.#o = { ...o, maxMessages: max };
    this.#subscribe();
    this.#watchdog = setInterval(this.#watch, PULL_HEARTBEAT_MS);
    this.#statusIter = nc.status();
    this.#followStatus().catch(() => {});
    this.#pull();
  }

  /** Messages asked for and not yet delivered (tests). */
  get pending(): number {
    return this.#pending;
  }

  /** Stops: no more requests, the inbox unsubscribed (what is still on its way is not received). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    clearTimeout(this.#retry);
    this.#statusIter.stop?.();
    try {
      this.#sub?.unsubscribe();
    } catch {
      // closed connection: nothing to unsubscribe from
    }
  }

  #subscribe(): void {
    this.#inbox = createInbox();
    try {
      this.#sub = this.#nc.subscribe(this.#inbox, { callback: this.#onMsg });
    } catch {
      this.#resubscribeLater();
    }
  }

  readonly #onMsg = (err: Error | null, msg: Msg): void => {
    if (err) {
      // The server refused the subscription (permissions): nats-core has closed it.
      this.#o.onStatus("subscription_lost");
      this.#resubscribeLater();
      return;
    }
    this.#seen = true;
    const reply = (msg as Partial<MsgImpl>)._msg?.reply;
    if (reply !== undefined && reply.length > 0) {
      this.#o.onMessage(msg.data, reply);
      this.#delivered();
      return;
    }
    this.#status(msg);
  };

  /** A message without a reply subject: a JetStream status, or a delivery from a client lacking `_msg`. */
  #status(msg: Msg): void {
    const h = msg.headers;
    if (!h) {
      // Not a status: a delivery whose reply bytes this client does not expose (another nats-core).
      if (msg.reply) {
        this.#o.onMessage(msg.data, new TextEncoder().encode(msg.reply));
        this.#delivered();
      }
      return;
    }
    const code = h.code;
    if (code === STATUS_HEARTBEAT) return;
    if (code === STATUS_NO_RESPONDERS) {
      this.#o.onStatus("no_responders");
      this.#pending = 0;
      this.#retryLater(NO_RESPONDERS_PAUSE_MS);
      return;
    }
    const left = Number.parseInt(h.get(PENDING_MESSAGES) || "0", 10);
    if (left > 0) {
      // The request ended (expired, or the server ended it) with `left` of its batch undelivered.
      this.#pending = Math.max(0, this.#pending - left);
      if (this.#pending <= this.#refillAt) this.#pull();
      return;
    }
    // A 400 or 409 without returned messages: the request was refused or the consumer is gone. Pulling again
    // at once could loop; the watchdog pulls afresh after two quiet heartbeat intervals.
    if (code >= 400) this.#o.onStatus("pull_refused");
  }

  /**
   * One delivery took one of the messages asked for. Pending never goes below 0 (a request forgotten by
   * `#afresh` may still deliver, and no refill is sent while disconnected), so a refill never asks for more
   * than maxMessages.
   */
  #delivered(): void {
    if (this.#pending > 0) this.#pending--;
    if (this.#pending <= this.#refillAt) this.#pull();
  }

  /** Asks for what is missing up to maxMessages. */
  #pull(): void {
    if (this.#closed || !this.#connected) return;
    const batch = this.#o.maxMessages - this.#pending;
    if (batch <= 0) return;
    try {
      this.#nc.publish(this.#subject, `{"batch":${batch}${this.#request}`, { reply: this.#inbox });
      this.#pending += batch;
    } catch {
      // closed or draining: the loop is ending
    }
  }

  /** Forgets what was asked (those requests are gone or will expire) and asks again. */
  #afresh(): void {
    this.#pending = 0;
    this.#missed = 0;
    this.#pull();
  }

  readonly #watch = (): void => {
    if (this.#closed || !this.#connected) return;
    if (this.#seen) {
      this.#seen = false;
      this.#missed = 0;
      return;
    }
    if (++this.#missed < MISSED_HEARTBEATS) return;
    this.#o.onStatus("heartbeats_missed");
    this.#afresh();
  };

  #retryLater(ms: number): void {
    if (this.#retry || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closed) this.#afresh();
    }, ms);
  }

  #resubscribeLater(): void {
    if (this.#retry || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed || this.#nc.isClosed()) return;
      this.#subscribe();
      this.#afresh();
    }, RESUBSCRIBE_PAUSE_MS);
  }

  async #followStatus(): Promise<void> {
    for await (const s of this.#statusIter) {
      if (this.#closed) return;
      if (s.type === "disconnect") this.#connected = false;
      else if (s.type === "reconnect") {
        // nats-core has subscribed the inbox again; requests made before are gone with the old connection.
        this.#connected = true;
        this.#afresh();
      }
    }
  }
}
