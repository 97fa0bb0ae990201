/**
 * The report's one script, inlined and allowed by its sha256 in the page's CSP. It reads the host
 * table from the `application/json` block and shows it a page at a time (sort, verdict filter, text
 * search, a row expands to its evidence). Every value reaches the page through textContent, never
 * as markup, so peer-supplied strings stay text even if an escape were missed upstream.
 * Plain ES2020 in a string (no build step; no backquotes or template placeholders inside).
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var PAGE = 100;
  var $ = function (id) { return document.getElementById(id); };
  var data = JSON.parse($('rpcsweep-data').textContent);
  var S = data.s, A = data.a, H = data.h, V = data.verdicts;
  // Evidence is parsed on the first expand: half the JSON, not needed to show the table.
  var D = null;
  var detailOf = function (j) {
    if (!D) D = JSON.parse($('rpcsweep-detail').textContent);
    return D.d[j];
  };
  // Long peer strings are clipped on screen: breaking a 10 kB word costs Chromium about a second
  // per cell. Search still sees the whole string.
  var CLIP = 300;
  var full = function (i) { return i < 0 ? '' : S[i]; };
  var str = function (i) {
    var s = full(i);
    return s.length > CLIP ? s.slice(0, CLIP) + '\u2026 [' + s.length + ' characters]' : s;
  };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  };
  // Rows arrive most urgent verdict first, then by address: row index is that order.
  var sev = V.map(function (v) { return data.sev.indexOf(v); });
  var addrKeys = null;
  var addrKey = function (j) {
    if (!addrKeys) {
      addrKeys = new Float64Array(H.length);
      for (var i = 0; i < H.length; i++) {
        var m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(H[i][0]);
        addrKeys[i] = m ? (+m[1]) * 16777216 + (+m[2]) * 65536 + (+m[3]) * 256 + (+m[4]) : 5e9 + i;
      }
    }
    return addrKeys[j];
  };
  // Search looks at the address, name, verdict, DCOM version, reason and advice of a row; the
  // string table is lower-cased once, on the first search.
  var lower = null;
  var matches = function (j, q) {
    if (!lower) lower = S.map(function (x) { return x.toLowerCase(); });
    var r = H[j], adv = A[r[4]];
    return r[0].indexOf(q) >= 0 || V[r[1]].indexOf(q) >= 0 || adv[0].indexOf(q) >= 0 ||
      (r[2] >= 0 && lower[r[2]].indexOf(q) >= 0) || (r[3] >= 0 && lower[r[3]].indexOf(q) >= 0) ||
      (r[5] >= 0 && lower[r[5]].indexOf(q) >= 0) || (adv[1] >= 0 && lower[adv[1]].indexOf(q) >= 0);
  };
  var text = function (col) {
    return function (a, b) { var x = str(H[a][col]), y = str(H[b][col]); return x < y ? -1 : x > y ? 1 : 0; };
  };
  var COLUMNS = {
    address: function (a, b) { return addrKey(a) - addrKey(b) || (H[a][0] < H[b][0] ? -1 : H[a][0] > H[b][0] ? 1 : 0); },
    verdict: function (a, b) { return sev[H[a][1]] - sev[H[b][1]]; },
    name: text(2),
    dcom: text(3),
    advice: function (a, b) { var x = A[H[a][4]][0], y = A[H[b][4]][0]; return x < y ? -1 : x > y ? 1 : 0; },
    time: function (a, b) { return H[a][6] - H[b][6]; }
  };
  var state = { sort: 'verdict', desc: false, verdict: '', q: '', page: 0, open: {} };
  var order = [], shown = [];

  var sortRows = function () {
    order = new Array(H.length);
    for (var i = 0; i < H.length; i++) order[i] = i;
    if (state.sort === 'verdict') {
      if (state.desc) order.reverse();
      return;
    }
    var cmp = COLUMNS[state.sort];
    order.sort(function (a, b) { var c = cmp(a, b) || a - b; return state.desc ? -c : c; });
  };
  var filterRows = function () {
    var v = state.verdict === '' ? -1 : V.indexOf(state.verdict);
    var q = state.q.trim().toLowerCase();
    shown = [];
    for (var i = 0; i < order.length; i++) {
      var j = order[i];
      if (v >= 0 && H[j][1] !== v) continue;
      if (q && !matches(j, q)) continue;
      shown.push(j);
    }
    state.page = 0;
  };

  var kv = function (dl, k, v) {
    if (v === '' || v === undefined) return;
    dl.appendChild(el('dt', '', k));
    dl.appendChild(el('dd', '', v));
  };
  var table = function (head, rows) {
    var t = el('table', 'inner'), tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', '', h)); });
    t.appendChild(el('thead')).appendChild(tr);
    var tb = t.appendChild(el('tbody'));
    rows.forEach(function (r) {
      var row = tb.appendChild(el('tr'));
      // Short values (ports, HRESULTs, yes/no) never wrap; long peer text wraps anywhere.
      r.forEach(function (c) { row.appendChild(el('td', String(c).length <= 16 ? 'short' : '', c)); });
    });
    return t;
  };
  var details = function (j) {
    var r = H[j], x = detailOf(j), adv = A[r[4]], box = el('div', 'evidence');
    var dl = box.appendChild(el('dl'));
    kv(dl, 'Verdict', V[r[1]]);
    kv(dl, 'Reason', str(r[5]));
    kv(dl, 'Name', str(r[2]));
    kv(dl, 'DCOM version', str(r[3]));
    kv(dl, 'Started', typeof x[0] === 'number' ? new Date(D.t0 + x[0]).toISOString() : x[0]);
    kv(dl, 'Duration', r[6] + ' ms');
    kv(dl, 'OS hints', x[4].map(str).join('; '));
    if (adv[0]) box.appendChild(el('h4', '', 'Advice: ' + adv[0]));
    box.appendChild(el('p', 'advice-line', str(adv[1])));
    box.appendChild(el('p', '', str(adv[2])));
    var ol = box.appendChild(el('ol', 'actions'));
    adv[3].forEach(function (a) { ol.appendChild(el('li', '', str(a))); });
    box.appendChild(el('h4', '', 'Probe steps (' + x[1].length + ')'));
    box.appendChild(table(['probe', 'port', 'classification', 'ok', 'HRESULT / fault', 'COM version', 'bind results', 'reason', 'ms'],
      x[1].map(function (t) {
        var e = D.e[t[0]];
        return [str(e[0]), str(e[1]), str(e[2]), e[3] ? 'yes' : 'no', str(e[4]), str(e[5]), str(e[7]), str(e[6]), t[1]];
      })));
    if (x[2].length) {
      box.appendChild(el('h4', '', 'Endpoints (' + x[2].length + ')'));
      box.appendChild(table(['uuid', 'version', 'interface', 'annotation', 'binding'],
        x[2].map(function (p) { return p.map(str); })));
    }
    if (x[3].length) {
      box.appendChild(el('h4', '', 'Indicators (' + x[3].length + ')'));
      box.appendChild(table(['indicator', 'severity', 'evidence'], x[3].map(function (f) { return f.map(str); })));
    }
    // The probes' declared fields (probeFields), as [label, value] string refs.
    if (x[5] && x[5].length) {
      box.appendChild(el('h4', '', 'Probe fields (' + x[5].length + ')'));
      box.appendChild(table(['field', 'value'], x[5].map(function (f) { return f.map(str); })));
    }
    return box;
  };

  var tbody = $('hosts-body');
  var render = function () {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * PAGE, end = Math.min(shown.length, start + PAGE);
    var frag = document.createDocumentFragment();
    for (var i = start; i < end; i++) {
      var j = shown[i], r = H[j], open = !!state.open[j];
      var tr = el('tr', 'host v-' + V[r[1]]);
      tr.dataset.row = String(j);
      var btn = el('button', 'expand', open ? '\u25be' : '\u25b8');
      btn.type = 'button';
      btn.setAttribute('aria-expanded', String(open));
      btn.setAttribute('aria-label', 'evidence for ' + r[0]);
      tr.appendChild(el('td')).appendChild(btn);
      tr.appendChild(el('td', 'addr', r[0]));
      tr.appendChild(el('td', 'verdict', V[r[1]]));
      tr.appendChild(el('td', 'name', str(r[2])));
      tr.appendChild(el('td', '', str(r[3])));
      tr.appendChild(el('td', 'advice', A[r[4]][0]));
      tr.appendChild(el('td', 'num', r[6]));
      frag.appendChild(tr);
      if (open) {
        var dtr = el('tr', 'detail'), td = el('td');
        td.colSpan = 7;
        td.appendChild(details(j));
        dtr.appendChild(td);
        frag.appendChild(dtr);
      }
    }
    tbody.replaceChildren(frag);
    $('hosts-status').textContent = shown.length === 0 ? 'No host matches.' :
      'Hosts ' + (start + 1) + '\u2013' + end + ' of ' + shown.length +
      (shown.length === H.length ? '' : ' (filtered from ' + H.length + ')') + ', page ' + (state.page + 1) + ' of ' + pages;
    $('page-prev').disabled = state.page === 0;
    $('page-next').disabled = state.page >= pages - 1;
    document.querySelectorAll('#hosts th[data-sort]').forEach(function (th) {
      th.setAttribute('aria-sort', th.dataset.sort === state.sort ? (state.desc ? 'descending' : 'ascending') : 'none');
    });
  };
  var refilter = function () { filterRows(); render(); };

  $('filter-verdict').addEventListener('change', function (e) { state.verdict = e.target.value; refilter(); });
  $('filter-search').addEventListener('input', function (e) { state.q = e.target.value; refilter(); });
  $('page-prev').addEventListener('click', function () { state.page--; render(); });
  $('page-next').addEventListener('click', function () { state.page++; render(); });
  document.querySelectorAll('#hosts th[data-sort] button').forEach(function (b) {
    b.addEventListener('click', function () {
      var key = b.parentElement.dataset.sort;
      state.desc = state.sort === key ? !state.desc : false;
      state.sort = key;
      sortRows(); refilter();
    });
  });
  tbody.addEventListener('click', function (e) {
    var tr = e.target.closest('tr.host');
    if (!tr) return;
    var j = +tr.dataset.row;
    if (state.open[j]) delete state.open[j]; else state.open[j] = true;
    render();
  });
  $('hosts-controls').hidden = false;
  sortRows(); refilter();
  // For tests and the benchmark: the table is usable, and how long after navigation that was.
  document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
  document.documentElement.dataset.ready = '1';
})();
`;
