// The pages' stylesheet: plain, printable, readable without the charts.
export const STYLE = `
:root { --ok: #6DB6FE; --fail: #FEB5DA; --info: #FFAA26; --bad: #c0392b; --good: #1e8449; --muted: #666; }
* { box-sizing: border-box; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 0; color: #222; background: #fff;
}
header { padding: 16px 24px; border-bottom: 1px solid #ddd; background: #fafafa; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .sub { color: var(--muted); }
nav { padding: 8px 24px; border-bottom: 1px solid #eee; font-size: 13px; }
nav a { margin-right: 14px; }
main { padding: 8px 24px 48px; max-width: 1400px; }
section { margin: 24px 0; }
h2 { font-size: 18px; border-bottom: 1px solid #eee; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; font-weight: 700; color: #fff; }
.verdict.valid { background: var(--good); }
.verdict.invalid { background: var(--bad); }
.verdict.unknown { background: #7f8c8d; }
.account { font-size: 1.1em; max-width: 60em; overflow-wrap: anywhere; padding: 8px 12px; }
.account { border-left: 6px solid #7f8c8d; }
.account.valid { border-left-color: var(--good); }
.account.invalid { border-left-color: var(--bad); }
.headline { font-size: 16px; padding: 10px 14px; background: #fdf6e3; border-left: 4px solid #e0a800; }
.anomaly { border: 1px solid #e3c4c4; border-radius: 4px; padding: 8px 12px; margin: 12px 0; background: #fffafa; }
.example { margin: 10px 0 14px; }
details.example > summary { cursor: pointer; }
.facts th { width: 180px; }
tr.op-ok td.type { background: var(--ok); }
tr.op-fail td.type { background: var(--fail); }
tr.op-info td.type { background: var(--info); }
tr.op-unplaced td { background: #ffd6d6; }
.caption, .note { color: var(--muted); font-size: 12px; }
figure.chart { margin: 8px 0 16px; }
.config { display: flex; flex-wrap: wrap; gap: 0 32px; align-items: flex-start; }
.config > div { max-width: 100%; }
.config table th, .config table td { white-space: normal; overflow-wrap: anywhere; max-width: 420px; }
.kv th { white-space: nowrap; }
/* Narrow screens: the page never scrolls sideways; a wide chart or table scrolls inside its own box. */
figure.chart { max-width: 100%; overflow-x: auto; }
table { display: block; max-width: 100%; overflow-x: auto; }
td { overflow-wrap: anywhere; }
nav { display: flex; flex-wrap: wrap; row-gap: 4px; }
@media (max-width: 600px) {
  header, nav { padding-left: 10px; padding-right: 10px; }
  main { padding: 8px 10px 32px; }
  .facts th { width: auto; }
}
@media print {
  nav { display: none; }
  figure.chart { overflow: visible; break-inside: avoid; }
  details > *:not(summary) { display: block; }
}
`;
