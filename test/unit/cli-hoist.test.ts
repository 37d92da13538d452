import assert from "node:assert/strict";
import { test } from "node:test";
import { hoistConnectionOptions } from "../../src/cli/hoist.ts";

const argv = (...a: string[]) => ["node", "ltctl", ...a];

test("cli - connection options written before the command move after it", () => {
  assert.deepEqual(
    hoistConnectionOptions(argv("--server", "nats://h:4222", "--json", "push", "cfg.json", "--wait", "2")),
    argv("push", "--server", "nats://h:4222", "--json", "cfg.json", "--wait", "2"),
  );
  assert.deepEqual(
    hoistConnectionOptions(argv("-s", "nats://h", "--prefix=x", "status")),
    argv("status", "-s", "nats://h", "--prefix=x"),
  );
  assert.deepEqual(
    hoistConnectionOptions(argv("--nkey", "/nkeys/u.nk", "--creds=/c.creds", "stats", "--json")),
    argv("stats", "--nkey", "/nkeys/u.nk", "--creds=/c.creds", "--json"),
  );
});

test("cli - argv without leading connection options is left as it is", () => {
  for (const a of [
    argv("push", "cfg.json", "-s", "nats://h"),
    argv("--help"),
    argv("--server", "nats://h"),
  ]) {
    assert.deepEqual(hoistConnectionOptions(a), a);
  }
});
