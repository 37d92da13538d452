// The demo's own nats-server: JetStream, 127.0.0.1 on a free port, its store and log in the demo's temp folder.
import { join } from "node:path";
import { Child, CommandNotFoundError } from "./child.ts";
import { accepts, freePort, sleep } from "./ports.ts";

/** A JetStream server on an empty store accepts clients within a second; 15 s leaves room on a busy machine. */
const READY_TIMEOUT_MS = 15_000;
/** How often to try connecting meanwhile: the demo waits on this, so short. */
const READY_POLL_MS = 50;
/** A server that never became ready has no clients to drain: a short grace before SIGKILL. */
const FAILED_START_GRACE_MS = 2_000;

/** What to tell a person whose machine has no nats-server. */
export const NATS_SERVER_MISSING =
  "nats-server is not on PATH. Install it (Debian/Ubuntu: sudo apt-get install nats-server; macOS: " +
  "brew install nats-server; see README.md, 'Manual set-up'), or point the demo at a running server " +
  "with --server nats://host:4222 or NATS_URL.";

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  readonly version: string | undefined;
  readonly child: Child;
}

export interface LocalServerOptions {
  readonly dir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The binary. @default "nats-server" */
  readonly command?: string;
  readonly signal?: AbortSignal;
  /** @default 15000 */
  readonly readyTimeoutMs?: number;
  /** Called with each server process as soon as it runs (the demo hands it to its reaper). */
  readonly onSpawn?: (child: Child) => void;
}

/**
 * Starts `nats-server -js` on a free 127.0.0.1 port and waits until it accepts clients. A port taken between
 * picking and binding is retried on another one. Throws an Error whose message names the fix when the binary
 * is missing or the server dies.
 */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const command = opts.command ?? "nats-server";
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let child: Child;
    try {
      child = await Child.start({
        label: "nats-server",
        command,
        args: [
          "-js",
          "-a",
          "127.0.0.1",
          "-p",
          String(port),
          "-sd",
          join(opts.dir, "jetstream"),
          "-n",
          `lt-demo-${port}`,
        ],
        env: opts.env,
        logFile: join(opts.dir, "nats-server.log"),
      });
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new Error(NATS_SERVER_MISSING);
      throw e;
    }
    opts.onSpawn?.(child);
    const readyTimeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const deadline = Date.now() + readyTimeoutMs;
    while (child.running && !opts.signal?.aborted && Date.now() < deadline) {
      if (await accepts(port)) {
        const version = /Version:\s+(\S+)/.exec(child.tail().join("\n"))?.[1];
        return { url: `nats://127.0.0.1:${port}`, port, version, child };
      }
      await sleep(READY_POLL_MS, opts.signal);
    }
    const why = child.running
      ? opts.signal?.aborted
        ? "interrupted"
        : `not accepting clients on port ${port} after ${readyTimeoutMs} ms`
      : `exited (${child.exitInfo?.code ?? child.exitInfo?.signal})`;
    await child.stop(FAILED_START_GRACE_MS);
    const tail = child.tail(8).join("\n");
    lastError = new Error(`nats-server ${why}${tail ? `:\n${tail}` : ""}`);
    if (opts.signal?.aborted || !/address already in use/i.test(tail)) break;
  }
  throw lastError ?? new Error("nats-server did not start");
}
