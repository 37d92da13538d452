// How agents and ltctl authenticate to the control-plane NATS: one mapping from flags to nats.js options.
import { readFileSync } from "node:fs";
import { credsAuthenticator, type NodeConnectionOptions } from "@nats-io/transport-node";

/** Credentials and TLS files for a control-plane connection (flags or env, already resolved). */
export interface ControlPlaneAuth {
  /** NATS credentials file (JWT + nkey seed); wins over token and user. */
  readonly creds?: string;
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
  /** PEM files: CA bundle to trust, client certificate and its key. */
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/**
 * The auth and TLS part of the connect options. Throws when the creds file cannot be read. TLS takes file
 * names, not contents: nats.js reads them at each (re)connect, so rotated certificates are picked up.
 */
export function authOptions(a: ControlPlaneAuth): Partial<NodeConnectionOptions> {
  const o: Partial<NodeConnectionOptions> = {};
  if (a.creds) o.authenticator = credsAuthenticator(readFileSync(a.creds));
  else if (a.token) o.token = a.token;
  else if (a.user) {
    o.user = a.user;
    if (a.password !== undefined) o.pass = a.password;
  }
  if (a.tlsCa || a.tlsCert) {
    o.tls = {
      ...(a.tlsCa ? { caFile: a.tlsCa } : {}),
      ...(a.tlsCert ? { certFile: a.tlsCert } : {}),
      ...(a.tlsKey ? { keyFile: a.tlsKey } : {}),
    };
  }
  return o;
}
