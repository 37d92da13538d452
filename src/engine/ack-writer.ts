// The ack fast path: JetStream acks written as protocol frames into our own slab and handed to the client in
// one chunk per socket read, as the publish path hands over its PUB frames (wire.ts).
//
// Why (docs/performance.md, "Consume fast path"): `m.ack()` is `msg.respond("+ACK")`, which decodes the reply
// subject to a string (a TextDecoder call), builds `PUB <reply> 4\r\n` as a template string, encodes it back
// with a TextEncoder, queues three buffers and concatenates them before the socket write. In a profile of the
// consume path that was ~20% of the CPU. Here the reply subject's bytes, as the parser handed them over, are
// copied between two constant byte strings: the frame is byte for byte what nats.js writes for `m.ack()`
// (JsMsgImpl.ack → MsgImpl.respond(ACK) → ProtocolHandler.publish(reply, "+ACK") with no reply and no
// headers), checked by test/integration/engine-consume-fast.test.ts.
//
// One hand-over per socket read (a microtask after the read's messages were handled, nats.js' own flush timing),
// not per turn of the event loop: libuv hands up to 32 full 64 KiB reads to one poll phase, and with
// max_ack_pending 1,000 (~1.1 MB at 1 KiB) a per-turn hand-over would hold every ack until the server had sent
// all it may, then stall it for a round trip (stop-and-wait); acking each read keeps the server sending.
//
// The internals used are typed against @nats-io/nats-core/internal (through transport-node, as wire.ts):
// `MsgImpl._msg.reply` (the reply subject's bytes) and the protocol handler. `ackWriter` answers undefined when
// the connection lacks them; callers then ack with `m.ack()` and the share says so once (FallbackNotice).
//
// Slabs are never reused: the client may hold a chunk until its socket write (longer while reconnecting).
import type { Msg, MsgImpl, NatsConnection } from "@nats-io/transport-node";
import { ascii, type RawProtocol, rawProtocol } from "./wire.ts";

const HEAD = ascii("PUB ");
/** ` <payload size>\r\n<payload>\r\n` for the payload `+ACK` (nats.js' ACK constant). */
const TAIL = ascii(" 4\r\n+ACK\r\n");
const ACK_BYTES = 4;
/**
 * 256 KiB: an ack frame is ~90 bytes (a 70-80 byte reply subject), so one slab holds ~2,900 acks, many socket
 * reads' worth at 1 KiB messages (a 64 KiB read holds ~55), and a fresh slab every ~50 reads costs far less
 * than the allocations it replaces.
 */
const SLAB = 256 * 1024;

/** The reply subject's bytes of a message the client parsed, or undefined (another client, no reply). */
export function replyBytes(msg: Msg): Uint8Array | undefined {
  const r = (msg as Partial<MsgImpl>)._msg?.reply;
  return r instanceof Uint8Array && r.length > 0 ? r : undefined;
}

export class AckWriter {
  readonly #nc: NatsConnection;
  readonly #proto: RawProtocol;
  #slab = new Uint8Array(SLAB);
  #start = 0;
  #off = 0;
  #acks = 0;
  #queued = false;
  readonly #commit = (): void => this.commit();

  constructor(nc: NatsConnection, proto: RawProtocol) {
    this.#nc = nc;
    this.#proto = proto;
  }

  /** Queues `PUB <reply> 4\r\n+ACK\r\n`; it leaves with the other acks of this socket read. */
  ack(reply: Uint8Array): void {
    const need = HEAD.length + reply.length + TAIL.length;
    if (this.#off + need > this.#slab.length) this.#grow(need);
    const b = this.#slab;
    let o = this.#off;
    b[o++] = HEAD[0]!;
    b[o++] = HEAD[1]!;
    b[o++] = HEAD[2]!;
    b[o++] = HEAD[3]!;
    b.set(reply, o);
    o += reply.length;
    for (let i = 0; i < TAIL.length; i++) b[o++] = TAIL[i]!;
    this.#off = o;
    this.#acks++;
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(this.#commit);
    }
  }

  /**
   * Hands the acks written since the last commit to the client, as one chunk. Also called before a flush
   * (`settle`), so the server has every ack when the flush's PONG returns. Acks on a closed connection are dropped, as
   * `m.ack()` drops them (the server redelivers after ack_wait).
   */
  commit(): void {
    this.#queued = false;
    if (this.#off === this.#start) return;
    const chunk = this.#slab.subarray(this.#start, this.#off);
    const n = this.#acks;
    this.#start = this.#off;
    this.#acks = 0;
    if (this.#nc.isClosed()) return;
    const p = this.#proto;
    p.outMsgs += n;
    p.outBytes += n * ACK_BYTES;
    p.sendCommand(chunk);
  }

  #grow(need: number): void {
    this.commit();
    this.#slab = new Uint8Array(Math.max(SLAB, need));
    this.#start = 0;
    this.#off = 0;
  }
}

/** An AckWriter for `nc`, or undefined when the client lacks the internals (then ack with `m.ack()`). */
export function ackWriter(nc: NatsConnection): AckWriter | undefined {
  const p = rawProtocol(nc);
  return p ? new AckWriter(nc, p) : undefined;
}
