import { alignTable, bytes, type Column } from "../../report/index.ts";

export type { Column };

/** The report module's aligned table with ltctl's defaults: no indent unless asked, a closing newline. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  indent = 0,
): string {
  return `${alignTable(columns, rows, indent)}\n`;
}

/** `12345.6` -> `12,346`; fractions below 10 keep one decimal. */
export function formatNumber(n: number): string {
  const digits = Math.abs(n) < 10 && !Number.isInteger(n) ? 1 : 0;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Bytes in binary units: `1024` -> `1 KiB`, `512` -> `512 B`. */
export const formatBytes = bytes;
