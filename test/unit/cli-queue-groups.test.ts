// `ltctl run`'s queue group table: one row per stream's group, members listed when few.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderQueueGroups } from "../../src/cli/format/queue-groups.ts";

test("cli - the queue group table shows each group's spread over its members", () => {
  const out = renderQueueGroups([
    {
      stream: "Q_1",
      group: "workers",
      members: 3,
      received: 1000,
      min: 325,
      max: 343,
      per_member: [325, 332, 343],
    },
    { stream: "Q_2", group: "workers", members: 200, received: 200_000, min: 900, max: 1100 },
  ]);
  const lines = out.trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /QUEUE GROUP\s+STREAM\s+MEMBERS\s+RECEIVED\s+LEAST\s+MOST\s+PER MEMBER/);
  assert.match(lines[1]!, /workers\s+Q_1\s+3\s+1,000\s+325\s+343\s+325 332 343/);
  assert.match(lines[2]!, /workers\s+Q_2\s+200\s+200,000\s+900\s+1,100\s*$/);
});
