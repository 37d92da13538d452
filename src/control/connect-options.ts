// How agents and ltctl authenticate to the control-plane NATS: one mapping from flags to nats.js options.
import { readFileSync } from "node:fs";
import { credsAuthenticator, type NodeConnectionOptions, nkeyAuthenticator } from "@nats-io/transport-node";
import { fileErrorReason, readUserSeedFile } from "../engine/index.ts";

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

/**
 * The auth and TLS part of the connect options. Precedence: creds > nkey > token > user. Throws when the creds
 * or nkey file cannot be read (or holds no valid seed), naming the flag and the file, never the contents. TLS
 * takes file names, not contents: nats.js reads them at each (re)connect, so rotated certificates are picked up.
 */
export function authOptions(a: ControlPlaneAuth): Partial<NodeConnectionOptions> {
  const o: Partial<NodeConnectionOptions> = {};
  if (a.creds) o.authenticator = credsAuthenticator(readCreds(a.creds));
  else if (a.nkey) {
    const what = `the nkey seed file ${a.nkey} (--nkey, env NATS_NKEY_FILE)`;
    o.authenticator = nkeyAuthenticator(readUserSeedFile(a.nkey, what));
  } else if (a.token) o.token = a.token;
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

function readCreds(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(
      `cannot read credentials ${file} (--creds, env NATS_CREDS_FILE): ${fileErrorReason(err)}`,
      {
        cause: err,
      },
    );
  }
}
