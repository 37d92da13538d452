// The bytes every load message starts with, so consumers count loss, duplicates and order, and measure
// end-to-end latency. Little-endian:
//   0 u8 magic 0xA7 | 1 u8 flags (bit 0: track latency) | 2 u16 reserved | 4 u32 source (random per engine
//   share, tells apart publishers of different pods and workers) | 8 u32 publisher index | 12 f64 sequence
//   (per publisher, from 0) | 20 f64 intended send time (epoch ms, fractional).
// The rest of the payload is zeros up to `message_size_bytes`, or what `publishers.payload` asks for
// (payload-fill.ts: the slab is filled when made, never per message).
import type { SlabFill } from "./payload-fill.ts";

export const HEADER_BYTES = 28;
const MAGIC = 0xa7;
const FLAG_LATENCY = 1;

/** Bytes each message of `message_size_bytes` puts on the wire as payload: never less than our header. */
export function payloadBytes(messageSize: number): number {
  return Math.max(HEADER_BYTES, Math.floor(messageSize));
}

/**
 * Hands out payloads carved from large slabs: the client keeps a reference to each payload until its
 * socket write, so one buffer cannot be reused, but one allocation per message would cost more.
 */
export class PayloadFactory {
  readonly #size: number;
  readonly #slabBytes: number;
  #slab: Uint8Array;
  #view: DataView;
  #off = 0;
  readonly #fill: SlabFill | undefined;

  /** `messageSize`: the size of `make`'s payloads and the largest of `makeSized`'s. */
  constructor(messageSize: number, slabBytes = 1 << 20, fill?: SlabFill) {
    this.#size = payloadBytes(messageSize);
    this.#slabBytes = Math.max(slabBytes, this.#size);
    this.#fill = fill;
    this.#slab = new Uint8Array(this.#slabBytes);
    fill?.(this.#slab);
    this.#view = new DataView(this.#slab.buffer);
  }

  get size(): number {
    return this.#size;
  }

  make(source: number, pub: number, seq: number, intendedMs: number, trackLatency: boolean): Uint8Array {
    return this.makeSized(this.#size, source, pub, seq, intendedMs, trackLatency);
  }

  /** A payload of `size` bytes (from HEADER_BYTES up to the factory's size). */
  makeSized(
    size: number,
    source: number,
    pub: number,
    seq: number,
    intendedMs: number,
    trackLatency: boolean,
  ): Uint8Array {
    if (this.#off + size > this.#slabBytes) {
      this.#slab = new Uint8Array(this.#slabBytes);
      this.#fill?.(this.#slab);
      this.#view = new DataView(this.#slab.buffer);
      this.#off = 0;
    }
    const o = this.#off;
    writeHeader(this.#view, o, source, pub, seq, intendedMs, trackLatency);
    this.#off = o + size;
    return this.#slab.subarray(o, o + size);
  }
}

/** Writes the header at offset `o` of `v` (the rest of the payload is left as it is: zeros in a fresh slab). */
export function writeHeader(
  v: DataView,
  o: number,
  source: number,
  pub: number,
  seq: number,
  intendedMs: number,
  trackLatency: boolean,
): void {
  v.setUint8(o, MAGIC);
  v.setUint8(o + 1, trackLatency ? FLAG_LATENCY : 0);
  v.setUint16(o + 2, 0);
  v.setUint32(o + 4, source, true);
  v.setUint32(o + 8, pub, true);
  v.setFloat64(o + 12, seq, true);
  v.setFloat64(o + 20, intendedMs, true);
}

/** A decoded header; one instance is reused by each reader (no allocation per message). */
export interface Header {
  source: number;
  pub: number;
  seq: number;
  intendedMs: number;
  trackLatency: boolean;
}

export function newHeader(): Header {
  return { source: 0, pub: 0, seq: 0, intendedMs: 0, trackLatency: false };
}

/** Fills `h` from `data`; false when the payload is not one of ours. */
export function readHeader(data: Uint8Array, h: Header): boolean {
  return new HeaderReader().read(data, h);
}

/**
 * Reads headers without a DataView per message: the messages of one socket read are views of the same
 * buffer, so one DataView over that buffer serves them all (the consume profile: a DataView per message
 * was a visible share of the garbage collector's work).
 */
export class HeaderReader {
  #buf: ArrayBufferLike | undefined;
  #view: DataView | undefined;

  read(data: Uint8Array, h: Header): boolean {
    if (data.length < HEADER_BYTES || data[0] !== MAGIC) return false;
    let v = this.#view;
    if (data.buffer !== this.#buf || v === undefined) {
      this.#buf = data.buffer;
      v = this.#view = new DataView(data.buffer);
    }
    const o = data.byteOffset;
    h.trackLatency = (data[1]! & FLAG_LATENCY) !== 0;
    h.source = v.getUint32(o + 4, true);
    h.pub = v.getUint32(o + 8, true);
    h.seq = v.getFloat64(o + 12, true);
    h.intendedMs = v.getFloat64(o + 20, true);
    return true;
  }
}

/** A random source id that fits in 21 bits, so `source * 2^32 + pub` stays a safe integer key. */
export function newSourceId(): number {
  return 1 + Math.floor(Math.random() * 0x1ffffe);
}

export function trackerKey(source: number, pub: number): number {
  return source * 0x1_0000_0000 + pub;
}
