"""Claim records built from 837P / 837I transactions.

Dataclasses, named after the X12 elements they come from (extension types when the
compiled core is built: made in C, with no per-object ``__dict__``; plain dataclasses
otherwise). Every record carries the position of the segment it was built from
(``segment``: 1-based segment index in the file, ``line``: 1-based line number) so any
message about it can point at the file.

Money and quantities are :class:`decimal.Decimal` (never float) so totals add up to the cent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from edi_j0256.x12.envelope import Envelope

try:
    import cython
except ImportError:  # no Cython: plain Python, with the stand-in of what is used of it
    from edi_j0256 import _cython_shim as cython

__all__ = ["DIAGNOSIS_QUALIFIERS", "Claim", "Diagnosis", "Envelope", "ServiceLine", "dotted_code"]


@lru_cache(maxsize=4096)  # a file uses a few hundred codes: each is formatted once
def dotted_code(code: str) -> str:
    """An HI code in its printed form: "E8801" -> "E88.01"."""
    code = code.replace(".", "")
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


@cython.annotation_typing(False)  # the annotations document; values are not checked
@cython.cclass
@cython.dataclasses.dataclass
class Diagnosis:
    """One HI composite: qualifier (ABK, ABF, ABJ, APR, BK, BF ...) and ICD code."""

    qualifier: str
    code: str  # as written on the claim, no dot: "E8801"

    @property
    def dotted(self) -> str:
        """The code in its printed form: "E8801" -> "E88.01" (:func:`dotted_code`)."""
        return dotted_code(self.code)


@cython.annotation_typing(False)  # the annotations document; values are not checked
@cython.cclass
@cython.dataclasses.dataclass
class ServiceLine:
    """One 2400 loop: LX, SV1 (837P) or SV2 (837I), DTP*472, REF, and the 2410 NDC."""

    line_number: int | None  # LX01
    procedure_qualifier: str | None  # SV101-1 / SV202-1 (HC, ...)
    procedure_code: str | None  # SV101-2 / SV202-2
    modifiers: tuple[str, ...] = ()  # SV101-3..6 / SV202-3..6
    charge: Decimal | None = None  # SV102 / SV203
    unit_basis: str | None = None  # SV103 (UN, MJ) / SV204 (UN, DA)
    units: Decimal | None = None  # SV104 / SV205
    place_of_service: str | None = None  # SV105 (837P only)
    revenue_code: str | None = None  # SV201 (837I only)
    diagnosis_pointers: tuple[int, ...] = ()  # SV107-1..4 (837P only)
    service_date: date | None = None  # DTP*472 (D8, or start of RD8)
    service_date_end: date | None = None  # DTP*472 end of RD8
    line_control: str | None = None  # REF*6R
    prior_auth: str | None = None  # REF*G1 at line level
    rendering_npi: str | None = None  # 2420A NM1*82 NM109
    ndc: str | None = None  # LIN03 normalised to 11 digits, or None if it cannot be
    ndc_raw: str | None = None  # LIN03 as written
    ndc_qualifier: str | None = None  # LIN02 (N4)
    ndc_quantity: Decimal | None = None  # CTP04
    ndc_unit: str | None = None  # CTP05-1 (F2, GR, ME, ML, UN)
    segment: int = 0  # segment index of SV1 / SV2
    line: int = 0  # line number of SV1 / SV2
    lx_segment: int = 0  # segment index of LX


@cython.annotation_typing(False)  # the annotations document; values are not checked
@cython.cclass
@cython.dataclasses.dataclass
class Claim:
    """One 2300 loop with the hierarchy above it (2000A billing, 2000B subscriber, 2000C patient).

    ``member_id``, ``patient_birth_date`` and names are PHI: they are fields of the record,
    never part of a log line or diagnostic message.
    """

    envelope: Envelope
    claim_id: str | None  # CLM01, patient control number
    claim_charge: Decimal | None = None  # CLM02
    place_of_service: str | None = None  # CLM05-1 on an 837P
    facility_type: str | None = None  # CLM05-1 on an 837I (type of bill = facility + frequency)
    frequency_code: str | None = None  # CLM05-3
    claim_filing_indicator: str | None = None  # SBR09 of the 2000B subscriber
    payer_responsibility: str | None = None  # SBR01 (P, S, T ...)
    payer_id: str | None = None  # 2010BB NM1*PR NM109
    payer_name: str | None = None  # 2010BB NM1*PR NM103
    member_id: str | None = None  # 2010BA NM1*IL NM109 (PHI)
    subscriber_last_name: str | None = None  # 2010BA NM1*IL NM103 (PHI)
    subscriber_first_name: str | None = None  # 2010BA NM1*IL NM104 (PHI)
    patient_last_name: str | None = None  # 2010CA NM1*QC NM103, else the subscriber's (PHI)
    patient_first_name: str | None = None  # 2010CA NM1*QC NM104, else the subscriber's (PHI)
    patient_birth_date: date | None = None  # DMG02 of the patient (PHI)
    patient_weight_lb: Decimal | None = None  # PAT08 when PAT07 = 01
    billing_npi: str | None = None  # 2010AA NM1*85 NM109
    rendering_npi: str | None = None  # 2310B NM1*82 NM109
    prior_auth: str | None = None  # 2300 REF*G1
    original_reference: str | None = None  # 2300 REF*F8, payer claim control no. of the original
    statement_from: date | None = None  # 837I DTP*434 start
    statement_to: date | None = None  # 837I DTP*434 end
    # HI, in order, and the 2400 loops: a new list each when not given (by __post_init__, not
    # a default_factory, which the compiled core pays an import of `dataclasses` per claim for)
    diagnoses: list[Diagnosis] = None  # type: ignore[assignment]
    lines: list[ServiceLine] = None  # type: ignore[assignment]
    segment: int = 0  # segment index of CLM
    line: int = 0  # line number of CLM

    def __post_init__(self) -> None:
        if self.diagnoses is None:
            self.diagnoses = []
        if self.lines is None:
            self.lines = []

    @property
    def transaction_type(self) -> str | None:
        return self.envelope.transaction_type

    def pointed_diagnoses(self, service_line: ServiceLine,
                          claim_codes: list[str] | None = None) -> list[str]:
        """ICD codes (dotted) that a line applies to.

        837P: the SV107 pointers (1-based into the claim's HI diagnosis codes). 837I has no
        pointers: every claim diagnosis applies to every line.
        """
        if claim_codes is None:
            claim_codes = [d.dotted for d in self.diagnoses]
        if self.envelope.transaction_type == "837I":
            return list(claim_codes)
        return [claim_codes[p - 1] for p in service_line.diagnosis_pointers
                if 0 < p <= len(claim_codes)]


# HI qualifiers that carry ICD-10-CM (5010) or ICD-9-CM (4010) diagnosis codes: principal,
# other, admitting, reason for visit, external cause; 4010's BK/BF/BJ and ZZ (reason for visit).
# Other HI qualifiers (condition, occurrence, value codes, procedures, DRG) are not diagnoses.
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN", "BK", "BF", "BJ", "PR",
                                  "ZZ"})
