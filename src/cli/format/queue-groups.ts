// `ltctl run`'s table of core NATS queue groups (`consumers.queue_group`): how the group's messages spread
// over its members, per stream (the snapshot's `queue_groups[]`).
import type { QueueGroupStats } from "../../stats/index.ts";
import { formatNumber, renderTable } from "./table.ts";

/** Members listed by count up to this many (a longer group shows its least and most only). */
const LISTED = 8;

export function renderQueueGroups(groups: readonly QueueGroupStats[]): string {
  return renderTable(
    ["queue group", "stream", "members", "received", "least", "most", "per member"].map((h, i) => ({
      header: h,
      align: i < 2 || i === 6 ? "left" : "right",
    })),
    groups.map((g) => [
      g.group,
      g.stream,
      formatNumber(g.members),
      formatNumber(g.received),
      formatNumber(g.min),
      formatNumber(g.max),
      g.per_member && g.per_member.length <= LISTED ? g.per_member.map(formatNumber).join(" ") : "",
    ]),
    2,
  );
}
