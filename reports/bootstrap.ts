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
    vegaEmbed(el, spec, { actions: false, renderer: 'canvas', mode: 'vega-lite' }).then(function () {
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
