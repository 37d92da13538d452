// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the config names an unset variable on purpose
// Issue 12, finding 6, on a real nats-server and lt-agent: a config that is invalid on the pod puts it in
// state `error` with the config's own problem (not "Cannot access 'run' before initialization"), and its
// presence no longer shows the spec of the run before.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { faultConfig, SKIP_UNBUILT, startAgent } from "../harness/agents.ts";
import { controlPlane, stopAgent } from "./hardening-helpers.ts";

describe("hardening - a config error on the pod", { skip: SKIP_UNBUILT, timeout: 120_000 }, () => {
  const plane = controlPlane();

  it("hardening - the pod says what is wrong with the config and drops the previous spec name", async () => {
    const agent = startAgent({ server: plane.server.url, pod: "cfg-err" });
    try {
      const first = await plane.client.push(faultConfig(plane.server.url, { seconds: 30, name: "first" }), {
        pushedBy: "test",
        startAt: Date.now() + 300,
      });
      await plane.presence(
        "cfg-err",
        (p) => p.run_id === first.run_id && p.state === "running" && p.spec === "first_cfg-err",
      );
      // Valid for the pusher (it cannot know the pod's environment), invalid on the pod.
      const bad = await plane.client.push(
        faultConfig("${LT_TEST_NEVER_SET_VAR}", { seconds: 5, name: "second" }),
        {
          pushedBy: "test",
          startAt: Date.now() + 300,
        },
      );
      const p = await plane.presence("cfg-err", (x) => x.run_id === bad.run_id && x.state === "error");
      assert.doesNotMatch(p.error ?? "", /before initialization/);
      assert.match(p.error ?? "", /load_test_specs\[0\]\.nats_url: .*LT_TEST_NEVER_SET_VAR/);
      assert.equal(p.spec, "", "the spec of the previous run is gone");
    } finally {
      await stopAgent(agent);
    }
  });
});
