"""Reference data for the rules: the NDC-HCPCS crosswalk and ICD-10-CM validity.

The bundled ``data/ndc_crosswalk.csv`` lists the J0256 and J0257 packages with their mg per
package. ``--ndc-crosswalk FILE`` replaces it with CMS's quarterly "ASP NDC-HCPCS crosswalk"
CSV read as published, by column name in every published layout: preamble lines (8 in the
2026 files), then a header row with ``_YYYY_CODE``, the NDC (``NDC2`` in the 2023-2025
files, ``NDC`` since 2026, when ``LABELER NAME`` was added), ``Drug Name``, ``HCPCS
Dosage``, ``PKG SIZE``, ``PKG QTY``, ``BILLUNITS``, ``BILLUNITSPKG``; latin-1 text. Rows
whose NDC cell is not an NDC are skipped and counted (``Crosswalk.skipped``).
ICD-10-CM comes from the ``simple_icd_10_cm`` package (the CMS tabular data): the code list
it ships is read when a diagnosis is first checked (the package's own API, which loads the
whole XML tree, is only the fallback).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import warnings
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

from edi_j0256.claims.ndc import normalize_ndc

BUNDLED_CROSSWALK = "ndc_crosswalk.csv"
ICD10CM_TABLE = "ICD-10-CM tabular list, April 1 2026 update (simple_icd_10_cm 1.5)"
ICD10CM_EFFECTIVE_FROM = "2025-10-01"  # FY2026 code set


class CrosswalkError(ValueError):
    """A crosswalk file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class NdcProduct:
    ndc: str  # 11 digits
    hcpcs: str
    product: str
    mg_per_package: Decimal | None = None
    ml_per_package: Decimal | None = None

    @property
    def mg_per_ml(self) -> Decimal | None:
        if self.mg_per_package and self.ml_per_package:
            return self.mg_per_package / self.ml_per_package
        return None


@dataclass(slots=True)
class Crosswalk:
    products: dict[str, NdcProduct]
    source: str
    skipped: int = 0  # rows of a CMS file whose NDC cell is not an NDC

    def get(self, ndc: str | None) -> NdcProduct | None:
        return self.products.get(ndc) if ndc else None


def load_crosswalk(path: str | Path | None = None) -> Crosswalk:
    """The bundled crosswalk, or the CMS ASP NDC-HCPCS crosswalk CSV at ``path``."""
    if path is None:
        text = resources.files("edi_j0256").joinpath("data", BUNDLED_CROSSWALK).read_text("utf-8")
        return Crosswalk(_bundled(text), f"bundled {BUNDLED_CROSSWALK}")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CrosswalkError(f"{path}: cannot read NDC crosswalk: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # CMS publishes the file in ISO-8859-1
    skipped: list[str] = []
    products = read_cms_crosswalk(text, str(path), skipped)
    return Crosswalk(products, str(path), len(skipped))


def _bundled(text: str) -> dict[str, NdcProduct]:
    products = {}
    for row in csv.DictReader(io.StringIO(text)):
        products[row["ndc"]] = NdcProduct(row["ndc"], row["hcpcs"], row["product"],
                                          _number(row["mg_per_package"]),
                                          _number(row["ml_per_package"]))
    return products


_CODE_COLUMN = re.compile(r"^_\d{4}_CODE$")
NDC_COLUMNS = ("NDC2", "NDC")  # 2023-2025 files: NDC2; since 2026: NDC (with LABELER NAME)
_REQUIRED = ("DRUG NAME", "HCPCS DOSAGE", "BILLUNITSPKG")
_DOSAGE = re.compile(r"^\s*([\d.]+)\s*(MG|G|GM|MCG)\b", re.IGNORECASE)
_MG = {"MG": Decimal(1), "G": Decimal(1000), "GM": Decimal(1000), "MCG": Decimal("0.001")}
DRUG_CODES = ("J0256",)  # an NDC listed under two codes keeps its J0256 row


def _is_header(cells: list[str]) -> bool:
    return any(_CODE_COLUMN.match(c) for c in cells) and any(c in NDC_COLUMNS for c in cells)


def read_cms_crosswalk(text: str, name: str,
                       skipped: list[str] | None = None) -> dict[str, NdcProduct]:
    """Rows of a CMS ASP NDC-HCPCS crosswalk: skip the preamble, find the header, read on.

    Columns are found by name (any layout since 2023). mg per package = ``BILLUNITSPKG`` x
    the mg of one billing unit (``HCPCS Dosage``, e.g. ``10 MG``). Rows whose NDC is not an
    NDC are skipped; their NDC cells are appended to ``skipped`` when it is given.
    """
    rows = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    try:
        for row in rows:
            cells = [" ".join(c.split()).upper() for c in row]
            if _is_header(cells):
                header = cells
                break
    except csv.Error as exc:
        raise CrosswalkError(f"{name}: not a CSV file: {exc}") from None
    if header is None:
        raise CrosswalkError(f"{name}: no header row with a _YYYY_CODE column and an NDC "
                             "(NDC2 or NDC) column: not a CMS ASP NDC-HCPCS crosswalk")
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise CrosswalkError(f"{name}: header row lacks column(s) {', '.join(missing)}")
    code_at = next(i for i, c in enumerate(header) if _CODE_COLUMN.match(c))
    ndc_at = header.index(next(c for c in NDC_COLUMNS if c in header))
    at = {c: header.index(c) for c in _REQUIRED}
    last = max(code_at, ndc_at, *at.values())
    products: dict[str, NdcProduct] = {}
    try:
        for row in rows:
            if len(row) <= last or not row[ndc_at].strip():
                continue
            ndc = normalize_ndc(row[ndc_at].strip())
            hcpcs = row[code_at].strip().upper()
            if ndc is None:
                if skipped is not None:
                    skipped.append(row[ndc_at].strip())
                continue
            if not hcpcs or (ndc in products and products[ndc].hcpcs in DRUG_CODES):
                continue
            dosage = _DOSAGE.match(row[at["HCPCS DOSAGE"]])
            units_per_package = _number(row[at["BILLUNITSPKG"]])
            mg = None
            if dosage and units_per_package is not None:
                mg = units_per_package * _number(dosage.group(1)) * _MG[dosage.group(2).upper()]
            products[ndc] = NdcProduct(ndc, hcpcs, row[at["DRUG NAME"]].strip(), mg, None)
    except csv.Error as exc:
        raise CrosswalkError(f"{name}: CSV error after the header: {exc}") from None
    if not products:
        raise CrosswalkError(f"{name}: no NDC rows under the header")
    return products


def _number(text: str | None) -> Decimal | None:
    try:
        return Decimal(text.strip().replace(",", "")) if text and text.strip() else None
    except InvalidOperation:
        return None


@lru_cache(maxsize=1)
def _icd10cm_codes() -> list[str] | None:
    """Every code of the list ``simple_icd_10_cm`` ships, sorted, without dots.

    The list holds chapters, blocks and every code of the tabular list. A code is billable
    when it is a leaf: no other code extends it (E88 -> E880 -> E8801), which in sorted order
    means the code after it does not start with it. Splitting and sorting the list takes
    about 10 ms; sets of every code and of the leaves took 90 ms (a third of a small file's
    ``check``), and loading the package's XML tree takes over a second and about 190 MB.
    None when the package no longer ships the list.
    """
    spec = importlib.util.find_spec("simple_icd_10_cm")  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    lists = sorted(folder.glob("code-list-*.txt"))
    try:
        text = lists[-1].read_text(encoding="utf-8") if lists else ""
    except OSError:
        return None
    # one code per line; chapters are numbers and blocks are ranges (A00-A09)
    codes = sorted({c for c in text.upper().split() if "-" not in c and not c.isdigit()})
    return codes or None


@lru_cache(maxsize=1)
def _icd10cm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return simple_icd_10_cm


@lru_cache(maxsize=4096)
def icd10cm_status(code: str) -> str:
    """``"billable"``, ``"header"`` (valid but has children) or ``"invalid"``."""
    code = code.strip().upper()
    codes = _icd10cm_codes()
    if codes is not None:
        bare = code.replace(".", "")
        at = bisect_left(codes, bare)
        if not bare or at == len(codes) or codes[at] != bare:
            return "invalid"
        extended = at + 1 < len(codes) and codes[at + 1].startswith(bare)
        return "header" if extended else "billable"
    icd = _icd10cm()
    if not code or not icd.is_valid_item(code):
        return "invalid"
    if icd.is_chapter_or_block(code) or not icd.is_leaf(code):
        return "header"
    return "billable"
