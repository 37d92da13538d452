// docker-compose.yml without containers: read the NATS services' cluster settings and the agents' environment
// from the compose file, start the same NATS cluster as local nats-server processes on free ports, and give
// each agent service the environment it would get, with its NATS_URL pointing at those local ports.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { NatsCluster, NatsNode } from "./nats-server.ts";
import { freePort, retryPortClash } from "./ports.ts";

/** The parts of a compose file these helpers read (the schema test checks the whole file). */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [k: string]: unknown;
}
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { source?: string; target: string })[];
  ports?: (string | number | { target: number; published?: string | number })[];
  depends_on?: string[] | Record<string, unknown>;
  profiles?: string[];
  [k: string]: unknown;
}

/** Reads a compose file, resolving YAML anchors and `<<` merge keys as docker compose does. */
export function readCompose(path = "docker-compose.yml"): ComposeFile {
  return parseCompose(readFileSync(path, "utf8"));
}

export function parseCompose(text: string): ComposeFile {
  const doc = YAML.parse(text, { merge: true }) as ComposeFile;
  if (!doc || typeof doc !== "object" || !doc.services) throw new Error("compose file has no services");
  return doc;
}

/** A `nats` service's server settings, read from its command line. */
export interface NatsServiceSpec {
  service: string;
  serverName: string;
  clusterName: string;
  jetstream: boolean;
  storeDir: string | undefined;
  clientPort: number;
  clusterPort: number;
  monitorPort: number | undefined;
  /** Routes as [host, port]; hosts are compose service names. */
  routes: [string, number][];
}

function argv(cmd: string | string[] | undefined): string[] {
  if (cmd === undefined) return [];
  return Array.isArray(cmd) ? cmd.map(String) : cmd.split(/\s+/).filter(Boolean);
}

function hostPort(url: string, what: string): [string, number] {
  const u = new URL(url.trim());
  if (!u.port) throw new Error(`${what}: ${url} names no port`);
  return [u.hostname, Number(u.port)];
}

/** Services running the official `nats` image, in file order, with the cluster settings of their command. */
export function natsServices(compose: ComposeFile): NatsServiceSpec[] {
  const out: NatsServiceSpec[] = [];
  for (const [service, svc] of Object.entries(compose.services)) {
    if (!/^(docker\.io\/(library\/)?)?nats(:|$)/.test(svc.image ?? "")) continue;
    const args = argv(svc.command);
    const spec: NatsServiceSpec = {
      service,
      serverName: service,
      clusterName: "",
      jetstream: false,
      storeDir: undefined,
      clientPort: 4222,
      clusterPort: 0,
      monitorPort: undefined,
      routes: [],
    };
    for (let i = 0; i < args.length; i++) {
      const flag = args[i]!;
      const value = () => {
        const v = args[++i];
        if (v === undefined) throw new Error(`${service}: ${flag} needs a value`);
        return v;
      };
      switch (flag) {
        case "-n":
        case "--name":
        case "--server_name":
          spec.serverName = value();
          break;
        case "--cluster_name":
          spec.clusterName = value();
          break;
        case "-js":
        case "--jetstream":
          spec.jetstream = true;
          break;
        case "-sd":
        case "--store_dir":
          spec.storeDir = value();
          break;
        case "-p":
        case "--port":
          spec.clientPort = Number(value());
          break;
        case "-m":
        case "--http_port":
          spec.monitorPort = Number(value());
          break;
        case "--cluster":
        case "--cluster_listen":
          spec.clusterPort = hostPort(value(), `${service} ${flag}`)[1];
          break;
        case "--routes":
          spec.routes = value()
            .split(",")
            .map((r) => hostPort(r, `${service} --routes`));
          break;
        default:
          throw new Error(`${service}: command flag ${flag} is not understood by test/harness/compose.ts`);
      }
    }
    out.push(spec);
  }
  return out;
}

/** The environment of a service as a plain map (both compose forms: map and `KEY=VALUE` list). */
export function serviceEnv(compose: ComposeFile, serviceName: string): Record<string, string> {
  const svc = compose.services[serviceName];
  if (!svc) throw new Error(`no service ${serviceName} in the compose file`);
  const env: Record<string, string> = {};
  if (Array.isArray(svc.environment)) {
    for (const kv of svc.environment) {
      const eq = kv.indexOf("=");
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  } else {
    for (const [k, v] of Object.entries(svc.environment ?? {})) if (v !== null) env[k] = String(v);
  }
  // Compose's interpolation from the shell (or .env): `${NAME}` and `${NAME:-default}`.
  for (const [k, v] of Object.entries(env)) {
    env[k] = v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, dflt?: string) => {
      const value = process.env[name];
      return value !== undefined && value !== "" ? value : (dflt ?? "");
    });
  }
  return env;
}

/** Services that run the lt-agent image (built from deploy/Dockerfile or named nats-lt). */
export function agentServices(compose: ComposeFile): string[] {
  return Object.entries(compose.services)
    .filter(([, s]) => {
      const dockerfile = typeof s.build === "object" ? s.build.dockerfile : undefined;
      return dockerfile === "deploy/Dockerfile" || /(^|\/)nats-lt(:|@|$)/.test(s.image ?? "");
    })
    .map(([name]) => name);
}

/**
 * The environment agent service `serviceName` gets in docker-compose.yml, for running the same agent as a
 * local process: every `nats://<nats service>:<client port>` in NATS_URL becomes the local URL of that
 * service from `urls` (service name -> URL, as returned by {@link startComposeNats}). Give `httpPort` to move
 * LT_HTTP_PORT off the port all containers share (9481). Throws when NATS_URL names an unknown server.
 */
export function composeAgentEnv(
  compose: ComposeFile,
  serviceName: string,
  urls: Record<string, string>,
  httpPort?: number,
): Record<string, string> {
  const env = serviceEnv(compose, serviceName);
  const nats = new Map(natsServices(compose).map((n) => [n.service, n]));
  if (env["NATS_URL"] !== undefined) {
    env["NATS_URL"] = env["NATS_URL"]
      .split(",")
      .map((u) => {
        const [host, port] = hostPort(u, `${serviceName} NATS_URL`);
        const n = nats.get(host);
        const local = urls[host];
        if (!n || n.clientPort !== port || !local) {
          throw new Error(`${serviceName}: NATS_URL entry ${u} is not a NATS service of the compose file`);
        }
        return local;
      })
      .join(",");
  }
  if (httpPort !== undefined) env["LT_HTTP_PORT"] = String(httpPort);
  return env;
}

export interface ComposeNats {
  cluster: NatsCluster;
  specs: NatsServiceSpec[];
  /** Compose service name -> local client URL. */
  urls: Record<string, string>;
}

/**
 * Starts the compose file's NATS services as nats-server processes: same server names, cluster name, routes
 * (between the same services) and JetStream setting, on free 127.0.0.1 ports, each in its own temp folder.
 * Dispose the returned cluster (`await using`) to stop them.
 */
export function startComposeNats(compose: ComposeFile): Promise<ComposeNats> {
  return retryPortClash(() => startComposeNatsOnce(compose));
}

async function startComposeNatsOnce(compose: ComposeFile): Promise<ComposeNats> {
  const specs = natsServices(compose);
  if (specs.length === 0) throw new Error("the compose file has no nats service");
  const root = mkdtempSync(join(tmpdir(), "lt-compose-"));
  const ports = new Map<string, { client: number; cluster: number; monitor: number }>();
  for (const s of specs) {
    ports.set(s.service, { client: await freePort(), cluster: await freePort(), monitor: await freePort() });
  }
  const nodes = specs.map((s) => {
    const p = ports.get(s.service)!;
    const dir = join(root, s.service);
    mkdirSync(dir, { recursive: true });
    const routes = s.routes.map(([host, port]) => {
      const target = specs.find((x) => x.service === host);
      if (!target || target.clusterPort !== port) {
        throw new Error(`${s.service}: route to ${host}:${port} is not the cluster port of a nats service`);
      }
      return `nats-route://127.0.0.1:${ports.get(host)!.cluster}`;
    });
    const config = [
      `server_name: "${s.serverName}"`,
      `listen: "127.0.0.1:${p.client}"`,
      `http: "127.0.0.1:${p.monitor}"`,
      s.jetstream
        ? `jetstream {\n  store_dir: "${join(dir, "js")}"\n  max_memory_store: 1G\n  max_file_store: 4G\n}`
        : "",
      s.clusterPort > 0
        ? `cluster {\n  name: "${s.clusterName}"\n  listen: "127.0.0.1:${p.cluster}"\n  routes: [${routes.join(", ")}]\n}`
        : "",
    ].join("\n");
    return new NatsNode(dir, s.serverName, p.client, p.cluster, p.monitor, config);
  });
  const cluster = await NatsCluster.start(root, nodes);
  const urls = Object.fromEntries(
    specs.map((s) => [s.service, `nats://127.0.0.1:${ports.get(s.service)!.client}`]),
  );
  return { cluster, specs, urls };
}
