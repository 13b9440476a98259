"""Which validator findings explain a denial (``explained_by``).

A finding explains a denial adjustment when its rule's predicted CARC (the rule catalogue,
:mod:`edi_j0256.rules.registry`) is the adjustment's CARC and, where the rule names a RARC,
that RARC is on the adjudication; or when ``data/related_root_causes.csv`` says the finding
leads to that denial (an NDC of another product -> CO-16 N657, a dose above the label ->
CO-151 N362). An empty ``group`` or ``rarc`` in the table matches any.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

from edi_j0256.reconcile.model import Adjustment, LineFinding


@lru_cache(maxsize=1)
def related() -> frozenset[tuple[str, str, str, str]]:
    """(finding code, group, CARC, RARC) rows of ``data/related_root_causes.csv``."""
    text = resources.files("edi_j0256").joinpath("data/related_root_causes.csv").read_text(
        encoding="utf-8")
    return frozenset((r["finding"].strip().upper(), r["group"].strip().upper(),
                      r["carc"].strip().upper(), r["rarc"].strip().upper())
                     for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def explains(finding: LineFinding, adjustment: Adjustment, rarcs: Sequence[str]) -> bool:
    carc, group = adjustment.carc.strip().upper(), adjustment.group.strip().upper()
    remarks = {r.strip().upper() for r in rarcs}
    if finding.carc and finding.carc.upper() == carc and (
            not finding.rarc or finding.rarc.upper() in remarks):
        return True
    return any(code == finding.code.upper() and row_carc == carc
               and row_group in ("", group) and (not rarc or rarc in remarks)
               for code, row_group, row_carc, rarc in related())


def explained_by(findings: Iterable[LineFinding], denials: Sequence[Adjustment],
                 rarcs: Sequence[str]) -> list[str]:
    """Codes of the findings that explain one of ``denials``, in finding order, each once."""
    return list(dict.fromkeys(f.code for f in findings
                              if any(explains(f, a, rarcs) for a in denials)))
