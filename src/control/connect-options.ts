// How agents and ltctl authenticate to the control-plane NATS: one mapping from flags to nats.js options.
import { readFileSync } from "node:fs";
import {
  credsAuthenticator,
  type NodeConnectionOptions,
  nkeyAuthenticator,
  nkeys,
} from "@nats-io/transport-node";
import { findUserSeed } from "../config/index.ts";

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
  else if (a.nkey) o.authenticator = nkeyAuthenticator(readNkeySeed(a.nkey));
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

/** The fs error without its repeated ", open '<path>'" tail (the message names the path already). */
const why = (err: unknown) => (err as Error).message.replace(/, (open|read) '.*'$/, "");

function readCreds(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read credentials ${file} (--creds, env NATS_CREDS_FILE): ${why(err)}`, {
      cause: err,
    });
  }
}

function readNkeySeed(file: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the nkey seed file ${file} (--nkey, env NATS_NKEY_FILE): ${why(err)}`, {
      cause: err,
    });
  }
  const seed = findUserSeed(text);
  if (seed === undefined) {
    throw new Error(
      `the nkey seed file ${file} (--nkey, env NATS_NKEY_FILE) holds no user nkey seed (a line SU... of 58 characters)`,
    );
  }
  const bytes = new TextEncoder().encode(seed);
  try {
    nkeys.fromSeed(bytes);
  } catch (err) {
    throw new Error(
      `the nkey seed file ${file} (--nkey, env NATS_NKEY_FILE) holds an invalid seed: ${(err as Error).message}`,
    );
  }
  return bytes;
}
