// Browser code of the live dashboard (inlined into the page; plain ES2020, no build step, no backticks).
export const DASHBOARD_JS = String.raw`
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var MAX_POINTS = 600;
  // series: the run's per-interval points (end_ms -> point) from the server's live series: each snapshot's
  // own interval, a pod counted once per interval, a lost snapshot a gap (null), latency per interval.
  var state = { run: "", pods: {}, agents: [], cluster: null, series: {}, seriesRun: "" };

  function fmt(n, digits) {
    if (n === undefined || n === null || isNaN(n)) return "—";
    var a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(2) + "G";
    if (a >= 1e6) return (n / 1e6).toFixed(2) + "M";
    if (a >= 1e4) return (n / 1e3).toFixed(1) + "k";
    return n.toFixed(digits === undefined ? 0 : digits);
  }
  function ms(n) { return n === undefined || n === null ? "—" : (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) + " ms"; }
  // Just under 99% never reads as a rounded 99.0% beside a verdict (achieved_pct is already rounded down).
  function pctText(p) { return p === null || p === undefined ? "—" : p < 99 && p >= 98.95 ? p.toFixed(2) : p.toFixed(1); }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }

  function chart(el, title, series, log) {
    var width = Math.max(300, el.clientWidth || 600);
    var opts = {
      width: width, height: 240, legend: { live: true },
      scales: log ? { x: { time: true }, y: { distr: 3 } } : { x: { time: true } },
      axes: [
        { stroke: "#8b949e", grid: { stroke: "#21262d" }, ticks: { stroke: "#30363d" } },
        { stroke: "#8b949e", grid: { stroke: "#21262d" }, ticks: { stroke: "#30363d" }, size: 60 },
      ],
      series: [{}].concat(series.map(function (s) { return { label: s[0], stroke: s[1], width: 2, dash: s[2], points: { show: false } }; })),
    };
    var data = [[]].concat(series.map(function () { return []; }));
    return new uPlot(opts, data, el);
  }
  var rateChart = chart($("chart-rate"), "throughput", [["publish", "#27aae1"], ["consume", "#3fb950"], ["target", "#8b949e", [4, 4]]]);
  var LAT = [["end_to_end", "e2e", "p50", "#3fb950"], ["end_to_end", "e2e", "p99", "#d29922"], ["end_to_end", "e2e", "max", "#f85149", [4, 3]],
    ["publish_ack", "ack", "p50", "#79c0ff"], ["publish_ack", "ack", "p99", "#a371f7"], ["publish_ack", "ack", "max", "#db61a2", [4, 3]]];
  var latChart = chart($("chart-lat"), "latency", LAT.map(function (l) { return [l[1] + " " + l[2], l[3], l[4]]; }), true);
  window.addEventListener("resize", function () {
    rateChart.setSize({ width: $("chart-rate").clientWidth, height: 240 });
    latChart.setSize({ width: $("chart-lat").clientWidth, height: 240 });
  });

  function latOf(p, kind, k) {
    var l = p.latency && p.latency[kind];
    return l && l.count ? Math.max(l[k], 0.001) : null;
  }

  // Per-interval points of the current run, upserted by interval end (a late snapshot may correct a point).
  function onSeries(m) {
    if (!m || !m.run_id || !m.points) return;
    if (m.run_id !== state.seriesRun) {
      if (state.run && m.run_id !== state.run) return;
      state.seriesRun = m.run_id;
      state.series = {};
    }
    m.points.forEach(function (p) { state.series[p.end_ms] = p; });
    if (m.interval_s) state.intervalS = m.interval_s;
    drawSeries();
  }

  function drawSeries() {
    var keys = Object.keys(state.series).map(Number).sort(function (a, b) { return a - b; });
    keys.slice(0, Math.max(0, keys.length - MAX_POINTS)).forEach(function (k) { delete state.series[k]; });
    keys = keys.slice(-MAX_POINTS);
    var pts = keys.map(function (k) { return state.series[k]; });
    var xs = keys.map(function (k) { return k / 1000; });
    rateChart.setData([xs, pts.map(function (p) { return p.publish_rate; }), pts.map(function (p) { return p.consume_rate; }),
      pts.map(function (p) { return p.target_rate; })]);
    latChart.setData([xs].concat(LAT.map(function (l) { return pts.map(function (p) { return latOf(p, l[0], l[2]); }); })));
    $("chart-lat").setAttribute("data-points", String(pts.length));
    var last = pts.length ? pts[pts.length - 1] : null;
    var kind = last && last.latency && last.latency.end_to_end && last.latency.end_to_end.count ? "end_to_end" : "publish_ack";
    var l = last && last.latency && last.latency[kind];
    $("series-info").textContent = !last ? "waiting for the first intervals" :
      !last.complete ? "last interval: a snapshot is missing (gap)" :
      (state.intervalS ? "every " + state.intervalS + " s · " : "") + "last interval " + (kind === "end_to_end" ? "e2e" : "ack") +
        (l && l.count ? " p50 " + ms(l.p50) + " · p99 " + ms(l.p99) + " · max " + ms(l.max) : ": no samples");
  }

  function setRun(run, meta) {
    if (!run || run === state.run) return;
    state.run = run;
    $("run-id").textContent = run;
    if (meta) $("run-meta").textContent = meta;
    state.pods = {};
    if (state.seriesRun !== run) { state.series = {}; state.seriesRun = ""; drawSeries(); }
    renderPods();
  }

  function onSnapshot(s, cluster, series) {
    if (state.run && s.run_id !== state.run) {
      // Another run than the active one (a late snapshot of the previous run): ignore it once the active
      // config is known, else follow the newest.
      if (state.activeKnown || Date.parse(s.ts) < Date.now() - 10000) return;
      setRun(s.run_id);
    }
    if (!state.run) setRun(s.run_id);
    state.pods[s.pod] = s;
    if (cluster && cluster.run_id === state.run) {
      state.cluster = cluster;
      renderCluster();
    }
    onSeries(series);
    renderPods();
  }

  function renderCluster() {
    var c = state.cluster; if (!c) return;
    var k = c.counters, l = c.latency_ms;
    $("cluster-pub-rate").textContent = fmt(k.publish_rate);
    // Requested vs achieved, summed over the pods with a target (the server's src/stats achieved.ts); the verdict
    // once every pod's step ended under 99% of it.
    var asked = c.target_rate > 0;
    $("cluster-target").textContent = asked ? fmt(c.target_rate) + " · " + pctText(c.achieved_pct) + "%" : "—";
    $("cluster-achieved").textContent = asked ? "target " + fmt(c.target_rate) + " msg/s, achieved " +
      fmt(c.achieved_rate) + " (" + pctText(c.achieved_pct) + "%)" : "";
    $("cluster-verdict").textContent = c.verdict || "";
    $("cluster-verdict").hidden = !c.verdict;
    $("cluster-con-rate").textContent = fmt(k.consume_rate);
    $("cluster-published").textContent = fmt(k.published);
    // unsent: scheduled slots not sent by the end (older agents' skipped slots, missed_sends, count with them).
    $("cluster-acked").textContent = fmt(k.acked) + " acked · " + fmt((k.unsent || 0) + (k.missed_sends || 0)) + " unsent";
    $("cluster-consumed").textContent = fmt(k.consumed);
    $("cluster-lossdup").textContent = fmt(k.lost) + " lost · " + fmt(k.duplicates) + " dup · " + fmt(k.redelivered) + " redelivered";
    $("cluster-e2e").textContent = l.end_to_end.count ? ms(l.end_to_end.p99) : "—";
    $("cluster-e2e-more").textContent = l.end_to_end.count ? "p50 " + ms(l.end_to_end.p50) + " · p99.9 " + ms(l.end_to_end.p999) + " · max " + ms(l.end_to_end.max) : "no samples yet";
    $("cluster-ack").textContent = l.publish_ack.count ? ms(l.publish_ack.p99) : "—";
    var errs = Object.keys(c.errors).filter(function (e) { return c.errors[e] > 0; });
    $("cluster-errors").textContent = errs.length ? errs.map(function (e) { return e + " " + fmt(c.errors[e]); }).join(" · ") : "no errors";
    $("errors").innerHTML = errs.map(function (e) { return '<span class="chip">' + esc(e) + ": " + fmt(c.errors[e]) + "</span>"; }).join("");
  }

  function renderPods() {
    var names = {};
    Object.keys(state.pods).forEach(function (p) { names[p] = true; });
    state.agents.forEach(function (a) { names[a.pod] = true; });
    var list = Object.keys(names).sort();
    $("pod-count").textContent = list.length + (list.length === 1 ? " pod" : " pods");
    var rows = list.map(function (pod) {
      var s = state.pods[pod];
      var a = state.agents.filter(function (x) { return x.pod === pod; })[0];
      var st = a ? (a.stale ? "stale" : a.state) : (s ? s.phase : "?");
      var prog = s && s.duration_s > 0 ? Math.min(100, (100 * s.elapsed_s) / s.duration_s) : 0;
      var errs = s ? Object.keys(s.errors).reduce(function (n, k) { return n + s.errors[k]; }, 0) : 0;
      var p99 = s && s.latency_ms.end_to_end.count ? ms(s.latency_ms.end_to_end.p99) : "—";
      return '<tr data-pod="' + esc(pod) + '"><td><code>' + esc(pod) + "</code></td>" +
        "<td>" + esc(a ? a.mode : s ? s.mode : "") + "</td>" +
        '<td><span class="state ' + esc(st) + '">' + esc(st) + "</span></td>" +
        "<td>" + esc(s ? s.spec + (s.iteration ? " #" + s.iteration : "") : a ? a.spec : "") + "</td>" +
        '<td><span class="bar"><span style="width:' + prog.toFixed(1) + '%"></span></span> <span class="muted">' +
          (s ? Math.round(s.elapsed_s) + "/" + Math.round(s.duration_s) + " s" : "") + "</span></td>" +
        '<td class="num pod-pub-rate">' + fmt(s && s.publish_rate) + "</td>" +
        '<td class="num">' + fmt(s && s.consume_rate) + "</td>" +
        '<td class="num">' + fmt(s && s.published) + "</td>" +
        '<td class="num">' + fmt(s && s.consumed) + "</td>" +
        '<td class="num">' + p99 + "</td>" +
        '<td class="num">' + (errs ? '<span style="color:var(--red)">' + fmt(errs) + "</span>" : "0") + "</td>" +
        '<td class="num"><button class="small ghost" data-op="start" data-pod="' + esc(pod) + '">▶</button> ' +
          '<button class="small danger" data-op="stop" data-pod="' + esc(pod) + '">■</button></td></tr>';
    });
    document.querySelector("#pods tbody").innerHTML = rows.join("");
  }

  function authHeaders(extra) {
    var h = extra || {};
    var tok = $("token").value.trim();
    if (tok) h.authorization = "Bearer " + tok;
    return h;
  }
  function showResult(text, ok) {
    var el = $("push-result"); el.textContent = text; el.className = "result " + (ok ? "ok" : "bad");
  }

  $("push-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    fetch("/config", { method: "POST", headers: authHeaders({ "content-type": "application/json" }), body: $("config-text").value })
      .then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); })
      .then(function (r) {
        if (r.status === 200) {
          showResult(r.body.queued ? "queued as run " + r.body.run_id : "unchanged: same config as the active run (" + r.body.hash.slice(0, 12) + ")", true);
          if (r.body.run_id) { state.activeKnown = true; setRun(r.body.run_id, "pushed just now"); }
        } else {
          showResult(r.status + " " + r.body.error + (r.body.issues ? "\n" + r.body.issues.map(function (i) { return "  " + i.path + ": " + i.message; }).join("\n") : ""), false);
        }
      })
      .catch(function (e) { showResult(String(e), false); });
  });
  $("btn-load").addEventListener("click", function () {
    fetch("/config").then(function (r) { return r.ok ? r.json() : null; }).then(function (c) {
      if (c) $("config-text").value = JSON.stringify(c, null, 2);
    });
  });
  function command(op, pod) {
    fetch("/control/" + op + (pod ? "?pod=" + encodeURIComponent(pod) : ""), { method: "POST", headers: authHeaders() })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        var who = (b.replies || []).map(function (x) { return x.pod + (x.ok ? "" : " (refused)"); });
        showResult(op + ": " + (who.length ? who.join(", ") : (b.error || "no pod answered")), !!who.length);
      });
  }
  $("btn-stop").addEventListener("click", function () { command("stop"); });
  $("btn-start").addEventListener("click", function () { command("start"); });
  document.querySelector("#pods tbody").addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-op]"); if (b) command(b.getAttribute("data-op"), b.getAttribute("data-pod"));
  });

  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    ws.onopen = function () { $("conn-dot").className = "dot ok"; $("conn-text").textContent = "live"; };
    ws.onclose = function () {
      $("conn-dot").className = "dot bad"; $("conn-text").textContent = "reconnecting…";
      setTimeout(connect, 1500);
    };
    ws.onmessage = function (ev) {
      var m = JSON.parse(ev.data);
      if (m.type === "hello") {
        $("self-pod").textContent = m.pod;
        var h = m.history || [];
        if (h.length && !state.run) setRun(h[h.length - 1].run_id);
        h.forEach(function (s) { if (s.run_id === state.run) state.pods[s.pod] = s; });
        if (m.cluster && m.cluster.run_id === state.run) { state.cluster = m.cluster; renderCluster(); }
        onSeries(m.series);
        renderPods();
      } else if (m.type === "snapshot") {
        onSnapshot(m.snapshot, m.cluster, m.series);
      } else if (m.type === "status") {
        state.agents = m.agents || [];
        if (m.active) state.activeKnown = true;
        if (m.active) setRun(m.active.run_id, "pushed by " + m.active.pushed_by + " at " + new Date(m.active.pushed_at).toLocaleTimeString());
        renderPods();
      }
    };
  }
  connect();
})();
`;
