// The publish fast path: PUB frames written straight into our own slabs and handed to the client once per
// turn of the event loop, as one contiguous chunk.
//
// Why (docs/performance.md): a profile of core publish at 128 B spent ~17% of the CPU in nats.js encoding each
// `PUB <subject> <size>\r\n` line with a TextEncoder, and ~8% in concatenating three buffers (line, payload,
// CRLF) per message before each socket write. Here the line bytes are computed once per subject, the header is
// written in place, the payload's zeros come from a fresh slab, and one `sendCommand` per turn moves a whole
// run of frames, which nats.js writes to the socket without copying it again.
//
// It uses the client's protocol handler (`nc.protocol.sendCommand`, its `outMsgs`/`outBytes` counters), an
// internal of @nats-io/nats-core 3.x, typed against `@nats-io/nats-core/internal` (the export nats.js' own
// tests use; @nats-io/transport-node re-exports it): a client whose internals changed shape fails to compile
// here rather than silently losing the speed. At run time `rawProtocol` still checks the object and returns
// undefined when it is not there (another transport): the lanes then publish through `nc.publish` (the
// public path, same wire bytes) and the share logs the fallback once.
//
// Slabs are never reused: the client may hold a reference to a chunk until its socket write (longer while
// reconnecting), so a chunk's bytes must not change. A full slab is replaced and left to the collector.
import {
  ClosedConnectionError,
  DrainingConnectionError,
  type NatsConnection,
  type NatsConnectionImpl,
  type ProtocolHandler,
} from "@nats-io/transport-node";
import type { Logger } from "./api.ts";
import type { SlabFill } from "./payload-fill.ts";

/** The parts of nats-core's ProtocolHandler the fast path uses (a compile error when they change). */
export type RawProtocol = Pick<
  ProtocolHandler,
  "sendCommand" | "outMsgs" | "outBytes" | "noMorePublishing" | "info"
>;

/** The connection's protocol handler when it has what the fast path needs; otherwise undefined. */
export function rawProtocol(nc: NatsConnection): RawProtocol | undefined {
  const p: Partial<RawProtocol> | undefined = (nc as Partial<NatsConnectionImpl>).protocol;
  if (
    !p ||
    typeof p.sendCommand !== "function" ||
    typeof p.outMsgs !== "number" ||
    typeof p.outBytes !== "number"
  )
    return undefined;
  return p as RawProtocol;
}

/**
 * Logs once (per share) that publishes go through `nc.publish` because the client lacks the fast path's
 * internals: the run is still right, only slower than docs/performance.md reports. Not when it was asked for.
 */
export class FallbackNotice {
  readonly #log: Logger;
  readonly #message: string;
  #logged = false;

  /** `message`: what is said (the consume path says its own). */
  constructor(
    log: Logger,
    message = "publish fast path unavailable on this nats.js client: publishing through nc.publish",
  ) {
    this.#log = log;
    this.#message = message;
  }

  /** One lane was made: `fast` it uses the fast path; `forced` the public path was asked for. */
  note(fast: boolean, forced: boolean): void {
    if (fast || forced || this.#logged) return;
    this.#logged = true;
    this.#log.warn(this.#message);
  }
}

const te = new TextEncoder();
export const ascii = (s: string): Uint8Array => te.encode(s);

const SLAB = 1 << 20;

export class FrameWriter {
  readonly #nc: NatsConnection;
  readonly #proto: RawProtocol;
  #slab: Uint8Array;
  #view: DataView;
  #start = 0;
  #off = 0;
  #msgs = 0;
  #bytes = 0;
  #queued = false;
  readonly #commit = (): void => this.commit();
  readonly #fill: SlabFill | undefined;

  /** `fill`: what a new slab's payload bytes hold (`publishers.payload`); absent = zeros. */
  constructor(nc: NatsConnection, proto: RawProtocol, fill?: SlabFill) {
    this.#nc = nc;
    this.#proto = proto;
    this.#fill = fill;
    this.#slab = new Uint8Array(SLAB);
    fill?.(this.#slab);
    this.#view = new DataView(this.#slab.buffer);
  }

  /** The largest payload the server accepts (from its INFO), or Infinity before it is known. */
  get maxPayload(): number {
    return this.#proto.info?.max_payload ?? Number.POSITIVE_INFINITY;
  }

  get view(): DataView {
    return this.#view;
  }

  /**
   * Reserves one frame: `head` (e.g. `PUB subj ` or `PUB subj reply-prefix`), then the decimal `token` when
   * it is >= 0, then `tail` (` <size>\r\n` or the rest of the line), `size` payload bytes (zeros) and CRLF.
   * Returns the payload's offset in `view`. Throws as `nc.publish` would on a closed or draining connection.
   */
  frame(head: Uint8Array, token: number, tail: Uint8Array, size: number): number {
    if (this.#nc.isClosed()) throw new ClosedConnectionError();
    if (this.#proto.noMorePublishing) throw new DrainingConnectionError();
    const need = head.length + 16 + tail.length + size + 2;
    if (this.#off + need > this.#slab.length) this.#grow(need);
    const b = this.#slab;
    let o = this.#off;
    for (let i = 0; i < head.length; i++) b[o++] = head[i]!;
    if (token >= 0) o = writeDecimal(b, o, token);
    for (let i = 0; i < tail.length; i++) b[o++] = tail[i]!;
    const payloadAt = o;
    o += size;
    b[o++] = 13;
    b[o++] = 10;
    this.#off = o;
    this.#msgs++;
    this.#bytes += size;
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(this.#commit);
    }
    return payloadAt;
  }

  /**
   * Reserves one frame of a message whose size or headers vary (message-shape.ts): `head` (`PUB subj`, `HPUB
   * subj`, or either with ` reply-prefix`), the decimal `token` when >= 0, then ` [<hdr length> ]<total>\r\n`,
   * the header block `hdr` when given (HPUB), `size` payload bytes (the slab's) and CRLF. Returns the payload's
   * offset in `view`. Throws as `nc.publish` would on a closed or draining connection.
   */
  frameSized(head: Uint8Array, token: number, hdr: Uint8Array | undefined, size: number): number {
    if (this.#nc.isClosed()) throw new ClosedConnectionError();
    if (this.#proto.noMorePublishing) throw new DrainingConnectionError();
    const hlen = hdr?.length ?? 0;
    const need = head.length + 48 + hlen + size + 2;
    if (this.#off + need > this.#slab.length) this.#grow(need);
    const b = this.#slab;
    let o = this.#off;
    for (let i = 0; i < head.length; i++) b[o++] = head[i]!;
    if (token >= 0) o = writeDecimal(b, o, token);
    b[o++] = 32;
    if (hdr !== undefined) {
      o = writeDecimal(b, o, hlen);
      b[o++] = 32;
    }
    o = writeDecimal(b, o, hlen + size);
    b[o++] = 13;
    b[o++] = 10;
    if (hdr !== undefined) {
      b.set(hdr, o);
      o += hlen;
    }
    const payloadAt = o;
    o += size;
    b[o++] = 13;
    b[o++] = 10;
    this.#off = o;
    this.#msgs++;
    this.#bytes += hlen + size;
    if (!this.#queued) {
      this.#queued = true;
      queueMicrotask(this.#commit);
    }
    return payloadAt;
  }

  /** Hands the frames written since the last commit to the client (it writes them to the socket). */
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
    this.#fill?.(this.#slab);
    this.#view = new DataView(this.#slab.buffer);
    this.#start = 0;
    this.#off = 0;
  }
}

/** Writes a non-negative integer in decimal at `o`; returns the offset after it. */
function writeDecimal(b: Uint8Array, o: number, n: number): number {
  if (n < 10) {
    b[o] = 48 + n;
    return o + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let x = n;
  for (let i = o + digits - 1; i >= o; i--) {
    b[i] = 48 + (x % 10);
    x = Math.floor(x / 10);
  }
  return o + digits;
}
