"""835 remittances: streaming reader, CARC/RARC tables, denial root causes and flat records.

>>> from edi_j0256.remit import iter_remit, remit_records  # doctest: +SKIP
>>> stream = iter_remit("fixtures/835-medicare.x12", hcpcs="J0256")  # doctest: +SKIP
>>> records = list(remit_records(stream))  # doctest: +SKIP

:func:`iter_remit` is the real path: typed records as they are read, memory bounded whatever
the size of a transaction. :func:`read_remits` gathers them into one :class:`RemitPayment` per
transaction, for callers that want whole transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from edi_j0256.codes import ALL_CODES
from edi_j0256.diagnostics import Diagnostics
from edi_j0256.remit.codes import CodeTable, bundled_tables
from edi_j0256.remit.model import (
    ClaimPayment,
    PaymentHeader,
    ProviderAdjustment,
    RemitAdjustment,
    RemitPayment,
    ServiceLinePayment,
)
from edi_j0256.remit.parser import RemitItem, RemitReader, RemitStats
from edi_j0256.remit.records import plb_records, remit_records
from edi_j0256.remit.rootcause import DenialMap
from edi_j0256.remit.summary import summarize

__all__ = ["ClaimPayment", "CodeTable", "DenialMap", "PaymentHeader", "ProviderAdjustment",
           "RemitAdjustment", "RemitItem", "RemitPayment", "RemitReader", "RemitStats",
           "ServiceLinePayment", "iter_remit", "plb_records", "read_remits", "remit_records",
           "summarize"]


def _file_name(source: str | Path | BinaryIO, name: str | None) -> str:
    return name or (str(source) if isinstance(source, (str, Path)) else
                    getattr(source, "name", "<stream>"))


def remit_reader(source: str | Path | BinaryIO, *, name: str | None = None,
                 diagnostics: Diagnostics | None = None,
                 hcpcs: str | Iterable[str] | None = ALL_CODES,
                 carcs: CodeTable | None = None, rarcs: CodeTable | None = None) -> RemitReader:
    """A :class:`RemitReader` that also checks CARC/RARC codes (bundled tables by default)."""
    bundled_carcs, bundled_rarcs = bundled_tables()
    return RemitReader(source, name=_file_name(source, name), diagnostics=diagnostics,
                       hcpcs=hcpcs, carcs=carcs if carcs is not None else bundled_carcs,
                       rarcs=rarcs if rarcs is not None else bundled_rarcs)


def iter_remit(source: str | Path | BinaryIO, *, name: str | None = None,
               diagnostics: Diagnostics | None = None,
               hcpcs: str | Iterable[str] | None = ALL_CODES,
               carcs: CodeTable | None = None, rarcs: CodeTable | None = None
               ) -> Iterator[RemitItem]:
    """The records of one 835 file as they are read: per transaction a
    :class:`PaymentHeader`, then its :class:`ClaimPayment` and :class:`ProviderAdjustment`
    records. With ``hcpcs`` (not ``ALL``), claims that cannot concern the codes are counted
    and skipped at byte level (see :class:`RemitReader`).

    Tolerance problems, balancing and unknown codes are added to ``diagnostics``; only input
    that is not X12 at all raises :class:`~edi_j0256.diagnostics.X12ReadError`.
    """
    return remit_reader(source, name=name, diagnostics=diagnostics, hcpcs=hcpcs, carcs=carcs,
                        rarcs=rarcs).items()


def read_remits(source: str | Path | BinaryIO, *, name: str | None = None,
                diagnostics: Diagnostics | None = None, carcs: CodeTable | None = None,
                rarcs: CodeTable | None = None,
                hcpcs: str | Iterable[str] | None = ALL_CODES) -> Iterator[RemitPayment]:
    """Read an 835 file (path or binary stream): one :class:`RemitPayment` per ST..SE.

    Holds one transaction at a time; prefer :func:`iter_remit` for large files.
    """
    payment: RemitPayment | None = None
    for item in iter_remit(source, name=name, diagnostics=diagnostics, hcpcs=hcpcs,
                           carcs=carcs, rarcs=rarcs):
        if isinstance(item, PaymentHeader):
            if payment is not None:
                yield payment
            payment = RemitPayment(item)
        elif isinstance(item, ClaimPayment):
            payment.claims.append(item)  # type: ignore[union-attr]
        else:
            payment.provider_adjustments.append(item)  # type: ignore[union-attr]
    if payment is not None:
        yield payment
