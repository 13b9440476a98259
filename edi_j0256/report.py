"""A self-contained HTML report of a reconciliation, for a denial analyst to open and read.

Built with lxml's HTML builder (no template engine, no external assets): totals, dollars by
root cause and by payer, the worklist of denied or cut lines (most recoverable money first),
and 835 lines that matched no claim. Every table sorts when its header is clicked.

Member IDs and names are left out: the claim ID and line number identify a line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from lxml import etree
from lxml.html import builder as E

from edi_j0256.output import plain

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1d2330; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { margin-top: 1.8em; font-size: 1.15em; }
.muted { color: #667; } .cards { display: flex; gap: 1em; flex-wrap: wrap; }
.card { border: 1px solid #d5d9e2; border-radius: 6px; padding: .6em 1em; min-width: 9em; }
.card b { display: block; font-size: 1.35em; }
table { border-collapse: collapse; margin-top: .5em; }
th, td { border-bottom: 1px solid #e3e6ec; padding: .3em .6em; text-align: left;
         vertical-align: top; }
th { background: #f3f5f8; cursor: pointer; user-select: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.denied td { background: #fff5f5; } tr.partial td { background: #fffbea; }
"""

_SORT_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, i) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0], rows = Array.from(body.rows);
    var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
    rows.sort(function (a, b) {
      var x = a.cells[i].dataset.v || a.cells[i].textContent,
          y = b.cells[i].dataset.v || b.cells[i].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

WORKLIST_COLUMNS = (
    ("claim_id", "Claim"), ("line_number", "Line"), ("service_date", "Date"),
    ("payer_id", "Payer"), ("status", "Status"), ("carcs", "CARC"), ("rarcs", "RARC"),
    ("root_causes", "Root cause"), ("findings", "Findings"), ("explained_by", "Predicted by"),
    ("billed_amount", "Billed"), ("paid_amount", "Paid"), ("denied_amount", "Denied"),
    ("recoverable_amount", "Recoverable"), ("action", "What to do"),
)
ORPHAN_COLUMNS = (
    ("claim_id", "Claim"), ("line_control", "Line control"), ("procedure_code", "Code"),
    ("service_date", "Date"), ("charge", "Charge"), ("paid", "Paid"), ("file", "835 file"),
)
_MONEY = {"billed_amount", "paid_amount", "denied_amount", "recoverable_amount", "charge",
          "paid", "billed", "denied", "recoverable"}


def _money(value) -> str:
    if value is None:
        return ""
    return f"${Decimal(str(plain(value))):,.2f}"


def _text(value) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _cell(key: str, value):
    if key in _MONEY:
        number = plain(value)
        return E.TD(_money(value), E.CLASS("num"), **{"data-v": str(number or 0)})
    if isinstance(plain(value), (int, float)):
        return E.TD(_text(value), E.CLASS("num"))
    return E.TD(_text(value))


def _table(rows: Iterable[dict], columns: Sequence[tuple[str, str]], row_class=None):
    head = E.TR(*[E.TH(label, E.CLASS("num") if key in _MONEY else E.CLASS("")) for key, label
                  in columns])
    body = []
    for row in rows:
        tr = E.TR(*[_cell(key, row.get(key)) for key, _ in columns])
        if row_class:
            tr.set("class", row_class(row))
        body.append(tr)
    return E.TABLE(E.CLASS("sortable"), E.THEAD(head), E.TBODY(*body))


def _totals_table(groups: dict, label: str, explain: dict | None = None):
    columns = [("name", label), ("lines", "Lines"), ("billed", "Billed"), ("paid", "Paid"),
               ("denied", "Denied"), ("recoverable", "Recoverable")]
    rows = []
    for name, bucket in groups.items():
        row = {"name": name, **bucket}
        if explain is not None:
            row["action"] = explain.get(name, "")
        rows.append(row)
    if explain is not None:
        columns.append(("action", "What to do"))
    rows.sort(key=lambda r: -float(plain(r.get("denied") or 0)))
    return _table(rows, columns)


def render_report(records: Sequence[dict], orphans: Sequence[dict], totals: dict,
                  actions: dict[str, str] | None = None,
                  title: str = "J0256 denial reconciliation") -> bytes:
    """The report as HTML bytes. ``totals`` is :func:`edi_j0256.reconcile.engine.totals`."""
    overall = totals.get("total", {})
    worklist = sorted((r for r in records if plain(r.get("denied_amount") or 0)),
                      key=lambda r: (-float(plain(r.get("recoverable_amount") or 0)),
                                     -float(plain(r.get("denied_amount") or 0))))
    statuses: dict[str, int] = {}
    for record in records:
        statuses[record.get("status") or "?"] = statuses.get(record.get("status") or "?", 0) + 1
    cards = E.DIV(E.CLASS("cards"), *[
        E.DIV(E.CLASS("card"), E.B(_money(overall.get(key))), label)
        for key, label in (("billed", "billed"), ("paid", "paid"), ("denied", "denied"),
                           ("recoverable", "still recoverable"))
    ], E.DIV(E.CLASS("card"), E.B(str(len(records))), "J0256 lines: " + ", ".join(
        f"{count} {status}" for status, count in sorted(statuses.items()))))
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE(title), E.STYLE(_STYLE)),
        E.BODY(
            E.H1(title),
            E.P(E.CLASS("muted"), f"Generated {datetime.now():%Y-%m-%d %H:%M} by edi-j0256. "
                "Click a column header to sort."),
            cards,
            E.H2("Denied dollars by root cause"),
            _totals_table(totals.get("by_root_cause", {}), "Root cause", actions or {}),
            E.H2("By payer"),
            _totals_table(totals.get("by_payer", {}), "Payer"),
            E.H2(f"Worklist: {len(worklist)} denied or reduced lines"),
            _table(worklist, WORKLIST_COLUMNS, lambda r: r.get("status") or ""),
            E.H2(f"835 lines with no matching claim: {len(orphans)}"),
            _table(orphans, ORPHAN_COLUMNS),
            E.SCRIPT(_SORT_SCRIPT),
        ),
    )
    return etree.tostring(page, doctype="<!DOCTYPE html>", method="html", encoding="utf-8",
                          pretty_print=True)


def write_report(path: str, records: Sequence[dict], orphans: Sequence[dict], totals: dict,
                 actions: dict[str, str] | None = None) -> None:
    with open(path, "wb") as stream:
        stream.write(render_report(records, orphans, totals, actions))
