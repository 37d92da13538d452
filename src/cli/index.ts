// The door of src/cli and the only place of ltctl that reads `process`: it builds the io and runs the program.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { CommanderError } from "commander";
import { hoistConnectionOptions } from "./hoist.ts";
import { type CliIo, EXIT } from "./io.ts";
import { buildProgram } from "./program.ts";

export { type CliIo, EXIT } from "./io.ts";
export { buildProgram, type Register } from "./program.ts";

/** Runs `ltctl` with a process-style argv (`[node, script, ...args]`) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const withExit: CliIo = {
    ...io,
    setExitCode: (c) => {
      code = c;
      io.setExitCode(c);
    },
  };
  const program = buildProgram(withExit, version());
  if (argv.length <= 2) {
    io.out(program.helpInformation());
    return EXIT.ok;
  }
  try {
    await program.parseAsync(hoistConnectionOptions(argv), { from: "node" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else commander rejects is a usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw e;
  }
  return code;
}

function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    hostname: hostname(),
    setExitCode: () => {},
  };
}

function version(): string {
  // src/cli (run from source) or dist/src/cli (built): the package's root is two or three levels up.
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "nats-lt" && pkg.version !== undefined) return pkg.version;
    } catch {
      // not here: try the next level
    }
  }
  return "0.0.0";
}
