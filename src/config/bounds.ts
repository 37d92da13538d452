import { type ConfigIssue, formatPath } from "./issues.ts";
import { LIMITS, tooLong } from "./limits.ts";

/** Issues reported at most by one scan: a document full of long strings is refused just as well with these. */
const MAX_ISSUES = 20;
/** How much of a long key a path shows. */
const KEY_SHOWN = 32;

/**
 * Keys and strings over their limits, found before anything else reads the document (expansion, schema,
 * unknown-key hints all cost more on long input). Iterative, so a deep document cannot overflow the stack;
 * the caller has already refused nesting deeper than its limit. Messages name the length, never the value.
 */
export function boundsIssues(raw: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: raw, path: [] }];
  while (stack.length > 0 && out.length < MAX_ISSUES) {
    const { node, path } = stack.pop() as { node: unknown; path: (string | number)[] };
    if (typeof node === "string") {
      if (node.length > LIMITS.rawString)
        out.push({ path: formatPath(path), message: tooLong(LIMITS.rawString, node.length) });
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => {
        stack.push({ node: item, path: [...path, i] });
      });
    } else if (node !== null && typeof node === "object") {
      for (const [k, val] of Object.entries(node)) {
        if (k.length > LIMITS.keyLength) {
          out.push({
            path: formatPath([...path, `${k.slice(0, KEY_SHOWN)}…`]),
            message: `key ${tooLong(LIMITS.keyLength, k.length)}`,
          });
          continue;
        }
        stack.push({ node: val, path: [...path, k] });
      }
    }
  }
  return out;
}
