"""The denial analyst's report: one self-contained HTML page of a reconciliation.

Stages, one module each: :mod:`.adapter` turns what ``reconcile`` gives (records, orphans,
totals, the store's files) into the typed :mod:`.data` records; :mod:`.charts` draws the charts
(matplotlib SVG); :mod:`.page` writes the page. :func:`write_report` writes it atomically.

>>> from edi_j0256.reconcile import reconcile  # doctest: +SKIP
>>> result = reconcile(["claims.x12"], ["remit.835"])  # doctest: +SKIP
>>> write_report("denials.html", *result)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from edi_j0256.output import atomic_path
from edi_j0256.report.adapter import ReportFilter, report_data
from edi_j0256.report.data import ReportData
from edi_j0256.report.page import render

__all__ = ["ReportData", "ReportFilter", "render_report", "report_data", "write_atomically",
           "write_report"]


def render_report(records: Sequence[Mapping], orphans: Sequence[Mapping], totals: Mapping,
                  plb: Iterable[Mapping] | None = None, counted: Sequence[bool] | None = None,
                  *, actions: Mapping[str, str] | None = None, as_of: date | None = None,
                  files: Sequence[tuple[str, str]] | None = None,
                  report_filter: ReportFilter | None = None,
                  show_member_ids: bool = False) -> bytes:
    """The report as HTML bytes: the arguments are a
    :class:`~edi_j0256.reconcile.Reconciliation` (``render_report(*result)``); ``totals`` is
    :func:`edi_j0256.reconcile.engine.totals`."""
    return render(report_data(records, orphans, totals, plb, counted, as_of=as_of,
                              actions=actions, files=files, report_filter=report_filter,
                              show_member_ids=show_member_ids))


def write_atomically(path: str | Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through :func:`edi_j0256.output.atomic_path`: a reader
    never sees half a page, and a FIFO or device is written in place. Raises
    :class:`~edi_j0256.output.OutputError` (``cannot write PATH: reason``)."""
    with atomic_path(str(path)) as temporary:
        with open(temporary, "wb") as stream:
            stream.write(content)


def write_report(path: str | Path, records: Sequence[Mapping], orphans: Sequence[Mapping],
                 totals: Mapping, plb: Iterable[Mapping] | None = None,
                 counted: Sequence[bool] | None = None, **options) -> None:
    """Write the report to ``path`` atomically (options: those of :func:`render_report`)."""
    write_atomically(path, render_report(records, orphans, totals, plb, counted, **options))
