// Real nats-server processes for tests: one node or a three-node JetStream cluster, each in its own temp
// folder on free ports, with stop / kill / restart so fault tests can take nodes away.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, retryPortClash, waitForPort } from "./ports.ts";

export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? "nats-server";

export interface NodeOptions {
  /** Extra text appended to the generated server config (authorization, tls, ...). */
  readonly extraConfig?: string;
  /** Server name; defaults to a unique one. */
  readonly name?: string;
  readonly jetstream?: boolean;
}

export class NatsNode {
  readonly dir: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly name: string;
  #proc: ChildProcess | undefined;
  #configFile: string;
  #log = "";

  constructor(
    dir: string,
    name: string,
    port: number,
    clusterPort: number,
    monitorPort: number,
    config: string,
  ) {
    this.dir = dir;
    this.name = name;
    this.port = port;
    this.clusterPort = clusterPort;
    this.monitorPort = monitorPort;
    this.#configFile = join(dir, "server.conf");
    writeFileSync(this.#configFile, config);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#proc !== undefined && this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  /** The server's own output so far (for diagnosing a failed test). */
  get log(): string {
    return this.#log;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const proc = spawn(NATS_SERVER_BIN, ["-c", this.#configFile], { stdio: ["ignore", "pipe", "pipe"] });
    this.#proc = proc;
    // Ready means this process said so: a port that accepts connections may belong to another test's server
    // that picked the same port a moment earlier (this one then exits with "address already in use").
    let ready: () => void = () => {};
    const readyLine = new Promise<void>((resolve) => {
      ready = resolve;
    });
    let since = "";
    const keep = (b: Buffer) => {
      const text = b.toString();
      this.#log = (this.#log + text).slice(-20_000);
      since = (since + text).slice(-4_000);
      if (since.includes("Server is ready")) ready();
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    const exited = new Promise<never>((_, reject) =>
      proc.once("exit", (code) =>
        reject(new Error(`nats-server ${this.name} exited (${code}): ${this.#log}`)),
      ),
    );
    exited.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`nats-server ${this.name} not ready after 15 s: ${this.#log}`)),
        15_000,
      );
    });
    try {
      await Promise.race([readyLine, exited, late]);
    } finally {
      clearTimeout(timer);
    }
    await Promise.race([waitForPort(this.port, 5_000), exited]);
  }

  /** Graceful stop (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    await this.#signal("SIGTERM", 5_000);
  }

  /** Abrupt death, as a crashed pod. */
  async kill(): Promise<void> {
    await this.#signal("SIGKILL", 5_000);
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered, as a stalled server. */
  pause(): void {
    if (this.running) this.#proc!.kill("SIGSTOP");
  }

  /** Thaws a paused process (SIGCONT). */
  resume(): void {
    if (this.running) this.#proc!.kill("SIGCONT");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async #signal(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    const proc = this.#proc;
    if (!proc || !this.running) return;
    const gone = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(sig);
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** GET a monitoring endpoint (`/varz`, `/jsz`, `/healthz`...) as JSON. */
  async monitor<T = unknown>(path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.monitorPort}${path}`);
    return (await res.json()) as T;
  }
}

function jetstreamBlock(dir: string): string {
  return `jetstream {\n  store_dir: "${join(dir, "js")}"\n  max_memory_store: 1G\n  max_file_store: 4G\n}\n`;
}

/** One nats-server with JetStream (unless jetstream: false) on a free port in a fresh temp folder. */
export function startServer(opts: NodeOptions = {}): Promise<NatsNode & AsyncDisposable> {
  return retryPortClash(() => startServerOnce(opts));
}

async function startServerOnce(opts: NodeOptions): Promise<NatsNode & AsyncDisposable> {
  const dir = mkdtempSync(join(tmpdir(), "lt-nats-"));
  const port = await freePort();
  const monitorPort = await freePort();
  const name = opts.name ?? `lt-test-${port}`;
  const config = [
    `server_name: "${name}"`,
    `listen: "127.0.0.1:${port}"`,
    `http: "127.0.0.1:${monitorPort}"`,
    opts.jetstream === false ? "" : jetstreamBlock(dir),
    opts.extraConfig ?? "",
  ].join("\n");
  const node = new NatsNode(dir, name, port, 0, monitorPort, config);
  try {
    await node.start();
  } catch (e) {
    await node.kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return Object.assign(node, {
    async [Symbol.asyncDispose]() {
      await node.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

export class NatsCluster implements AsyncDisposable {
  readonly nodes: NatsNode[];
  readonly root: string;
  constructor(root: string, nodes: NatsNode[]) {
    this.root = root;
    this.nodes = nodes;
  }

  /** Starts every node and waits until the cluster is settled; on failure stops what started and removes `root`. */
  static async start(root: string, nodes: NatsNode[]): Promise<NatsCluster> {
    const cluster = new NatsCluster(root, nodes);
    try {
      await Promise.all(nodes.map((n) => n.start()));
      await cluster.waitReady();
    } catch (e) {
      await cluster[Symbol.asyncDispose]();
      throw e;
    }
    return cluster;
  }

  /** Comma-separated client URLs of every node, as a `nats_url` listing all servers. */
  get urls(): string {
    return this.nodes.map((n) => n.url).join(",");
  }

  node(name: string): NatsNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name} in cluster (${this.nodes.map((x) => x.name).join(", ")})`);
    return n;
  }

  /**
   * Resolves when every running node is healthy, routed to every other running node, and sees one JetStream
   * meta group of all running nodes with a leader. (A node whose routes came up late can otherwise sit in a
   * meta group of its own, and streams created through it never reach the others.)
   */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const running = this.nodes.filter((x) => x.running);
    for (const n of running) {
      for (;;) {
        if (await this.#settled(n, running.length)) break;
        if (Date.now() > deadline)
          throw new Error(`cluster node ${n.name} not settled after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async #settled(n: NatsNode, size: number): Promise<boolean> {
    try {
      const h = await n.monitor<{ status?: string }>("/healthz");
      if (h.status !== "ok") return false;
      const routes = await n.monitor<{ num_routes?: number }>("/routez");
      if ((routes.num_routes ?? 0) < size - 1) return false;
      const jsz = await n.monitor<{ meta_cluster?: { leader?: string; cluster_size?: number } }>("/jsz");
      const meta = jsz.meta_cluster;
      return !!meta?.leader && (meta.cluster_size ?? 0) >= size;
    } catch {
      return false; // not up yet
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A JetStream cluster of `size` nodes (default 3) with routes between all of them, each in its own folder. */
export function startCluster(size = 3, extraConfig = ""): Promise<NatsCluster> {
  return retryPortClash(() => startClusterOnce(size, extraConfig));
}

async function startClusterOnce(size: number, extraConfig: string): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), "lt-cluster-"));
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      client: await freePort(),
      cluster: await freePort(),
      monitor: await freePort(),
    })),
  );
  const clusterName = `lt-c-${ports[0]!.client}`;
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.cluster}`).join(", ");
  const nodes = ports.map((p, i) => {
    const dir = join(root, `n${i + 1}`);
    const name = `n${i + 1}`;
    const config = [
      `server_name: "${name}"`,
      `listen: "127.0.0.1:${p.client}"`,
      `http: "127.0.0.1:${p.monitor}"`,
      jetstreamBlock(dir),
      `cluster {\n  name: "${clusterName}"\n  listen: "127.0.0.1:${p.cluster}"\n  routes: [${routes}]\n}`,
      extraConfig,
    ].join("\n");
    mkdirSync(dir, { recursive: true });
    return new NatsNode(dir, name, p.client, p.cluster, p.monitor, config);
  });
  return NatsCluster.start(root, nodes);
}
