// Cross-field rules of the message fields (schema-messages.ts): one size form at most, a range the right way
// round, a subject template whose every key falls inside a stream subject of every stream it publishes to.
// rules.ts calls checkMessages with the spec; paths here are relative to it.
import type { ConfigIssue } from "./issues.ts";
import { LIMITS } from "./limits.ts";
import type { LoadTestSpec } from "./schema.ts";
import { headerBlockBytes, KEY_PLACEHOLDER } from "./schema-messages.ts";

export function checkMessages(spec: LoadTestSpec): { issues: ConfigIssue[]; warnings: string[] } {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const err = (path: string, message: string) => issues.push({ path: `publishers.${path}`, message });
  const pub = spec.publishers;

  const range = pub.message_size_range;
  const sizes = pub.message_sizes;
  if (range !== undefined && sizes !== undefined) {
    err(
      "message_sizes",
      "message_size_range and message_sizes are two ways to draw sizes; give one of them (or neither for message_size_bytes)",
    );
  }
  if (range !== undefined && range.max_bytes < range.min_bytes) {
    err("message_size_range.max_bytes", `expected >= min_bytes (${range.min_bytes}), got ${range.max_bytes}`);
  }
  if (sizes !== undefined && !sizes.some((s) => s.weight > 0)) {
    err("message_sizes", "every weight is 0: give at least one size a weight > 0");
  }

  const largest =
    range?.max_bytes ??
    (sizes ? Math.max(...sizes.map((s) => (s.weight > 0 ? s.bytes : 0))) : pub.message_size_bytes);
  const h = pub.headers;
  const hdr = h === undefined ? 0 : headerBlockBytes({ count: h.count, valueBytes: h.value_bytes });
  if (hdr + largest > LIMITS.messageSize) {
    err(
      "headers",
      `headers (${hdr} bytes) plus the largest payload (${largest} bytes) exceed 64 MiB, the server's ceiling`,
    );
  } else if (hdr + largest > LIMITS.defaultMaxPayload && (hdr > 0 || largest !== pub.message_size_bytes)) {
    warnings.push(
      `publishers: the largest message (${largest} bytes of payload, ${hdr} of headers) exceeds nats-server's default max_payload (1 MiB); the server must allow it`,
    );
  }

  const keys = pub.keys;
  if (keys?.zipf_exponent !== undefined && keys.distribution !== "zipf") {
    err("keys.zipf_exponent", 'applies to distribution "zipf" only: remove it or set distribution "zipf"');
  }
  const template = pub.subject;
  const count = keys?.count ?? 1;
  if (template === undefined) {
    if (keys !== undefined) {
      err("keys", `keys need a subject template with ${KEY_PLACEHOLDER}, e.g. "subject": "orders.{key}"`);
    }
    return { issues, warnings };
  }
  if (count > 1 && !template.includes(KEY_PLACEHOLDER)) {
    err("subject", `'${template}' has no ${KEY_PLACEHOLDER}, so its ${count} keys would share one subject`);
    return { issues, warnings };
  }
  let targets = 0;
  for (const [j, sc] of spec.streams.entries()) {
    if (sc.name_prefix !== pub.stream_name_prefix) continue;
    targets += sc.count;
    for (let i = 1; i <= sc.count; i++) {
      const subjects = sc.subjects.map((s) => s.replaceAll("{}", String(i)));
      const missing = uncoveredKey(template.replaceAll("{}", String(i)), subjects, count);
      if (missing === undefined) continue;
      const example = template.replaceAll("{}", String(i)).replace(KEY_PLACEHOLDER, String(missing));
      err(
        "subject",
        `'${template}' gives '${example}' (key ${missing}) for stream ${sc.name_prefix}_${i}, outside its subjects (${subjects.map((s) => `'${s}'`).join(", ")}; streams[${j}]): publish inside them, e.g. a stream subject '${wildcarded(template)}' takes every key`,
      );
      return { issues, warnings };
    }
  }
  if (targets * count > LIMITS.keySubjects) {
    err(
      "keys.count",
      `${targets} streams x ${count} keys = ${targets * count} subjects, limit ${LIMITS.keySubjects.toLocaleString("en-US")}`,
    );
  }
  return { issues, warnings };
}

/** The template with its key token made a `*` and `{}` a `{}` (what a stream subject taking every key looks like). */
function wildcarded(template: string): string {
  return template
    .split(".")
    .map((t) => (t.includes(KEY_PLACEHOLDER) ? "*" : t))
    .join(".");
}

/**
 * The first key in [0, count) whose subject no pattern of `patterns` matches, or undefined when all match.
 * Symbolic, not an enumeration: a pattern either matches every key (a wildcard or nothing at the key's
 * token), one key (a literal where the key's token is), or none, so the cost is patterns x tokens.
 */
export function uncoveredKey(
  template: string,
  patterns: readonly string[],
  count: number,
): number | undefined {
  const tokens = template.split(".");
  const kt = tokens.findIndex((t) => t.includes(KEY_PLACEHOLDER));
  const covered = new Set<number>();
  for (const p of patterns) {
    const m = matchKeys(tokens, kt, p.split("."), count);
    if (m === "all") return undefined;
    if (m !== "none") covered.add(m);
  }
  for (let k = 0; k < count; k++) if (!covered.has(k)) return k;
  return undefined;
}

function matchKeys(
  tokens: readonly string[],
  kt: number,
  p: readonly string[],
  count: number,
): "all" | "none" | number {
  let key: number | undefined;
  for (let i = 0; i < p.length; i++) {
    const pt = p[i]!;
    if (pt === ">") return i < tokens.length ? (key ?? "all") : "none";
    if (i >= tokens.length) return "none";
    if (pt === "*") continue;
    if (i === kt) {
      const k = keyIn(tokens[i]!, pt, count);
      if (k < 0) return "none";
      key = k;
    } else if (pt !== tokens[i]) return "none";
  }
  if (p.length !== tokens.length) return "none";
  return key ?? "all";
}

/** The key k for which the template token (holding `{key}`) equals the literal `lit`; -1 when there is none. */
function keyIn(token: string, lit: string, count: number): number {
  const [before = "", after = ""] = token.split(KEY_PLACEHOLDER);
  if (lit.length <= before.length + after.length || !lit.startsWith(before) || !lit.endsWith(after))
    return -1;
  const digits = lit.slice(before.length, lit.length - after.length);
  if (!/^(0|[1-9][0-9]*)$/.test(digits)) return -1;
  const k = Number(digits);
  return k < count ? k : -1;
}
