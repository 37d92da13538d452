// What fills payloads after their tracking header (`publishers.payload`): zeros (a fresh slab's own), random
// bytes or compressible ASCII text. Slabs are filled once when they are made, never per message: payloads are
// carved out of slabs (payload.ts, wire.ts) and each keeps the bytes its slice of the slab holds, so the
// per-message cost is the same for every kind; a 1 MiB slab costs one fill per ~1,000 messages of 1 KiB.
import { randomFillSync } from "node:crypto";
import type { PayloadKind } from "../config/index.ts";

/** Fills a new slab; undefined for zeros (a new Uint8Array is zeros already). */
export type SlabFill = (slab: Uint8Array) => void;

/**
 * The fills of one share's publishers, made on first use and shared by its lanes: an 8 MiB random pool and a
 * 64 KiB block of text, copied into each new slab from a random place (a copy is ~10x cheaper than generating
 * the bytes: ~0.1 ms per 1 MiB slab against ~0.6 for crypto.randomFillSync, itself cheaper than a JS PRNG).
 */
export class PayloadFills {
  #random: Uint8Array | undefined;
  #text: Uint8Array | undefined;

  /** The fill of `kind`; undefined for zeros (a new Uint8Array is zeros already). */
  of(kind: PayloadKind | undefined): SlabFill | undefined {
    if (kind === "random") {
      this.#random ??= randomFillSync(new Uint8Array(RANDOM_POOL_BYTES));
      return copyFrom(this.#random);
    }
    if (kind === "text") {
      this.#text ??= textBlock();
      return copyFrom(this.#text);
    }
    return undefined;
  }
}

/**
 * Random bytes repeat only after the pool: a compressor (S2 on routes, gzip, zstd at its usual levels) would
 * need a window over 8 MiB to find them, so to the server and the network they are incompressible.
 */
const RANDOM_POOL_BYTES = 8 * 1024 * 1024;

/** Fills a slab from `pool`, starting at a random place and wrapping round. */
function copyFrom(pool: Uint8Array): SlabFill {
  return (slab) => {
    let o = 0;
    let from = Math.floor(Math.random() * pool.length);
    while (o < slab.length) {
      const n = Math.min(pool.length - from, slab.length - o);
      slab.set(pool.subarray(from, from + n), o);
      o += n;
      from = 0;
    }
  };
}

const WORDS = (
  "the of and to in is was for on that with as by at from order stream message subject status created " +
  "updated customer item price quantity total id name value true false null user account region event " +
  "time date amount currency count payload data type key version source target ok error pending done"
).split(" ");

/** ASCII words in a random order, lines of ~72 characters: compresses ~4x with deflate, like text or JSON. */
const TEXT_BLOCK_BYTES = 64 * 1024;

function textBlock(): Uint8Array {
  const block = new Uint8Array(TEXT_BLOCK_BYTES);
  const rnd = randomFillSync(new Uint32Array(TEXT_BLOCK_BYTES));
  let o = 0;
  let line = 0;
  for (let r = 0; o < block.length; r++) {
    const word = WORDS[rnd[r]! % WORDS.length]!;
    for (let i = 0; i < word.length && o < block.length; i++) block[o++] = word.charCodeAt(i);
    line += word.length + 1;
    if (o < block.length) block[o++] = line > 72 ? 10 : 32;
    if (line > 72) line = 0;
  }
  return block;
}
