// A responder connection's replies as whole `PUB <reply> <size>\r\n<payload>\r\n` frames in one slab, handed to
// the client once per event-loop turn (as ack-writer.ts does for acks): the reply subject's bytes come from
// the client's parsed message (never decoded into a string and encoded back), so an echo costs a copy.
import { ClosedConnectionError, DrainingConnectionError, type NatsConnection } from "@nats-io/transport-node";
import { ascii, type RawProtocol, rawProtocol } from "./wire.ts";

const HEAD = ascii("PUB ");
const CRLF = ascii("\r\n");
/** 256 KiB, as the ack writer's: many replies per slab, a fresh slab far less often than once per reply. */
const SLAB = 256 * 1024;

export class ReplyWriter {
  readonly #nc: NatsConnection;
  readonly #proto: RawProtocol;
  #slab = new Uint8Array(SLAB);
  #start = 0;
  #off = 0;
  #msgs = 0;
  #bytes = 0;
  #queued = false;
  readonly #commit = (): void => this.commit();
  /** ` <size>\r\n` of the last size written (an echo's replies all have the request's size). */
  #sizeOf = -1;
  #sizeLine = CRLF;

  constructor(nc: NatsConnection, proto: RawProtocol) {
    this.#nc = nc;
    this.#proto = proto;
  }

  /** Queues a reply of `data` to the subject `reply` (its bytes). Throws as `msg.respond` would when closed. */
  reply(reply: Uint8Array, data: Uint8Array): void {
    if (this.#nc.isClosed()) throw new ClosedConnectionError();
    if (this.#proto.noMorePublishing) throw new DrainingConnectionError();
    if (data.length !== this.#sizeOf) {
      this.#sizeOf = data.length;
      this.#sizeLine = ascii(` ${data.length}\r\n`);
    }
    const line = this.#sizeLine;
    const need = HEAD.length + reply.length + line.length + data.length + CRLF.length;
    if (this.#off + need > this.#slab.length) this.#grow(need);
    const b = this.#slab;
    let o = this.#off;
    b.set(HEAD, o);
    o += HEAD.length;
    b.set(reply, o);
    o += reply.length;
    b.set(line, o);
    o += line.length;
    b.set(data, o);
    o += data.length;
    b[o++] = 13;
    b[o++] = 10;
    this.#off = o;
    this.#msgs++;
    this.#bytes += data.length;
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(this.#commit);
    }
  }

  /** Hands the replies written since the last commit to the client, as one chunk. */
  commit(): void {
    this.#queued = false;
    if (this.#off === this.#start) return;
    const p = this.#proto;
    p.outMsgs += this.#msgs;
    p.outBytes += this.#bytes;
    this.#msgs = 0;
    this.#bytes = 0;
    const chunk = this.#slab.subarray(this.#start, this.#off);
    this.#start = this.#off;
    if (!this.#nc.isClosed()) p.sendCommand(chunk);
  }

  #grow(need: number): void {
    this.commit();
    this.#slab = new Uint8Array(Math.max(SLAB, need));
    this.#start = 0;
    this.#off = 0;
  }
}

/** A ReplyWriter for `nc`, or undefined (the public path asked for, or a client without the internals). */
export function replyWriter(nc: NatsConnection, publicPath: boolean): ReplyWriter | undefined {
  const p = publicPath ? undefined : rawProtocol(nc);
  return p ? new ReplyWriter(nc, p) : undefined;
}
