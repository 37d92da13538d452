// Secret hygiene of the wire contract: secrets never leave. Everything that prints or serves control-plane
// data (HTTP answers, WS messages, log fields, `ltctl history`) passes it through `redactSecrets`: passwords
// and tokens inside URLs (nats://user:pass@host) and values of keys that name a secret. Paths (e.g. a creds
// file) are kept.

/** Names of secrets, as a whole key or its last `_`/`-`/camelCase word(s): `password`, `nats_token`, `authToken`. */
const SECRET_NAME =
  /(?:^|[_-])(?:pass|passwd|password|token|secret|nkey|seed|jwt|creds_content|bearer|authorization|api_?key|private_?key)$/;

/** True when a value stored under `key` is a secret whatever it holds. Case-insensitive. */
export function isSecretKey(key: string): boolean {
  return SECRET_NAME.test(key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase());
}

/**
 * Replaces the user-info of URL-looking strings: `nats://u:p@h` -> `nats://u:***@h`, `nats://tok@h` ->
 * `nats://***@h`. The user-info runs to the last `@` before whitespace, a comma or a quote, so a password
 * holding `@` or `/` is hidden whole (at worst more than the user-info is hidden, never less).
 */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s,"'<>`]*)@/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    const user = colon >= 0 ? userinfo.slice(0, colon) : "";
    return colon >= 0 && !/[/@]/.test(user) ? `${scheme}${user}:***@` : `${scheme}***@`;
  });
}

/** A deep copy of `value` with secrets replaced by "***". Never mutates its input. */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (depth > 100) return "***";
  if (typeof value === "string") return redactUrl(value);
  if (Array.isArray(value)) return value.map((x) => redact(x, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) {
      const v = isSecretKey(k) && x !== null && x !== undefined && x !== "" ? "***" : redact(x, depth + 1);
      // defineProperty: a key named "__proto__" (JSON.parse makes such own keys) stays a plain key.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
