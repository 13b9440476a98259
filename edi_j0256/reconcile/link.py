"""Linking 835 lines to 837 lines.

Rules, in order:

1. The CLP's CLP01 finds the claim by CLM01. When several 837 claims carry that CLM01 (a
   resubmission, a corrected claim), the latest loaded one whose CLM02 equals CLP03 is taken,
   else the latest loaded one.
2. An SVC with REF*6R links to the claim's line with that REF*6R (link ``line_control``).
3. Without a 6R (or a 6R the claim does not have): the submitted procedure (SVC06, else SVC01)
   must match, then the best of: modifiers + date + charge, modifiers + date, date + charge,
   date, charge, any; first free line in line order (link ``attributes``). A missing 835 date
   or charge matches anything.
4. A claim-level record (CLP without SVC, or a denied CLP with claim CAS) applies to every
   J0256 line of the claim that no SVC of the same CLP linked (link ``claim_level``).

Within one CLP an 837 line links to at most one SVC; across CLPs (a reversal, a correction)
the same line collects every adjudication. An 835 line that links to nothing is an orphan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from edi_j0256.reconcile.model import ClaimLine, RemitLine

LINE_CONTROL, ATTRIBUTES, CLAIM_LEVEL = "line_control", "attributes", "claim_level"


def _same_modifiers(claim_line: ClaimLine, remit: RemitLine) -> bool:
    return sorted(claim_line.modifiers) == sorted(remit.submitted_modifiers)


def _same_date(claim_line: ClaimLine, remit: RemitLine) -> bool:
    return remit.service_date is None or remit.service_date == claim_line.service_date


def _same_charge(claim_line: ClaimLine, remit: RemitLine) -> bool:
    return remit.charge is None or remit.charge == claim_line.billed_amount


TIERS: tuple[tuple[Callable[[ClaimLine, RemitLine], bool], ...], ...] = (
    (_same_modifiers, _same_date, _same_charge),
    (_same_modifiers, _same_date),
    (_same_date, _same_charge),
    (_same_date,),
    (_same_charge,),
    (),
)


@dataclass(slots=True)
class Links:
    """What linking found: adjudications per 837 line (by index) and the orphans."""

    adjudications: dict[int, list[tuple[RemitLine, str]]] = field(
        default_factory=lambda: defaultdict(list))
    orphans: list[RemitLine] = field(default_factory=list)


def _by_attributes(remit: RemitLine, lines: Sequence[tuple[int, ClaimLine]],
                   used: set[int]) -> int | None:
    procedure = (remit.submitted_procedure or "").upper()
    free = [(i, c) for i, c in lines
            if i not in used and (c.procedure_code or "").upper() == procedure]
    for tier in TIERS:
        for index, claim_line in free:
            if all(test(claim_line, remit) for test in tier):
                return index
    return None


def _by_line_control(remit: RemitLine, lines: Sequence[tuple[int, ClaimLine]],
                     used: set[int]) -> int | None:
    control = (remit.line_control or "").strip()
    if not control:
        return None
    return next((i for i, c in lines
                 if i not in used and (c.line_control or "").strip() == control), None)


def _choose_claim(remit: RemitLine, claims: dict[tuple, list[tuple[int, ClaimLine]]]
                  ) -> list[tuple[int, ClaimLine]]:
    if not claims:
        return []
    keys = sorted(claims)
    same_charge = [k for k in keys if claims[k][0][1].claim_charge == remit.claim_charge]
    return claims[(same_charge or keys)[-1]]


def link(claim_lines: Sequence[ClaimLine], remit_lines: Iterable[RemitLine]) -> Links:
    """Link every 835 line to the 837 lines it adjudicates."""
    by_claim_id: dict[str, dict[tuple, list[tuple[int, ClaimLine]]]] = defaultdict(
        lambda: defaultdict(list))
    for index, claim_line in enumerate(claim_lines):
        key = (claim_line.claim_id or "").strip()
        by_claim_id[key][claim_line.claim_key].append((index, claim_line))
    by_clp: dict[tuple, list[RemitLine]] = defaultdict(list)
    for remit in remit_lines:
        by_clp[(remit.file_order, remit.file, remit.claim_segment)].append(remit)

    links = Links()
    for group in by_clp.values():
        claim_id = (group[0].claim_id or "").strip()
        lines = _choose_claim(group[0], by_claim_id.get(claim_id, {})) if claim_id else []
        used: set[int] = set()
        for remit in (r for r in group if r.level == "line"):
            index = _by_line_control(remit, lines, used)
            how = LINE_CONTROL
            if index is None:
                index, how = _by_attributes(remit, lines, used), ATTRIBUTES
            if index is None:
                links.orphans.append(remit)
                continue
            used.add(index)
            links.adjudications[index].append((remit, how))
        for remit in (r for r in group if r.level == "claim"):
            free = [i for i, _ in lines if i not in used]
            if not lines:
                links.orphans.append(remit)
            for index in free:
                links.adjudications[index].append((remit, CLAIM_LEVEL))
    return links
