// Styles of the live dashboard (inlined into the page).
export const DASHBOARD_CSS = `
:root { --bg:#0d1117; --panel:#161b22; --line:#30363d; --text:#e6edf3; --muted:#8b949e; --accent:#27aae1;
  --green:#3fb950; --amber:#d29922; --red:#f85149; --violet:#a371f7; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
code, pre, textarea, .num, .value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
header { display:flex; align-items:center; gap:24px; padding:14px 24px; border-bottom:1px solid var(--line);
  background:linear-gradient(90deg,#10243a,#0d1117 60%); position:sticky; top:0; z-index:2; }
.brand { font-weight:700; font-size:17px; letter-spacing:.2px; }
.logo { color:var(--accent); }
.run { flex:1; color:var(--muted); }
.run code { color:var(--text); background:#1f2a37; padding:2px 8px; border-radius:6px; }
.conn { display:flex; align-items:center; gap:8px; color:var(--muted); }
.dot { width:10px; height:10px; border-radius:50%; background:var(--amber); box-shadow:0 0 8px var(--amber); }
.dot.ok { background:var(--green); box-shadow:0 0 8px var(--green); }
.dot.bad { background:var(--red); box-shadow:0 0 8px var(--red); }
main { padding:20px 24px; display:flex; flex-direction:column; gap:18px; max-width:1500px; margin:0 auto; }
.muted { color:var(--muted); font-weight:400; font-size:12px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(190px,1fr)); gap:12px; }
.card { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.6px; }
.card .value { font-size:clamp(18px, 1.7vw, 26px); font-weight:600; margin-top:4px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.card .sub { color:var(--muted); font-size:12px; margin-top:2px; }
.achieved { display:flex; flex-direction:column; gap:6px; font-size:14px; font-weight:600; }
.shortfall { color:var(--red); background:var(--panel); border-left:3px solid var(--red); padding:6px 10px; font-weight:500; }
.answer { font-size:14px; font-weight:600; margin:0 0 8px; }
.charts { display:grid; grid-template-columns:1fr 1fr; gap:18px; }
@media (max-width: 1000px) { .charts { grid-template-columns:1fr; } }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
h2 { font-size:15px; margin:0 0 10px; display:flex; align-items:center; gap:10px; }
.actions { margin-left:auto; display:flex; gap:8px; }
.chart { min-height:240px; }
.uplot, .u-legend { color:var(--text); font-size:12px; }
table { width:100%; border-collapse:collapse; }
th { text-align:left; color:var(--muted); font-weight:500; font-size:12px; border-bottom:1px solid var(--line); padding:6px 8px; }
td { padding:7px 8px; border-bottom:1px solid #21262d; }
tr:hover td { background:#1c2330; }
.num { text-align:right; }
.state { padding:2px 8px; border-radius:10px; font-size:12px; background:#30363d; }
.state.running { background:rgba(63,185,80,.18); color:var(--green); }
.state.waiting { background:rgba(210,153,34,.18); color:var(--amber); }
.state.error, .state.stale { background:rgba(248,81,73,.18); color:var(--red); }
.state.done, .state.stopped { background:rgba(139,148,158,.18); color:var(--muted); }
.bar { width:120px; height:8px; background:#21262d; border-radius:4px; overflow:hidden; display:inline-block; vertical-align:middle; }
.bar > span { display:block; height:100%; background:linear-gradient(90deg,var(--accent),var(--violet)); }
.errors { margin-top:10px; display:flex; flex-wrap:wrap; gap:8px; }
.errors .chip { background:rgba(248,81,73,.15); color:var(--red); border-radius:12px; padding:2px 10px; font-size:12px; }
textarea { width:100%; min-height:150px; background:#0d1117; color:var(--text); border:1px solid var(--line);
  border-radius:8px; padding:10px; font-size:12px; }
.row { display:flex; gap:8px; margin-top:8px; }
input { flex:1; background:#0d1117; color:var(--text); border:1px solid var(--line); border-radius:8px; padding:7px 10px; }
button { background:var(--accent); color:#00131f; border:0; border-radius:8px; padding:7px 14px; font-weight:600; cursor:pointer; }
button.ghost { background:transparent; color:var(--text); border:1px solid var(--line); }
button.danger { background:rgba(248,81,73,.15); color:var(--red); border:1px solid rgba(248,81,73,.4); }
button.small { padding:2px 8px; font-size:12px; }
.result { margin:8px 0 0; white-space:pre-wrap; color:var(--muted); font-size:12px; }
.result.ok { color:var(--green); } .result.bad { color:var(--red); }
footer { text-align:center; padding:16px; }
`;
