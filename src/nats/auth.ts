// How a connection authenticates, for the NATS under test (the spec's `nats_creds_file`, `nats_nkey_file`,
// credentials in `nats_url`) and for the control plane (`--creds`, `--nkey`, `--token`, `--user`): one mapping
// onto nats.js options and one way to read the files, whose errors name the field or flag and the file, never
// the contents.
import { readFileSync } from "node:fs";
import {
  type ConnectionOptions,
  credsAuthenticator,
  nkeyAuthenticator,
  nkeys,
} from "@nats-io/transport-node";
import { findUserSeed } from "../config/index.ts";

/** One connection's credentials. Precedence: creds > nkey > token > user. */
export interface ConnectAuth {
  /** NATS credentials file (JWT + nkey seed). */
  readonly creds?: string;
  /** File holding a user nkey seed (`SU...`), for a server listing the user's public key. */
  readonly nkey?: string;
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
}

/** How errors name a file: the field or flag with the path, e.g. `nats_nkey_file /p/u.nk`. */
export interface AuthFileNames {
  creds(file: string): string;
  nkey(file: string): string;
}

/** The authentication part of the connect options (nothing when `a` holds no credentials). */
export function authOptions(a: ConnectAuth, names: AuthFileNames): Partial<ConnectionOptions> {
  if (a.creds) return { authenticator: credsAuthenticator(readAuthFile(a.creds, names.creds(a.creds))) };
  if (a.nkey) return { authenticator: nkeyAuthenticator(readUserSeedFile(a.nkey, names.nkey(a.nkey))) };
  if (a.token) return { token: a.token };
  if (a.user) return a.password === undefined ? { user: a.user } : { user: a.user, pass: a.password };
  return {};
}

/** An fs error's message without its ", open '<path>'" tail (callers name the path already). */
export function fileErrorReason(err: unknown): string {
  return (err as Error).message.replace(/, (open|read) '.*'$/, "");
}

/** A file's bytes; the error says `what` (the field or flag and the file) and why, not the contents. */
function readAuthFile(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${what}: ${fileErrorReason(err)}`, { cause: err });
  }
}

/**
 * The user nkey seed in `file`, checked (a bad checksum would otherwise fail inside the handshake). Errors say
 * `what` (e.g. "nats_nkey_file /p/u.nk", the field or flag and the file), never the file's contents.
 */
export function readUserSeedFile(file: string, what: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${what}: ${fileErrorReason(err)}`, { cause: err });
  }
  const seed = findUserSeed(text);
  if (seed === undefined) throw new Error(`${what} holds no user nkey seed (a line SU... of 58 characters)`);
  const bytes = new TextEncoder().encode(seed);
  try {
    nkeys.fromSeed(bytes);
  } catch (err) {
    throw new Error(`${what} holds an invalid nkey seed: ${(err as Error).message}`);
  }
  return bytes;
}
