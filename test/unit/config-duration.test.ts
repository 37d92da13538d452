import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, parseDuration } from "../../src/config/index.ts";
import { edited, loadBad, loadOk, root, spec } from "../fixtures/config.ts";

describe("config - Go durations", () => {
  const good: [string, number][] = [
    ["0", 0],
    ["0s", 0],
    ["300ms", 300],
    ["1.5s", 1500],
    ["45s", 45_000],
    ["5m", 300_000],
    ["2h30m", 9_000_000],
    ["24h", 86_400_000],
    ["1h2m3s4ms", 3_723_004],
    [".5s", 500],
    ["1000us", 1],
    ["1000µs", 1],
    ["1000000ns", 1],
    ["-1m", -60_000],
  ];
  for (const [text, ms] of good) {
    it(`parses "${text}" as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  for (const text of ["", "5", "1d", "m", "5 m", "1.2.3s", "1h 30m", "abc", "-"]) {
    it(`rejects "${text}"`, () => {
      assert.equal(parseDuration(text), undefined);
    });
  }

  it("formats milliseconds back in Go style", () => {
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(300), "300ms");
    assert.equal(formatDuration(1500), "1.5s");
    assert.equal(formatDuration(9_000_000), "2h30m");
    assert.equal(formatDuration(86_400_000), "24h");
  });

  it("max_age keeps the string and the plan has its milliseconds", () => {
    const s = edited(spec(), (c) => {
      c.streams[0].max_age = "2h30m";
    });
    const r = loadOk(root({}, [s]));
    assert.equal(r.config.load_test_specs[0]!.streams[0]!.max_age, "2h30m");
    assert.equal(r.plan.steps[0]!.spec.streams[0]!.maxAgeMs, 9_000_000);
  });

  it("a bad max_age says what a Go duration looks like", () => {
    const s = edited(spec(), (c) => {
      c.streams[0].max_age = "1 day";
    });
    const [issue, ...rest] = loadBad(root({}, [s]));
    assert.equal(rest.length, 0);
    assert.equal(issue!.path, "load_test_specs[0].streams[0].max_age");
    assert.match(issue!.message, /expected a Go duration such as .*got "1 day"/);
  });

  it("a negative max_age is an error", () => {
    const s = edited(spec(), (c) => {
      c.streams[0].max_age = "-5m";
    });
    assert.equal(loadBad(root({}, [s]))[0]!.path, "load_test_specs[0].streams[0].max_age");
  });
});
