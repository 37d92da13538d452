/** A column of a text table: its header and how its cells align (numbers read best right-aligned). */
export interface Column {
  readonly header: string;
  readonly align?: "left" | "right";
}

/**
 * Renders rows as an aligned plain-text table with an upper-case header line, two spaces between columns, and
 * `indent` spaces before each line. Pure: no colour, so it reads the same in a pipe and a terminal.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  indent = 0,
): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const pad = " ".repeat(indent);
  const line = (cells: readonly string[]) =>
    pad +
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        const w = widths[i] as number;
        return c.align === "right" ? cell.padStart(w) : i === columns.length - 1 ? cell : cell.padEnd(w);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...rows.map(line)].join("\n") + "\n";
}

/** `12345.6` -> `12,346`; fractions below 10 keep one decimal. */
export function formatNumber(n: number): string {
  const digits = Math.abs(n) < 10 && !Number.isInteger(n) ? 1 : 0;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Bytes in binary units: `1024` -> `1 KiB`, `512` -> `512 B`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
