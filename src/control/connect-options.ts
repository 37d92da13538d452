// How agents and ltctl authenticate to the control-plane NATS: one mapping from flags to nats.js options.
import type { NodeConnectionOptions } from "@nats-io/transport-node";
import { type AuthFileNames, authOptions as connectAuth } from "../nats/index.ts";

/** Credentials and TLS files for a control-plane connection (flags or env, already resolved). */
export interface ControlPlaneAuth {
  /** NATS credentials file (JWT + nkey seed); wins over nkey, token and user. */
  readonly creds?: string;
  /** File holding a user nkey seed (`SU...`), for a server listing the user's public key; wins over token and user. */
  readonly nkey?: string;
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
  /** PEM files: CA bundle to trust, client certificate and its key. */
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/** The flags (and environment variables) named in errors about their files. */
const FLAG_FILE_NAMES: AuthFileNames = {
  creds: (file) => `credentials ${file} (--creds, env NATS_CREDS_FILE)`,
  nkey: (file) => `the nkey seed file ${file} (--nkey, env NATS_NKEY_FILE)`,
};

/**
 * The auth and TLS part of the connect options. Precedence: creds > nkey > token > user. Throws when the creds
 * or nkey file cannot be read (or holds no valid seed), naming the flag and the file, never the contents. TLS
 * takes file names, not contents: nats.js reads them at each (re)connect, so rotated certificates are picked up.
 */
export function authOptions(a: ControlPlaneAuth): Partial<NodeConnectionOptions> {
  const o: Partial<NodeConnectionOptions> = connectAuth(a, FLAG_FILE_NAMES);
  if (a.tlsCa || a.tlsCert) {
    o.tls = {
      ...(a.tlsCa ? { caFile: a.tlsCa } : {}),
      ...(a.tlsCert ? { certFile: a.tlsCert } : {}),
      ...(a.tlsKey ? { keyFile: a.tlsKey } : {}),
    };
  }
  return o;
}
