"""From linked lines to reconciled records, orphan records and dollar totals.

Amounts that fall to one 837 line from one 835 CLP:

- its SVCs (several when the payer split the line): SVC03 paid and the SVC's CAS, plus the
  line's part of the claim-level CAS (split by charge, SVC02 / CLP03);
- a claim-level record: CLP04 and the claim CAS, split by charge (SV102 / CLP03; evenly when
  CLP03 is missing or zero).

``denied`` is the sum of the denial adjustments (:mod:`edi_j0256.remit.denials`: not
contractual, patient responsibility, or OA-23 on a secondary claim). History is ordered by
payment date (BPR16), then file order, then position; the latest adjudication decides the
status. When it is a reversal (CLP02 = 22) the line is ``reversed`` and its paid amount is
the net of its history (normally 0). A void (CLM05-3 = 8) is ``void``: not a new dose.

Of the versions of one corrected claim (:mod:`.versions`) the totals count one: the latest
the payer adjudicated. An earlier version is ``replaced``: its denial is no longer open (no
denied or recoverable dollars, recovery ``none``); its history stays as the payer sent it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from edi_j0256.reconcile.assess import Recovery, assess
from edi_j0256.reconcile.explain import explained_by
from edi_j0256.reconcile.link import CLAIM_LEVEL
from edi_j0256.reconcile.model import (
    CLAIM,
    ORPHAN,
    Adjustment,
    ClaimLine,
    RemitLine,
    carcs,
    cents,
)
from edi_j0256.reconcile.store import ReconcileStore
from edi_j0256.remit.denials import advice_text, is_secondary
from edi_j0256.remit.model import DENIED

ZERO = Decimal(0)
VOID = "8"
MONEY = ("billed", "paid", "denied", "recoverable", "recoverable_likely",
         "recoverable_possible")


class Line(NamedTuple):
    """A reconciled record with whether the totals count it (False: another version of its
    claim is the one counted, :mod:`.versions`)."""

    record: dict
    counted: bool = True


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One 835 CLP's decision on one 837 line (its SVCs added up), with the line's amounts."""

    remits: tuple[RemitLine, ...]
    link: str  # line_control, attributes, claim_level
    paid: Decimal
    units_paid: Decimal | None
    adjustments: tuple[Adjustment, ...]
    denials: tuple[Adjustment, ...]
    denied: Decimal
    root_causes: tuple[str, ...]

    @property
    def remit(self) -> RemitLine:
        return self.remits[0]

    @property
    def rarcs(self) -> list[str]:
        return list(dict.fromkeys(c for r in self.remits for c in r.rarcs + r.claim_rarcs))

    def entry(self) -> dict:
        """The history entry written in the output record."""
        remit = self.remit
        return {
            "file": remit.file, "segment": remit.segment, "line": remit.line,
            "payment_date": remit.payment_date, "trace_number": remit.trace_number,
            "payer_claim_control": remit.payer_claim_control,
            "claim_status": remit.claim_status, "link": self.link, "level": remit.level,
            "service_lines": len(self.remits), "paid_amount": self.paid,
            "denied_amount": self.denied, "units_paid": self.units_paid,
            "carcs": carcs(self.adjustments), "rarcs": self.rarcs,
            "root_causes": list(self.root_causes),
        }


def _share(claim_line: ClaimLine, remit: RemitLine, siblings: int) -> Decimal:
    base = remit.claim_charge if remit.level != CLAIM else remit.charge
    part = remit.charge if remit.level != CLAIM else claim_line.billed_amount
    if base and part is not None:
        return abs(part / base)
    return Decimal(1) / max(siblings, 1) if remit.level == CLAIM else ZERO


def adjudicate(claim_line: ClaimLine, remits: list[RemitLine], how: str,
               siblings: int = 1) -> Adjudication:
    """The amounts and root causes one CLP (one or several SVCs, or its claim level) gives
    one 837 line."""
    adjustments: list[Adjustment] = []
    paid = ZERO
    units: Decimal | None = None
    for remit in remits:
        share = _share(claim_line, remit, siblings)
        if remit.level == CLAIM:
            adjustments += [a.scaled(share) for a in remit.adjustments]
            paid += cents((remit.paid or ZERO) * share)
        else:
            adjustments += list(remit.adjustments)
            adjustments += [a.scaled(share) for a in remit.claim_adjustments]
            paid += remit.paid or ZERO
            if remit.units_paid is not None:
                units = (units or ZERO) + remit.units_paid
    secondary = is_secondary(remits[0].claim_status, claim_line.payer_responsibility)
    denials = tuple(a for a in adjustments
                    if a.counts_as_denial(secondary) and a.amount is not None)
    denied = sum((a.amount for a in denials), ZERO)
    causes = tuple(dict.fromkeys(c for a in denials for c in a.root_causes))
    return Adjudication(tuple(remits), how, paid, units, tuple(adjustments), denials, denied,
                        causes)


def _status(claim_line: ClaimLine, latest: Adjudication | None) -> str:
    if claim_line.frequency_code == VOID:
        return "void"
    if latest is None:
        return "unmatched"
    if latest.remit.is_reversal:
        return "reversed"
    if latest.denied > 0 and (latest.paid <= 0 or latest.remit.claim_status == DENIED):
        return "denied"
    return "partial" if latest.denied > 0 else "paid"


REPLACED = "replaced"
NO_RECOVERY = {"void": "void: not a new dose", "unmatched": "no adjudication yet",
               "reversed": "reversed: act on the adjudication that replaces it",
               REPLACED: "replaced by a later version of the claim: follow that one"}


def reconciled_record(claim_line: ClaimLine, history: list[Adjudication], as_of: date,
                      replaced: bool = False, counted: bool = True) -> dict:
    """The reconciled record of one 837 J0256 line (fields: ``schemas/reconcile.schema.json``);
    ``replaced``: a later version of its claim is the one counted; ``counted`` (written out,
    so a sum over the CSV can leave the other versions out): the totals count this one."""
    history = sorted(history, key=lambda a: a.remit.order_key())
    latest = history[-1] if history else None
    status = _status(claim_line, latest)
    remit = latest.remit if latest else None
    open_ = status in ("paid", "partial", "denied") and not replaced
    causes = latest.root_causes if open_ and latest else ()
    adjustments = latest.adjustments if latest else ()
    denials = list(latest.denials) if open_ and latest else []
    rarcs = latest.rarcs if latest else []
    recovery = assess(claim_line, denials, tuple(rarcs), remit.payment_date if remit else None,
                      as_of)
    if not open_:
        reason = NO_RECOVERY[REPLACED if replaced and status != "void" else status]
        recovery = Recovery("none", reason, None, None, ZERO, ZERO)
    explanation, action = advice_text(causes)
    return {
        "claim_id": claim_line.claim_id, "line_number": claim_line.line_number,
        "line_control": claim_line.line_control, "member_id": claim_line.member_id,
        "billing_npi": claim_line.billing_npi, "frequency_code": claim_line.frequency_code,
        "original_reference": claim_line.original_reference, "counted": counted,
        "payer_id": claim_line.payer_id, "payer_name": claim_line.payer_name,
        "service_date": claim_line.service_date, "procedure_code": claim_line.procedure_code,
        "modifiers": list(claim_line.modifiers), "billed_units": claim_line.billed_units,
        "billed_amount": claim_line.billed_amount,
        "paid_units": latest.units_paid if latest else None,
        "paid_amount": (sum((a.paid for a in history), ZERO) if status == "reversed"
                        else latest.paid if latest else ZERO),
        "denied_amount": latest.denied if open_ and latest else ZERO,
        "recoverable_amount": recovery.likely + recovery.possible,
        "recoverable_likely": recovery.likely, "recoverable_possible": recovery.possible,
        "recovery": recovery.recovery, "recovery_reason": recovery.reason,
        "appeal_deadline": recovery.appeal_deadline, "days_left": recovery.days_left,
        "status": status, "root_causes": list(causes),
        "findings": list(dict.fromkeys(f.code for f in claim_line.findings)),
        "explained_by": explained_by(claim_line.findings, denials, rarcs),
        "explanation": explanation, "action": action,
        "link": latest.link if latest else None,
        "payer_claim_control": remit.payer_claim_control if remit else None,
        "trace_number": remit.trace_number if remit else None,
        "payment_date": remit.payment_date if remit else None,
        "claim_status": remit.claim_status if remit else None,
        "carcs": carcs(adjustments), "rarcs": rarcs,
        "group_codes": list(dict.fromkeys(a.group for a in adjustments)),
        "adjustments": [{"group": a.group, "carc": a.carc, "amount": a.amount,
                         "quantity": a.quantity, "level": a.level,
                         "root_causes": list(a.root_causes), "denial": a in denials}
                        for a in adjustments],
        "history": [a.entry() for a in history],
        "file": claim_line.file, "segment": claim_line.segment, "line": claim_line.line,
        "remit_file": remit.file if remit else None,
    }


def orphan_record(remit: RemitLine) -> dict:
    """An 835 line that matched no 837 line (its claim-level CAS counted in full)."""
    adjustments = remit.adjustments + remit.claim_adjustments
    secondary = is_secondary(remit.claim_status)
    denials = [a for a in adjustments if a.counts_as_denial(secondary) and a.amount is not None]
    return {
        "status": ORPHAN, "level": remit.level, "claim_id": remit.claim_id,
        "claim_status": remit.claim_status, "payer_claim_control": remit.payer_claim_control,
        "payer_id": remit.payer_id, "payer_name": remit.payer_name,
        "trace_number": remit.trace_number, "payment_date": remit.payment_date,
        "line_control": remit.line_control, "procedure_code": remit.procedure_code,
        "modifiers": list(remit.modifiers), "service_date": remit.service_date,
        "charge": remit.charge, "paid_amount": remit.paid or ZERO,
        "units_paid": remit.units_paid,
        "denied_amount": sum((a.amount for a in denials), ZERO),
        "root_causes": list(dict.fromkeys(c for a in denials for c in a.root_causes)),
        "carcs": carcs(adjustments),
        "rarcs": list(dict.fromkeys(remit.rarcs + remit.claim_rarcs)),
        "file": remit.file, "segment": remit.segment, "line": remit.line,
    }


def _siblings(store: ReconcileStore, claim_line: ClaimLine) -> int:
    return store.db.execute("SELECT count(*) FROM claim_lines WHERE file_id = ? AND "
                            "claim_segment = ?", claim_line.claim_key).fetchone()[0]


def _uncounted(store: ReconcileStore, first: int, last: int) -> dict[int, bool]:
    """{claim line id: replaced} of the lines in ``first..last`` the totals leave out."""
    return dict(store.db.execute(
        "SELECT c.id, u.replaced FROM claim_lines c JOIN temp.uncounted u ON u.file_id = "
        "c.file_id AND u.claim_segment = c.claim_segment WHERE c.id BETWEEN ? AND ?",
        (first, last)).fetchall())


def records(store: ReconcileStore, as_of: date) -> Iterator[dict]:
    """Reconciled records of every stored 837 line, in load order (after linking)."""
    for line in lines(store, as_of):
        yield line.record


def lines(store: ReconcileStore, as_of: date) -> Iterator[Line]:
    """Every stored 837 line's record with whether the totals count it, in load order (after
    linking): a few queries per batch of lines, whatever the number of lines."""
    for batch in store.claim_line_batches():
        uncounted = _uncounted(store, batch[0][0], batch[-1][0])
        links: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for line_id, remit_id, how in store.db.execute(
                "SELECT claim_line_id, remit_line_id, how FROM line_links WHERE claim_line_id "
                "BETWEEN ? AND ? ORDER BY claim_line_id, remit_line_id",
                (batch[0][0], batch[-1][0])):
            links[line_id].append((remit_id, how))
        remits = store.remit_lines_by_id(r for pairs in links.values() for r, _ in pairs)
        for line_id, claim_line in batch:
            by_clp: dict[tuple, tuple[list[RemitLine], str]] = {}
            for remit_id, how in links.get(line_id, ()):
                remit = remits[remit_id]
                by_clp.setdefault(remit.clp_key, ([], how))[0].append(remit)
            siblings = _siblings(store, claim_line) if any(
                how == CLAIM_LEVEL for _, how in by_clp.values()) else 1
            history = [adjudicate(claim_line, group, how, siblings)
                       for group, how in by_clp.values()]
            counted = line_id not in uncounted
            yield Line(reconciled_record(claim_line, history, as_of,
                                         bool(uncounted.get(line_id)), counted), counted)


def orphans(store: ReconcileStore) -> Iterator[dict]:
    """Orphan records in 835 load order (after :func:`link`)."""
    for _, remit in store.remit_line_rows("WHERE id IN (SELECT remit_line_id FROM "
                                          "temp.orphans)"):
        yield orphan_record(remit)


# -- totals ----------------------------------------------------------------------------------

def _bucket() -> dict:
    return {"lines": 0, **{m: ZERO for m in MONEY}}


@lru_cache(maxsize=1)
def _not_causes() -> frozenset[str]:
    from edi_j0256.root_causes import NOT_DENIALS

    return NOT_DENIALS


class Totals:
    """Running dollar totals: feed records with :meth:`add`, read :meth:`result`. A record
    added with ``counted`` False (another version of its claim is counted) adds nothing."""

    def __init__(self) -> None:
        self.overall = _bucket()
        self.by_cause: dict[str, dict] = defaultdict(_bucket)
        self.by_payer: dict[str, dict] = defaultdict(_bucket)

    def add(self, record: dict, counted: bool = True) -> dict:
        if not counted:
            return record
        counted = record["status"] != "void"  # a void is not a new dose
        billed = (record["billed_amount"] or ZERO) if counted else ZERO
        paid = record["paid_amount"] or ZERO
        first = (record["root_causes"][0] if record["root_causes"]
                 else record["status"] if record["status"] in ("unmatched", "void")
                 else "none")
        payer = self.by_payer[record["payer_id"] or "(unknown)"]
        for bucket in (self.overall, self.by_cause[first], payer):
            bucket["lines"] += 1
            bucket["billed"] += billed
            bucket["paid"] += paid
        for bucket in (self.overall, payer):
            for key in ("denied", "recoverable", "recoverable_likely", "recoverable_possible"):
                bucket[key] += record[f"{key}_amount" if key in ("denied", "recoverable")
                                      else key]
        self._by_cause(record)
        return record

    def _by_cause(self, record: dict) -> None:
        """Denied dollars to each denial's first root cause; recoverable as the line's."""
        denials = [a for a in record["adjustments"] if a["denial"]]
        for a in denials:
            cause = next((c for c in a["root_causes"] if c not in _not_causes()),
                         a["root_causes"][0] if a["root_causes"] else "other")
            self.by_cause[cause]["denied"] += a["amount"]
        if denials:
            first = next((c for c in denials[0]["root_causes"] if c not in _not_causes()),
                         record["root_causes"][0] if record["root_causes"] else "other")
            bucket = self.by_cause[first]
            bucket["recoverable"] += record["recoverable_amount"]
            bucket["recoverable_likely"] += record["recoverable_likely"]
            bucket["recoverable_possible"] += record["recoverable_possible"]

    def result(self) -> dict:
        return {"total": self.overall, "by_root_cause": dict(sorted(self.by_cause.items())),
                "by_payer": dict(sorted(self.by_payer.items()))}


def totals(records: Iterable[dict], counted: Iterable[bool] | None = None) -> dict:
    """Billed, paid, denied, recoverable (likely, possible) dollars overall, by root cause and
    by payer; every column of each view adds up to the total. ``counted`` (one per record,
    default all) leaves out the versions of a corrected claim that are not counted: each claim
    counts once, as the latest version its payer adjudicated.

    By root cause: a line's billed and paid dollars go to its first root cause (``none`` when
    nothing was denied, ``unmatched`` / ``void``); denied dollars to the first denial root cause
    of each adjustment; recoverable dollars to the first root cause of the line's first denial.
    """
    running = Totals()
    if counted is None:
        for record in records:
            running.add(record)
    else:
        for record, counts in zip(records, counted, strict=True):
            running.add(record, counts)
    return running.result()
