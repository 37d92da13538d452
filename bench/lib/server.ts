// A nats-server for a bench run: free port, temp folder, JetStream (1 GiB memory store), via the test harness.
import { type NatsNode, startServer } from "../../test/harness/index.ts";

export type BenchServer = NatsNode & AsyncDisposable;

/** Starts a JetStream nats-server for a bench; `await using srv = await startBenchServer()` stops it. */
export async function startBenchServer(extraConfig = ""): Promise<BenchServer> {
  return await startServer({ name: "lt-bench", extraConfig });
}

/** nats-server's version from its /varz (for the report header). */
export async function serverVersion(srv: NatsNode): Promise<string> {
  try {
    const varz = await srv.monitor<{ version?: string }>("/varz");
    return varz.version ?? "?";
  } catch {
    return "?";
  }
}
