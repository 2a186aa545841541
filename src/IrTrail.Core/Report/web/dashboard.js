/* IrTrail dashboard: renders the embedded aggregates (#irtrail-data) with ECharts. No network, no storage. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('irtrail-data').textContent);
  var charts = [];
  var builders = [];
  var nf = new Intl.NumberFormat('en-US');

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else if (k === 'cls') e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function fmtTime(s) { return s ? String(s).replace('T', ' ').replace(/\.\d+Z?$|Z$/, '') + ' UTC' : 'n/a'; }
  function tbl(name) { return D.tables[name] || { columns: [], rows: [] }; }
  function col(t, name) { return t.columns.indexOf(name); }
  function isDark() { return document.documentElement.getAttribute('data-theme') === 'dark'; }

  // ---- header ----
  function header() {
    var h = document.getElementById('header');
    var range = D.firstEvent ? fmtTime(D.firstEvent) + ' \u2192 ' + fmtTime(D.lastEvent) : 'no events';
    var asked = (D.requestedStart || D.requestedEnd) ? ' (asked: ' + (D.requestedStart ? fmtTime(D.requestedStart) : '\u2026') + ' \u2192 ' + (D.requestedEnd ? fmtTime(D.requestedEnd) : '\u2026') + ')' : '';
    function m(label, value) { return el('span', null, [label + ': ', el('b', { text: value })]); }
    function kpi(label, value, cls) { return el('div', { cls: 'kpi' + (cls ? ' ' + cls : '') }, [el('div', { cls: 'v', text: value }), el('div', { cls: 'l', text: label })]); }
    var hits = D.findings.filter(function (f) { return f.hits > 0; }).length;
    h.appendChild(el('h1', { text: D.title }));
    h.appendChild(el('div', { cls: 'meta', id: 'meta' }, [
      m('Dataset', D.dataset), m('Engine', D.engine), m('Time range', range + asked),
      m('Events', nf.format(D.eventCount)), m('Generated', fmtTime(D.generatedAt)), m('IrTrail', D.version)]));
    h.appendChild(el('div', { cls: 'kpis' }, [
      kpi('events', nf.format(D.eventCount)), kpi('API errors', nf.format(D.errorCount), D.errorCount ? 'bad' : ''),
      kpi('accounts', nf.format(D.accounts)), kpi('regions', nf.format(D.regions)), kpi('principals (non-AWS)', nf.format(D.principals)),
      kpi('findings with hits', hits + ' / ' + D.findings.length, hits ? 'bad' : '')]));
    document.getElementById('footer').textContent = 'Made by IrTrail ' + D.version + ' at ' + fmtTime(D.generatedAt) +
      ' from ' + D.dataset + '. Aggregates only (no raw events); timeline bucket ' + bucketText(D.bucketSeconds) + '. Findings: ' + D.findingsSource + '.';
  }
  function bucketText(s) { return s >= 86400 ? (s / 86400) + ' d' : s >= 3600 ? (s / 3600) + ' h' : (s / 60) + ' min'; }

  // ---- panels ----
  var toc = [];
  function panel(id, title, about, wide) {
    var p = el('section', { cls: 'panel' + (wide ? ' wide' : ''), id: id, 'data-panel': id });
    p.appendChild(el('h2', { text: title }));
    if (about) p.appendChild(el('p', { cls: 'about', text: about }));
    document.getElementById('panels').appendChild(p);
    toc.push([id, title]);
    return p;
  }
  function rendered(p, n) {
    p.setAttribute('data-rendered', String(n));
    if (!n) p.appendChild(el('div', { cls: 'empty', text: 'No matching events in this dataset.' }));
  }

  function chart(p, cls, optionFn) {
    var box = el('div', { cls: 'chart' + (cls ? ' ' + cls : '') });
    p.appendChild(box);
    var entry = { box: box, optionFn: optionFn, inst: null };
    charts.push(entry);
    draw(entry);
    return entry;
  }
  function draw(entry) {
    if (entry.inst) entry.inst.dispose();
    entry.inst = echarts.init(entry.box, isDark() ? 'dark' : null, { renderer: 'canvas' });
    var o = entry.optionFn();
    o.backgroundColor = 'transparent';
    o.animation = false;
    entry.inst.setOption(o);
  }

  // A sortable, filterable table of a DashboardTable.
  function table(p, t, opts) {
    opts = opts || {};
    var cols = opts.columns || t.columns;
    var idx = cols.map(function (c) { return col(t, c); });
    var box = el('div', { cls: 'tablebox' });
    var input = el('input', { type: 'search', placeholder: 'Filter rows\u2026', 'aria-label': 'Filter rows' });
    var count = el('span', { cls: 'count' });
    var tb = el('tbody');
    var heads = cols.map(function (c) { return el('th', { text: c, scope: 'col', title: 'Sort by ' + c }); });
    var rows = t.rows.slice();
    var sortCol = -1, sortDir = 1;
    function kind(c) { return /^(first|last|eventTime)$/.test(c) ? 'time' : null; }
    function fill() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      tb.textContent = '';
      rows.forEach(function (r) {
        var cells = idx.map(function (i) { return r[i]; });
        if (q && cells.join('\u0001').toLowerCase().indexOf(q) < 0) return;
        shown++;
        tb.appendChild(el('tr', null, cells.map(function (v, j) {
          var num = typeof v === 'number';
          return el('td', { cls: num ? 'num' : kind(cols[j]) || (v !== null && v !== undefined && String(v).length > 28 ? 'long' : ''), text: v === null || v === undefined ? '' : num ? nf.format(v) : String(v) });
        })));
      });
      count.textContent = shown + ' of ' + rows.length + ' rows';
    }
    heads.forEach(function (th, j) {
      th.addEventListener('click', function () {
        sortDir = sortCol === j ? -sortDir : (rows.length && typeof rows[0][idx[j]] === 'number' ? -1 : 1);
        sortCol = j;
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
        rows.sort(function (a, b) {
          var x = a[idx[j]], y = b[idx[j]];
          if (x === y) return 0;
          if (x === null || x === undefined) return 1;
          if (y === null || y === undefined) return -1;
          return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sortDir;
        });
        fill();
      });
    });
    input.addEventListener('input', fill);
    box.appendChild(el('div', { cls: 'controls' }, [input, count]));
    box.appendChild(el('div', { cls: 'scroll' }, [el('table', null, [el('thead', null, [el('tr', null, heads)]), tb])]));
    p.appendChild(box);
    fill();
    return t.rows.length;
  }

  function barOption(t, label, value, extraTooltip) {
    var rows = t.rows.slice(0, 15).reverse();
    return {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (ps) {
        var r = rows[ps[0].dataIndex];
        var s = '<b>' + esc(r[col(t, label)]) + '</b><br>' + value + ': ' + nf.format(r[col(t, value)]);
        (extraTooltip || []).forEach(function (c) { s += '<br>' + c + ': ' + esc(fmtCell(r[col(t, c)])); });
        return s;
      } },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: rows.map(function (r) { return short(r[col(t, label)]); }), axisLabel: { width: 260, overflow: 'truncate' } },
      series: [{ type: 'bar', name: value, data: rows.map(function (r) { return r[col(t, value)]; }), itemStyle: { color: '#2f6fdb' } }]
    };
  }
  function fmtCell(v) { return typeof v === 'number' ? nf.format(v) : v === null || v === undefined ? '' : String(v); }
  function short(s) { s = s === null || s === undefined ? '(none)' : String(s); return s.length > 60 ? '\u2026' + s.slice(-58) : s; }
  function esc(s) { return String(s === null || s === undefined ? '' : s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }

  function timelinePanel() {
    var p = panel('timeline', 'Events over time', 'Successful calls and API errors per ' + bucketText(D.bucketSeconds) + ' bucket, and the top event sources. Drag the slider or scroll to zoom.', true);
    var t = tbl('timeline');
    var a = chart(p, 'tall', function () {
      return {
        tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 30, bottom: 70 },
        xAxis: { type: 'time' }, yAxis: { type: 'value', name: 'events' },
        dataZoom: [{ type: 'inside' }, { type: 'slider', bottom: 10 }],
        series: [
          { name: 'successes', type: 'bar', stack: 'all', large: true, itemStyle: { color: '#3b82c4' }, data: t.rows.map(function (r) { return [r[0], r[1] - r[2]]; }) },
          { name: 'errors', type: 'bar', stack: 'all', large: true, itemStyle: { color: '#d9534f' }, data: t.rows.map(function (r) { return [r[0], r[2]]; }) }
        ]
      };
    });
    var s = tbl('timelineBySource');
    var sources = [];
    s.rows.forEach(function (r) { if (sources.indexOf(r[1]) < 0) sources.push(r[1]); });
    var b = chart(p, '', function () {
      return {
        tooltip: { trigger: 'axis' }, legend: { top: 0, type: 'scroll' }, grid: { left: 50, right: 20, top: 30, bottom: 30 },
        xAxis: { type: 'time' }, yAxis: { type: 'value', name: 'events' }, dataZoom: [{ type: 'inside' }],
        series: sources.map(function (src) {
          // Aligned on every bucket (zeros filled) so the stack adds up bucket by bucket.
          var byT = {};
          s.rows.forEach(function (r) { if (r[1] === src) byT[r[0]] = r[2]; });
          return { name: src, type: 'line', stack: 'src', areaStyle: {}, symbol: 'none',
            data: t.rows.map(function (r) { return [r[0], byT[r[0]] || 0]; }) };
        })
      };
    });
    a.group = b.group = 'timeline';
    rendered(p, t.rows.length);
  }

  function heatmapPanel() {
    var p = panel('accountRegion', 'Activity by account and region', 'Events per account (rows) and region (columns); hover for errors.', true);
    var t = tbl('accountRegion');
    if (t.rows.length) {
      var accounts = [], regions = [];
      t.rows.forEach(function (r) { if (accounts.indexOf(r[0]) < 0) accounts.push(r[0]); if (regions.indexOf(r[1]) < 0) regions.push(r[1]); });
      var max = Math.max.apply(null, t.rows.map(function (r) { return r[2]; }));
      chart(p, '', function () {
        return {
          tooltip: { formatter: function (x) { var r = t.rows[x.dataIndex]; return 'account <b>' + esc(r[0]) + '</b><br>region <b>' + esc(r[1]) + '</b><br>events: ' + nf.format(r[2]) + '<br>errors: ' + nf.format(r[3]); } },
          grid: { left: 8, right: 20, top: 10, bottom: 60, containLabel: true },
          xAxis: { type: 'category', data: regions, axisLabel: { rotate: 40 }, splitArea: { show: true } },
          yAxis: { type: 'category', data: accounts, splitArea: { show: true } },
          visualMap: { min: 0, max: max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#e3f0ff', '#5b9bd5', '#1f3f8f'] } },
          series: [{ type: 'heatmap', data: t.rows.map(function (r) { return [regions.indexOf(r[1]), accounts.indexOf(r[0]), r[2]]; }), label: { show: t.rows.length <= 60 } }]
        };
      });
    }
    rendered(p, t.rows.length);
  }

  function topPanel(id, name, title, about, label, value, extra, tableCols) {
    var p = panel(id, title, about);
    var t = tbl(name);
    if (t.rows.length) { chart(p, 'short', function () { return barOption(t, label, value, extra); }); table(p, t, { columns: tableCols }); }
    rendered(p, t.rows.length);
  }

  function tablePanel(id, name, title, about, wide, before) {
    var p = panel(id, title, about, wide);
    if (before) before(p);
    var t = tbl(name);
    if (t.rows.length) table(p, t);
    rendered(p, t.rows.length);
  }

  function signinPanel() {
    var p = panel('consoleSignins', 'Console sign-ins', 'ConsoleLogin events by outcome and whether MFA was used; the table lists who signed in from where.', true);
    var sum = tbl('consoleSigninSummary');
    var t = tbl('consoleSignins');
    if (sum.rows.length) {
      chart(p, 'short', function () {
        return {
          tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' }, legend: { orient: 'vertical', left: 0, top: 'middle' },
          series: [{ type: 'pie', radius: ['35%', '70%'], center: ['60%', '50%'],
            data: sum.rows.map(function (r) { return { name: r[0] + (r[0] === 'Success' ? ' \u2013 MFA ' + r[1] : ''), value: r[2], itemStyle: r[0] === 'Success' ? (r[1] === 'Yes' ? { color: '#2e7d32' } : { color: '#f0a202' }) : { color: '#c62828' } }; }) }]
        };
      });
      table(p, t);
    }
    rendered(p, t.rows.length);
  }

  function writesPanel() {
    var p = panel('writes', 'Write actions by principal', 'Non-read-only calls by principals other than AWS services.', true);
    var w = tbl('writesByPrincipal');
    var t = tbl('writeActions');
    if (w.rows.length) { chart(p, 'short', function () { return barOption(w, 'principal', 'writes', ['errors', 'eventNames']); }); table(p, t); }
    rendered(p, t.rows.length);
  }

  function findingsPanel() {
    var p = panel('findings', 'Findings', 'Hits per detection (' + D.findingsSource + '), worst severity first, with MITRE ATT&CK technique ids and a few example events.', true);
    var t = { columns: ['severity', 'name', 'title', 'mitre', 'tags', 'hits'], rows: D.findings.map(function (f) { return [f.severity, f.name, f.title, f.mitre.join(' '), f.tags.join(' '), f.hits]; }) };
    var hit = D.findings.filter(function (f) { return f.hits > 0; });
    if (hit.length) chart(p, 'short', function () { return barOption({ columns: ['name', 'hits', 'title', 'mitre'], rows: hit.map(function (f) { return [f.name, f.hits, f.title, f.mitre.join(' ')]; }) }, 'name', 'hits', ['title', 'mitre']); });
    table(p, t);
    hit.forEach(function (f) {
      var d = el('details', { cls: 'finding', 'data-finding': f.name });
      d.appendChild(el('summary', null, [el('b', { text: f.name }), ' \u2013 ' + f.title + ' ', el('span', { cls: 'hits some', text: nf.format(f.hits) + ' hits' }), ' ']
        .concat(f.mitre.map(function (m) { return el('span', { cls: 'chip', text: m }); }))));
      table(d, f.examples);
      p.appendChild(d);
    });
    rendered(p, D.findings.length);
  }

  function buildAll() {
    timelinePanel();
    heatmapPanel();
    topPanel('topEventNames', 'topEventNames', 'Top event names', 'The most frequent API calls.', 'eventName', 'events', ['eventSource', 'errors', 'principals']);
    topPanel('topErrorCodes', 'topErrorCodes', 'Top error codes', 'API errors by code.', 'errorCode', 'events', ['eventNames', 'principals']);
    topPanel('topPrincipals', 'topPrincipals', 'Top principals', 'Identities by number of calls, AWS service principals excluded.', 'principal', 'events', ['identityType', 'errors', 'writes']);
    topPanel('topSourceIps', 'topSourceIps', 'Top source IP addresses', 'Caller addresses, AWS service addresses excluded.', 'sourceIPAddress', 'events', ['errors', 'principals']);
    tablePanel('rootActivity', 'rootActivity', 'Root activity', 'Calls made with the root user\u2019s credentials.', false);
    signinPanel();
    writesPanel();
    tablePanel('apiErrors', 'apiErrors', 'API errors (talk metric 1)', 'Which calls failed, how, and for whom.', true);
    tablePanel('ipActivity', 'ipActivity', 'Activity from the given IP addresses (talk metric 2)',
      (D.ipAddressesChosen ? 'No -IpAddress given: the busiest external addresses are shown: ' : 'Addresses followed: ') + (D.ipAddresses.join(', ') || 'none'), true);
    tablePanel('instanceRoleS3', 'instanceRoleS3', 'EC2 instance roles listing buckets (talk metric 3)', 'S3 listing calls made with an instance profile\u2019s credentials (session name i-\u2026).', true);
    findingsPanel();
  }

  function theme(t) {
    document.documentElement.setAttribute('data-theme', t);
    charts.forEach(draw);
    connect();
  }
  function connect() {
    var g = charts.filter(function (c) { return c.group; }).map(function (c) { return c.inst; });
    if (g.length > 1) echarts.connect(g);
  }

  header();
  document.documentElement.setAttribute('data-theme', window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  buildAll();
  connect();
  var nav = document.getElementById('toc');
  toc.forEach(function (x) { nav.appendChild(el('a', { href: '#' + x[0], text: x[1] })); });
  var btn = el('button', { type: 'button', id: 'theme-toggle', title: 'Switch light/dark' , text: 'Light / dark' });
  btn.addEventListener('click', function () { theme(isDark() ? 'light' : 'dark'); });
  nav.appendChild(btn);
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.inst.resize(); }); });
  window.addEventListener('beforeprint', function () { charts.forEach(function (c) { c.inst.resize(); }); });
  document.body.setAttribute('data-ready', 'true');
})();
