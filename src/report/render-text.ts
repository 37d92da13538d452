// Terminal table and Markdown renderers: pure `(report) => string`, no colour (callers add it).
import type { RunReport } from "./model.ts";
import { achievedHeadline, headline, type Section, sections } from "./sections.ts";
import { alignTable } from "./text-table.ts";

/** The report for a terminal. */
export function renderTable(report: RunReport): string {
  const { target, verdicts } = achievedHeadline(report);
  const parts = [[...headline(report), ...(target ? [target] : []), ...verdicts].join("\n")];
  for (const s of sections(report)) parts.push(`${s.title}\n${alignTable(s.columns, s.rows)}`);
  return `${parts.join("\n\n")}\n`;
}

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function mdTable(s: Section): string {
  const head = `| ${s.columns.map((c) => mdCell(c.header)).join(" | ")} |`;
  const rule = `|${s.columns.map((c) => (c.align === "right" ? " ---: " : " --- ")).join("|")}|`;
  const body = s.rows.map((r) => `| ${s.columns.map((_, i) => mdCell(r[i] ?? "")).join(" | ")} |`);
  return [head, rule, ...body].join("\n");
}

/** The report as GitHub-flavoured Markdown (for a CI job summary or a pull request). */
export function renderMarkdown(report: RunReport): string {
  const [title, sub] = headline(report);
  const { target, verdicts } = achievedHeadline(report);
  const parts = [`# ${title}`, `${sub}`, ...(target ? [target] : []), ...verdicts.map((v) => `**${v}**`)];
  for (const s of sections(report)) parts.push(`## ${s.title}\n\n${mdTable(s)}`);
  const curve = report.curves.end_to_end.length > 0 ? report.curves.end_to_end : report.curves.publish_ack;
  if (curve.length > 0) {
    const which = curve === report.curves.end_to_end ? "end_to_end" : "publish_ack";
    parts.push(
      `## Percentile curve (${which}, ms)\n\n${mdTable({
        title: "",
        columns: [
          { header: "percentile", align: "right" },
          { header: "ms", align: "right" },
        ],
        rows: curve.map((p) => [String(p.percentile), String(p.ms)]),
      })}`,
    );
  }
  return `${parts.join("\n\n")}\n`;
}
