// The message fields of one publisher (schema-messages.ts) counted out for the engine: absent fields mean the
// seed's messages (zeros of messageSize on the stream's first subject, no headers), so a seed config expands
// to exactly what it did.
import type { PublisherConfig } from "./schema.ts";
import { KEY_PLACEHOLDER } from "./schema-messages.ts";

/** Zipf's s when `distribution` is "zipf" and `zipf_exponent` is not given. */
export const DEFAULT_ZIPF_EXPONENT = 1;

/** Per-message payload sizes: uniform in [min, max] or `bytes[i]` with weight `weights[i]`. */
export type ExpandedSizes =
  | { readonly kind: "range"; readonly min: number; readonly max: number }
  | { readonly kind: "weighted"; readonly bytes: readonly number[]; readonly weights: readonly number[] };

export interface ExpandedMessages {
  /** `payload`; absent = zeros. */
  payload?: "random" | "text";
  /** Absent = messageSize for every message. */
  sizes?: ExpandedSizes;
  /** NATS headers `lt-h0..` on every message; absent (or `headers.count` 0) = none. */
  headers?: { readonly count: number; readonly valueBytes: number };
  /**
   * Subjects over a key space: `template` (the stream's index already in place of `{}`) with `{key}` replaced
   * by the key, 0 .. count - 1; key k drawn with weight 1 / (k + 1)^zipfExponent (0 = uniform). Absent = every
   * message on `subject`.
   */
  keys?: { readonly template: string; readonly count: number; readonly zipfExponent: number };
}

/**
 * The message fields of a publisher of the stream with index `i` whose first subject is `first`: its subject
 * (key 0's when there are keys), its largest payload size and the optional parts.
 */
export function expandMessages(
  pub: PublisherConfig,
  i: number,
  first: string,
): ExpandedMessages & { subject: string; messageSize: number } {
  const out: ExpandedMessages & { subject: string; messageSize: number } = {
    subject: first,
    messageSize: pub.message_size_bytes,
  };
  if (pub.payload !== "zeros") out.payload = pub.payload;
  const range = pub.message_size_range;
  const sizes = pub.message_sizes?.filter((s) => s.weight > 0);
  if (range !== undefined) {
    out.sizes = { kind: "range", min: range.min_bytes, max: range.max_bytes };
    out.messageSize = range.max_bytes;
  } else if (sizes !== undefined && sizes.length > 0) {
    out.sizes = { kind: "weighted", bytes: sizes.map((s) => s.bytes), weights: sizes.map((s) => s.weight) };
    out.messageSize = Math.max(...sizes.map((s) => s.bytes));
  }
  if (pub.headers !== undefined && pub.headers.count > 0) {
    out.headers = { count: pub.headers.count, valueBytes: pub.headers.value_bytes };
  }
  if (pub.subject !== undefined) {
    const template = pub.subject.replaceAll("{}", String(i));
    out.subject = template.replace(KEY_PLACEHOLDER, "0");
    const keys = pub.keys;
    if (template.includes(KEY_PLACEHOLDER) && keys !== undefined && keys.count > 1) {
      const zipf = keys.distribution === "zipf" ? (keys.zipf_exponent ?? DEFAULT_ZIPF_EXPONENT) : 0;
      out.keys = { template, count: keys.count, zipfExponent: zipf };
    }
  }
  return out;
}

/**
 * `repeat_policy`'s `message_size_bytes_multiplier` applied to the size distributions too (truncated like
 * every multiplier), so a size sweep with a range or a list sweeps them; the plan re-validates the result.
 */
export function scaleSizes(
  pub: PublisherConfig,
  m: number,
): Pick<PublisherConfig, "message_size_range" | "message_sizes"> {
  const out: Pick<PublisherConfig, "message_size_range" | "message_sizes"> = {};
  const r = pub.message_size_range;
  if (r !== undefined)
    out.message_size_range = {
      min_bytes: Math.trunc(r.min_bytes * m),
      max_bytes: Math.trunc(r.max_bytes * m),
    };
  if (pub.message_sizes !== undefined)
    out.message_sizes = pub.message_sizes.map((s) => ({ ...s, bytes: Math.trunc(s.bytes * m) }));
  return out;
}

/**
 * One line on what a publisher's messages carry beyond the seed's (zeros of one size on one subject), for
 * `ltctl validate`; undefined for the seed's messages.
 */
export function describeMessages(p: ExpandedMessages & { messageSize: number }): string | undefined {
  const parts: string[] = [];
  if (p.payload !== undefined) parts.push(`${p.payload} payload`);
  const sz = p.sizes;
  if (sz?.kind === "range") parts.push(`sizes ${sz.min}..${sz.max} B uniform`);
  else if (sz !== undefined)
    parts.push(`sizes ${sz.bytes.map((b) => `${b}`).join("|")} B weighted ${sz.weights.join(":")}`);
  if (p.headers !== undefined) parts.push(`${p.headers.count} headers of ${p.headers.valueBytes} B`);
  const k = p.keys;
  if (k !== undefined) {
    const how = k.zipfExponent > 0 ? `zipf ${k.zipfExponent}` : "uniform";
    parts.push(`${k.count} keys (${how}) on ${k.template}`);
  }
  return parts.length > 0 ? parts.join(", ") : undefined;
}
