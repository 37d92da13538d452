// GET /: one self-contained page (inline CSS and JS, uPlot inlined from its npm package): no CDN, no
// request beyond its own origin (/ws, /config, /control/*, /api/v1/capacity). Built once per server.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DASHBOARD_CSS } from "./dashboard-css.ts";
import { DASHBOARD_JS } from "./dashboard-js.ts";
import { KNEE_JS } from "./dashboard-knee-js.ts";

const require = createRequire(import.meta.url);

function uplotAsset(file: "uPlot.iife.min.js" | "uPlot.min.css"): string {
  return readFileSync(require.resolve(`uplot/dist/${file}`), "utf8");
}

/** `</script>` / `</style>` inside inlined code would end the element early. */
const inline = (code: string) => code.replace(/<\/(script|style)/gi, "<\\/$1");

export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NATS load test · live</title>
<link rel="icon" href="data:,">
<style>${inline(uplotAsset("uPlot.min.css"))}</style>
<style>${inline(DASHBOARD_CSS)}</style>
</head>
<body>
<header>
  <div class="brand"><span class="logo">◆</span> NATS load test <span class="muted">live</span></div>
  <div class="run">run <code id="run-id">—</code> <span id="run-meta" class="muted"></span></div>
  <div class="conn"><span id="conn-dot" class="dot"></span><span id="conn-text">connecting…</span></div>
</header>
<main>
  <section class="cards" id="cards">
    <div class="card"><div class="label">publish rate</div><div class="value" id="cluster-pub-rate">—</div><div class="sub">msg/s · target <span id="cluster-target" title="target msg/s · achieved share of it">—</span></div></div>
    <div class="card"><div class="label">consume rate</div><div class="value" id="cluster-con-rate">—</div><div class="sub">msg/s</div></div>
    <div class="card"><div class="label">published / acked</div><div class="value" id="cluster-published">—</div><div class="sub" id="cluster-acked" title="unsent: scheduled slots not sent by the end">—</div></div>
    <div class="card"><div class="label">consumed</div><div class="value" id="cluster-consumed">—</div><div class="sub" id="cluster-lossdup">—</div></div>
    <div class="card"><div class="label">end-to-end p99</div><div class="value" id="cluster-e2e">—</div><div class="sub" id="cluster-e2e-more">—</div></div>
    <div class="card"><div class="label">publish ack p99</div><div class="value" id="cluster-ack">—</div><div class="sub" id="cluster-errors">no errors</div></div>
  </section>
  <section class="achieved"><div id="cluster-achieved"></div><div id="cluster-verdict" class="shortfall" hidden></div></section>
  <section class="charts">
    <div class="panel"><h2>Throughput <span class="muted">cluster, msg/s per interval (a gap: a pod's snapshot missing)</span></h2><div id="chart-rate" class="chart"></div></div>
    <div class="panel"><h2>Latency <span class="muted">per interval, cluster percentiles, ms (log; merged interval histograms)</span></h2><div id="chart-lat" class="chart"></div><div id="series-info" class="muted">waiting for the first intervals</div></div>
  </section>
  <section class="panel" id="capacity" hidden>
    <h2>Capacity search <span class="muted" id="capacity-meta"></span></h2>
    <div id="capacity-answer" class="answer"></div>
    <section class="charts">
      <div class="panel"><h2>Knee <span class="muted">p99 by rate asked, ms (log)</span></h2><div id="chart-knee" class="chart"></div></div>
      <div class="panel"><h2>Achieved <span class="muted">msg/s by rate asked</span></h2><div id="chart-knee-rate" class="chart"></div></div>
    </section>
  </section>
  <section class="panel">
    <h2>Pods <span class="muted" id="pod-count"></span>
      <span class="actions"><button id="btn-start" class="ghost">▶ start all</button><button id="btn-stop" class="danger">■ stop all</button></span></h2>
    <table id="pods"><thead><tr><th>pod</th><th>mode</th><th>state</th><th>spec</th><th>progress</th><th class="num">pub/s</th><th class="num">cons/s</th><th class="num">published</th><th class="num">consumed</th><th class="num">e2e p99</th><th class="num">errors</th><th></th></tr></thead><tbody></tbody></table>
    <div id="errors" class="errors"></div>
  </section>
  <section class="panel">
    <h2>Push a config <span class="muted">POST /config: every pod picks it up</span></h2>
    <form id="push-form">
      <textarea id="config-text" spellcheck="false" placeholder='{"load_test_specs": [...]}'></textarea>
      <div class="row">
        <input id="token" type="password" placeholder="bearer token (if the shim requires one)" autocomplete="off">
        <button type="button" id="btn-load" class="ghost">load active</button>
        <button type="submit" id="btn-push">push config</button>
      </div>
      <pre id="push-result" class="result"></pre>
    </form>
  </section>
</main>
<footer class="muted">served by pod <code id="self-pod">—</code> · data from the stats stream over NATS</footer>
<script>${inline(uplotAsset("uPlot.iife.min.js"))}</script>
<script>${inline(DASHBOARD_JS)}</script>
<script>${inline(KNEE_JS)}</script>
</body>
</html>
`;
}
