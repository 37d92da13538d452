// `ltctl --server X push cfg.json` reads naturally, but the connection options belong to each command. This
// moves the ones written before the command name to after it, so both spellings work.

/** Connection options every fleet command takes, and whether each takes a value. */
const LEADING_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ["-s", true],
  ["--server", true],
  ["--creds", true],
  ["--nkey", true],
  ["--user", true],
  ["--password", true],
  ["--token", true],
  ["--tls-ca", true],
  ["--tls-cert", true],
  ["--tls-key", true],
  ["--prefix", true],
  ["--json", false],
]);

/** Returns argv (`[node, script, ...args]`) with connection options before the command moved after it. */
export function hoistConnectionOptions(argv: readonly string[]): string[] {
  const head = argv.slice(0, 2);
  const args = argv.slice(2);
  const moved: string[] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    const takesValue = LEADING_OPTIONS.get(name);
    if (takesValue === undefined) break;
    const width = takesValue && !a.includes("=") ? 2 : 1;
    moved.push(...args.slice(i, i + width));
    i += width;
  }
  if (moved.length === 0 || i >= args.length) return [...argv];
  // args[i] is the command name; its own arguments follow it.
  return [...head, args[i]!, ...moved, ...args.slice(i + 1)];
}
