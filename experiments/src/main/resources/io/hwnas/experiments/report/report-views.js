/* hwnas interactive report: the member drill-down, strategy views, parallel coordinates, the
   Pareto tables of a live view, and the comparison of runs. */
(function () {
  'use strict';
  var R = window.hwnasReport, V = R.views = {};
  var u = R.util;

  /** The member's facts and a stacked bar of latency and of energy by layer on every device. */
  V.breakdown = function (arch) {
    var panel = document.getElementById('breakdown'), k = -1;
    R.data.members.forEach(function (r, i) { if (r.a === arch) { k = i; } });
    panel.style.display = '';
    var h = '<button id="breakdown-close" title="close">&times;</button><h2>' + (k < 0 ? 'evaluation' : 'Pareto member')
      + '</h2><p><code class="arch">' + u.esc(arch) + '</code></p>';
    if (k < 0) {
      panel.innerHTML = h + '<p>Not a Pareto member of any device: no per-layer breakdown.</p>';
    } else {
      var m = R.data.members[k];
      h += '<table class="facts"><tr><th>' + R.accuracyLabel(true) + '</th><td>' + u.fmt(u.val(m, 'accuracy')) + '</td></tr>';
      Object.keys(m.facts).forEach(function (f) {
        var v = m.facts[f];
        h += '<tr><th>' + u.esc(f) + '</th><td>' + u.esc(typeof v === 'number' ? v.toLocaleString('en') : v) + '</td></tr>';
      });
      h += '</table><table class="facts"><tr><th>device</th><th>latency (ms)</th><th>energy (mJ)</th><th>peak memory'
        + ' (bytes)</th><th>model (bytes)</th><th>fits</th></tr>';
      R.data.devices.forEach(function (d) {
        h += '<tr><td>' + u.esc(d.name) + '</td><td>' + u.fmt(u.val(m, 'latency_ms@' + d.name)) + '</td><td>'
          + u.fmt(u.val(m, 'energy_mj@' + d.name)) + '</td><td>' + u.fmt(u.val(m, 'peak_memory_bytes@' + d.name))
          + '</td><td>' + u.fmt(u.val(m, 'model_bytes@' + d.name)) + '</td><td>' + u.esc(m.fits[d.name]) + '</td></tr>';
      });
      panel.innerHTML = h + '</table><h3>Per-layer breakdown</h3><div id="layers-latency" class="chart wide"></div>'
        + '<div id="layers-energy" class="chart wide"></div>';
      layerChart('layers-latency', m, 1, 'latency (ms)');
      layerChart('layers-energy', m, 2, 'energy (mJ)');
    }
    document.getElementById('breakdown-close').onclick = function () { panel.style.display = 'none'; };
  };

  /** One bar per device, stacked by layer (layers matched by name across devices). */
  function layerChart(id, m, field, title) {
    if (R.charts[id]) { R.charts[id].dispose(); delete R.charts[id]; }
    var layers = R.layers(m), devices = Object.keys(layers), order = [], seen = {};
    var bounds = { c: 'compute', m: 'memory', o: 'overhead' };
    devices.forEach(function (d) {
      layers[d].forEach(function (l) { if (!seen[l[0]]) { seen[l[0]] = true; order.push(l[0]); } });
    });
    var series = order.map(function (n) {
      var name = R.data.layer_names[n], kind = R.data.layer_kinds[n];
      return { name: name, type: 'bar', stack: 'layers', barMaxWidth: 28,
        data: devices.map(function (d) {
          var sum = null;
          layers[d].forEach(function (l) { if (l[0] === n && l[field] !== null) { sum = (sum || 0) + l[field]; } });
          return sum;
        }),
        tooltip: { formatter: function (p) {
          var b = layers[p.name].filter(function (l) { return l[0] === n; }).map(function (l) { return bounds[l[3]]; });
          return u.esc(name) + ' (' + u.esc(kind) + ', ' + u.esc(b.join(', ')) + ' bound)<br>' + u.esc(p.name) + ': '
            + u.fmt(p.value);
        } } };
    });
    u.chart(id, { animation: false, title: { text: title + ' by layer', textStyle: { fontSize: 13 } }, tooltip: { trigger: 'item' },
      grid: { top: 30, left: 90, right: 20, bottom: 30 }, xAxis: { type: 'value', name: title },
      yAxis: { type: 'category', data: devices }, series: series });
  }

  function strategyViews() {
    var s = R.data.strategy || {}, box = document.getElementById('strategy-views');
    if (!box) { return; }
    var traj = s.trajectory, rewards = s.rewards, rung = R.data.cols.indexOf(R.data.rung_metric) >= 0, h = '';
    if (traj && traj.length) { h += '<div id="view-netadapt" class="chart"></div>'; }
    if (rewards && rewards.length) { h += '<div id="view-rewards" class="chart"></div>'; }
    if (rung) { h += '<div id="view-rungs" class="chart"></div>'; }
    if (!h) { return; }
    if (!box.dataset.drawn) { box.innerHTML = '<h2>Strategy views</h2>' + h; box.dataset.drawn = '1'; }
    var base = { animation: false, tooltip: { trigger: 'item' }, grid: { top: 40, left: 60, right: 20, bottom: 45 } };
    if (traj && traj.length) {
      u.lazy('view-netadapt', function () { u.chart('view-netadapt', Object.assign({}, base, { title: { text: 'NetAdapt trajectory', textStyle: { fontSize: 14 } },
        xAxis: { type: 'value', name: s.metric || 'latency', nameLocation: 'middle', nameGap: 28, scale: true },
        yAxis: { type: 'value', name: 'short-term accuracy', scale: true },
        series: [{ name: 'trajectory', type: 'line', data: traj.map(function (r) { return [r.latency, r.accuracy, r.iteration, r.shrunk]; }),
          tooltip: { formatter: function (p) { return 'iteration ' + p.data[2] + ': shrunk ' + u.esc(p.data[3])
            + '<br>latency ' + u.fmt(p.data[0]) + ', accuracy ' + u.fmt(p.data[1]); } } }] })); });
    }
    if (rewards && rewards.length) {
      u.lazy('view-rewards', function () { u.chart('view-rewards', Object.assign({}, base, { title: { text: 'RL reward per sample', textStyle: { fontSize: 14 } },
        tooltip: { trigger: 'axis' }, xAxis: { type: 'value', name: 'sample', nameLocation: 'middle', nameGap: 28 },
        yAxis: { type: 'value', name: 'reward', scale: true },
        series: [{ name: 'reward', type: 'line', showSymbol: false, data: rewards.map(function (r, i) { return [i + 1, r]; }) }] })); });
    }
    if (rung) { u.lazy('view-rungs', function () { rungs(base); }); }
  }

  /** Successive halving: each evaluation's accuracy at the rung (training steps) it reached. */
  function rungs(base) {
    var data = [];
    R.data.evals.forEach(function (r) {
      var x = u.val(r, R.data.rung_metric), y = u.val(r, 'accuracy');
      if (x !== null && y !== null && x > 0) { data.push([x, y, r.a]); }
    });
    u.chart('view-rungs', Object.assign({}, base, { title: { text: 'successive-halving rungs', textStyle: { fontSize: 14 } },
      xAxis: { type: 'log', name: 'training steps', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: 'accuracy', scale: true },
      series: [{ name: 'rungs', type: 'scatter', data: data, itemStyle: { opacity: 0.6 },
        tooltip: { formatter: function (p) { return '<code>' + u.esc(p.data[2]) + '</code><br>' + p.data[0]
          + ' steps: ' + u.fmt(p.data[1]); } } }] }));
  }

  var MAX_DECISION_AXES = 12;

  /** |Pearson correlation| of decision i with accuracy over the evaluations that have one (0 when constant). */
  function association(i) {
    var xs = [], ys = [];
    R.data.evals.forEach(function (r) { var y = u.val(r, 'accuracy'); if (y !== null) { xs.push(r.v[i]); ys.push(y); } });
    var n = xs.length, mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    xs.forEach(function (x, k) { mx += x / n; my += ys[k] / n; });
    xs.forEach(function (x, k) { sxy += (x - mx) * (ys[k] - my); sxx += (x - mx) * (x - mx); syy += (ys[k] - my) * (ys[k] - my); });
    return sxx > 0 && syy > 0 ? Math.abs(sxy / Math.sqrt(sxx * syy)) : 0;
  }

  /** The decisions drawn: all of a small space's; of a large one, the 12 most correlated with accuracy. */
  function decisionAxes(pos) {
    var all = pos.map(function (p, i) { return i; });
    if (pos.length <= MAX_DECISION_AXES) { return all; }
    var score = all.map(association);
    return all.slice().sort(function (a, b) { return score[b] - score[a] || a - b; }).slice(0, MAX_DECISION_AXES)
      .sort(function (a, b) { return a - b; });
  }

  /** Decisions against accuracy and each device's first objective, one line per evaluation. */
  function parallel() {
    if (!document.getElementById('parallel')) { return; }
    var pos = R.data.run.positions || [], axes = [], keys = [], shown = decisionAxes(pos);
    shown.forEach(function (i, j) { axes.push({ dim: j, name: pos[i], type: 'value', minInterval: 1 }); });
    keys.push('accuracy');
    R.data.devices.forEach(function (d) { keys.push(d.objectives[0] + '@' + d.name); });
    keys.forEach(function (k, j) { axes.push({ dim: shown.length + j, name: k, type: 'value', scale: true }); });
    function line(r) {
      var out = shown.map(function (i) { return r.v[i]; }), ok = true;
      keys.forEach(function (k) { var v = u.val(r, k); if (v === null) { ok = false; } out.push(v); });
      return ok ? out : null;
    }
    var all = R.data.evals.map(line).filter(Boolean), front = R.data.members.map(line).filter(Boolean);
    var title = shown.length === pos.length ? 'decisions against objectives'
      : shown.length + ' of ' + pos.length + ' decisions (those most correlated with accuracy) against objectives';
    u.chart('parallel', { animation: false, title: { text: title, textStyle: { fontSize: 14 } },
      legend: { top: 20, data: ['evaluated', 'Pareto members'] },
      parallel: { top: 80, left: 50, right: 90, bottom: 40, parallelAxisDefault: { nameRotate: 20, nameTextStyle: { fontSize: 10 } } },
      parallelAxis: axes, series: [
        { name: 'evaluated', type: 'parallel', data: all, lineStyle: { color: '#888', opacity: 0.15, width: 1 } },
        { name: 'Pareto members', type: 'parallel', data: front, lineStyle: { color: '#c82828', opacity: 0.8, width: 1.5 } }] });
  }

  /** A live view's Pareto tables follow the data (the static ones show the page's first state). */
  function tables() {
    if (!R.data.run.live) { return; }
    ['evals', 'failed', 'infeasible'].forEach(function (k) {
      var e = document.getElementById('n-' + k);
      if (e) { e.textContent = k === 'evals' ? R.data.evals.length : R.data.run[k]; }
    });
    document.querySelectorAll('.n-front').forEach(function (e, i) { e.textContent = R.data.devices[i].front.length; });
    R.data.devices.forEach(function (d, i) {
      var t = document.querySelector('#device-' + i + ' table.front');
      if (!t) { return; }
      var h = '<tr><th>#</th><th class="l">architecture</th><th>accuracy</th><th>latency (ms)</th><th>energy (mJ)</th></tr>';
      d.front.forEach(function (k, j) {
        var m = R.data.members[k];
        h += '<tr><td>' + (j + 1) + '</td><td class="l">' + u.esc(m.a) + '</td><td>' + u.fmt(u.val(m, 'accuracy'))
          + '</td><td>' + u.fmt(u.val(m, 'latency_ms@' + d.name)) + '</td><td>' + u.fmt(u.val(m, 'energy_mj@' + d.name)) + '</td></tr>';
      });
      t.innerHTML = h;
    });
  }

  /** Failed evaluations: one row per reason (how many, an example), then every one (first 500). */
  function failedList() {
    var box = document.getElementById('failed-list');
    if (!box) { return; }
    var failed = R.data.evals.filter(function (r) { return r.s === 'F'; }), reasons = {}, order = [];
    if (!failed.length) { box.innerHTML = '<p>None.</p>'; return; }
    failed.forEach(function (r) {
      var why = r.e || 'no reason recorded';
      if (!reasons[why]) { reasons[why] = { n: 0, a: r.a }; order.push(why); }
      reasons[why].n++;
    });
    order.sort(function (a, b) { return reasons[b].n - reasons[a].n; });
    var h = '<table class="failed-reasons"><tr><th>evaluations</th><th class="l">reason</th><th class="l">for example</th></tr>';
    order.forEach(function (why) {
      h += '<tr><td>' + reasons[why].n + '</td><td class="l">' + u.esc(why) + '</td><td class="l">' + u.esc(reasons[why].a) + '</td></tr>';
    });
    h += '</table><details><summary>every failed evaluation' + (failed.length > 500 ? ' (first 500 of ' + failed.length + ')' : '')
      + '</summary><table class="failed"><tr><th>#</th><th class="l">architecture</th><th class="l">reason</th></tr>';
    failed.slice(0, 500).forEach(function (r, i) {
      h += '<tr><td>' + (i + 1) + '</td><td class="l">' + u.esc(r.a) + '</td><td class="l">' + u.esc(r.e || '') + '</td></tr>';
    });
    box.innerHTML = h + '</table></details>';
  }

  V.all = function () {
    strategyViews();
    failedList();
    if (document.getElementById('parallel')) { u.lazy('parallel', parallel); }
    tables();
  };

  /** The comparison page: every run's front per device on one chart. */
  V.compare = function () {
    var colors = ['#c82828', '#1060e0', '#20a040', '#e08020', '#8040b0', '#008080', '#a0a000', '#604020'];
    var acc = R.data.accuracy === 'test' ? 'test top-1' : 'accuracy';
    R.data.devices.forEach(function (d, i) {
      var series = R.data.runs.map(function (run, j) {
        var pts = (run.fronts[d.name] || []).slice().sort(function (a, b) { return a[0] - b[0]; });
        return { name: run.name, type: 'line', step: 'end', data: pts, symbol: 'diamond', symbolSize: 9,
          itemStyle: { color: colors[j % colors.length] } };
      });
      u.chart('compare-' + i, { animation: false, title: { text: d.name + ': ' + acc + ' vs ' + u.label(d.metric), textStyle: { fontSize: 14 } },
        legend: { top: 24, data: R.data.runs.map(function (r) { return r.name; }) },
        tooltip: { trigger: 'item', formatter: function (p) {
          return '<b>' + u.esc(p.seriesName) + '</b><br><code class="arch">' + u.esc(p.data[2]) + '</code><br>' + acc + ' '
            + u.fmt(p.data[1]) + ', ' + u.esc(u.label(d.metric)) + ' ' + u.fmt(p.data[0]);
        } },
        grid: { top: 70, left: 60, right: 20, bottom: 45 },
        xAxis: { type: 'value', name: u.label(d.metric), nameLocation: 'middle', nameGap: 28, scale: true },
        yAxis: { type: 'value', name: acc, scale: true }, series: series });
    });
  };

  document.addEventListener('DOMContentLoaded', R.start);
})();
