// Hiding the user-info of URLs in any text, in one pass over it (no regex that can backtrack): config issues,
// log lines, HTTP answers and `ltctl` output all go through here, and one long string (a spec name, a run id)
// must never stall an agent. It lives in src/config, the lowest module that holds URLs, so config messages
// that echo a server can hide it too; src/control's `redactSecrets` builds on it.

/** What every output prints in place of a secret. */
export const REDACTED = "***";

/** Users shown beside a hidden password: a plain name. Anything else may be a token or swallowed text. */
const PLAIN_USER = /^[A-Za-z0-9._~%+-]{1,128}$/;

const COLON = 58;
const AT = 64;

/**
 * Replaces the user-info of every URL in `text`: `nats://u:p@h` -> `nats://u:***@h`, `nats://tok@h` ->
 * `nats://***@h`. The user-info of a URL runs to the last `@` before the next `://`, whatever it holds
 * (quotes, spaces, `<`, `>`, backticks, `/`, `@`); when there is no `@` before the next `://`, it runs on to
 * the first `@` after it. So at worst more than the user-info is hidden, never less. Linear in `text`.
 */
export function redactUrl(text: string): string {
  const first = text.indexOf("://");
  if (first === -1) return text;
  // Every "://" once, in order: the segments between them are each scanned once below.
  const marks: number[] = [];
  for (let i = first; i !== -1; i = text.indexOf("://", i + 3)) marks.push(i);
  const out: string[] = [];
  let copied = 0;
  let k = 0;
  while (k < marks.length) {
    const mark = marks[k] as number;
    if (!hasScheme(text, mark, copied)) {
      k++;
      continue;
    }
    const start = mark + 3;
    // The last "@" of the first segment (after this "://") that has one.
    let at = -1;
    let j = k;
    for (; j < marks.length && at === -1; j++) {
      const from = j === k ? start : (marks[j] as number) + 3;
      const to = j + 1 < marks.length ? (marks[j + 1] as number) : text.length;
      at = lastAt(text, from, to);
    }
    if (at === -1) break; // no "@" after this URL: nothing left to hide
    out.push(text.slice(copied, start), maskUserinfo(text.slice(start, at)));
    copied = at;
    k = j;
  }
  if (copied === 0) return text;
  out.push(text.slice(copied));
  return out.join("");
}

/** True when a URL scheme (`[A-Za-z][A-Za-z0-9+.-]*`) ends at `mark`, scanning back no further than `floor`. */
function hasScheme(text: string, mark: number, floor: number): boolean {
  let s = mark;
  while (s > floor && isSchemeChar(text.charCodeAt(s - 1))) s--;
  for (; s < mark; s++) if (isLetter(text.charCodeAt(s))) return true;
  return false;
}

function lastAt(text: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (text.charCodeAt(i) === AT) return i;
  return -1;
}

function maskUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(String.fromCharCode(COLON));
  const user = colon >= 0 ? userinfo.slice(0, colon) : "";
  return colon >= 0 && PLAIN_USER.test(user) ? `${user}:${REDACTED}` : REDACTED;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}
