// What a user nkey seed file holds (`nats_nkey_file`, `--nkey`): the seed alone (`nsc` and `nk -gen user`
// write it so), or decorated between `-----BEGIN USER NKEY SEED-----` lines. Pure text; the callers read the
// file and check the seed's checksum with nats.js.

/** A user seed: `SU` and 56 base32 characters (a 58-character nkey). */
const USER_SEED = /^SU[A-Z2-7]{56}$/;

/** The first line of `text` that is a user nkey seed (`SU...`), or undefined. Never echoes `text`. */
export function findUserSeed(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const s = line.trim();
    if (USER_SEED.test(s)) return s;
  }
  return undefined;
}
