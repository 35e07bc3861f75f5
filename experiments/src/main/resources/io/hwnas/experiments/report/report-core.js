/* hwnas interactive report: per-device scatter charts, tooltips, drill-down, toggles, live updates.
   Reads its data from <script id="hwnas-data" type="application/json">; draws with the inlined ECharts. */
(function () {
  'use strict';
  var R = window.hwnasReport = { charts: {}, data: null, selected: null, updates: 0 };
  var COLORS = { evaluated: 'rgba(110,110,110,0.45)', infeasible: '#e0a030', failed: '#8040b0',
    'Pareto set': '#c82828', selected: '#1060e0' };
  var KINDS = ['evaluated', 'infeasible', 'failed'];
  /* A series of more points is drawn as one shape (ECharts' large mode): far faster, still hoverable. */
  R.large = 400;

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
    });
  }
  function fmt(v) {
    if (v === null || v === undefined || typeof v !== 'number') { return 'unknown'; }
    return Math.abs(v) >= 10000 ? Math.round(v).toLocaleString('en') : String(Number(v.toPrecision(4)));
  }
  function col(name) { return R.data.cols.indexOf(name); }
  function val(row, name) { var i = col(name); return i < 0 ? null : row.m[i]; }
  function label(key) {
    var m = R.data.metrics.filter(function (x) { return x.key === key; })[0];
    return m ? m.label : key;
  }
  function el(tag, attrs, html) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (html !== undefined) { e.innerHTML = html; }
    return e;
  }
  function chart(id, option) {
    var c = R.charts[id];
    if (!c) { c = R.charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' }); }
    c.setOption(option, true);
    return c;
  }
  /* Charts are drawn when they come near the viewport (or when asked for), so a large run opens fast;
     one chart per task, in page order, so the first shows before the next is computed. */
  var pending = {}, observed = {}, queue = [], observer = window.IntersectionObserver ? new IntersectionObserver(function (es) {
    es.forEach(function (e) { if (e.isIntersecting && queue.indexOf(e.target.id) < 0) { queue.push(e.target.id); } });
    if (queue.length) { setTimeout(next, 0); }
  }, { rootMargin: '200px' }) : null;
  function next() {
    if (queue.length) { draw(queue.shift()); }
    if (queue.length) { setTimeout(next, 0); }
  }
  function draw(id) {
    var make = pending[id];
    if (make) {
      delete pending[id];
      make();
      if (R.timing && !R.timing.firstChart) { R.timing.firstChart = performance.now(); }
    }
  }
  /** Draws the chart {@code id} with {@code make} now when it is drawn already, else once it is near the viewport. */
  function lazy(id, make) {
    pending[id] = make;
    if (R.charts[id] || !observer) { draw(id); return; }
    if (!observed[id]) { observed[id] = true; observer.observe(document.getElementById(id)); }
  }
  R.draw = draw;

  /** Expands runs [first, length, ...] of consecutive integers. */
  function runs(r) {
    var out = [];
    for (var i = 0; i < r.length; i += 2) { for (var k = 0; k < r[i + 1]; k++) { out.push(r[i] + k); } }
    return out;
  }
  /** Expands runs [value, count, ...] of equal values. */
  function repeats(r) {
    var out = [];
    for (var i = 0; i < r.length; i += 2) { for (var k = 0; k < r[i + 1]; k++) { out.push(r[i]); } }
    return out;
  }
  /** The report data as the page uses it, from its compact form (format 2, see ReportData.java). */
  function unpack(d) {
    if (d.format !== 2) { return d; }
    var evals = [];
    d.evals.forEach(function (r) {
      var o = { a: typeof r[0] === 'number' ? evals[r[0]].a : r[0], s: r[1], v: r[2], m: r[3] };
      if (r.length > 4) { o.e = typeof r[4] === 'number' ? evals[r[4]].e : r[4]; }
      evals.push(o);
    });
    d.evals = evals;
    d.devices.forEach(function (dev) { dev.admitted = runs(dev.admitted); dev.hypervolume = repeats(dev.hypervolume); });
    d.format = 'unpacked';
    return d;
  }
  /** A Pareto member's layers per device: [layer index, time (ms), energy (mJ), bound] each. */
  R.layers = function (m) {
    if (!m.layerRows) {
      m.layerRows = {};
      Object.keys(m.layers).forEach(function (dev) {
        var c = m.layers[dev].c;
        m.layerRows[dev] = runs(m.layers[dev].l).map(function (n, k) {
          var x = R.data.layer_costs[c[k]];
          return [n, x[0], x[1], x[2]];
        });
      });
    }
    return m.layerRows;
  };
  R.unpack = unpack;
  R.util = { esc: esc, fmt: fmt, val: val, label: label, el: el, chart: chart, lazy: lazy, colors: COLORS };

  /** The metric pairs drawn per device: the configured objectives, then latency and energy. */
  function pairs() {
    var out = [];
    R.data.devices.forEach(function (d) {
      d.objectives.concat(['latency_ms', 'energy_mj']).forEach(function (m) { if (out.indexOf(m) < 0) { out.push(m); } });
    });
    return out;
  }

  /** The rows a device chart shows for metric m, by kind: [x, y, 'e' or 'm', index]. */
  function points(dev, m) {
    var key = m + '@' + dev.name, admitted = {}, out = { evaluated: [], infeasible: [], failed: [], 'Pareto set': [] };
    dev.admitted.forEach(function (i) { admitted[i] = true; });
    R.data.evals.forEach(function (r, i) {
      var x = val(r, key), y = val(r, 'accuracy');
      if (x === null || y === null) { return; }
      var kind = r.s === 'F' ? 'failed' : admitted[i] ? 'evaluated' : 'infeasible';
      out[kind].push([x, y, 'e', i]);
    });
    dev.front.forEach(function (k) {
      var r = R.data.members[k], x = val(r, key), y = val(r, 'accuracy');
      if (x !== null && y !== null) { out['Pareto set'].push([x, y, 'm', k]); }
    });
    out['Pareto set'].sort(function (a, b) { return a[0] - b[0]; });
    return out;
  }

  function rowOf(p) { return p[2] === 'm' ? R.data.members[p[3]] : R.data.evals[p[3]]; }

  /** Tooltip: the architecture, its accuracy and every device's costs. */
  function tip(params) {
    if (!params.data || !params.data.length || params.data.length < 4) { return ''; }
    var r = rowOf(params.data), status = { O: 'ok', I: 'infeasible', F: 'failed' }[r.s];
    var h = '<div class="tip"><b>' + esc(params.seriesName) + '</b> (' + status + ')<br><code class="arch">'
      + esc(r.a) + '</code><br>' + accuracyLabel(params.data[2] === 'm') + ' ' + fmt(val(r, 'accuracy'));
    if (col(R.data.rung_metric) >= 0) { h += ', rung steps ' + fmt(val(r, R.data.rung_metric)); }
    h += '<table><tr><th>device</th><th>latency (ms)</th><th>energy (mJ)</th><th>peak memory</th></tr>';
    R.data.devices.forEach(function (d) {
      h += '<tr><td>' + esc(d.name) + '</td><td>' + fmt(val(r, 'latency_ms@' + d.name)) + '</td><td>'
        + fmt(val(r, 'energy_mj@' + d.name)) + '</td><td>' + fmt(val(r, 'peak_memory_bytes@' + d.name)) + '</td></tr>';
    });
    return h + '</table>' + (r.e ? 'error: ' + esc(r.e) : '') + '</div>';
  }

  /** "accuracy", or whether it is predicted or re-measured when a predictor scored the run. */
  function accuracyLabel(member) {
    var by = R.data.run.accuracy_measured_by;
    return !by ? 'accuracy' : member ? 'accuracy (re-measured with ' + esc(by) + ')' : 'accuracy (predicted)';
  }
  R.accuracyLabel = accuracyLabel;

  function selectedPoint(dev, m) {
    if (R.selected === null) { return []; }
    var key = m + '@' + dev.name, hit = [];
    R.data.members.forEach(function (r, k) {
      if (r.a === R.selected && val(r, key) !== null) { hit = [[val(r, key), val(r, 'accuracy'), 'm', k]]; }
    });
    if (hit.length) { return hit; }
    R.data.evals.forEach(function (r, i) {
      if (r.a === R.selected && val(r, key) !== null && !hit.length) { hit = [[val(r, key), val(r, 'accuracy'), 'e', i]]; }
    });
    return hit;
  }

  function scatterOption(dev, m) {
    var p = points(dev, m), first = m === dev.objectives[0], series = [];
    KINDS.concat(['Pareto set']).forEach(function (k) {
      series.push({ name: k, type: k === 'Pareto set' && first ? 'line' : 'scatter', step: first ? 'end' : false,
        data: p[k], symbol: k === 'Pareto set' ? 'diamond' : 'circle', symbolSize: k === 'Pareto set' ? 10 : 6,
        itemStyle: { color: COLORS[k] }, lineStyle: { width: 1.2 }, large: p[k].length > R.large, largeThreshold: R.large,
        z: k === 'Pareto set' ? 5 : 2 });
    });
    series.push({ name: 'selected', type: 'scatter', data: selectedPoint(dev, m), symbol: 'circle', symbolSize: 18,
      itemStyle: { color: 'rgba(0,0,0,0)', borderColor: COLORS.selected, borderWidth: 3 }, z: 10, silent: true });
    var selected = {};
    KINDS.forEach(function (k) { selected[k] = document.getElementById('show-' + k).checked; });
    return { animation: false, title: { text: dev.name + ': accuracy vs ' + label(m), textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item', formatter: tip, confine: true },
      legend: { top: 24, selected: selected, data: KINDS.concat(['Pareto set', 'selected']) },
      grid: { top: 70, left: 60, right: 20, bottom: 45 },
      xAxis: { type: 'value', name: label(m), nameLocation: 'middle', nameGap: 28, scale: true },
      yAxis: { type: 'value', name: 'accuracy', scale: true }, series: series };
  }

  function renderDevice(dev, i) {
    pairs().forEach(function (m) {
      lazy('scatter-' + i + '-' + m, function () {
        var c = chart('scatter-' + i + '-' + m, scatterOption(dev, m));
        c.off('click');
        c.on('click', function (e) { if (e.data && e.data.length >= 4) { R.select(rowOf(e.data).a); } });
      });
    });
    lazy('hv-' + i, function () { hv(dev, i); });
  }

  function hv(dev, i) {
    chart('hv-' + i, { animation: false, title: { text: dev.name + ': hypervolume over evaluations', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' }, grid: { top: 40, left: 60, right: 20, bottom: 45 },
      xAxis: { type: 'value', name: 'evaluations', nameLocation: 'middle', nameGap: 28, min: 1 },
      yAxis: { type: 'value', name: 'hypervolume' },
      series: [{ name: 'hypervolume', type: 'line', showSymbol: false,
        data: dev.hypervolume.map(function (v, k) { return [k + 1, v]; }) }] });
  }

  /** The page's skeleton for the charts: toggles, one section per device. */
  function skeleton() {
    var app = document.getElementById('app'), bar = el('div', { id: 'toggles' }, '<b>show:</b> ');
    KINDS.forEach(function (k) {
      bar.appendChild(el('label', {}, '<input type="checkbox" id="show-' + k + '" checked> ' + k + ' '));
    });
    bar.appendChild(el('span', {}, ' &nbsp; <b>objective pairs:</b> '));
    pairs().forEach(function (m) {
      bar.appendChild(el('label', {}, '<input type="checkbox" class="pair" id="pair-' + m + '" data-metric="' + m
        + '" checked> accuracy vs ' + esc(label(m)) + ' '));
    });
    app.appendChild(bar);
    app.appendChild(el('div', { id: 'breakdown', 'class': 'panel', style: 'display:none' }));
    R.data.devices.forEach(function (d, i) {
      var sec = document.getElementById('device-' + i) || app.appendChild(el('section', { id: 'device-' + i }));
      var box = el('div', { 'class': 'charts' });
      pairs().forEach(function (m) {
        box.appendChild(el('div', { id: 'scatter-' + i + '-' + m, 'class': 'chart scatter', 'data-metric': m,
          'data-device': d.name }));
      });
      box.appendChild(el('div', { id: 'hv-' + i, 'class': 'chart hv' }));
      sec.insertBefore(box, sec.querySelector('table'));
    });
    bar.addEventListener('change', toggle);
  }

  function toggle(ev) {
    var t = ev.target;
    if (t.classList.contains('pair')) {
      document.querySelectorAll('.chart[data-metric="' + t.dataset.metric + '"]').forEach(function (c) {
        c.style.display = t.checked ? '' : 'none';
        if (t.checked && R.charts[c.id]) { R.charts[c.id].resize(); }
      });
      return;
    }
    var kind = t.id.replace('show-', '');
    Object.keys(R.charts).forEach(function (id) {
      if (id.indexOf('scatter-') === 0) {
        R.charts[id].dispatchAction({ type: t.checked ? 'legendSelect' : 'legendUnSelect', name: kind });
      }
    });
  }

  /** Highlights an architecture on every device chart and shows its breakdown. */
  R.select = function (arch) {
    R.selected = arch;
    R.data.devices.forEach(function (d, i) {
      pairs().forEach(function (m) {
        var c = R.charts['scatter-' + i + '-' + m]; // one not drawn yet draws the selection when it is
        if (c) { c.setOption({ series: [{ name: 'selected', data: selectedPoint(d, m) }] }); }
      });
    });
    R.views.breakdown(arch);
  };

  /** How many points each series of a chart holds (for tests and the curious). */
  R.counts = function (id) {
    var out = {};
    draw(id);
    R.charts[id].getOption().series.forEach(function (s) { out[s.name] = (s.data || []).length; });
    return out;
  };

  R.render = function () {
    R.data.devices.forEach(renderDevice);
    R.views.all();
    if (R.selected !== null) { R.select(R.selected); }
    var s = document.getElementById('live-status');
    if (s && R.data.run.live) {
      s.textContent = 'live: ' + R.data.evals.length + ' evaluations (updated ' + new Date().toLocaleTimeString('en-GB') + ')';
    }
  };

  function poll() {
    fetch(R.data.run.live + '?have=' + R.data.evals.length, { cache: 'no-store' }).then(function (r) {
      return r.status === 204 ? null : r.json();
    }).then(function (d) {
      if (d && d.evals.length !== R.data.evals.length) { R.data = unpack(d); R.updates++; R.render(); }
    }).catch(function (e) {
      var s = document.getElementById('live-status');
      if (s) { s.textContent = 'live: server unreachable (' + e.message + ')'; }
    });
  }

  R.start = function () {
    var t = R.timing = { start: performance.now() };
    R.data = unpack(JSON.parse(document.getElementById('hwnas-data').textContent));
    t.parsed = performance.now();
    if (R.data.kind === 'compare') { R.views.compare(); return; }
    skeleton();
    R.render();
    t.rendered = performance.now();
    window.addEventListener('resize', function () { Object.keys(R.charts).forEach(function (k) { R.charts[k].resize(); }); });
    if (R.data.run.live) { setInterval(poll, 500); }
  };
})();
