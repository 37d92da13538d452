// Secret hygiene of the wire contract: secrets never leave. Everything that prints or serves control-plane
// data (HTTP answers, WS messages, log fields, `ltctl history`) passes it through `redactSecrets`: passwords
// and tokens inside URLs (nats://user:pass@host) and values of keys that name a secret. Paths (e.g. a creds
// file) are kept. Every function here is linear in its input (no backtracking regex): see redact-url.ts.
import { REDACTED, redactUrl } from "../config/index.ts";

export { redactUrl };

/** Names of secrets, as a whole key or its last `_`/`-`/camelCase word(s): `password`, `nats_token`, `authToken`. */
const SECRET_NAME =
  /(?:^|[_-])(?:pass|passwd|password|token|secret|nkey|seed|jwt|creds_content|bearer|authorization|api_?key|private_?key)$/;

/** Longer than the longest secret name with a prefix word (`private_key` and a camelCase split). */
const KEY_TAIL = 64;

/** True when a value stored under `key` is a secret whatever it holds. Case-insensitive. */
export function isSecretKey(key: string): boolean {
  // Only the end of a key can name a secret: a long key costs no more than a short one.
  const tail = key.length > KEY_TAIL ? key.slice(-KEY_TAIL) : key;
  return SECRET_NAME.test(tail.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase());
}

/** A deep copy of `value` with secrets replaced by "***". Never mutates its input. */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (depth > 100) return REDACTED;
  if (typeof value === "string") return redactUrl(value);
  if (Array.isArray(value)) return value.map((x) => redact(x, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) {
      const v = isSecretKey(k) && x !== null && x !== undefined && x !== "" ? REDACTED : redact(x, depth + 1);
      // defineProperty: a key named "__proto__" (JSON.parse makes such own keys) stays a plain key.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
