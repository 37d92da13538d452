// What an nkey seed file may hold (`nats_nkey_file`, `--nkey`): src/config's findUserSeed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createAccount, createUser } from "@nats-io/nkeys";
import { findUserSeed } from "../../src/config/index.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("nkey seed files", () => {
  const user = createUser();
  const seed = text(user.getSeed());

  it("nkey - a file of the seed alone (with or without a newline, CRLF, blanks) gives the seed", () => {
    for (const t of [seed, `${seed}\n`, `\n  ${seed}  \r\n`]) assert.equal(findUserSeed(t), seed);
  });

  it("nkey - a decorated seed (nsc's BEGIN/END USER NKEY SEED lines) gives the seed", () => {
    const t = `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;
    assert.equal(findUserSeed(t), seed);
  });

  it("nkey - a public key, an account seed, a truncated seed or an empty file give none", () => {
    const account = text(createAccount().getSeed());
    for (const t of [user.getPublicKey(), account, seed.slice(0, -1), `${seed}x`, "", "\n"])
      assert.equal(findUserSeed(t), undefined, t);
  });
});
