import { type ConfigIssue, editDistance, formatPath } from "./issues.ts";

/** The parts of a valibot schema this scan reads (valibot keeps them public on every schema). */
interface SchemaShape {
  readonly type: string;
  readonly entries?: Readonly<Record<string, SchemaShape>>;
  readonly wrapped?: SchemaShape;
  readonly item?: SchemaShape;
  readonly options?: readonly SchemaShape[];
}

/**
 * Reports every unknown key of every strict object in `value` (valibot stops at the first one of an object),
 * with a "did you mean" hint when a known key is close: typos must never be silently ignored.
 */
export function unknownKeys(schema: unknown, value: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  scan(schema as SchemaShape, value, [], out);
  return out;
}

function scan(schema: SchemaShape, value: unknown, path: (string | number)[], out: ConfigIssue[]): void {
  if (schema.wrapped !== undefined) {
    scan(schema.wrapped, value, path, out);
    return;
  }
  if (schema.type === "array" && schema.item !== undefined && Array.isArray(value)) {
    value.forEach((item, i) => {
      scan(schema.item as SchemaShape, item, [...path, i], out);
    });
    return;
  }
  if (schema.options !== undefined) {
    for (const option of schema.options) scan(option, value, path, out);
    return;
  }
  // valibot's object schemas accept an array and then only flag its indexes as unknown keys, which
  // fromValibot leaves to this scan: say what is wrong instead of returning no issue at all.
  if (schema.entries !== undefined && Array.isArray(value)) {
    out.push({ path: formatPath(path), message: "expected an object, got an array" });
    return;
  }
  if (schema.entries === undefined || value === null || typeof value !== "object") return;
  const known = Object.keys(schema.entries);
  for (const [key, child] of Object.entries(value)) {
    // Own properties only: `schema.entries["constructor"]` would find Object.prototype's and pass the key.
    const entry = Object.hasOwn(schema.entries, key) ? schema.entries[key] : undefined;
    if (entry !== undefined) {
      scan(entry, child, [...path, key], out);
      continue;
    }
    if (schema.type !== "strict_object") continue;
    const near = known
      .map((k) => ({ k, d: editDistance(key.toLowerCase(), k) }))
      .filter((x) => x.d <= Math.max(2, Math.floor(x.k.length / 4)))
      .sort((a, b) => a.d - b.d)[0];
    const hint = near === undefined ? `known keys: ${known.join(", ")}` : `did you mean "${near.k}"?`;
    out.push({ path: formatPath([...path, key]), message: `unknown key "${key}" (${hint})` });
  }
}
