// Plain-text table and units shared by every terminal renderer (reports here, ltctl's own views in src/cli).

/** A column of a text table: its header and how its cells align (numbers read best right-aligned). */
export interface Column {
  readonly header: string;
  /** @default "left" */
  readonly align?: "left" | "right";
}

/**
 * Aligned plain-text table: header line in capitals, two spaces between columns, `indent` spaces before each
 * line, no trailing newline. Pure: no colour, so it reads the same in a pipe and a terminal.
 */
export function alignTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  indent = 2,
): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const pad = " ".repeat(indent);
  const line = (cells: readonly string[]) =>
    (
      pad +
      columns
        .map((c, i) => {
          const cell = cells[i] ?? "";
          const w = widths[i]!;
          return c.align === "right" ? cell.padStart(w) : cell.padEnd(w);
        })
        .join("  ")
    ).trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...rows.map(line)].join("\n");
}

/** Bytes in binary units: `1024` -> `1 KiB`, `512` -> `512 B`. */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
