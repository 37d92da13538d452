// The progress line of `ltctl run` / `ltctl watch`: on a TTY one line redrawn in place (bar, rate, p99,
// elapsed / total, ETA); elsewhere a plain line per update (logs and CI keep every line). Pure functions.
import { type Env, palette, stripAnsi } from "./colour.ts";

export interface ProgressState {
  /** Seconds measured so far (in the whole plan, or in the current step). */
  readonly elapsed_s: number;
  /** Planned seconds; 0 or undefined when unknown (then no bar and no ETA). */
  readonly total_s?: number;
  /** Messages per second published in the last interval (cluster-wide when watching several pods). */
  readonly rate?: number;
  /** Messages per second consumed in the last interval. */
  readonly consume_rate?: number;
  /** p99 latency in ms of the last interval (end-to-end, else publish-ack). */
  readonly p99_ms?: number;
  /** e.g. "spec 2/3 orders iter 1". */
  readonly label?: string;
  readonly errors?: number;
  readonly pods?: number;
}

export interface ProgressOptions {
  /** Terminal width in columns (default 80). */
  readonly columns?: number;
  readonly isTTY: boolean;
  readonly env: Env;
}

/** `75` -> `1m15s`, `3725` -> `1h02m05s`. */
export function formatClock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

function rateText(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function msText(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)));
}

/** The fields after the bar: `12.3k msg/s  p99 4.2 ms  1m05s/2m00s  ETA 55s`. */
function fields(p: ProgressState): string[] {
  const out: string[] = [];
  if (p.label) out.push(p.label);
  if (p.rate !== undefined) out.push(`${rateText(p.rate)} msg/s`);
  if (p.consume_rate !== undefined) out.push(`in ${rateText(p.consume_rate)}/s`);
  if (p.p99_ms !== undefined) out.push(`p99 ${msText(p.p99_ms)} ms`);
  if (p.errors) out.push(`${p.errors} err`);
  if (p.pods !== undefined) out.push(`${p.pods} pod${p.pods === 1 ? "" : "s"}`);
  const total = p.total_s ?? 0;
  out.push(total > 0 ? `${formatClock(p.elapsed_s)}/${formatClock(total)}` : formatClock(p.elapsed_s));
  if (total > 0) out.push(`ETA ${formatClock(Math.max(0, total - p.elapsed_s))}`);
  return out;
}

/**
 * One progress line. On a TTY: `\r` + `[#####.....]  42%  fields` fitted to the width, clearing the rest of
 * the line, no newline (the caller ends with `progressDone`). Elsewhere: the fields as a plain line with `\n`.
 */
export function renderProgress(p: ProgressState, o: ProgressOptions): string {
  const f = fields(p);
  if (!o.isTTY) return `${f.join("  ")}\n`;
  const c = palette(o.isTTY, o.env);
  const cols = Math.max(20, o.columns ?? 80);
  const total = p.total_s ?? 0;
  const text = f.join("  ");
  let head = "";
  if (total > 0) {
    const frac = Math.min(1, Math.max(0, p.elapsed_s / total));
    const pct = `${String(Math.floor(frac * 100)).padStart(3)}%`;
    // Leave room for the text; the bar takes what is left, between 10 and 40 cells.
    const width = Math.max(10, Math.min(40, cols - text.length - pct.length - 6));
    const done = Math.round(frac * width);
    head = `[${c.green("█".repeat(done))}${c.dim("░".repeat(width - done))}] ${pct}  `;
  }
  const visible = stripAnsi(head).length;
  const room = Math.max(0, cols - 1 - visible);
  const tail = text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text;
  return `\r${head}${tail}\u001b[K`;
}

/** What to write after the last update: a newline on a TTY (keeps the final bar), nothing otherwise. */
export function progressDone(isTTY: boolean): string {
  return isTTY ? "\n" : "";
}

/** How often to print: on a TTY every update; otherwise at most every `plainEveryS` seconds (default 10). */
export function shouldPrint(
  isTTY: boolean,
  lastPrintedS: number | undefined,
  nowS: number,
  plainEveryS = 10,
): boolean {
  if (isTTY || lastPrintedS === undefined) return true;
  return nowS - lastPrintedS >= plainEveryS;
}
