// The shape of one stream's messages when they vary (`publishers.message_size_range` / `message_sizes`,
// `headers`, `subject` with `{key}`): each message's payload size and key are drawn, its subject and header
// block precomputed. Shared by the publishers of the stream in a share, and owned by their lanes, which ask
// `pick(pub, seq)` before writing a message.
//
// The draw is a counter-based PRNG: a hash of (stream seed, publisher, sequence), a few integer multiplies,
// no state. So a retried JetStream publish (js-lane.ts sends message `seq` again) is the same message (same
// size, same subject), and the figures of a run can be reproduced from its config.
import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";
import type { ExpandedMessages, ExpandedPublisher } from "../config/index.ts";
import { payloadBytes } from "./payload.ts";

const TWO_32 = 4294967296;

/** Vose's alias table: a draw from n weighted outcomes in O(1). */
export class AliasTable {
  readonly n: number;
  readonly #prob: Float64Array;
  readonly #alias: Uint32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    this.n = n;
    this.#prob = new Float64Array(n).fill(1);
    this.#alias = new Uint32Array(n);
    let sum = 0;
    for (const w of weights) sum += w;
    const p = weights.map((w) => (w * n) / sum);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) (p[i]! < 1 ? small : large).push(i);
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.#prob[s] = p[s]!;
      this.#alias[s] = l;
      p[l] = p[l]! + p[s]! - 1;
      (p[l]! < 1 ? small : large).push(l);
    }
    for (const i of small) this.#prob[i] = 1;
  }

  /** The outcome for two independent uniform 32-bit values. */
  draw(a: number, b: number): number {
    const i = Math.floor((a / TWO_32) * this.n);
    return b / TWO_32 < this.#prob[i]! ? i : this.#alias[i]!;
  }
}

/** murmur3's 32-bit finalizer: every input bit moves every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a string: the stream's seed. */
function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Zipf weights 1 / (k + 1)^s of `count` keys, as an alias table; shared by the streams of a share. */
export type KeyTables = Map<string, AliasTable>;

export class MessageShape {
  /** Each key's subject (one when there are no keys). */
  readonly subjects: readonly string[];
  /** The header block as nats.js encodes it (the fast path copies it into HPUB frames), or undefined. */
  readonly hdr: Uint8Array | undefined;
  /** The same headers for `nc.publish`. */
  readonly hdrs: MsgHdrs | undefined;
  /** The largest payload (tracking header included). */
  readonly maxSize: number;
  /** The last pick: payload bytes and key. */
  size: number;
  key = 0;
  readonly #seed: number;
  readonly #min: number;
  /** Range sizes: max - min + 1; 0 for a weighted list or a fixed size. */
  readonly #span: number;
  readonly #sizeBytes: Uint32Array | undefined;
  readonly #sizeTable: AliasTable | undefined;
  readonly #keys: number;
  readonly #keyTable: AliasTable | undefined;

  constructor(p: ExpandedPublisher, tables: KeyTables = new Map()) {
    this.#seed = seedOf(p.stream);
    const sizes = p.sizes;
    this.maxSize = payloadBytes(p.messageSize);
    this.#min = this.maxSize;
    this.#span = 0;
    if (sizes?.kind === "range") {
      this.#min = payloadBytes(sizes.min);
      this.#span = this.maxSize - this.#min + 1;
    } else if (sizes?.kind === "weighted") {
      this.#sizeBytes = Uint32Array.from(sizes.bytes, payloadBytes);
      this.#sizeTable = new AliasTable(sizes.weights);
    }
    this.size = this.#min;
    const keys = p.keys;
    if (keys === undefined) {
      this.subjects = [p.subject];
      this.#keys = 1;
    } else {
      const [before, after] = keys.template.split("{key}") as [string, string];
      this.subjects = Array.from({ length: keys.count }, (_, k) => `${before}${k}${after}`);
      this.#keys = keys.count;
      if (keys.zipfExponent > 0) {
        const id = `${keys.count}/${keys.zipfExponent}`;
        let t = tables.get(id);
        if (!t) {
          const s = keys.zipfExponent;
          t = new AliasTable(Array.from({ length: keys.count }, (_, k) => (k + 1) ** -s));
          tables.set(id, t);
        }
        this.#keyTable = t;
      }
    }
    if (p.headers !== undefined) {
      // The block as nats.js' MsgHdrs encodes it (NATS/1.0, `k: v` lines, a blank line), so both paths put
      // the same bytes on the wire.
      const h = natsHeaders();
      let block = "NATS/1.0\r\n";
      for (let i = 0; i < p.headers.count; i++) {
        const value = headerValue(i, p.headers.valueBytes);
        h.set(`lt-h${i}`, value);
        block += `lt-h${i}: ${value}\r\n`;
      }
      this.hdrs = h;
      this.hdr = new TextEncoder().encode(`${block}\r\n`);
    }
  }

  /** Header block bytes of every message (0 without headers). */
  get hdrBytes(): number {
    return this.hdr?.length ?? 0;
  }

  /** Draws message `seq` of publisher `pub`: sets `size` and `key`. */
  pick(pub: number, seq: number): void {
    let h = mix(this.#seed ^ Math.imul(pub + 1, 0x9e3779b1));
    h = mix(h ^ (seq >>> 0));
    h = mix(h ^ Math.imul(Math.floor(seq / TWO_32) + 1, 0x27d4eb2f));
    if (this.#span > 1) this.size = this.#min + Math.floor((mix(h ^ 0x68e31da4) / TWO_32) * this.#span);
    else if (this.#sizeTable !== undefined)
      this.size = this.#sizeBytes![this.#sizeTable.draw(mix(h ^ 0x68e31da4), mix(h ^ 0x1b873593))]!;
    if (this.#keyTable !== undefined)
      this.key = this.#keyTable.draw(mix(h ^ 0xb5297a4d), mix(h ^ 0xcc9e2d51));
    else if (this.#keys > 1) this.key = Math.floor((mix(h ^ 0xb5297a4d) / TWO_32) * this.#keys);
  }
}

/** Whether a publisher's messages need a shape (anything beyond a payload kind). */
export function isShaped(p: ExpandedMessages): boolean {
  return p.sizes !== undefined || p.headers !== undefined || p.keys !== undefined;
}

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Header `lt-h<i>`'s value: `bytes` characters from [a-z0-9] (no spaces: nats.js trims values). */
function headerValue(i: number, bytes: number): string {
  let s = "";
  let x = mix(i + 1);
  for (let k = 0; k < bytes; k++) {
    x = mix(x + k);
    s += ALNUM[x % ALNUM.length];
  }
  return s;
}
