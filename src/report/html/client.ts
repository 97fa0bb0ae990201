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
  var data = JSON.parse(document.getElementById('rpcsweep-data').textContent);
  var S = data.s, A = data.a, H = data.h, V = data.verdicts;
  // Long peer strings are clipped on screen: breaking a 10 kB word costs Chromium about a second
  // per cell. Search still sees the whole string.
  var CLIP = 300;
  var full = function (i) { return i < 0 ? '' : S[i]; };
  var str = function (i) {
    var s = full(i);
    return s.length > CLIP ? s.slice(0, CLIP) + '\u2026 [' + s.length + ' characters]' : s;
  };
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  };
  // Verdict severity for sorting: most urgent first (the page's needs-action order).
  var SEVERITY = ['unpatched', 'patched-kb823980', 'needs-investigation', 'dcom-restricted', 'error',
    'refused', 'not-windows-dcom', 'patched', 'unreachable'];
  var sev = V.map(function (v) { return SEVERITY.indexOf(v); });
  var addrKey = function (a) {
    var m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
    return m ? ((+m[1]) * 16777216 + (+m[2]) * 65536 + (+m[3]) * 256 + (+m[4])) : 5e9;
  };
  var keys = null;
  var searchKey = function (i) {
    if (!keys) {
      keys = new Array(H.length);
      for (var j = 0; j < H.length; j++) {
        var r = H[j];
        keys[j] = (r[0] + ' ' + full(r[2]) + ' ' + V[r[1]] + ' ' + full(r[3]) + ' ' + full(r[5]) + ' ' +
          A[r[4]][0] + ' ' + full(A[r[4]][1])).toLowerCase();
      }
    }
    return keys[i];
  };
  var COLUMNS = {
    address: function (a, b) { return (H[a].k === undefined ? (H[a].k = addrKey(H[a][0])) : H[a].k) -
      (H[b].k === undefined ? (H[b].k = addrKey(H[b][0])) : H[b].k) || (H[a][0] < H[b][0] ? -1 : H[a][0] > H[b][0] ? 1 : 0); },
    verdict: function (a, b) { return sev[H[a][1]] - sev[H[b][1]]; },
    name: function (a, b) { var x = str(H[a][2]), y = str(H[b][2]); return x < y ? -1 : x > y ? 1 : 0; },
    dcom: function (a, b) { var x = str(H[a][3]), y = str(H[b][3]); return x < y ? -1 : x > y ? 1 : 0; },
    advice: function (a, b) { var x = A[H[a][4]][0], y = A[H[b][4]][0]; return x < y ? -1 : x > y ? 1 : 0; },
    time: function (a, b) { return H[a][6] - H[b][6]; }
  };
  var state = { sort: 'verdict', desc: false, verdict: '', q: '', page: 0, open: {} };
  var order = [], shown = [];

  var sortRows = function () {
    order = new Array(H.length);
    for (var i = 0; i < H.length; i++) order[i] = i;
    var cmp = COLUMNS[state.sort];
    order.sort(function (a, b) { var c = cmp(a, b) || COLUMNS.address(a, b); return state.desc ? -c : c; });
  };
  var filterRows = function () {
    var v = state.verdict === '' ? -1 : V.indexOf(state.verdict);
    var q = state.q.trim().toLowerCase();
    shown = [];
    for (var i = 0; i < order.length; i++) {
      var j = order[i];
      if (v >= 0 && H[j][1] !== v) continue;
      if (q && searchKey(j).indexOf(q) < 0) continue;
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
    var r = H[j], adv = A[r[4]], box = el('div', 'evidence');
    var dl = box.appendChild(el('dl'));
    kv(dl, 'Verdict', V[r[1]]);
    kv(dl, 'Reason', str(r[5]));
    kv(dl, 'Name', str(r[2]));
    kv(dl, 'DCOM version', str(r[3]));
    kv(dl, 'Started', str(r[7]));
    kv(dl, 'Duration', r[6] + ' ms');
    kv(dl, 'OS hints', r[11].map(str).join('; '));
    box.appendChild(el('h4', '', 'Advice: ' + adv[0]));
    box.appendChild(el('p', 'advice-line', str(adv[1])));
    box.appendChild(el('p', '', str(adv[2])));
    var ol = box.appendChild(el('ol', 'actions'));
    adv[3].forEach(function (a) { ol.appendChild(el('li', '', str(a))); });
    box.appendChild(el('h4', '', 'Probe steps (' + r[8].length + ')'));
    box.appendChild(table(['probe', 'port', 'classification', 'ok', 'HRESULT / fault', 'COM version', 'bind results', 'reason', 'ms'],
      r[8].map(function (e) { return [str(e[0]), str(e[1]), str(e[2]), e[3] ? 'yes' : 'no', str(e[4]), str(e[5]), str(e[8]), str(e[6]), e[7]]; })));
    if (r[9].length) {
      box.appendChild(el('h4', '', 'Endpoints (' + r[9].length + ')'));
      box.appendChild(table(['uuid', 'version', 'interface', 'annotation', 'binding'],
        r[9].map(function (p) { return p.map(str); })));
    }
    if (r[10].length) {
      box.appendChild(el('h4', '', 'Indicators (' + r[10].length + ')'));
      box.appendChild(table(['indicator', 'severity', 'evidence'], r[10].map(function (f) { return f.map(str); })));
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
  document.documentElement.dataset.ready = '1';
})();
`;
