"""837P / 837I units -> :class:`Claim` records with their full hierarchy context.

The HL hierarchy (2000A billing provider, 2000B subscriber, 2000C patient) is followed with
a stack, so each claim gets the billing provider, subscriber and payer of ITS loops, even when
one transaction holds many billing providers and subscribers; memory stays bounded by the
depth of the hierarchy, not the size of the file.

When only some procedure codes (``hcpcs``) or revenue codes (``revenue``) matter, a claim
unit whose raw bytes do not contain any of them is counted and skipped without being
tokenized, and HL units are only tokenized when a claim under them is kept. Every kept claim
is built exactly as it would be without the filter. ``hcpcs="ALL"`` keeps every claim.

Structure that would cost without bound is refused with a diagnostic, never built: a claim
with more service lines than its guide allows (:data:`LINE_LIMITS`), an HL hierarchy deeper
than :data:`MAX_HL_DEPTH`. An HL whose parent is missing is attached to the evident parent
(the open loop of the parent's level, else the transaction's billing provider), with a
warning, so its claims keep their billing provider. Every CLM is counted once: read, skipped
or unreadable (``claims = claims_read + claims_skipped + claims_unreadable``), even when the
file fails midway.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import BinaryIO

from edi_j0256.claims.model import DIAGNOSIS_QUALIFIERS, Claim, Diagnosis, Envelope, ServiceLine
from edi_j0256.claims.ndc import normalize_ndc
from edi_j0256.codes import ALL_CODES, normalize_codes
from edi_j0256.diagnostics import Diagnostics, Severity
from edi_j0256.safe_text import escape_controls
from edi_j0256.x12.kind import kind_name
from edi_j0256.x12.needle import RUN_TAG, Run
from edi_j0256.x12.reader import X12Reader
from edi_j0256.x12.tokenizer import Unit
from edi_j0256.x12.values import number_problem, parse_date

# The segments of the HL loops a claim takes its context from.
LEVEL_TAGS = frozenset({"NM1", "SBR", "PAT", "DMG"})
# The segments a claim unit is read from; the others (N3, N4, PRV, CAS, SVD, AMT ...) are
# counted for positions but not built.
# The Claim fields the loops above a claim fill (billing provider, subscriber, patient,
# payer), in the Claim's order, right after CLM05's three: _build_claim passes them by
# position.
CONTEXT_FIELDS = ("claim_filing_indicator", "payer_responsibility", "payer_id", "payer_name",
                  "member_id", "subscriber_last_name", "subscriber_first_name",
                  "patient_last_name", "patient_first_name", "patient_birth_date",
                  "patient_weight_lb", "billing_npi")
if tuple(f.name for f in fields(Claim))[6:6 + len(CONTEXT_FIELDS)] != CONTEXT_FIELDS:
    raise ImportError("claims.parser: CONTEXT_FIELDS no longer follow Claim's CLM05 fields")
CLAIM_TAGS = frozenset({"CLM", "LX", "SV1", "SV2", "DTP", "REF", "HI", "NM1", "SBR", "PAT",
                        "LIN", "CTP"})
# Service lines (2400 loops) a claim may hold: 837P (005010X222A1) 50, 837I (005010X223A2) 999.
LINE_LIMITS = {"837P": 50, "837I": 999}
# A claim with more lines than this is not built (ten times the 837I limit): absurd, not late.
MAX_BUILT_LINES = 10_000
# HL levels one claim can sit under: 20 billing provider, 22 subscriber, 23 patient (and the
# 19 pay-to / dependent levels some senders add); deeper nesting is not a claim hierarchy.
MAX_HL_DEPTH = 8
_MOST_LINES = max(LINE_LIMITS.values())  # the limit when the transaction's kind is unknown
# HL03 level codes and the level code of their parent.
_PARENT_LEVEL = {b"22": b"20", b"23": b"22"}
# Elements whose values are PHI: a diagnostic names the element, never the value.
PHI_ELEMENTS = frozenset({"PAT08", "DMG02", "NM109", "NM103", "NM104"})
_SHOWN_VALUE = 24  # characters of a bad value a diagnostic shows at most
_SPACES = (b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x0c")  # what bytes.strip() removes


@dataclass(slots=True)
class ReadStats:
    """Counts of what was read, so nothing is dropped silently (counts in = counts out)."""

    files: int = 0
    interchanges: int = 0
    transactions: int = 0
    claims: int = 0  # every CLM seen
    claims_read: int = 0  # claims built into records (all, or those holding the codes)
    claims_skipped: int = 0  # claims that cannot hold the codes, counted without being built
    claims_unreadable: int = 0  # claims that could not be read (reported as errors)
    service_lines: int = 0
    matched_lines: int = 0  # service lines with one of the requested codes

    def add(self, other: ReadStats) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class _Level:
    """One HL loop: its id, level code (20, 22, 23) and its unit, tokenized on demand (an
    HL read from a run has its unit found only then: ``run.unit(ordinal)``)."""

    id: bytes  # HL01
    parent: bytes  # HL02
    level: bytes  # HL03: 20 billing provider, 22 subscriber, 23 patient
    unit: Unit | None
    facts: dict | None = None
    run: Run | None = None
    ordinal: int = 0

    def loop(self) -> Unit:
        """The HL loop's unit."""
        if self.unit is None:
            self.unit = self.run.unit(self.ordinal)  # type: ignore[union-attr]
        return self.unit


class ClaimReader:
    """Claims of one 837 file. Iterate :meth:`claims`; read :attr:`stats` afterwards."""

    def __init__(self, source: str | Path | BinaryIO, *, name: str | None = None,
                 diagnostics: Diagnostics | None = None,
                 hcpcs: str | Iterable[str] | None = None,
                 revenue: str | Iterable[str] | None = None):
        codes = normalize_codes(hcpcs, default=()) if hcpcs is not None else ()
        self.all_lines = ALL_CODES in codes
        self.codes = frozenset(() if self.all_lines else codes)
        self.revenue = frozenset(normalize_revenue(revenue))
        wanted = self.codes | self.revenue
        needles = tuple({c.encode() for c in wanted} | {c.lower().encode() for c in wanted})
        filtered = bool(needles) and not self.all_lines
        self.reader = X12Reader(source, name=name, diagnostics=diagnostics,
                                skip_unless={"CLM": needles} if filtered else None,
                                tally=("SV1", "SV2"), runs=filtered)
        self.name = self.reader.name
        self.diagnostics = self.reader.diagnostics
        self.stats = ReadStats(files=1)
        self._stack: list[_Level] = []
        self._billing: _Level | None = None  # the transaction's last billing provider (HL 20)
        self._foreign: str | None = None  # the open transaction is not an 837P / 837I
        self._foreign_reported = False
        self._merged: tuple | None = None  # _context() of the open loops

    @property
    def selective(self) -> bool:
        """Whether only some lines are wanted (codes or revenue codes given, not ALL)."""
        return not self.all_lines and bool(self.codes or self.revenue)

    def matches(self, line: ServiceLine) -> bool:
        """Whether a service line is one of those asked for (with no codes given: none)."""
        return (self.all_lines or line.procedure_code in self.codes
                or line.revenue_code in self.revenue)

    def claims(self) -> Iterator[Claim]:
        """Claims in file order; with ``hcpcs``, only those holding one of the codes."""
        for claim, _ in self.matched_claims():
            yield claim

    def matched_claims(self) -> Iterator[tuple[Claim, list[ServiceLine]]]:
        """:meth:`claims`, each with its lines that :meth:`matches` (found once, for the
        counts and for the caller)."""
        stats = self.stats
        selective = self.selective
        all_lines, matches = self.all_lines, self.matches
        try:
            for unit in self.reader.units():
                tag = unit.tag
                if unit.continued:
                    continue  # the rest of a unit too large to build, already reported
                if tag == "CLM":
                    claim = self._claim(unit)
                    if claim is None:
                        continue
                    matched = claim.lines if all_lines else list(filter(matches, claim.lines))
                    stats.matched_lines += len(matched)
                    if selective and not matched:
                        stats.claims_skipped += 1
                        continue
                    stats.claims_read += 1
                    yield claim, matched
                elif tag == "HL":
                    if self._foreign is None:
                        self._push(unit)
                elif tag == RUN_TAG:
                    if self._foreign is None:
                        self._push_run(unit)
                elif tag in ("ST", "SE"):
                    self._stack.clear()
                    self._merged = None
                    self._billing = None
                    if tag == "ST":
                        self._check_transaction(unit)
        finally:
            self._close_stats()

    def snapshot(self) -> ReadStats:
        """The counts so far (for progress reports while :meth:`claims` runs)."""
        now = ReadStats(**{name: getattr(self.stats, name)
                           for name in ReadStats.__slots__})  # type: ignore[attr-defined]
        tokenizer = self.reader.tokenizer
        now.claims_skipped += tokenizer.skipped.get("CLM", 0)
        now.claims = now.claims_read + now.claims_skipped + now.claims_unreadable
        now.service_lines = sum(tokenizer.tallies.values())
        return now

    def _close_stats(self) -> None:
        stats, tokenizer = self.stats, self.reader.tokenizer
        stats.claims_skipped += tokenizer.skipped.get("CLM", 0)
        tokenizer.skipped["CLM"] = 0
        stats.claims = stats.claims_read + stats.claims_skipped + stats.claims_unreadable
        stats.service_lines = sum(tokenizer.tallies.values())
        stats.interchanges = self.reader.interchanges
        stats.transactions = self.reader.transactions

    def _check_transaction(self, unit: Unit) -> None:
        """Claims of a transaction that is not an 837P / 837I (an 837D in a claim batch) are
        counted as unreadable, with one diagnostic naming the transaction at its first CLM."""
        kind = self.reader.envelope.transaction_type
        self._foreign = kind if kind not in (None, "837", "837P", "837I") else None
        self._foreign_reported = False

    # -- hierarchy ---------------------------------------------------------------------------

    def _push(self, unit: Unit) -> None:
        """Open an HL loop: pop the stack back to its parent (HL02), then push it (bytes only:
        this runs for every HL of the file, kept or not)."""
        parts = unit.head().split(unit.delimiters.element.encode("latin-1"), 4)
        hl_id, parent, level = (parts + [b"", b"", b""])[1:4]
        level = level.split(unit.delimiters.segment.encode("latin-1"), 1)[0].strip()
        self._open(_Level(hl_id, parent, level, unit))

    def _push_run(self, run: Run) -> None:
        """Open the HL loops of a run in order, exactly as :meth:`_push` opens each one.

        A run holds thousands of HLs nobody builds, so the usual ones (parent open, not too
        deep) are followed on their ids alone; only the loops still open at the end (and the
        last billing provider) become :class:`_Level` entries, and their units are found
        only if a claim under them is built. Any other HL goes through :meth:`_open`.
        """
        if self._push_plain(run):
            return
        element = run.delimiters.element.encode("latin-1")
        skip = run.skip
        stack = self._stack
        ids = [level.id for level in stack]
        base = len(stack)  # stack[:base] are _Level entries; ids[base:] are in ``pending``
        pending: list[tuple[bytes, bytes, bytes, int]] = []
        billing = None
        for ordinal, item in enumerate(run.items):
            parts = item[skip:].rstrip().split(element, 3)
            n = len(parts)
            hl_id = parts[0]
            parent = parts[1] if n > 1 else b""
            level = parts[2].strip() if n > 2 else b""
            depth = len(ids)
            while depth and ids[depth - 1] != parent:
                depth -= 1
            if parent == hl_id or (parent and not depth) or depth >= MAX_HL_DEPTH:
                self._settle(run, base, pending, billing)
                self._open(_Level(hl_id, parent, level, None, None, run, ordinal))
                ids = [entry.id for entry in stack]
                base, pending, billing = len(stack), [], None
                continue
            del ids[depth:]
            if depth < base:
                del stack[depth:]
                base = depth
                pending.clear()
            else:
                del pending[depth - base:]
            ids.append(hl_id)
            entry = (hl_id, parent, level, ordinal)
            pending.append(entry)
            if level == b"20":
                billing = entry
        self._settle(run, base, pending, billing)
        self._merged = None

    def _push_plain(self, run: Run) -> bool:
        """:meth:`_push_run` for the usual run, its elements split at C speed: every HL has
        four elements, a level without spaces, an id unique in the run, and an open parent
        no deeper than :data:`MAX_HL_DEPTH`. False (nothing done) for any other run."""
        items = run.items
        n = len(items)
        element = run.delimiters.element.encode("latin-1")
        if list(map(bytes.count, items, repeat(element))).count(4) != n:
            return False
        flat = b"".join(items).split(element)
        ids, parents, levels = flat[1::4], flat[2::4], flat[3::4]
        where = dict(zip(ids, range(n), strict=True))
        joined = b"".join(levels)
        if len(where) != n or any(space in joined for space in _SPACES):
            return False
        stack = self._stack
        open_ids = [entry.id for entry in stack]
        base = len(open_ids)  # the loops open before the run that stay open through it
        for hl_id, parent in zip(ids, parents, strict=True):
            depth = len(open_ids)
            while depth and open_ids[depth - 1] != parent:
                depth -= 1
            if parent == hl_id or (parent and not depth) or depth >= MAX_HL_DEPTH:
                return False
            if depth < base:
                base = depth
            del open_ids[depth:]
            open_ids.append(hl_id)
        del stack[base:]
        for hl_id in open_ids[base:]:
            at = where[hl_id]
            stack.append(_Level(hl_id, parents[at], levels[at], None, None, run, at))
        if b"20" in levels:
            at = n - 1 - levels[::-1].index(b"20")
            self._billing = next((entry for entry in stack[base:] if entry.ordinal == at),
                                 None) or _Level(ids[at], parents[at], levels[at], None, None,
                                                 run, at)
        self._merged = None
        return True

    def _settle(self, run: Run, base: int, pending: list[tuple[bytes, bytes, bytes, int]],
                billing: tuple[bytes, bytes, bytes, int] | None) -> None:
        """Make the pending loops of a run (open above ``base``) stack entries."""
        stack = self._stack
        del stack[base:]
        for hl_id, parent, level, ordinal in pending:
            stack.append(_Level(hl_id, parent, level, None, None, run, ordinal))
        if billing is not None:
            self._billing = next((entry for entry in stack[base:]
                                  if entry.run is run and entry.ordinal == billing[3]),
                                 None) or _Level(*billing[:3], None, None, run, billing[3])

    def _open(self, entry: _Level) -> None:
        hl_id, parent, level = entry.id, entry.parent, entry.level
        stack = self._stack
        depth = len(stack)
        while depth and stack[depth - 1].id != parent:
            depth -= 1
        if parent == hl_id:
            depth = 0  # an HL cannot be its own parent
        if parent and not depth:
            depth = self._recover_parent(hl_id, parent, level, entry.loop())
        del stack[depth:]
        if len(stack) >= MAX_HL_DEPTH:
            unit = entry.loop()
            self._warn("X308", f"HL {_shown(hl_id)} nests deeper than {MAX_HL_DEPTH} levels; "
                       "read as a sibling of its parent", unit.index, unit.line)
            stack.pop()
        stack.append(entry)
        self._merged = None
        if level == b"20":
            self._billing = entry

    def _recover_parent(self, hl_id: bytes, parent: bytes, level: bytes, unit: Unit) -> int:
        """Stack depth to keep for an HL whose parent (HL02) is not an open loop: below the
        open loop of the parent's level, else below the transaction's billing provider."""
        stack = self._stack
        want = _PARENT_LEVEL.get(level)
        for depth in range(len(stack), 0, -1):
            if want is not None and stack[depth - 1].level == want:
                where = f"the open HL {_shown(stack[depth - 1].id)} (level {want.decode()})"
                break
        else:
            depth = 0
            where = ""
            if level != b"20" and self._billing is not None:
                stack[:] = [self._billing]
                depth = 1
                where = f"billing provider HL {_shown(self._billing.id)}"
        action = f"read under {where}" if where else "read as a top-level loop"
        self._warn("X301", f"HL {_shown(hl_id)} names parent {_shown(parent)}, which is not "
                   f"an open HL loop; {action}", unit.index, unit.line)
        return depth

    def _context(self) -> tuple:
        """Facts of the billing provider, subscriber and patient loops above the claim (the
        same for every claim until the next HL): the values of :data:`CONTEXT_FIELDS`."""
        if self._merged is not None:
            return self._merged
        merged: dict = {}
        for level in self._stack:
            if level.facts is None:
                level.facts = self._level_facts(level)
            for key, value in level.facts.items():
                if value is not None:
                    merged[key] = value
        self._merged = values = tuple([merged.get(name) for name in CONTEXT_FIELDS])
        return values

    def _level_facts(self, level: _Level) -> dict:
        facts: dict = {}
        tag: str  # typed for the compiled core (a str compare in C, not a rich compare)
        e: list
        for tag, e, index, line, _ in level.loop().rows(LEVEL_TAGS, offsets=False):
            if len(e) < 10:  # padded inline (hot path)
                e = e + _BLANK[:10 - len(e)]
            if tag == "NM1":
                qualifier = e[1]
                if qualifier == "85":
                    facts["billing_npi"] = _npi(e)
                elif qualifier == "IL":
                    facts["member_id"] = e[9] or None
                    facts["subscriber_last_name"] = facts["patient_last_name"] = e[3] or None
                    facts["subscriber_first_name"] = facts["patient_first_name"] = e[4] or None
                elif qualifier == "QC":
                    facts["patient_last_name"] = e[3] or None
                    facts["patient_first_name"] = e[4] or None
                elif qualifier == "PR":
                    facts["payer_name"] = e[3] or None
                    facts["payer_id"] = e[9] or None
            elif tag == "SBR":
                facts["payer_responsibility"] = e[1] or None
                facts["claim_filing_indicator"] = e[9] or None
            elif tag == "PAT":
                if e[7] == "01" and e[8]:
                    facts["patient_weight_lb"] = self._number(e[8], "PAT08", index, line)
            elif tag == "DMG" and e[1] == "D8":
                facts["patient_birth_date"] = self._date(e[2], "DMG", index, line)
        return facts

    # -- claims ------------------------------------------------------------------------------
    # The claim loops are read from rows (tag, elements, index, line, offset) rather than
    # Segment objects: a claim file is mostly these segments, and this is the hot path.

    def _claim(self, unit: Unit) -> Claim | None:
        if self._foreign is not None:
            self.stats.claims_unreadable += 1
            if not self._foreign_reported:  # said once per transaction
                self._foreign_reported = True
                self._warn("X311", f"transaction {self.reader.envelope.transaction_control or ''}"
                           f" is an {kind_name(self._foreign)}, not an 837P / 837I: its claims "
                           "are not read", unit.index, unit.line, Severity.ERROR)
            return None
        problem = self._refusal(unit)
        if problem is not None:
            self.stats.claims_unreadable += 1
            self._warn(problem[0], problem[1], unit.index, unit.line, Severity.ERROR)
            return None
        try:
            return self._build_claim(unit, self.reader.envelope)
        except Exception as exc:  # one bad claim never stops the file
            self.stats.claims_unreadable += 1
            self._warn("X302", f"claim at segment {unit.index} could not be read "
                       f"({type(exc).__name__}); skipped", unit.index, unit.line, Severity.ERROR)
            return None

    def _refusal(self, unit: Unit) -> tuple[str, str] | None:
        """Why a claim unit is not built: (code, message), or None to build it.

        A claim over its guide's line limit is still built, with a warning (X312): payers
        reject it, and the analyst needs to see its lines. Past :data:`MAX_BUILT_LINES` (or
        cut into pieces) it is absurd: counted and reported (X309), not built, so one claim
        can never hold the memory of a batch.
        """
        kind = self.reader.envelope.transaction_type
        limit = LINE_LIMITS.get(kind or "", _MOST_LINES)
        if unit.piece:
            return "X309", (f"claim at segment {unit.index} is larger than the reader builds "
                            f"(more than {MAX_BUILT_LINES} service lines); not read")
        if unit.count_at_most("LX") > limit:
            lines = unit.count("LX")
            if lines > MAX_BUILT_LINES:
                return "X309", (f"claim at segment {unit.index} has {lines} service lines, more "
                                f"than the reader builds ({MAX_BUILT_LINES}): not read")
            self._warn("X312", f"claim at segment {unit.index} has {lines} service lines; the "
                       f"{kind or '837'} guide allows {limit} (payers reject it)",
                       unit.index, unit.line)
        # no elements: nothing but separators and whitespace after the tag
        separator = unit.delimiters.element.encode("latin-1")
        if not unit.head().partition(separator)[2].replace(separator, b"").strip():
            return "X310", f"CLM at segment {unit.index} has no elements; claim not read"
        return None

    def _build_claim(self, unit: Unit, envelope: Envelope) -> Claim:
        tag: str  # typed for the compiled core (see _level_facts)
        e: list
        context = self._context()  # first: positions are resolved in file order
        component = unit.delimiters.component
        rows = unit.stream_rows(CLAIM_TAGS, offsets=False)
        _, e, index, line, _ = next(rows)
        if len(e) < 6:  # padded inline (hot path)
            e = e + _BLANK[:6 - len(e)]
        # positional (the hot path): CLM01, CLM02, the three CLM05 fields (set below), then
        # the context, which follows them in the Claim's fields (checked at import)
        claim = Claim(envelope, e[1] or None, self._number(e[2], "CLM02", index, line),
                      None, None, None, *context, segment=index, line=line)
        if not claim.claim_id:
            self._warn("X303", "CLM01 (patient control number) is empty", index, line)
        place, _, frequency = (e[5].split(component) + ["", "", ""])[:3]
        claim.frequency_code = frequency or None
        lines = claim.lines
        dates, decimals, wholes = _DATES, _DECIMALS, _WHOLES
        pointer_texts, procedures = _POINTERS, _PROCEDURES
        current: ServiceLine | None = None
        in_other_payer = False  # 2320 / 2330 loops: another payer's data, not this claim's
        for tag, e, index, line, _ in rows:
            if current is None:
                if tag == "LX":
                    current = self._service_line(e, index, line)
                    lines.append(current)
                    in_other_payer = False
                elif tag == "SV1" or tag == "SV2":
                    self._warn("X304", f"{tag} with no LX before it", index, line)
                    current = ServiceLine(None, None, None, lx_segment=index)
                    lines.append(current)
                    self._service(current, tag, e, component, index, line)
                elif tag == "SBR":
                    in_other_payer = True
                elif not in_other_payer:
                    self._claim_segment(claim, tag, e, component, index, line)
            # The segments every line has, most frequent first, read here (no call per
            # segment) for their common, valid form; anything else goes to the methods,
            # which report what is wrong. Each value cache holds valid texts only.
            elif tag == "LX":
                number = wholes.get(e[1]) if len(e) == 2 else None
                current = (ServiceLine(number, None, None, lx_segment=index)
                           if number is not None else self._service_line(e, index, line))
                lines.append(current)
                in_other_payer = False
            elif tag == "SV1":
                if len(e) < 8:
                    e = e + _BLANK[:8 - len(e)]
                charge = decimals.get(e[2])
                units = decimals.get(e[4])
                pointers = pointer_texts.get(e[7] + component)
                read = procedures.get(e[1] + component)
                if (charge is None or units is None or pointers is None or read is None):
                    self._service(current, tag, e, component, index, line)
                    continue
                current.procedure_qualifier, current.procedure_code, current.modifiers = read
                current.charge, current.units = charge, units
                current.unit_basis = e[3] or None
                current.place_of_service = e[5] or None
                current.diagnosis_pointers = pointers
                current.segment, current.line = index, line
            elif tag == "DTP" and len(e) > 3 and e[1] == "472":
                when = dates.get(e[3])  # a known CCYYMMDD: one date, whatever DTP02 says
                if when is None:
                    current.service_date, current.service_date_end = self._dates(
                        e[2], e[3], index, line)
                else:
                    current.service_date, current.service_date_end = when, None
            elif tag == "REF" and len(e) > 2 and e[1] == "6R":
                current.line_control = e[2] or None
            elif tag == "LIN" and len(e) > 3:
                qualifier = e[2]
                current.ndc_qualifier = qualifier or None
                current.ndc_raw = e[3] or None
                current.ndc = _ndc(e[3]) if qualifier == "N4" else None
            elif tag == "CTP" and len(e) > 5:
                quantity = decimals.get(e[4])
                current.ndc_quantity = quantity if quantity is not None else self._number(
                    e[4], "CTP04", index, line)
                current.ndc_unit = e[5].split(component, 1)[0] or None
            elif tag == "SV2":
                self._service(current, tag, e, component, index, line)
            else:
                self._line_segment(current, tag, e, component, index, line)
        kind = envelope.transaction_type
        if kind not in ("837P", "837I") and lines:
            kind = "837I" if any(line.revenue_code for line in lines) else "837P"
            claim.envelope = Envelope(**{**_fields(envelope), "transaction_type": kind})
        if kind == "837I":
            claim.facility_type = place or None
        else:
            claim.place_of_service = place or None
        return claim

    def _service_line(self, e: list[str], index: int, line: int) -> ServiceLine:
        """A new 2400 loop from its LX."""
        text = e[1] if len(e) > 1 else ""
        number = _WHOLES.get(text)
        if number is None:
            number = self._whole(text, "LX01", index, line)
        return ServiceLine(number, None, None, lx_segment=index)

    def _claim_segment(self, claim: Claim, tag: str, e: list[str], component: str,
                       index: int, line: int) -> None:
        if tag == "HI":
            for value in e[1:]:
                qualifier, _, rest = value.partition(component)
                code = rest.split(component, 1)[0]
                if qualifier in DIAGNOSIS_QUALIFIERS and code:
                    claim.diagnoses.append(Diagnosis(qualifier, code))
            return
        if len(e) < 10:  # padded inline (hot path)
            e = e + _BLANK[:10 - len(e)]
        if tag == "REF" and e[1] == "G1":
            claim.prior_auth = e[2] or None
        elif tag == "REF" and e[1] == "F8":
            claim.original_reference = e[2] or None
        elif tag == "NM1" and e[1] == "82":
            claim.rendering_npi = _npi(e)
        elif tag == "DTP" and e[1] == "434":
            claim.statement_from, claim.statement_to = self._dates(e[2], e[3], index, line)
        elif tag == "PAT" and e[7] == "01" and e[8]:
            claim.patient_weight_lb = self._number(e[8], "PAT08", index, line)

    def _service(self, service: ServiceLine, tag: str, e: list[str], component: str,
                 index: int, line: int) -> None:
        """SV1 (837P): procedure, charge, basis, units, POS, pointers. SV2 (837I): revenue
        code first, then the same without POS and pointers."""
        decimals = _DECIMALS
        if tag == "SV1":
            if len(e) < 8:  # padded inline (hot path)
                e = e + _BLANK[:8 - len(e)]
            procedure = e[1]
            charge = decimals.get(e[2])
            service.charge = charge if charge is not None else self._number(
                e[2], "SV102", index, line)
            service.unit_basis = e[3] or None
            units = decimals.get(e[4])
            service.units = units if units is not None else self._number(
                e[4], "SV104", index, line)
            service.place_of_service = e[5] or None
            pointers = _POINTERS.get(e[7] + component)
            service.diagnosis_pointers = pointers if pointers is not None else self._pointers(
                e[7], component, index, line)
        else:
            if len(e) < 6:  # padded inline (hot path)
                e = e + _BLANK[:6 - len(e)]
            service.revenue_code = e[1] or None
            procedure = e[2]
            service.charge = self._number(e[3], "SV203", index, line)
            service.unit_basis = e[4] or None
            service.units = self._number(e[5], "SV205", index, line)
        if procedure:
            read = _PROCEDURES.get(procedure + component)
            if read is None:
                read = _procedure(procedure, component)
            service.procedure_qualifier, service.procedure_code, service.modifiers = read
        service.segment, service.line = index, line

    def _pointers(self, text: str, component: str, index: int, line: int) -> tuple[int, ...]:
        """SV107: diagnosis pointers, each a number (one that is not is reported)."""
        pointers = []
        valid = True
        for p in text.split(component) if text else ():
            if p.isascii() and p.isdigit():
                pointers.append(int(p))
            elif p:
                valid = False
                self._warn("X305", f"SV107 diagnosis pointer {p!r} is not a number", index, line)
        read = tuple(pointers)
        if valid:  # a text with a bad pointer is never kept: reported every time
            _remember(_POINTERS, text + component, read)
        return read

    def _line_segment(self, service: ServiceLine, tag: str, e: list[str], component: str,
                      index: int, line: int) -> None:
        if len(e) < 10:  # padded inline (hot path)
            e = e + _BLANK[:10 - len(e)]
        if tag == "DTP":
            if e[1] == "472":
                service.service_date, service.service_date_end = self._dates(e[2], e[3], index,
                                                                             line)
        elif tag == "REF":
            if e[1] == "6R":
                service.line_control = e[2] or None
            elif e[1] == "G1":
                service.prior_auth = e[2] or None
        elif tag == "LIN":
            service.ndc_qualifier = e[2] or None
            service.ndc_raw = e[3] or None
            service.ndc = normalize_ndc(e[3]) if e[2] == "N4" else None
        elif tag == "CTP":
            service.ndc_quantity = self._number(e[4], "CTP04", index, line)
            service.ndc_unit = e[5].split(component, 1)[0] or None
        elif tag == "NM1" and e[1] == "82":
            service.rendering_npi = _npi(e)

    # -- values ------------------------------------------------------------------------------

    def _warn(self, code: str, message: str, index: int | None, line: int | None,
              severity: Severity = Severity.WARNING) -> None:
        self.diagnostics.add(code, severity, message, self.name, index, line)

    def _number(self, text: str, where: str, index: int, line: int) -> Decimal | None:
        value = _DECIMALS.get(text)  # amounts and units repeat: each text is checked once
        if value is not None:
            return value
        if not text:
            return None
        problem = number_problem(text)
        if problem is not None:
            self._warn("X306", f"{where}{_value(where, text)} {problem}", index, line)
            return None
        value = Decimal(text)  # checked: digits, at most one point, at most 18 digits
        _remember(_DECIMALS, text, value)  # the same text, the same (immutable) value
        return value

    def _whole(self, text: str, where: str, index: int, line: int) -> int | None:
        if text.isascii() and text.isdigit() and len(text) <= 18:
            value = int(text)
            _remember(_WHOLES, text, value)
            return value
        if text:
            self._warn("X306", f"{where}{_value(where, text)} is not a whole number of at most "
                       "18 digits", index, line)
        return None

    def _date(self, text: str, tag: str, index: int, line: int) -> date | None:
        """CCYYMMDD -> date; a bad one is reported without its value (it may be a birth date)."""
        value = _DATES.get(text)
        if value is not None:
            return value
        value = parse_date(text)
        if value is None:
            self._warn("X307", f"{tag} date is not a valid CCYYMMDD date", index, line)
            return None
        _remember(_DATES, text, value)
        return value

    def _dates(self, fmt: str, value: str, index: int, line: int
               ) -> tuple[date | None, date | None]:
        """DTP03 with D8 (one date) or RD8 (CCYYMMDD-CCYYMMDD)."""
        if fmt == "RD8" and "-" in value:
            start, _, end = value.partition("-")
            return self._date(start, "DTP", index, line), self._date(end, "DTP", index, line)
        return self._date(value, "DTP", index, line), None


_BLANK = [""] * 16
# Valid element texts already read, with their value (a bad text is never kept, so it is
# reported every time). Bounded: emptied when full. Composite texts are kept with the
# component separator they were split on appended (one character: the key stays unique).
_CACHE_SIZE = 8192
_DECIMALS: dict[str, Decimal] = {}
_DATES: dict[str, date] = {}
_WHOLES: dict[str, int] = {}  # LX01
_POINTERS: dict[str, tuple[int, ...]] = {}  # SV107 + component
_PROCEDURES: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {}  # SV101 + component


_NDCS: dict[str, str | None] = {}  # LIN03 (N4) -> normalize_ndc


def _ndc(text: str) -> str | None:
    """:func:`normalize_ndc` of a LIN03, read once per text (a claim file repeats a few)."""
    try:
        return _NDCS[text]
    except KeyError:
        value = normalize_ndc(text)
        _remember(_NDCS, text, value)
        return value


def _remember(cache: dict, text: str, value) -> None:
    """Keep a value read from a valid text (the cache is emptied when full)."""
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[text] = value


def _procedure(text: str, component: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """SV101 / SV202: (qualifier, procedure code, modifiers); codes compare upper-case."""
    parts = text.split(component)
    code = parts[1].strip().upper() if len(parts) > 1 else ""
    read = (parts[0] or None, code or None,
            tuple(m.strip().upper() for m in parts[2:6] if m.strip()))
    _remember(_PROCEDURES, text + component, read)
    return read


def _value(where: str, text: str) -> str:
    """`` 'value'`` for a diagnostic, shortened and escaped; nothing for a PHI element."""
    if where in PHI_ELEMENTS:
        return ""
    shown = text if len(text) <= _SHOWN_VALUE else f"{text[:_SHOWN_VALUE]}... ({len(text)} chars)"
    return f" {escape_controls(shown)!r}"


def _shown(value: bytes) -> str:
    """An HL id for a message: escaped and at most a few characters."""
    text = value.decode("latin-1")
    return escape_controls(text if len(text) <= 12 else text[:12] + "...")


def normalize_revenue(values: str | Iterable[str] | None) -> tuple[str, ...]:
    """Revenue codes (SV201) as written on claims: four digits, ``636`` -> ``0636``.

    >>> normalize_revenue(["636, 0250"])
    ('0636', '0250')
    """
    codes = normalize_codes(values, default=()) if values is not None else ()
    return tuple(c.zfill(4) if c.isdigit() and len(c) < 4 else c for c in codes)


def _npi(e: list[str]) -> str | None:
    """NM109 when NM108 says it is an NPI (XX); 4010 files may carry a tax ID (24, 34)."""
    return (e[9] or None) if e[8] == "XX" else None


def _padded(elements: list[str], size: int) -> list[str]:
    """Elements 0 .. size-1, ``''`` where absent, so handlers index without length checks."""
    missing = size - len(elements)
    return elements + _BLANK[:missing] if missing > 0 else elements


def _fields(envelope: Envelope) -> dict:
    return {name: getattr(envelope, name) for name in envelope.__slots__}  # type: ignore[attr-defined]


def read_claims(source: str | Path | BinaryIO, *, name: str | None = None,
                diagnostics: Diagnostics | None = None,
                hcpcs: str | Iterable[str] | None = None,
                revenue: str | Iterable[str] | None = None) -> Iterator[Claim]:
    """Claims of one 837P / 837I file (all, or only those holding one of ``hcpcs`` or of the
    ``revenue`` codes)."""
    return ClaimReader(source, name=name, diagnostics=diagnostics, hcpcs=hcpcs,
                       revenue=revenue).claims()
