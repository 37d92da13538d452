// Issue 14, section A: what publishers send. Payload kinds, per-message size distributions, NATS headers and
// subjects spread over a key space, as valibot entries spread into the seed's `publishers` table (schema.ts),
// so the seed's object stays strict and every field is optional with a default that keeps today's messages:
// zeros of message_size_bytes, no headers, on the stream's first subject. Cross-field rules (one size form,
// the subject inside the stream's subjects) are in rules-messages.ts.
import * as v from "valibot";
import { LIMITS, tooMany } from "./limits.ts";
import { amount, int, nonEmpty } from "./schema-parts.ts";

/** What fills a payload after its 28-byte tracking header. */
export const PAYLOAD_KINDS = ["zeros", "random", "text"] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/** The placeholder of a subject template that each message's key replaces. */
export const KEY_PLACEHOLDER = "{key}";

const size = int(1, LIMITS.messageSize, "positive; 64 MiB is the server's ceiling");

/** Each message's payload size drawn uniformly from [min_bytes, max_bytes] (both included). */
export const SizeRangeSchema = v.strictObject({
  min_bytes: size,
  max_bytes: size,
});

/** Each message's payload size drawn from the list, `bytes` with probability weight / sum of weights. */
export const WeightedSizesSchema = v.pipe(
  v.array(
    v.strictObject({
      bytes: size,
      /** Relative frequency (fractions allowed); 0 leaves the size out. */
      weight: amount(LIMITS.sizeWeight),
    }),
    (i) => `expected an array of { "bytes", "weight" }, got ${i.received}`,
  ),
  v.minLength(1, () => "expected at least one size (or leave message_sizes out)"),
  v.maxLength(LIMITS.messageSizes, (i) => tooMany(LIMITS.messageSizes, "sizes", i.received)),
);

/** NATS headers on every message: `lt-h0` .. `lt-h<count-1>`, each value `value_bytes` ASCII characters. */
export const HeadersSchema = v.strictObject({
  count: int(0, LIMITS.headers, "0 = no headers"),
  value_bytes: v.optional(int(0, LIMITS.headerValueBytes, "0 = empty values"), 16),
});

/** The key space of a subject template: how many keys and how often each is drawn. */
export const KeysSchema = v.strictObject({
  count: v.optional(int(1, LIMITS.keys, "positive"), 1),
  distribution: v.optional(v.picklist(["uniform", "zipf"]), "uniform"),
  /** Zipf's s: key k (from 0) is drawn with weight 1 / (k + 1)^s; 0 is uniform. */
  zipf_exponent: v.optional(amount(LIMITS.zipfExponent)),
});

/**
 * A publish subject with `{key}` (the message's key, 0 .. keys.count - 1) and `{}` (the stream's index, as in
 * stream subjects): literal tokens, no wildcards.
 */
export const SubjectTemplateSchema = v.pipe(
  nonEmpty(LIMITS.subjectLength),
  v.check(
    (s) => !/\s/.test(s) && s.split(".").every((t) => t !== "" && t !== "*" && t !== ">"),
    (i) =>
      `expected a subject to publish to: tokens separated by ".", none empty, no "*" or ">" wildcards, no whitespace; got '${i.input}'`,
  ),
  v.check(
    (s) => s.split(KEY_PLACEHOLDER).length <= 2,
    () => `${KEY_PLACEHOLDER} may appear once`,
  ),
);

/** The `publishers` fields of this section. */
export const MESSAGE_FIELDS = {
  /** "zeros" (default), "random" (incompressible bytes), "text" (compressible ASCII words). */
  payload: v.optional(
    v.picklist(PAYLOAD_KINDS, (i) => `expected "zeros", "random" or "text", got ${i.received}`),
    "zeros",
  ),
  /** Per-message sizes, uniform in a range; replaces message_size_bytes. Not with message_sizes. */
  message_size_range: v.optional(SizeRangeSchema),
  /** Per-message sizes from a weighted list; replaces message_size_bytes. Not with message_size_range. */
  message_sizes: v.optional(WeightedSizesSchema),
  headers: v.optional(HeadersSchema),
  /** Absent: the stream's first subject (the seed's behaviour). */
  subject: v.optional(SubjectTemplateSchema),
  keys: v.optional(KeysSchema),
};

export type SizeRange = v.InferOutput<typeof SizeRangeSchema>;
export type WeightedSizes = v.InferOutput<typeof WeightedSizesSchema>;
export type HeadersConfig = v.InferOutput<typeof HeadersSchema>;
export type KeysConfig = v.InferOutput<typeof KeysSchema>;

/** The header block's size in bytes as nats.js encodes it (`NATS/1.0\r\n`, `k: v\r\n` each, `\r\n`). */
export function headerBlockBytes(h: { count: number; valueBytes: number }): number {
  if (h.count === 0) return 0;
  let n = 12;
  for (let i = 0; i < h.count; i++) n += `lt-h${i}: `.length + h.valueBytes + 2;
  return n;
}
