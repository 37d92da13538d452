// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${VAR} expansion
// Issue 12, finding 2: `${VAR}` is expanded only in the fields that need it (nats_url, the credentials, nkey
// and TLS files, storage.path) and, on an agent, only from the variables it allows; its own secrets never.
// A refused variable names the variable, and the issue's path names the field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ExpandContext, loadConfig, SECRET_ENV_VARS } from "../../src/config/index.ts";
import { validateForPush } from "../../src/control/index.ts";
import { edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

const ENV = {
  NATS_URL: "nats://n1:4222",
  NATS_CREDS_MOUNT_PATH: "/etc/nats",
  NATS_PASSWORD: "ctl-s3cret",
  LT_HTTP_TOKEN: "http-s3cret",
  HOME: "/home/lt",
  COPY_OF_PASSWORD_VALUE: "x-ctl-s3cret-y",
};

/** What an agent passes: its allow-list (the default), its secret variables, and its secret values. */
const AGENT: ExpandContext = {
  pod: "p1",
  env: ENV,
  vars: {
    allowed: new Set(["NATS_URL", "NATS_CREDS_MOUNT_PATH", "COPY_OF_PASSWORD_VALUE", "NATS_PASSWORD"]),
    secretValues: ["ctl-s3cret", "http-s3cret"],
  },
};

function issueAt(cfg: unknown, ctx: ExpandContext, path: string): string {
  const r = loadConfig(cfg, ctx);
  assert.equal(r.ok, false, `expected ${path} to be refused`);
  const issue = (r.ok ? [] : r.issues).find((i) => i.path === path);
  assert.ok(issue, `no issue at ${path}: ${JSON.stringify(r.ok ? [] : r.issues)}`);
  return issue.message;
}

describe("config - ${VAR} only where it is needed", () => {
  it("config - a variable in a spec name is refused naming the variable and where variables are read", () => {
    const cfg = root({}, [spec({ name: "exfil_${NATS_PASSWORD}_${LT_HTTP_TOKEN:-none}_{pod}" })]);
    for (const ctx of [AGENT, { pod: "p1", env: ENV }]) {
      const m = issueAt(cfg, ctx, "load_test_specs[0].name");
      assert.match(m, /NATS_PASSWORD/);
      assert.match(m, /nats_url/);
      assert.doesNotMatch(m, /s3cret/);
    }
    // The push refuses it too (it cannot know the agents' environment, but it knows where variables go).
    const push = validateForPush(cfg);
    assert.ok(push.some((i) => i.path === "load_test_specs[0].name" && /NATS_PASSWORD/.test(i.message)));
  });

  it("config - every field outside the allowed ones refuses a variable; $${ stays a literal ${", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the setters reach into untyped JSON
    const fields: Array<[string, (c: any) => void]> = [
      ["load_test_specs[0].client_id_prefix", (c) => (c.load_test_specs[0].client_id_prefix = "${HOME}")],
      [
        "load_test_specs[0].consumers.ack_policy",
        (c) => (c.load_test_specs[0].consumers.ack_policy = "${P:-all}"),
      ],
      [
        "load_test_specs[0].streams[0].subjects[0]",
        (c) => (c.load_test_specs[0].streams[0].subjects = ["${HOME}.{}"]),
      ],
      ["thresholds.lost", (c) => (c.thresholds = { lost: "${HOME}" })],
    ];
    for (const [path, put] of fields)
      assert.match(issueAt(edited(root(), put), { pod: "p1", env: ENV }, path), /HOME|\bP\b/);
    const literal = loadOk(root({}, [spec({ name: "a$${B}" })]));
    assert.equal(literal.plan.steps[0]?.name, "a${B}");
  });

  it("config - nats_url, the credential, nkey and TLS files and storage.path take allowed variables", () => {
    const cfg = root({ storage: { type: "file", path: "${NATS_CREDS_MOUNT_PATH}/s.log" } }, [
      spec({
        nats_url: "${NATS_URL}",
        nats_creds_file: "${NATS_CREDS_MOUNT_PATH}/a.creds",
        tls: { ca_file: "${NATS_CREDS_MOUNT_PATH}/ca.pem" },
      }),
      spec({ name: "t2", nats_url: ["${NATS_URL}"], nats_nkey_file: "${NATS_CREDS_MOUNT_PATH}/u.nk" }),
    ]);
    const r = loadOk(cfg, AGENT);
    assert.deepEqual(r.plan.steps[0]?.spec.servers, ["nats://n1:4222"]);
    assert.equal(r.plan.steps[0]?.spec.credsFile, "/etc/nats/a.creds");
    assert.equal(r.plan.steps[1]?.spec.nkeyFile, "/etc/nats/u.nk");
    assert.equal(r.plan.storage.path, "/etc/nats/s.log");
  });
});

describe("config - the agent's allow-list and secrets", () => {
  it("config - a variable outside the allow-list is refused, naming it and the flag, even with a default", () => {
    for (const ref of ["${HOME}", "${HOME:-/x}"]) {
      const m = issueAt(
        root({}, [spec({ nats_url: `nats://h:4222,${ref}` })]),
        AGENT,
        "load_test_specs[0].nats_url",
      );
      assert.match(m, /HOME/);
      assert.match(m, /--config-env/);
    }
  });

  it("config - the agent's secret variables are never expanded, allowed or not, with or without a default", () => {
    for (const name of SECRET_ENV_VARS) {
      for (const ref of [`\${${name}}`, `\${${name}:-none}`]) {
        const m = issueAt(
          root({}, [spec({ nats_url: `nats://u:${ref}@h:4222` })]),
          AGENT,
          "load_test_specs[0].nats_url",
        );
        assert.match(m, new RegExp(name));
        assert.doesNotMatch(m, /s3cret/);
      }
    }
    // NATS_PASSWORD is even in AGENT's allow-list above: a secret name wins over the list.
    assert.ok(SECRET_ENV_VARS.includes("NATS_PASSWORD") && SECRET_ENV_VARS.includes("LT_HTTP_TOKEN"));
  });

  it("config - a variable whose value holds one of the agent's secret values is refused", () => {
    const m = issueAt(
      root({}, [spec({ nats_url: "nats://u:${COPY_OF_PASSWORD_VALUE}@h" })]),
      AGENT,
      "load_test_specs[0].nats_url",
    );
    assert.match(m, /COPY_OF_PASSWORD_VALUE/);
    assert.doesNotMatch(m, /s3cret/);
  });

  it("config - variables named like secrets are refused at push, whatever the agents allow", () => {
    for (const name of ["NATS_PASSWORD", "LT_HTTP_TOKEN", "MY_API_TOKEN", "DB_SECRET", "SOME_PASSWORD"]) {
      const issues = validateForPush(root({}, [spec({ nats_url: `nats://u:\${${name}}@h:4222` })]));
      assert.ok(
        issues.some((i) => i.path === "load_test_specs[0].nats_url" && i.message.includes(name)),
        `${name}: ${JSON.stringify(issues)}`,
      );
    }
    // An ordinary variable the pusher's side does not have is left to each agent.
    assert.deepEqual(validateForPush(root({}, [spec({ nats_url: "${TARGET_NATS}" })])), []);
  });

  it("config - without an allow-list (ltctl validate and run: the user's own environment) any variable but a secret one expands", () => {
    loadOk(root({}, [spec({ nats_url: "nats://${HOME}:4222".replace("${HOME}", "h") })]));
    const r = loadOk(root({}, [spec({ nats_creds_file: "${HOME}/x.creds" })]), { pod: "p1", env: ENV });
    assert.equal(r.plan.steps[0]?.spec.credsFile, "/home/lt/x.creds");
    loadBad(root({}, [spec({ nats_url: "nats://u:${NATS_PASSWORD}@h" })]), { pod: "p1", env: ENV });
  });
});
