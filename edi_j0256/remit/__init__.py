"""835 remittances: reader, CARC/RARC tables, denial root causes and flat records.

>>> from edi_j0256.remit import read_remits, remit_records  # doctest: +SKIP
>>> records = list(remit_records(read_remits("fixtures/835-medicare.x12")))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit.codes import CodeTable, bundled_tables, check_codes
from edi_j0256.remit.model import (
    ClaimPayment,
    ProviderAdjustment,
    RemitAdjustment,
    RemitPayment,
    ServiceLinePayment,
)
from edi_j0256.remit.parser import parse_remits
from edi_j0256.remit.records import remit_records
from edi_j0256.remit.rootcause import DenialMap
from edi_j0256.remit.summary import summarize
from edi_j0256.x12 import read_segments

__all__ = ["ClaimPayment", "CodeTable", "DenialMap", "ProviderAdjustment", "RemitAdjustment",
           "RemitPayment", "ServiceLinePayment", "parse_remits", "read_remits", "remit_records",
           "summarize"]


def read_remits(source: str | Path | BinaryIO, *, name: str | None = None,
                diagnostics: Diagnostics | None = None, carcs: CodeTable | None = None,
                rarcs: CodeTable | None = None) -> Iterator[RemitPayment]:
    """Read an 835 file (path or binary stream): one :class:`RemitPayment` per ST..SE.

    Tolerance problems, balancing and unknown codes are added to ``diagnostics``; only input
    that is not X12 at all raises :class:`~edi_j0256.diagnostics.X12ReadError`.
    """
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    file = name or (str(source) if isinstance(source, (str, Path)) else
                    getattr(source, "name", "<stream>"))
    bundled_carcs, bundled_rarcs = bundled_tables()
    carcs = carcs if carcs is not None else bundled_carcs
    rarcs = rarcs if rarcs is not None else bundled_rarcs
    segments = read_segments(source, name=file, diagnostics=diagnostics)
    for payment in parse_remits(segments, file=file, diagnostics=diagnostics):
        check_codes(payment, carcs, rarcs, diagnostics)
        yield payment
