// Keeps secrets out of every HTTP answer and log line: passwords and tokens inside URLs
// (nats://user:pass@host) and values of keys that name a secret. Paths (e.g. a creds file) are fine.

/** Keys whose values are secrets whatever they hold. Compared case-insensitively. */
const SECRET_KEYS =
  /^(pass(word)?|token|auth_token|secret|nkey|seed|jwt|creds_content|bearer|authorization)$/i;

/** Replaces the user-info of URL-looking strings: `nats://u:p@h` -> `nats://u:***@h`, `nats://tok@h` -> `nats://***@h`. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s,]+)@/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:***@` : `${scheme}***@`;
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
      out[k] =
        SECRET_KEYS.test(k) && x !== null && x !== undefined && x !== "" ? "***" : redact(x, depth + 1);
    }
    return out;
  }
  return value;
}
