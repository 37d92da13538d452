// Who may talk to the shim. A browser on an attacker's page can reach it through DNS rebinding (the attacker's
// name resolves to the pod, so the browser sends the attacker's Host and Origin) or a plain cross-site request;
// anything on the pod network can reach a shim that listens on every interface. So: every request's Host must
// be one of the agent's own names, a browser's Origin must be that same host, and state-changing requests need
// the bearer token unless the shim listens on loopback only (or the operator opted out, loudly).
import { isIP } from "node:net";
import { HttpError } from "./body.ts";

export interface GuardOptions {
  /** The address the shim binds. */
  readonly bindHost: string;
  /** The pod name and the machine's host name: a request may name the agent by them. */
  readonly ownNames: readonly string[];
  /** More names (`--http-allowed-hosts`): exact, `.suffix` for a domain and its subdomains, or `*` for any. */
  readonly allowedHosts?: readonly string[];
  /** Bearer token of state-changing requests. */
  readonly token?: string;
  /** Take state-changing requests without a token even on a non-loopback address (`--http-insecure-no-token`). */
  readonly insecureNoToken?: boolean;
}

/** Headers the guard reads (node's IncomingHttpHeaders fits). */
export interface GuardHeaders {
  readonly host?: string | undefined;
  readonly origin?: string | undefined;
  readonly authorization?: string | undefined;
}

/** How much of a refused Host a message shows. */
const SHOWN = 64;

export class RequestGuard {
  readonly #o: GuardOptions;
  readonly #names: ReadonlySet<string>;
  readonly #suffixes: readonly string[];
  readonly #any: boolean;
  /** True when state-changing requests need the token. */
  readonly tokenRequired: boolean;

  constructor(o: GuardOptions) {
    this.#o = o;
    const extra = (o.allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
    this.#any = extra.includes("*");
    this.#suffixes = extra.filter((h) => h.startsWith("."));
    this.#names = new Set(
      ["localhost", ...o.ownNames, ...extra.filter((h) => !h.startsWith("."))].map((h) => h.toLowerCase()),
    );
    this.tokenRequired = o.token !== undefined || !(isLoopback(o.bindHost) || o.insecureNoToken === true);
  }

  /** Every request and WebSocket upgrade: the Host must be the agent's (421 otherwise). */
  checkHost(h: GuardHeaders): void {
    const host = h.host ?? "";
    const name = hostname(host);
    if (name !== undefined && this.#allowed(name)) return;
    throw new HttpError(
      421,
      `Host '${host.slice(0, SHOWN)}' is not a name of this agent (loopback, an IP address, the pod or host name); add it with --http-allowed-hosts (env LT_HTTP_ALLOWED_HOSTS)`,
    );
  }

  /** POSTs and WebSocket upgrades from a browser: its Origin must be the host it asked (403 otherwise). */
  checkOrigin(h: GuardHeaders): void {
    const origin = h.origin;
    if (origin === undefined) return;
    let originHost = "";
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      // "null" and other opaque origins: never the same site
    }
    if (originHost === "" || originHost !== (h.host ?? "").toLowerCase())
      throw new HttpError(403, "cross-origin request refused");
  }

  /** State-changing requests: the bearer token when one is needed (401 wrong or missing, 403 none set). */
  checkToken(h: GuardHeaders): void {
    if (!this.tokenRequired) return;
    const token = this.#o.token;
    if (token === undefined) {
      throw new HttpError(
        403,
        `state-changing requests need a token: this shim listens on ${this.#o.bindHost} without one; set --http-token (env LT_HTTP_TOKEN), bind a loopback address (--http-host 127.0.0.1), or pass --http-insecure-no-token`,
      );
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h.authorization ?? "");
    if (!m || !safeEqual(m[1] as string, token))
      throw new HttpError(401, "missing or wrong bearer token (Authorization: Bearer <token>)");
  }

  #allowed(name: string): boolean {
    if (this.#any || isIP(name) !== 0 || this.#names.has(name)) return true;
    return this.#suffixes.some((s) => name.endsWith(s) || name === s.slice(1));
  }
}

/**
 * The host name of a Host header, lower case, without port or IPv6 brackets; undefined when malformed. An IP
 * literal is always the agent's: DNS rebinding needs a name the attacker controls, never an address.
 */
function hostname(host: string): string | undefined {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 1 ? h.slice(1, end) : undefined;
  }
  const colon = h.indexOf(":");
  const name = colon === -1 ? h : h.slice(0, colon);
  return /^[a-z0-9.-]{1,253}$/.test(name) ? name.replace(/\.$/, "") : undefined;
}

/** A bind address that only this machine can reach. */
export function isLoopback(bindHost: string): boolean {
  const h = bindHost.trim().toLowerCase();
  return h === "localhost" || h === "::1" || h === "[::1]" || /^127(\.\d{1,3}){3}$/.test(h);
}

function safeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
