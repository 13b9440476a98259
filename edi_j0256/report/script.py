"""The page's small inlined JavaScript (no library) and its style sheet, screen and print."""

SCRIPT = r"""
(function () {
  'use strict';
  function key(cell) {
    var v = cell.getAttribute('data-v');
    return v === null ? cell.textContent.trim() : v;
  }
  var NUMERIC = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;
  function compare(x, y) {
    if (NUMERIC.test(x) && NUMERIC.test(y)) { return parseFloat(x) - parseFloat(y); }
    if (x === '' && y !== '') { return 1; }
    if (y === '' && x !== '') { return -1; }
    return x.localeCompare(y);
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('thead th').forEach(function (th, index) {
      th.setAttribute('tabindex', '0');
      function sort() {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('thead th').forEach(function (o) {
          o.removeAttribute('aria-sort');
        });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        rows.sort(function (a, b) {
          var c = compare(key(a.cells[index]), key(b.cells[index]));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sort(); } });
    });
  });

  var worklist = document.getElementById('worklist');
  if (!worklist) { return; }
  var controls = {
    payer: document.getElementById('filter-payer'),
    cause: document.getElementById('filter-cause'),
    status: document.getElementById('filter-status'),
    window: document.getElementById('filter-window')
  };
  var shown = document.getElementById('worklist-shown');
  function inWindow(row, choice) {
    var left = row.getAttribute('data-days-left');
    if (choice === '') { return true; }
    if (choice === 'none') { return left === ''; }
    if (left === '') { return false; }
    left = parseInt(left, 10);
    if (choice === 'overdue') { return left < 0; }
    return left >= 0 && left <= parseInt(choice, 10);
  }
  function applyFilters() {
    var count = 0;
    Array.prototype.forEach.call(worklist.tBodies[0].rows, function (row) {
      var causes = (row.getAttribute('data-causes') || '').split(' ');
      var keep = (!controls.payer.value || row.getAttribute('data-payer') === controls.payer.value)
        && (!controls.cause.value || causes.indexOf(controls.cause.value) >= 0)
        && (!controls.status.value || row.getAttribute('data-status') === controls.status.value)
        && inWindow(row, controls.window.value);
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = String(count);
  }
  Object.keys(controls).forEach(function (name) {
    controls[name].addEventListener('change', applyFilters);
  });

  // The spreadsheet rule of edi_j0256.safe_text.csv_cell: a text cell that starts with
  // = + - @ tab or CR gets a leading quote, unless it is a plain number.
  var NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;
  function csvCell(text) {
    if (/^[=+\-@\t\r]/.test(text) && !NUMBER.test(text)) { text = "'" + text; }
    if (/[",\r\n]/.test(text)) { text = '"' + text.replace(/"/g, '""') + '"'; }
    return text;
  }
  function cellText(cell) {
    var v = cell.getAttribute('data-csv');
    return v === null ? cell.textContent.trim() : v;
  }
  function visibleCsv() {
    var lines = [Array.prototype.map.call(worklist.tHead.rows[0].cells, function (th) {
      return csvCell(th.textContent.trim());
    }).join(',')];
    Array.prototype.forEach.call(worklist.tBodies[0].rows, function (row) {
      if (row.hidden) { return; }
      lines.push(Array.prototype.map.call(row.cells, function (c) {
        return csvCell(cellText(c));
      }).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }
  window.worklistCsv = visibleCsv;
  document.getElementById('download-csv').addEventListener('click', function () {
    var blob = new Blob([visibleCsv()], {type: 'text/csv;charset=utf-8'});
    var link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'j0256-worklist.csv';
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  });
  applyFilters();
}());
"""

STYLE = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #e3e6ec; --head: #f3f5f8; --accent: #0072B2;
        --denied: #D55E00; --likely: #009E73; --possible: #56B4E9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; margin: 0; color: var(--ink);
       background: #fafbfc; }
header { background: #16324f; color: #fff; padding: 1.2em 2em 1em; }
header h1 { margin: 0; font-size: 1.45em; letter-spacing: .01em; }
header p { margin: .3em 0 0; color: #d6e2ef; font-size: .92em; }
main { padding: 1em 2em 3em; max-width: 1800px; }
h2 { font-size: 1.12em; margin: 1.8em 0 .4em; border-bottom: 2px solid var(--line);
     padding-bottom: .2em; }
.muted, .note { color: var(--muted); font-size: .9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5em, 1fr));
         gap: .7em; margin-top: 1em; }
.card { background: #fff; border: 1px solid #d5d9e2; border-left: 5px solid var(--accent);
        border-radius: 6px; padding: .55em .9em; }
.card b { display: block; font-size: 1.4em; font-variant-numeric: tabular-nums; }
.card span { color: var(--muted); font-size: .88em; }
.card.denied { border-left-color: var(--denied); }
.card.likely { border-left-color: var(--likely); }
.card.possible { border-left-color: var(--possible); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr));
          gap: 1em; margin-top: 1em; align-items: start; }
figure.chart { background: #fff; border: 1px solid #d5d9e2; border-radius: 6px; margin: 0;
               padding: .6em; }
figure.chart svg { width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: .85em; }
table { border-collapse: collapse; margin-top: .5em; background: #fff; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .32em .55em; text-align: left;
         vertical-align: top; }
th { background: var(--head); user-select: none; white-space: nowrap; }
table.sortable th { cursor: pointer; }
th[aria-sort=ascending]::after { content: " \\25B2"; font-size: .75em; }
th[aria-sort=descending]::after { content: " \\25BC"; font-size: .75em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.action { min-width: 18em; font-size: .9em; }
abbr[title] { text-decoration: underline dotted; cursor: help; }
tr.denied td:first-child { box-shadow: inset 4px 0 var(--denied); }
tr.partial td:first-child { box-shadow: inset 4px 0 #E69F00; }
td.overdue { color: var(--denied); font-weight: bold; }
td.soon { color: #a35a00; font-weight: bold; }
.filters { display: flex; flex-wrap: wrap; gap: .8em; align-items: end; margin: .5em 0; }
.filters label { display: flex; flex-direction: column; font-size: .85em; color: var(--muted); }
.filters select, .filters button { font: inherit; padding: .25em .4em; }
.filters button { background: var(--accent); color: #fff; border: 0; border-radius: 4px;
                  padding: .4em .9em; cursor: pointer; }
#worklist { font-size: .86em; }
#worklist td { white-space: nowrap; }
#worklist td.action { white-space: normal; min-width: 18em; }
td.carcs { font-size: .9em; min-width: 22em; }
.history { margin: .2em 0 .8em 1.5em; width: auto; }
.wrap { overflow-x: auto; }
@media print {
  body { background: #fff; font-size: 10px; }
  header { background: none; color: var(--ink); padding: 0; }
  header p { color: var(--muted); }
  main { padding: 0; max-width: none; }
  .filters, .noprint { display: none; }
  .charts { grid-template-columns: 1fr 1fr; }
  figure.chart, tr, .card { break-inside: avoid; }
  thead { display: table-header-group; }
  tr[hidden] { display: none; }
  .wrap { overflow: visible; }
}
"""
