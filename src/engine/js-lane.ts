// The JetStream lane: pipelined publishes with a bounded window, acks on one wildcard inbox subscription (as
// nats.go's async publish does) instead of one request and one timer per message. The window closes when full
// and reopens only when LOW_WATER slots are free, so sends go out in batches (NATSJS-NOTES: batching writes).
// In-flight entries live in typed-array rings (no allocation per message); one sweep per lane times out
// unanswered publishes.
//
// Retries, as nats.go's RetryAttempts/RetryWait: a `no_responders` reply (503: no stream leader, e.g. during
// an election) or an attempt unanswered for `attemptTimeoutMs` sends the same message again (same sequence,
// same intended time) after `retryWaitMs`, until `deadlineMs` after its first send; only then is it counted
// as an error in its category. A retried message stays in the window. Its latency is measured from the
// intended time, so a stall shows as latency; a retry that stores a second copy reaches consumers as a
// duplicate. Nothing of this runs while publishes are acknowledged.
import { headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import type { ErrorCategory } from "../stats/index.ts";
import { recordMs } from "../stats/index.ts";
import { nowEpoch } from "./clock.ts";
import { fastOk, frameWriter, type Lane, type LaneOptions, type PubTarget, shapedFastOk } from "./lanes.ts";
import type { FailLedger } from "./ledger.ts";
import type { MessageShape } from "./message-shape.ts";
import type { ShareMetrics } from "./metrics.ts";
import { writeHeader } from "./payload.ts";
import { ackError, categorize } from "./publish-errors.ts";
import {
  ACK_SWEEP_MS,
  PUBLISH_ATTEMPT_TIMEOUT_MS,
  PUBLISH_DEADLINE_MS,
  PUBLISH_RETRY_WAIT_MS,
} from "./timings.ts";
import { ascii, type FrameWriter } from "./wire.ts";

/** Publishes in flight per connection before the lane closes (the schedule waits; late slots stay late). */
export const JS_WINDOW = 256;
/** Free slots the window needs before it reopens, so sends resume in batches rather than one by one. */
const LOW_WATER = 64;
/** JetStream's de-duplication header. */
const MSG_ID = "Nats-Msg-Id";

let inboxCounter = 0;

/** A message waiting to be sent again. */
interface Retry {
  readonly t: PubTarget;
  readonly seq: number;
  readonly intended: number;
  /** When its first attempt was sent (the deadline runs from there). */
  readonly first: number;
  /** What the last attempt got (the error counted if the deadline passes). */
  readonly cat: ErrorCategory;
}

export interface JsLaneOptions extends LaneOptions {
  /** Publishes in flight before the lane closes. @default JS_WINDOW (256) */
  readonly window?: number;
  /**
   * Free slots before the closed window reopens; the window's size makes it reopen only when empty (js_publish
   * "sync" and "batch": wait for every ack). @default LOW_WATER (64)
   */
  readonly lowWater?: number;
  /** Messages carry `Nats-Msg-Id` (`publishers.dedupe`; public path), and duplicate acks count. @default false */
  readonly dedupe?: boolean;
  /**
   * A publish not acknowledged this long after its first send fails (retries included).
   * @default PUBLISH_DEADLINE_MS
   */
  readonly ackTimeoutMs?: number;
  /**
   * One attempt unanswered this long is sent again (while the deadline allows).
   * @default PUBLISH_ATTEMPT_TIMEOUT_MS
   */
  readonly attemptTimeoutMs?: number;
  /** Pause before a retry. @default PUBLISH_RETRY_WAIT_MS */
  readonly retryWaitMs?: number;
}

export class JsLane implements Lane {
  readonly #nc: NatsConnection;
  readonly #m: ShareMetrics;
  readonly #ledger: FailLedger;
  readonly #prefix: string;
  readonly #prefixLen: number;
  readonly #sub: Subscription;
  readonly #cap: number;
  readonly #token: Float64Array;
  /** The publisher of each slot's message (targets live as long as the share: never cleared). */
  readonly #tgt: (PubTarget | undefined)[];
  readonly #seq: Float64Array;
  readonly #intended: Float64Array;
  readonly #sentAt: Float64Array;
  readonly #window: number;
  readonly #lowWater: number;
  readonly #dedupe: boolean;
  readonly #text = new TextDecoder();
  readonly #deadlineMs: number;
  readonly #attemptMs: number;
  readonly #retryWaitMs: number;
  /** First send time of messages on their second or later attempt, by token (empty while all goes well). */
  readonly #firstAt = new Map<number, number>();
  #retries: Retry[] = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #next = 1;
  #inflight = 0;
  #closedGate = false;
  #wake: (() => void) | undefined;
  #drained: (() => void) | undefined;
  #denied = false;
  readonly #sweep: NodeJS.Timeout;
  readonly #w: FrameWriter | undefined;
  readonly #shape: MessageShape | undefined;
  /** Shaped lanes: each key's frame head up to the reply token, made on first use. */
  readonly #heads: (Uint8Array | undefined)[] = [];

  constructor(nc: NatsConnection, m: ShareMetrics, ledger: FailLedger, opts: JsLaneOptions = {}) {
    this.#nc = nc;
    this.#m = m;
    this.#ledger = ledger;
    this.#w = frameWriter(nc, opts);
    this.#shape = opts.shape;
    this.#window = opts.window ?? JS_WINDOW;
    this.#lowWater = opts.lowWater ?? LOW_WATER;
    this.#dedupe = opts.dedupe === true;
    this.#deadlineMs = opts.ackTimeoutMs ?? PUBLISH_DEADLINE_MS;
    this.#attemptMs = Math.min(opts.attemptTimeoutMs ?? PUBLISH_ATTEMPT_TIMEOUT_MS, this.#deadlineMs);
    this.#retryWaitMs = opts.retryWaitMs ?? PUBLISH_RETRY_WAIT_MS;
    let cap = 1;
    while (cap < this.#window * 4) cap <<= 1;
    this.#cap = cap;
    this.#token = new Float64Array(cap);
    this.#tgt = new Array<PubTarget | undefined>(cap).fill(undefined);
    this.#seq = new Float64Array(cap);
    this.#intended = new Float64Array(cap);
    this.#sentAt = new Float64Array(cap);
    this.#prefix = `_INBOX.lt${process.pid}x${++inboxCounter}x${Math.floor(Math.random() * 1e9)}.`;
    this.#prefixLen = this.#prefix.length;
    this.#sub = nc.subscribe(`${this.#prefix}*`, { callback: (_err, msg) => this.#onAck(msg) });
    this.#sweep = setInterval(() => this.#expire(), ACK_SWEEP_MS);
    this.#sweep.unref();
    nc.closed().then(() => {
      this.#closed = true;
      this.#failAll("connection_closed");
    });
  }

  /** Marks the lane's subject as denied by the server: its unanswered publishes count as permission errors. */
  deny(): void {
    this.#denied = true;
  }

  get fast(): boolean {
    return this.#w !== undefined;
  }

  ready(): boolean {
    return !this.#closedGate;
  }

  onReady(wake: () => void): void {
    this.#wake = wake;
  }

  send(t: PubTarget, seq: number, intendedEpochMs: number): void {
    const now = this.#transmit(t, seq, intendedEpochMs);
    if (now < 0) return;
    const m = this.#m;
    m.counts.published++;
    const s = this.#shape;
    m.counts.bytes_out += s === undefined ? t.size : s.size;
    recordMs(m.hist.send_delay, now - intendedEpochMs);
    if (++this.#inflight >= this.#window) this.#closedGate = true;
  }

  /**
   * Writes one attempt of message `seq` under a new token. Returns the send time, or -1 when the client
   * refused it (the message then failed: counted).
   */
  #transmit(t: PubTarget, seq: number, intendedEpochMs: number): number {
    const token = this.#next++;
    const slot = token & (this.#cap - 1);
    // Four windows of tokens later and still unanswered (retries in an election use tokens fast): that attempt is
    // given up and its message sent again, within its deadline like any unanswered attempt, never failed early.
    if (this.#token[slot] !== 0) this.#retry(slot, "timeout");
    try {
      const w = this.#w;
      const s = this.#shape;
      if (this.#dedupe) this.#transmitWithId(t, token, seq, intendedEpochMs);
      else if (s !== undefined) this.#transmitShaped(s, t, token, seq, intendedEpochMs);
      else if (fastOk(w, t)) {
        if (!t.head) {
          t.head = ascii(`PUB ${t.subject} ${this.#prefix}`);
          t.tail = ascii(` ${t.size}\r\n`);
        }
        const at = w.frame(t.head, token, t.tail!, t.size);
        writeHeader(w.view, at, t.source, t.pub, seq, intendedEpochMs, t.track);
      } else {
        const payload = t.payloads.make(t.source, t.pub, seq, intendedEpochMs, t.track);
        this.#nc.publish(t.subject, payload, { reply: this.#prefix + token });
      }
    } catch (err) {
      this.#m.publishError(categorize(err));
      this.#ledger.fail(t.pub, seq);
      return -1;
    }
    const now = nowEpoch();
    this.#token[slot] = token;
    this.#tgt[slot] = t;
    this.#seq[slot] = seq;
    this.#intended[slot] = intendedEpochMs;
    this.#sentAt[slot] = now;
    return now;
  }

  /**
   * Writes message `seq` with its drawn size, key and the headers. The draw depends on (publisher, seq) only,
   * so a retry sends the same message.
   */
  #transmitShaped(s: MessageShape, t: PubTarget, token: number, seq: number, intendedEpochMs: number): void {
    s.pick(t.pub, seq);
    const k = s.key;
    const w = this.#w;
    if (shapedFastOk(w, s)) {
      let head = this.#heads[k];
      if (head === undefined) {
        head = ascii(`${s.hdr ? "HPUB" : "PUB"} ${s.subjects[k]} ${this.#prefix}`);
        this.#heads[k] = head;
      }
      const at = w.frameSized(head, token, s.hdr, s.size);
      writeHeader(w.view, at, t.source, t.pub, seq, intendedEpochMs, t.track);
    } else {
      const payload = t.payloads.makeSized(s.size, t.source, t.pub, seq, intendedEpochMs, t.track);
      const reply = this.#prefix + token;
      this.#nc.publish(s.subjects[k]!, payload, s.hdrs ? { reply, headers: s.hdrs } : { reply });
    }
  }

  /**
   * `publishers.dedupe`: message `seq` with a `Nats-Msg-Id` of its source, publisher and sequence (a retry sends
   * the same id, so the server stores the message once), through `nc.publish` (the id differs per message; the
   * fast path writes one header block per publisher). The shape's size, subject and headers as in
   * #transmitShaped.
   */
  #transmitWithId(t: PubTarget, token: number, seq: number, intendedEpochMs: number): void {
    const s = this.#shape;
    const h = headers();
    let subject = t.subject;
    let payload: Uint8Array;
    if (s !== undefined) {
      s.pick(t.pub, seq);
      subject = s.subjects[s.key]!;
      payload = t.payloads.makeSized(s.size, t.source, t.pub, seq, intendedEpochMs, t.track);
      if (s.hdrs) for (const [k, vals] of s.hdrs) for (const v of vals) h.append(k, v);
    } else payload = t.payloads.make(t.source, t.pub, seq, intendedEpochMs, t.track);
    h.set(MSG_ID, `${t.source}.${t.pub}.${seq}`);
    this.#nc.publish(subject, payload, { reply: this.#prefix + token, headers: h });
  }

  /** Whether a PubAck says the server refused the message as a duplicate of a stored one. */
  #duplicate(data: Uint8Array): boolean {
    try {
      return (JSON.parse(this.#text.decode(data)) as { duplicate?: unknown }).duplicate === true;
    } catch {
      return false;
    }
  }

  #onAck(msg: Msg): void {
    // Every duplicate ack counts, also the late ack of an attempt already sent again: each is a copy the server
    // refused, so publish_duplicates is what the server turned away.
    if (this.#dedupe && this.#duplicate(msg.data)) this.#m.counts.publish_duplicates++;
    const token = +msg.subject.slice(this.#prefixLen);
    const slot = token & (this.#cap - 1);
    if (this.#token[slot] !== token) return; // already timed out
    const data = msg.data;
    // A PubAck starts with {"stream": errors with {"error": (or an empty 503 no-responders status).
    if (data.length > 2 && data[2] === 0x73) {
      const m = this.#m;
      const now = nowEpoch();
      m.counts.acked++;
      // Response time from the intended send (stalls show), service time from this attempt's send (the
      // server's part): their difference is the client's send delay plus any retries.
      recordMs(m.hist.publish_ack, now - this.#intended[slot]!);
      recordMs(m.hist.publish_service, now - this.#sentAt[slot]!);
      this.#free(slot);
    } else {
      const cat = ackError(msg);
      if (cat === "no_responders") this.#retry(slot, cat);
      else this.#fail(slot, cat);
    }
  }

  /** The attempt in `slot` got no ack: send the message again after the retry wait if its deadline allows. */
  #retry(slot: number, cat: ErrorCategory): void {
    const token = this.#token[slot]!;
    const retried = this.#firstAt.size !== 0 ? this.#firstAt.get(token) : undefined;
    const first = retried ?? this.#sentAt[slot]!;
    if (this.#closed || this.#denied || nowEpoch() + this.#retryWaitMs - first >= this.#deadlineMs) {
      this.#fail(slot, this.#denied ? "permission" : cat);
      return;
    }
    this.#retries.push({
      t: this.#tgt[slot]!,
      seq: this.#seq[slot]!,
      intended: this.#intended[slot]!,
      first,
      cat,
    });
    // The attempt's token is released (a late ack for it is ignored); the message stays in the window.
    if (retried !== undefined) this.#firstAt.delete(token);
    this.#token[slot] = 0;
    this.#retryTimer ??= setTimeout(this.#resend, this.#retryWaitMs);
  }

  readonly #resend = (): void => {
    this.#retryTimer = undefined;
    const list = this.#retries;
    this.#retries = [];
    for (const r of list) {
      if (this.#closed) {
        this.#failMessage(r.t.pub, r.seq, "connection_closed");
        continue;
      }
      this.#m.counts.publish_retries++;
      const at = this.#transmit(r.t, r.seq, r.intended);
      if (at < 0) {
        this.#release();
        continue;
      }
      this.#firstAt.set(this.#next - 1, r.first);
    }
  };

  #fail(slot: number, cat: ErrorCategory): void {
    this.#m.publishError(cat);
    this.#ledger.fail(this.#tgt[slot]!.pub, this.#seq[slot]!);
    this.#free(slot);
  }

  /** A message that holds no token (waiting for a retry) fails. */
  #failMessage(pub: number, seq: number, cat: ErrorCategory): void {
    this.#m.publishError(cat);
    this.#ledger.fail(pub, seq);
    this.#release();
  }

  #free(slot: number): void {
    if (this.#firstAt.size !== 0) this.#firstAt.delete(this.#token[slot]!);
    this.#token[slot] = 0;
    this.#release();
  }

  /** One message less in flight. */
  #release(): void {
    this.#inflight--;
    if (this.#closedGate && (this.#inflight <= this.#window - this.#lowWater || this.#inflight === 0)) {
      this.#closedGate = false;
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    }
    if (this.#inflight === 0) this.#drained?.();
  }

  #expire(): void {
    if (this.#inflight === 0) return;
    const now = nowEpoch();
    const limit = now - this.#attemptMs;
    for (let s = 0; s < this.#cap; s++) {
      if (this.#token[s] !== 0 && this.#sentAt[s]! < limit) this.#retry(s, "timeout");
    }
    // A retried attempt may not outlive its message's deadline.
    if (this.#firstAt.size === 0) return;
    for (const [token, first] of this.#firstAt) {
      if (now - first < this.#deadlineMs) continue;
      const slot = token & (this.#cap - 1);
      if (this.#token[slot] === token) this.#fail(slot, this.#denied ? "permission" : "timeout");
      else this.#firstAt.delete(token);
    }
  }

  /** Everything in flight fails: with `cat`, or (undefined) with what each got last (timeout if nothing). */
  #failAll(cat: ErrorCategory | undefined): void {
    for (let s = 0; s < this.#cap; s++) if (this.#token[s] !== 0) this.#fail(s, cat ?? "timeout");
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const list = this.#retries;
    this.#retries = [];
    for (const r of list) this.#failMessage(r.t.pub, r.seq, cat ?? r.cat);
  }

  drain(timeoutMs: number): Promise<void> {
    this.#w?.commit();
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#failAll(this.#denied ? "permission" : undefined);
        resolve();
      }, timeoutMs);
      this.#drained = () => {
        clearTimeout(t);
        this.#drained = undefined;
        resolve();
      };
    });
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweep);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#sub.unsubscribe();
  }
}
