// Operator-mode (decentralised JWT) auth for test servers, made without `nsc`: an operator, a system account,
// an account with JetStream, and users whose .creds files (user JWT + nkey seed) are written to a temp folder.
// `serverConfig` is the nats-server text for operator mode with a MEMORY resolver that preloads the account
// JWTs; pass it as startServer({ extraConfig }). Users are signed by their account alone, so more of them can
// be made after the server started. JetStream stays on in operator mode (nats-server 2.9.10): the server's
// `jetstream {}` block (startServer writes it) enables it, the account JWT's limits give the account its share.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeAccount, encodeOperator, encodeUser, fmtCreds, type User } from "@nats-io/jwt";
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";

/** Permissions (and limits) of a user, as in a user JWT's `nats` claim: `{ pub: { allow: [...] }, ... }`. */
export type UserClaims = Partial<User>;

export interface UserCreds {
  readonly name: string;
  /** The .creds file. */
  readonly file: string;
  /** The user JWT and nkey seed ("SU...") inside it, so tests can check they leak nowhere. */
  readonly jwt: string;
  readonly seed: string;
  /** The user's public nkey ("U..."). */
  readonly publicKey: string;
}

export interface TestOperator {
  readonly dir: string;
  /** Public keys ("O...", "A..."). */
  readonly operator: string;
  readonly systemAccount: string;
  /** The account with JetStream that users are made in. */
  readonly account: string;
  /** nats-server config text: operator, system_account, resolver MEMORY with the account JWTs preloaded. */
  readonly serverConfig: string;
  /** A user of the JetStream account; with claims, a restricted one. */
  user(name: string, claims?: UserClaims): Promise<UserCreds>;
  /** A user of an account the server does not know (none of its JWTs is preloaded): it is refused. */
  strangerUser(name: string): Promise<UserCreds>;
  remove(): void;
}

/** No limit on anything, JetStream included (memory and file storage, streams, consumers). */
const UNLIMITED = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export async function makeOperator(name = "lt-test"): Promise<TestOperator> {
  const dir = mkdtempSync(join(tmpdir(), "lt-operator-"));
  const okp = createOperator();
  const sys = createAccount();
  const acc = createAccount();
  const stranger = createAccount();
  const opub = okp.getPublicKey();
  const sysPub = sys.getPublicKey();
  const accPub = acc.getPublicKey();

  const operatorJwt = await encodeOperator(name, okp, { system_account: sysPub });
  // Account JWTs are signed by the operator; the system account gets no JetStream (storage limits 0).
  const noJetStream = { ...UNLIMITED, mem_storage: 0, disk_storage: 0, streams: 0, consumer: 0 };
  const sysJwt = await encodeAccount("SYS", sys, { limits: noJetStream }, { signer: okp });
  const accJwt = await encodeAccount("LT", acc, { limits: UNLIMITED }, { signer: okp });
  const serverConfig = [
    `operator: ${operatorJwt}`,
    `system_account: "${sysPub}"`,
    "resolver: MEMORY",
    "resolver_preload: {",
    `  ${sysPub}: "${sysJwt}"`,
    `  ${accPub}: "${accJwt}"`,
    "}",
    "",
  ].join("\n");

  const makeUser = async (
    userName: string,
    account: KeyPair,
    claims: UserClaims = {},
  ): Promise<UserCreds> => {
    const ukp = createUser();
    const jwt = await encodeUser(userName, ukp, account, claims);
    const file = join(dir, `${userName}.creds`);
    writeFileSync(file, fmtCreds(jwt, ukp), { mode: 0o600 });
    return { name: userName, file, jwt, seed: text(ukp.getSeed()), publicKey: ukp.getPublicKey() };
  };

  return {
    dir,
    operator: opub,
    systemAccount: sysPub,
    account: accPub,
    serverConfig,
    user: (userName, claims) => makeUser(userName, acc, claims),
    strangerUser: (userName) => makeUser(userName, stranger),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
