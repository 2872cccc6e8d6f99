// The script each page runs: expands the stored datasets (rows of arrays) into the objects vega-lite
// wants, hands each chart only the datasets it names, and draws them with vega-embed. When every chart
// has settled it sets body[data-charts] to "done" (or "failed"), which the browser tests wait for.
export const BOOTSTRAP = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('kafkasim-data').textContent);
  var expanded = {};
  Object.keys(data.datasets).forEach(function (name) {
    var d = data.datasets[name];
    expanded[name] = d.rows.map(function (row) {
      var o = {};
      for (var i = 0; i < d.fields.length; i++) o[d.fields[i]] = row[i];
      return o;
    });
  });
  // The left edge of the leftmost plot cell: the view's origin plus the x of its first cell group (a
  // concatenation's cells sit inside the root group; a single view's cell is the root itself).
  function plotLeft(el, view) {
    var canvas = el.querySelector('canvas');
    var base = canvas === null ? el.getBoundingClientRect().left : canvas.getBoundingClientRect().left;
    var x = view.origin()[0];
    var root = view.scenegraph().root.items[0];
    var cells = [];
    (root.items || []).forEach(function (mark) {
      if (mark.marktype === 'group' && /_group$/.test(mark.name || '')) {
        mark.items.forEach(function (g) { cells.push(g.x); });
      }
    });
    return Math.round(base + x + (cells.length > 0 ? Math.min.apply(null, cells) : 0));
  }
  var pending = data.charts.length;
  var failed = 0;
  function settle() {
    pending--;
    if (pending === 0) document.body.setAttribute('data-charts', failed === 0 ? 'done' : 'failed');
  }
  if (pending === 0) document.body.setAttribute('data-charts', 'done');
  data.charts.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    var spec = chart.spec;
    spec.datasets = {};
    chart.uses.forEach(function (name) { spec.datasets[name] = expanded[name]; });
    vegaEmbed(el, spec, { actions: false, renderer: 'canvas', mode: 'vega-lite' }).then(function (result) {
      // Where the time axis starts, in page pixels: charts share one left edge, which browser tests check.
      el.setAttribute('data-plot-left', String(plotLeft(el, result.view)));
      el.setAttribute('data-rendered', 'true');
      settle();
    }).catch(function (e) {
      failed++;
      el.setAttribute('data-rendered', 'failed');
      el.textContent = 'This chart could not be drawn: ' + e.message;
      console.error('chart ' + chart.id + ': ' + e.message);
      settle();
    });
  });
})();`;
