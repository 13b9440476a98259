"""Linking 835 claim payments and lines to 837 claims and lines, as indexed store queries.

CLPs are taken in history order (payment date, then load order, then position). For each:

1. Candidates: the stored 837 claims whose CLM01 is CLP01 (index on ``claim_id``).
2. Identity: a claim whose billing provider NPI (2010AA) differs from the 835 payee NPI
   (N1*PE, N103 XX), or whose patient differs (2010CA/2010BA name against NM1*QC, unless the
   member ID agrees), is not this payment's claim: two practices with one CLM01 each keep
   their own payments.
3. A reversal (CLP02 22) goes to the claim whose earlier payment it undoes: the claim the
   latest earlier non-reversal CLP with the same CLP07 and payee went to.
4. Otherwise the best candidate by, in order: CLP09 frequency equal to CLM05-3; not a
   replacement whose REF*F8 names this CLP07 (that payment is its original's); charge
   (CLP03 = CLM02); service date; not yet adjudicated; the latest loaded.
5. Lines: an SVC with REF*6R goes to the line with that 6R; without one, the submitted
   procedure (SVC06, else SVC01) must match, then the best of modifiers + date + units +
   charge, modifiers + date + units, modifiers + date, date + units, date + charge, date,
   units, charge, any (units: SVC07, else SVC05, against SV104), over the lines no SVC of
   this CLP took.
   Several SVCs for one submitted line (a split: same 6R, or no free line left) all go to
   it and add up. A claim-level record goes to every J0256 line no SVC of its CLP took.

What links to nothing is an orphan. Links live in TEMP tables of the store connection;
:mod:`.versions` then chains corrected claims (which version the totals count).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby

from edi_j0256.reconcile.model import CLAIM, LINE, ClaimLine, RemitLine
from edi_j0256.reconcile.store import ReconcileStore
from edi_j0256.reconcile.versions import count_versions

LINE_CONTROL, ATTRIBUTES, CLAIM_LEVEL = "line_control", "attributes", "claim_level"

TEMP_SCHEMA = """
DROP TABLE IF EXISTS temp.clp_links;
DROP TABLE IF EXISTS temp.line_links;
DROP TABLE IF EXISTS temp.orphans;
CREATE TEMP TABLE clp_links (file_id INTEGER, claim_segment INTEGER, control TEXT, payee TEXT,
    status TEXT, claim_file_id INTEGER, claim_claim_segment INTEGER, ordinal INTEGER);
CREATE INDEX temp.clp_links_control ON clp_links (control);
CREATE INDEX temp.clp_links_claim ON clp_links (claim_file_id, claim_claim_segment);
CREATE TEMP TABLE line_links (claim_line_id INTEGER, remit_line_id INTEGER, how TEXT);
CREATE INDEX temp.line_links_claim_line ON line_links (claim_line_id);
CREATE TEMP TABLE orphans (remit_line_id INTEGER PRIMARY KEY);
"""

Lines = list[tuple[int, ClaimLine]]


def _fold(text: str | None) -> str:
    return (text or "").strip().casefold()


def same_party(claim: ClaimLine, remit: RemitLine) -> bool:
    """False when billing provider or patient says the payment is another claim's."""
    npi, payee = (claim.billing_npi or "").strip(), (remit.payee_npi or "").strip()
    if npi and payee and npi != payee:
        return False
    ids = {_fold(remit.patient_id), _fold(remit.insured_id)} - {""}
    if _fold(claim.member_id) in ids:
        return True
    ours, theirs = _fold(claim.patient_last_name), _fold(remit.patient_last_name)
    return not (ours and theirs and ours != theirs)


def _same_modifiers(claim_line: ClaimLine, remit: RemitLine) -> bool:
    return sorted(claim_line.modifiers) == sorted(remit.submitted_modifiers)


def _same_date(claim_line: ClaimLine, remit: RemitLine) -> bool:
    return remit.service_date is None or remit.service_date == claim_line.service_date


def _same_charge(claim_line: ClaimLine, remit: RemitLine) -> bool:
    return remit.charge is None or abs(remit.charge) == claim_line.billed_amount


def _same_units(claim_line: ClaimLine, remit: RemitLine) -> bool:
    """SVC07 (submitted units, when the payer changed them), else SVC05, against SV104."""
    units = remit.original_units if remit.original_units is not None else remit.units_paid
    return units is None or abs(units) == claim_line.billed_units


TIERS: tuple[tuple[Callable[[ClaimLine, RemitLine], bool], ...], ...] = (
    (_same_modifiers, _same_date, _same_units, _same_charge),
    (_same_modifiers, _same_date, _same_units),
    (_same_modifiers, _same_date),
    (_same_date, _same_units),
    (_same_date, _same_charge),
    (_same_date,),
    (_same_units,),
    (_same_charge,),
    (),
)


def _by_attributes(remit: RemitLine, lines: Lines) -> int | None:
    procedure = (remit.submitted_procedure or "").upper()
    same = [(i, c) for i, c in lines if (c.procedure_code or "").upper() == procedure]
    for tier in TIERS:
        for line_id, claim_line in same:
            if all(test(claim_line, remit) for test in tier):
                return line_id
    return None


class Linker:
    """Links everything the store holds; :meth:`run` fills the TEMP link tables."""

    def __init__(self, store: ReconcileStore):
        self.store = store
        self.db = store.db
        self.ordinal = 0

    def run(self) -> None:
        for statement in TEMP_SCHEMA.split(";"):  # not executescript: it would commit
            if statement.strip():
                self.db.execute(statement)
        ordered = self.store.remit_line_rows(
            "ORDER BY payment_date IS NOT NULL, payment_date, file_id, claim_segment, id")
        for _, group in groupby(ordered, key=lambda row: row[1].clp_key):
            self._link_clp(list(group))

    # -- one CLP -----------------------------------------------------------------------------
    def _candidates(self, claim_id: str | None) -> dict[tuple[int, int], Lines]:
        claims: dict[tuple[int, int], Lines] = {}
        if not claim_id:
            return claims
        for line_id, claim_line in self.store.claim_line_rows("WHERE claim_id = ?",
                                                              (claim_id,), findings=False):
            claims.setdefault(claim_line.claim_key, []).append((line_id, claim_line))
        return claims

    def _answered(self, key: tuple[int, int]) -> bool:
        return self.db.execute(
            "SELECT 1 FROM clp_links WHERE claim_file_id = ? AND claim_claim_segment = ? "
            "AND status IS NOT '22' LIMIT 1", key).fetchone() is not None

    def _undone(self, remit: RemitLine) -> tuple[int, int] | None:
        if not remit.payer_claim_control:
            return None
        row = self.db.execute(
            "SELECT claim_file_id, claim_claim_segment FROM clp_links WHERE control = ? "
            "AND payee IS ? AND status IS NOT '22' ORDER BY ordinal DESC LIMIT 1",
            (remit.payer_claim_control, remit.payee_npi)).fetchone()
        return tuple(row) if row else None

    def choose(self, remit: RemitLine, claims: dict[tuple[int, int], Lines]
               ) -> tuple[int, int] | None:
        keys = [k for k, lines in claims.items() if same_party(lines[0][1], remit)]
        if not keys:
            return None
        if remit.is_reversal:
            undone = self._undone(remit)
            if undone in keys:
                return undone

        def score(key: tuple[int, int]) -> tuple:
            lines = claims[key]
            claim = lines[0][1]
            frequency = remit.claim_frequency
            charge = abs(remit.claim_charge) if remit.claim_charge is not None else None
            dates = {c.service_date for _, c in lines}
            answered = self._answered(key)
            return (
                not frequency or (claim.frequency_code or "1") == frequency,
                not (claim.original_reference
                     and claim.original_reference == remit.payer_claim_control),
                charge is None or charge == claim.claim_charge,
                remit.claim_date is None or remit.claim_date in dates,
                answered if remit.is_reversal else not answered,
                key)

        return max(keys, key=score)

    def _link_clp(self, group: Sequence[tuple[int, RemitLine]]) -> None:
        first = group[0][1]
        claims = self._candidates(first.claim_id)
        key = self.choose(first, claims)
        if key is None:
            self.db.executemany("INSERT INTO orphans VALUES (?)", [(i,) for i, _ in group])
            return
        self.ordinal += 1
        self.db.execute("INSERT INTO clp_links VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (first.file_order, first.claim_segment, first.payer_claim_control,
                         first.payee_npi, first.claim_status, *key, self.ordinal))
        lines = claims[key]
        used: set[int] = set()
        links: list[tuple[int, int, str]] = []
        for remit_id, remit in (g for g in group if g[1].level == LINE):
            line_id, how = self._line_for(remit, lines, used)
            if line_id is None:
                self.db.execute("INSERT INTO orphans VALUES (?)", (remit_id,))
                continue
            used.add(line_id)
            links.append((line_id, remit_id, how))
        for remit_id, _ in (g for g in group if g[1].level == CLAIM):
            links.extend((line_id, remit_id, CLAIM_LEVEL) for line_id, _ in lines
                         if line_id not in used)
        self.db.executemany("INSERT INTO line_links VALUES (?, ?, ?)", links)

    @staticmethod
    def _line_for(remit: RemitLine, lines: Lines, used: set[int]) -> tuple[int | None, str]:
        control = (remit.line_control or "").strip()
        if control:
            for line_id, claim_line in lines:
                if (claim_line.line_control or "").strip() == control:
                    return line_id, LINE_CONTROL
        free = [(i, c) for i, c in lines if i not in used]
        line_id = _by_attributes(remit, free)
        if line_id is None:  # no free line left: another SVC of a line already answered
            line_id = _by_attributes(remit, [(i, c) for i, c in lines if i in used])
        return line_id, ATTRIBUTES


def link(store: ReconcileStore) -> None:
    """Link everything the store holds (TEMP tables ``line_links``, ``orphans``,
    ``uncounted``)."""
    Linker(store).run()
    count_versions(store)
