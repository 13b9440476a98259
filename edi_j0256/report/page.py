"""The HTML page of a :class:`~edi_j0256.report.data.ReportData`: one self-contained file.

Every value reaches the tree through :func:`text` (control characters and characters XML
cannot carry replaced) and lxml escapes it; charts are matplotlib SVG parsed into the same
tree; the script and style are inlined. Nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from lxml import etree

from edi_j0256.report.data import Code, ReportData, WorklistRow
from edi_j0256.report.script import SCRIPT, STYLE
from edi_j0256.report.text import DASH, printable

WORKLIST_SHOWN = 2000  # rows on the page (about 1.3 kB each): the page stays a few MB
SECTION_SHOWN = 500  # corrections and orphans
FREQUENCY_NAMES = {"1": "original", "7": "replacement", "8": "void"}  # CLM05-3
DEADLINE_WINDOWS = (("", "any"), ("overdue", "overdue"), ("30", "≤ 30 days"),
                    ("60", "≤ 60 days"), ("90", "≤ 90 days"), ("none", "no deadline"))


text = printable


def el(tag: str, *children, **attrs) -> etree._Element:
    """An element; ``class_`` is ``class``, ``data_x`` is ``data-x``; strings become text."""
    element = etree.Element(tag)
    for name, value in attrs.items():
        if value is not None:
            element.set(name.rstrip("_").replace("_", "-"), text(value))
    last = None
    for child in children:
        if child is None:
            continue
        if isinstance(child, etree._Element):
            element.append(child)
            last = child
        else:
            if last is None:
                element.text = (element.text or "") + text(child)
            else:
                last.tail = (last.tail or "") + text(child)
    if tag == "td" and not element.text and not len(element):
        element.text = DASH  # an empty value shows as a dash
    return element


def money(value: Decimal | None) -> str:
    if value is None:
        return DASH
    value = Decimal(value)
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def lines(count: int) -> str:
    return f"{count:,} line" + ("" if count == 1 else "s")


def shorten(value: str | None, limit: int) -> str:
    """At most ``limit`` characters, cut at a word, with an ellipsis."""
    value = value or ""
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:.0%}"


def day(value: date | None) -> str:
    return DASH if value is None else value.isoformat()


def num(value, shown: str | None = None, csv: str | None = None, extra: str | None = None):
    """A right-aligned cell that sorts by ``value`` (empty sorts last)."""
    key = "" if value is None else str(value)
    return el("td", shown if shown is not None else text(value),
              class_=" ".join(filter(None, ("num", extra))), data_v=key,
              data_csv=csv if csv is not None else key)


def money_cell(value: Decimal | None):
    return num(value, money(value))


def codes(values: Sequence[Code]):
    """A cell of codes, each with its code-list text on hover."""
    children: list = []
    for index, code in enumerate(values):
        if index:
            children.append(", ")
        children.append(el("abbr", code.code, title=code.text or "no text in the code list"))
    cell = el("td", *children)
    cell.set("data-csv", text(" ".join(c.code for c in values)))
    return cell


def table(headers: Sequence[str | tuple[str, str]], rows: Iterable, *, sortable=True,
          kind: str | None = None, **attrs):
    head = el("tr", *[el("th", h[0], class_=h[1]) if isinstance(h, tuple) else el("th", h)
                      for h in headers])
    classes = " ".join(filter(None, ("sortable" if sortable else None, kind))) or None
    return el("div", el("table", el("thead", head), el("tbody", *rows), class_=classes,
                        **attrs), class_="wrap")


def _svg(svg_text: str | None, caption: str, name: str):
    figure = el("figure", class_="chart", data_chart=name)
    if svg_text is None:
        figure.append(el("p", "Nothing to chart for these lines.", class_="muted"))
    else:
        svg = etree.fromstring(svg_text.encode("utf-8"))
        svg.set("role", "img")
        svg.set("aria-label", text(caption))
        figure.append(svg)
    figure.append(el("figcaption", caption))
    return figure


def _span(first: date | None, last: date | None) -> str:
    return DASH if first is None else f"{day(first)} to {day(last)}"


def headline(data: ReportData):
    h = data.headline
    cards = [
        (money(h.billed), "billed", ""), (money(h.paid), "paid", ""),
        (money(h.denied), "denied", "denied"),
        (money(h.recoverable_likely), "recoverable: likely", "likely"),
        (money(h.recoverable_possible), "recoverable: possible", "possible"),
        (f"{h.lines:,}", "J0256 lines", ""), (f"{h.open_denials:,}", "open denials", "denied"),
    ]
    return el("section", el("div", *[el("div", el("b", value), el("span", label),
                                         class_=f"card {kind}".strip(), data_card=label)
                                      for value, label, kind in cards], class_="cards"),
              None if data.recovery_assessed else el(
                  "p", "Recoverable: — means the reconciliation carries no recovery "
                  "assessment for these lines.", class_="note"))


def _charts(data: ReportData):
    from edi_j0256.report import charts  # matplotlib loads only when a page is drawn

    assessed = ("denied, and recoverable by the recovery assessment (likely, possible)"
                if data.recovery_assessed else "denied (no recovery assessment available)")
    return el("section", el("h2", "At a glance"), el(
        "div",
        _svg(charts.denied_and_recoverable(data.by_root_cause, "By root cause", "root cause"),
             f"Dollars {assessed}, by the denial's root cause.", "root-cause"),
        _svg(charts.denied_and_recoverable(data.by_payer, "By payer", "payer"),
             f"Dollars {assessed}, by payer.", "payer"),
        _svg(charts.trend(data.trend, data.trend_unit),
             f"Denied dollars of the lines adjudicated in each {data.trend_unit} (835 payment "
             "date, BPR16).", "trend"),
        _svg(charts.aging(data.aging),
             "Open denied or reduced lines by days from the remittance to "
             f"{day(data.headline.as_of)}.",
             "aging"),
        class_="charts"))


def root_causes(data: ReportData):
    actions = dict(data.actions)
    rows = [el("tr", el("td", r.name), num(r.lines), money_cell(r.billed), money_cell(r.paid),
               money_cell(r.denied), money_cell(r.recoverable_likely),
               money_cell(r.recoverable_possible), el("td", actions.get(r.name) or DASH,
                                                      class_="action"))
            for r in data.by_root_cause]
    return el("section", el("h2", "Denied dollars by root cause"), table(
        ["Root cause", ("Lines", "num"), ("Billed", "num"), ("Paid", "num"), ("Denied", "num"),
         ("Likely", "num"), ("Possible", "num"), "What to do"], rows, id="root-causes"))


def scorecard(data: ReportData):
    rows = []
    for p in data.payers:
        children: list = []
        for carc in p.top_carcs:
            if children:
                children.append(el("br"))
            children.append(el("abbr", carc.code, title=carc.text or "no text in the code list"))
            children.append(el("span", f" {money(carc.amount)} ({lines(carc.lines)}) "
                               f"{shorten(carc.text, 64)}", class_="muted"))
        top = el("td", *children, class_="carcs")
        rows.append(el(
            "tr", el("td", p.payer_id, el("br"), el("span", p.payer_name, class_="muted")),
            num(p.lines), num(p.denied_lines),
            num(p.denial_rate_count, percent(p.denial_rate_count)),
            num(p.denial_rate_dollars, percent(p.denial_rate_dollars)),
            money_cell(p.billed), money_cell(p.paid),
            num(p.paid_to_billed, percent(p.paid_to_billed)),
            num(p.median_days_to_payment, DASH if p.median_days_to_payment is None
                else f"{p.median_days_to_payment:g}"), top, data_payer=p.payer_id))
    return el("section", el("h2", "Payer scorecard"), el(
        "p", "Lines answered by an 835. Denial rate by count: denied or reduced lines; by "
        "dollars: denied / billed. Median days: service date to payment date.", class_="note"),
        table(["Payer", ("Lines", "num"), ("Denied", "num"), ("Rate (count)", "num"),
               ("Rate ($)", "num"), ("Billed", "num"), ("Paid", "num"), ("Paid/billed", "num"),
               ("Median days", "num"), "Top CARCs (denied $, lines)"], rows, id="scorecard"))


def _deadline_class(row: WorklistRow) -> str | None:
    if row.days_left is None:
        return None
    return "overdue" if row.days_left < 0 else "soon" if row.days_left <= 30 else None


def _worklist_row(row: WorklistRow, show_member_ids: bool):
    cells = [
        num(row.days_left, extra=_deadline_class(row)),
        el("td", day(row.appeal_deadline), data_v=day(row.appeal_deadline) if
           row.appeal_deadline else ""),
        el("td", row.claim_id), num(row.line_number),
    ]
    if show_member_ids:
        cells.append(el("td", row.member_id))
    cells += [
        el("td", day(row.service_date)),
        el("td", el("abbr", row.payer_id or DASH, title=row.payer_name or "")),
        el("td", row.status), money_cell(row.billed), money_cell(row.denied),
        money_cell(row.recoverable),
        el("td", el("abbr", row.recovery, title=row.recovery_reason) if row.recovery
           else DASH),
        codes(row.carcs), codes(row.rarcs), el("td", row.groups), el("td", row.root_causes),
        el("td", row.explained_by), _action(row.action),
    ]
    for cell in cells[-7:]:  # text cells: CSV as shown
        if cell.get("data-csv") is None:
            cell.set("data-csv", cell.xpath("string(.)").strip())
    return el("tr", *cells, class_=row.status, data_payer=row.payer_id or "",
              data_status=row.status, data_causes=" ".join(row.root_causes),
              data_days_left="" if row.days_left is None else str(row.days_left))


def _action(action: str | None, limit: int = 90):
    """The first sentence of what to do (the whole text on hover and in the CSV)."""
    if not action:
        return el("td", DASH, class_="action")
    short = shorten(action.split(". ")[0].split("; ")[0], limit)
    cell = el("td", short, class_="action", title=action)
    cell.set("data-csv", text(action))
    return cell


def _select(name: str, label: str, options: Iterable[tuple[str, str]]):
    return el("label", label, el("select", *[el("option", shown, value=value)
                                             for value, shown in options], id=f"filter-{name}"))


def _more(shown: int, total: int, where: str):
    """The note that says what the page leaves out (nothing read is dropped silently)."""
    if total <= shown:
        return None
    return el("p", f"Showing the first {shown:,} of {total:,} {where}; `edi-j0256 reconcile "
              "--format csv` lists them all.", class_="note more")


def worklist(data: ReportData):
    rows = data.worklist[:WORKLIST_SHOWN]
    payers = sorted({r.payer_id for r in rows if r.payer_id})
    causes = sorted({c for r in rows for c in r.root_causes})
    statuses = sorted({r.status for r in rows})
    headers = [("Days left", "num"), "Deadline", "Claim", ("Line", "num")]
    if data.show_member_ids:
        headers.append("Member ID")
    headers += ["Service", "Payer", "Status", ("Billed", "num"), ("Denied", "num"),
                ("Recoverable", "num"), "Recovery", "CARC", "RARC", "Group", "Root cause",
                "Predicted by", "What to do"]
    total = len(data.worklist)
    return el("section", el("h2", f"Worklist: {total:,} open denied or reduced lines"), el(
        "p", "Sorted by appeal deadline, then recoverable dollars. Click a header to sort; "
        "hover a code for its text.", class_="note"), el(
        "div",
        _select("payer", "Payer", [("", "all"), *[(p, p) for p in payers]]),
        _select("cause", "Root cause", [("", "all"), *[(c, c) for c in causes]]),
        _select("status", "Status", [("", "all"), *[(s, s) for s in statuses]]),
        _select("window", "Appeal deadline", DEADLINE_WINDOWS),
        el("button", "Download visible rows (CSV)", type="button", id="download-csv"),
        el("span", el("b", str(len(rows)), id="worklist-shown"), f" of {len(rows)} shown",
           class_="muted"),
        class_="filters"),
        table(headers, [_worklist_row(r, data.show_member_ids) for r in rows], id="worklist"),
        _more(len(rows), total, "lines (most urgent first)"))


def corrections(data: ReportData):
    body = []
    for line in data.corrections[:SECTION_SHOWN]:
        kind = FREQUENCY_NAMES.get(line.frequency_code or "")
        body.append(el("h3", f"Claim {text(line.claim_id)}{f' ({kind})' if kind else ''} line "
                       f"{text(line.line_number)}: {line.status}, net paid {money(line.paid)}"
                       + ("; no adjudication of its own" if not line.history else "")
                       + ("; left out of the totals: another version of the claim counts"
                          if not line.counted else ""),
                       class_="muted"))
        if not line.history:
            continue
        body.append(table(
            ["Payment date", "CLP02", "CLP07", "Trace", ("Paid", "num"), ("Denied", "num"),
             "CARC", "835 file:line"],
            [el("tr", el("td", day(h.payment_date)),
                el("td", el("abbr", h.claim_status, title=h.claim_status_text or "")),
                el("td", h.payer_claim_control), el("td", h.trace_number), money_cell(h.paid),
                money_cell(h.denied), el("td", h.carcs), el("td", f"{h.file}:{text(h.line)}"))
             for h in line.history], sortable=False, kind="history"))
    if not body:
        body.append(el("p", "No reversal or correction in these remittances.", class_="muted"))
    body.append(_more(SECTION_SHOWN, len(data.corrections), "corrected lines"))
    return el("section", el("h2", f"Reversals and corrections: {lines(len(data.corrections))}"),
              *body, id="corrections")


def plb(data: ReportData):
    section = el("section", el("h2", "Provider-level adjustments (PLB)"), id="plb")
    if data.plb is None:
        section.append(el("p", "— Provider-level adjustments are not carried by this "
                          "reconciliation.", class_="muted"))
        return section
    section.append(table(
        ["Check date", "Trace", "Payer", "Provider", "Reason", "Reference", ("Amount", "num"),
         "835 file:line"],
        [el("tr", el("td", day(p.check_date)), el("td", p.trace_number), el("td", p.payer_id),
            el("td", p.provider_id), el("td", p.reason), el("td", p.reference),
            money_cell(p.amount), el("td", f"{p.file}:{text(p.line)}")) for p in data.plb]))
    return section


def orphans(data: ReportData):
    return el("section", el("h2", f"835 lines that matched no claim: {len(data.orphans)}"), table(
        ["Claim (CLP01)", "Line control", "Code", "Service", "Paid on", "Payer",
         ("Charge", "num"), ("Paid", "num"), ("Denied", "num"), "CARC", "835 file:line"],
        [el("tr", el("td", o.claim_id), el("td", o.line_control), el("td", o.procedure_code),
            el("td", day(o.service_date)), el("td", day(o.payment_date)), el("td", o.payer_id),
            money_cell(o.charge), money_cell(o.paid), money_cell(o.denied), el("td", o.carcs),
            el("td", f"{o.file}:{text(o.line)}")) for o in data.orphans[:SECTION_SHOWN]],
        id="orphans"), _more(SECTION_SHOWN, len(data.orphans), "unmatched 835 lines"))


def _raw(tag: str, content: str) -> etree._Element:
    """A style or script element with our own (trusted, constant) content."""
    element = etree.Element(tag)
    element.text = content
    return element


def render(data: ReportData) -> bytes:
    """The page as UTF-8 HTML bytes."""
    h = data.headline
    covered = (f"As of {day(h.as_of)} · {h.claim_files} claim file(s), {h.remit_files} "
               f"remittance file(s) · services {_span(h.service_from, h.service_to)} · "
               f"payments {_span(h.payment_from, h.payment_to)}")
    if data.filters:
        covered += " · filtered: " + "; ".join(data.filters)
    page = el(
        "html",
        el("head", el("meta", charset="utf-8"),
           el("meta", name="viewport", content="width=device-width, initial-scale=1"),
           el("title", data.title), _raw("style", STYLE)),
        el("body",
           el("header", el("h1", data.title), el("p", covered, id="covered")),
           el("main", headline(data), _charts(data), worklist(data), scorecard(data),
              root_causes(data), corrections(data), plb(data), orphans(data),
              el("p", "Generated by edi-j0256. Member IDs and names are left out"
                 + (" except the member IDs asked for." if data.show_member_ids else "."),
                 class_="note")),
           _raw("script", SCRIPT)),
        lang="en")
    return etree.tostring(page, doctype="<!DOCTYPE html>", method="html", encoding="utf-8")
