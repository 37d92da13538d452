// The Grafana dashboard of deploy/grafana as the tests see it: its panels, every PromQL query (panel targets and
// template variables), each parsed with Prometheus' own grammar (@prometheus-io/lezer-promql), and the metric
// names those queries select.
import { readFileSync } from "node:fs";
import { parser } from "@prometheus-io/lezer-promql";

export const DASHBOARD_PATH = "deploy/grafana/dashboards/nats-lt.json";

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
  [k: string]: unknown;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  [k: string]: unknown;
}
export interface TemplateVar {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: { type?: string; uid?: string };
  [k: string]: unknown;
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: TemplateVar[] };
  [k: string]: unknown;
}

export function readDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, "utf8")) as Dashboard;
}

/** Every panel that shows data (rows are containers), including those inside collapsed rows. */
export function dataPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => (p.type === "row" ? (p.panels ?? []) : [p]));
}

/** One PromQL query of the dashboard and where it is. */
export interface Query {
  where: string;
  expr: string;
}

// Grafana's `label_values(<selector>, <label>)` is not PromQL: its first argument is.
const LABEL_VALUES = /^\s*label_values\(\s*(.+?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/;

/** Panel targets' `expr` and the query variables' selectors. */
export function queries(d: Dashboard): Query[] {
  const out: Query[] = [];
  for (const p of dataPanels(d)) {
    for (const t of p.targets ?? []) out.push({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr });
  }
  for (const v of d.templating.list) {
    if (v.type !== "query") continue;
    const q = typeof v.query === "string" ? v.query : (v.query?.query ?? "");
    const m = LABEL_VALUES.exec(q);
    out.push({ where: `variable $${v.name}`, expr: m ? m[1]! : q });
  }
  return out;
}

/** Grafana's built-in interval variables, replaced by durations so the text parses as PromQL. */
function withoutGrafanaVars(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m");
}

export interface Parsed {
  /** Syntax errors, as `at <offset>: <text around it>`; empty when the query is valid PromQL. */
  errors: string[];
  /** Metric names of every vector selector, in order. */
  metrics: string[];
  /** The label matchers of each vector selector, as written (`run=~"$run"`). */
  matchers: string[][];
  /** Function names called (rate, histogram_quantile...). */
  functions: string[];
}

export function parsePromQL(expr: string): Parsed {
  const text = withoutGrafanaVars(expr);
  const out: Parsed = { errors: [], metrics: [], matchers: [], functions: [] };
  parser.parse(text).iterate({
    enter(n) {
      if (n.type.isError)
        out.errors.push(`at ${n.from}: ${JSON.stringify(text.slice(n.from - 10, n.from + 10))}`);
      if (n.name === "FunctionIdentifier") out.functions.push(text.slice(n.from, n.to));
      if (n.name === "VectorSelector") {
        const id = n.node.getChild("Identifier");
        out.metrics.push(id ? text.slice(id.from, id.to) : "");
        const ms = n.node.getChild("LabelMatchers");
        out.matchers.push(
          ms ? ms.node.getChildren("UnquotedLabelMatcher").map((m) => text.slice(m.from, m.to)) : [],
        );
      }
    },
  });
  return out;
}

/** Every metric name the dashboard's queries select, sorted, without repeats. */
export function dashboardMetricNames(d: Dashboard): string[] {
  return [...new Set(queries(d).flatMap((q) => parsePromQL(q.expr).metrics))].sort();
}
