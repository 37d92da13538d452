import { REDACTED, redactUrl } from "./redact-url.ts";

/** `nats_url` as given (one URL, a comma-separated list, or our extension: an array) to a list of servers. */
export function splitServers(natsUrl: string | readonly string[]): string[] {
  const parts = typeof natsUrl === "string" ? natsUrl.split(",") : natsUrl.flatMap((s) => s.split(","));
  return parts.map((s) => s.trim());
}

const SCHEMES = new Set(["nats:", "tls:", "ws:", "wss:"]);
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/** Why a server entry is unusable, or `undefined` when it is fine. The message never shows its password. */
export function serverProblem(server: string): string | undefined {
  const problem = rawProblem(server);
  return problem === undefined ? undefined : redactUrl(problem);
}

function rawProblem(server: string): string | undefined {
  if (server === "") return "empty server in the list (check for a stray comma)";
  if (!server.includes("://")) {
    return HOST_PORT.test(server) ? undefined : `"${server}" is not a URL such as nats://host:4222`;
  }
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return `"${server}" is not a URL such as nats://host:4222`;
  }
  if (!SCHEMES.has(url.protocol)) return `"${server}": scheme must be nats, tls, ws or wss`;
  if (url.hostname === "") return `"${server}" has no host`;
  if (url.password === REDACTED || (url.password === "" && url.username === REDACTED)) {
    return `"${server}" holds *** where the credentials go: a redacted copy (ltctl history --show hides secrets); put the real password back or write \${NATS_PASSWORD} and set it in the agents' environment`;
  }
  return undefined;
}
