// Colours for ltctl output: only on a terminal, never when NO_COLOR is set (https://no-color.org rules:
// any non-empty value), forced with FORCE_COLOR (non-empty and not "0"). Pure: decide from (isTTY, env).

export type Env = Readonly<Record<string, string | undefined>>;

/** Whether output may be coloured: a TTY, no NO_COLOR, not TERM=dumb; FORCE_COLOR overrides all but NO_COLOR. */
export function colourEnabled(isTTY: boolean, env: Env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  if (!isTTY) return false;
  return env.TERM !== "dumb";
}

export interface Palette {
  readonly enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

/** A palette whose functions colour when `colourEnabled(isTTY, env)`, and return text unchanged otherwise. */
export function palette(isTTY: boolean, env: Env): Palette {
  const on = colourEnabled(isTTY, env);
  return {
    enabled: on,
    red: on ? sgr(31, 39) : plain,
    green: on ? sgr(32, 39) : plain,
    yellow: on ? sgr(33, 39) : plain,
    cyan: on ? sgr(36, 39) : plain,
    dim: on ? sgr(2, 22) : plain,
    bold: on ? sgr(1, 22) : plain,
  };
}

/** Removes colour codes (for measuring the visible width of a coloured string). */
export function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}
