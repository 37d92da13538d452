// The one secret redaction of the project (src/control/redact.ts), used by the HTTP shim, ltctl history and
// the agent's log: URL passwords and tokens, and values of keys that name a secret.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSecretKey, redactSecrets, redactUrl } from "../../src/control/index.ts";

describe("redact", () => {
  it("redact - a URL keeps its user and host but not its password or token", () => {
    assert.equal(redactUrl("nats://u:pass@h:4222"), "nats://u:***@h:4222");
    assert.equal(redactUrl("tls://tok3n@h"), "tls://***@h");
    assert.equal(redactUrl("nats://a:p1@h1,nats://b:p2@h2"), "nats://a:***@h1,nats://b:***@h2");
    assert.equal(redactUrl("connect to nats://h:4222 failed"), "connect to nats://h:4222 failed");
    assert.equal(redactUrl('{"url":"nats://u:x@h"}'), '{"url":"nats://u:***@h"}');
  });

  it("redact - a password holding @ or / is hidden whole", () => {
    for (const url of ["nats://u:p@ss@h", "nats://u:pa/ss@h", "nats://u:a/b@c@h:4222"]) {
      const out = redactUrl(url);
      assert.doesNotMatch(out, /ss|a\/b|b@c/, `${url} -> ${out}`);
      assert.match(out, /@h/);
    }
  });

  it("redact - secret-named fields are masked at any depth, in any case style, and the input is not mutated", () => {
    const input = {
      password: "p1",
      nats_token: "t1",
      authToken: "t2",
      NATS_PASSWORD: "p2",
      nested: [{ seed: "SUAB", jwt: "eyJ", nkey: "UAB", api_key: "k" }],
      nats_url: "nats://u:p3@h",
      nats_creds_file: "/creds/x.creds",
      tokens: 3,
      monkey: "banana",
      empty_token: "",
    };
    const out = redactSecrets(input);
    const text = JSON.stringify(out);
    for (const s of ["p1", "t1", "t2", "p2", "SUAB", "eyJ", "UAB", '"k"', "p3"])
      assert.ok(!text.includes(s), s);
    assert.equal(out.nats_creds_file, "/creds/x.creds", "paths are kept");
    assert.equal(out.tokens, 3);
    assert.equal(out.monkey, "banana");
    assert.equal(out.empty_token, "", "an empty secret shows it is unset");
    assert.equal(input.password, "p1");
    assert.equal(isSecretKey("passport"), false);
  });

  it("redact - the tls files of a spec (and of its plan) are paths and are kept", () => {
    const tls = { ca_file: "/tls/ca.pem", cert_file: "/tls/client.pem", key_file: "/tls/client.key" };
    const planTls = { caFile: "/tls/ca.pem", certFile: "/tls/client.pem", keyFile: "/tls/client.key" };
    assert.deepEqual(redactSecrets({ tls, planTls }), { tls, planTls });
    for (const k of ["ca_file", "cert_file", "key_file", "keyFile"]) assert.equal(isSecretKey(k), false, k);
  });

  it("redact - an nkey seed file is a path and is kept; a seed or an nkey under its own name is masked", () => {
    const paths = { nats_nkey_file: "/nkeys/u.nk", nkeyFile: "/nkeys/u.nk", nkey_file: "/nkeys/u.nk" };
    assert.deepEqual(redactSecrets(paths), paths);
    assert.deepEqual(redactSecrets({ nkey: "SUAX", nkey_seed: "SUAY", userSeed: "SUAZ" }), {
      nkey: "***",
      nkey_seed: "***",
      userSeed: "***",
    });
  });

  it("redact - a __proto__ key from JSON.parse stays a plain key and is redacted like any other", () => {
    const input = JSON.parse('{"__proto__": {"password": "pp", "url": "nats://u:q@h"}, "a": 1}') as object;
    const out = redactSecrets(input);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    const text = JSON.stringify(out);
    assert.match(text, /"__proto__"/);
    assert.ok(!text.includes("pp") && !text.includes(":q@"), text);
  });
});

describe("redact - passwords of any characters", () => {
  it("redact - a password holding quotes, spaces, <, >, a backtick or a comma-free mix is hidden whole", () => {
    for (const pw of [
      "it's",
      'say"hi',
      "two words",
      "a<b",
      "a>b",
      "back`tick",
      " lead",
      "tab\there",
      "m!x'\"< >`",
    ]) {
      const url = `nats://user:${pw}@host:4222`;
      const out = redactUrl(url);
      assert.equal(out, "nats://user:***@host:4222", `${JSON.stringify(url)} -> ${JSON.stringify(out)}`);
      const text = JSON.stringify(
        redactSecrets({ nats_url: url, list: [url], msg: `connect ${url} failed` }),
      );
      assert.ok(!text.includes(pw.trim()) || pw.trim() === "", `${pw} leaked: ${text}`);
    }
  });

  it("redact - a user that is not a plain name is hidden with the password", () => {
    assert.equal(redactUrl("nats://a b:pw@h"), "nats://***@h");
    assert.equal(redactUrl("nats://tok'en@h"), "nats://***@h");
  });

  it("redact - a password holding :// is hidden, at worst with more than the password", () => {
    const out = redactUrl("nats://u:x://y@h:4222");
    assert.doesNotMatch(out, /x:|\/\/y|y@/, out);
    assert.match(out, /@h:4222$/);
  });
});
