import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's root folder (where package.json names nats-lt): the demo finds `bin/lt-agent` and
 * `examples/demo.json` there, whether it runs built (dist/src/cli/demo) or from source (src/cli/demo).
 */
export function packageRoot(from = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "nats-lt") return dir;
      } catch {
        // not ours: keep climbing
      }
    }
    dir = dirname(dir);
  }
  throw new Error("cannot find the nats-lt package folder (bin/lt-agent, examples/demo.json)");
}
