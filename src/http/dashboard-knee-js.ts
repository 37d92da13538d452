// Browser code of the dashboard's capacity panel (inlined after DASHBOARD_JS; plain ES2020, no backticks): the
// newest fleet capacity search (`ltctl capacity` without --local writes it after every step), polled from
// GET /api/v1/capacity, drawn as the knee chart: p99 per latency kind and the achieved rate against the rate
// asked. The panel stays hidden until a search exists.
export const KNEE_POLL_MS = 5_000;

export const KNEE_JS = `
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var COLOURS = { publish_ack: "#a371f7", end_to_end: "#d29922", publish_service: "#39c5cf", send_delay: "#db6d28" };
  var charts = null;
  var kindsShown = "";
  function axes() {
    return [
      { stroke: "#8b949e", grid: { stroke: "#21262d" }, ticks: { stroke: "#30363d" }, label: "msg/s asked" },
      { stroke: "#8b949e", grid: { stroke: "#21262d" }, ticks: { stroke: "#30363d" }, size: 60 },
    ];
  }
  function make(kinds) {
    var w = Math.max(300, $("chart-knee").clientWidth || 600);
    var lat = new uPlot({
      width: w, height: 240, scales: { x: { time: false }, y: { distr: 3 } }, axes: axes(),
      series: [{ label: "asked" }].concat(kinds.map(function (k) {
        return { label: k + " p99 ms", stroke: COLOURS[k] || "#8b949e", width: 2, points: { show: true, size: 6 } };
      })),
    }, [[]].concat(kinds.map(function () { return []; })), $("chart-knee"));
    var rate = new uPlot({
      width: w, height: 240, scales: { x: { time: false } }, axes: axes(),
      series: [{ label: "asked" },
        { label: "asked (kept up)", stroke: "#8b949e", dash: [4, 4], width: 1, points: { show: false } },
        { label: "achieved, passed", stroke: "#3fb950", width: 2, points: { show: true, size: 7 } },
        { label: "achieved, failed", stroke: "#f85149", width: 2, points: { show: true, size: 7 } }],
    }, [[], [], [], []], $("chart-knee-rate"));
    return { lat: lat, rate: rate };
  }
  function draw(c) {
    var pts = (c.points || []).slice().sort(function (a, b) { return a.rate - b.rate; });
    var kinds = [];
    pts.forEach(function (p) { Object.keys(p.p99_ms || {}).forEach(function (k) { if (kinds.indexOf(k) < 0) kinds.push(k); }); });
    kinds.sort();
    if (!charts || kinds.join() !== kindsShown) {
      $("chart-knee").innerHTML = ""; $("chart-knee-rate").innerHTML = "";
      charts = make(kinds); kindsShown = kinds.join();
    }
    var xs = pts.map(function (p) { return p.rate; });
    charts.lat.setData([xs].concat(kinds.map(function (k) {
      return pts.map(function (p) { var v = p.p99_ms[k]; return v === undefined ? null : Math.max(v, 0.001); });
    })));
    charts.rate.setData([xs, xs,
      pts.map(function (p) { return p.passed ? p.achieved : null; }),
      pts.map(function (p) { return p.passed ? null : p.achieved; })]);
    $("capacity-answer").textContent = c.answer;
    $("capacity-meta").textContent = c.spec + " · " + (c.slos || []).join(", ") + " · " + pts.length + " steps · " +
      (c.end === "running" ? "running" : "ended (" + c.end + ")") + " · " + new Date(c.updated).toLocaleTimeString();
    $("capacity").hidden = false;
  }
  function poll() {
    fetch("/api/v1/capacity").then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) { if (c && c.points) draw(c); })
      .catch(function () {})
      .then(function () { setTimeout(poll, ${KNEE_POLL_MS}); });
  }
  poll();
})();
`;
