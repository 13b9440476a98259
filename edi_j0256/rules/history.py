"""What the cross-claim rules remember of a run: per patient, the recent J0256 doses only.

The frequency, cap, MUE and duplicate rules compare a J0256 line with the same patient's
other lines inside a window of a few days (7 for the weekly dose and the 7-day cap, one date
for the daily cap, the MUE and duplicates). So the run keeps, per patient, only the dates
inside the longest window before the patient's latest date, and each date in a bounded,
summed form (units per claim, a few recent doses, the signatures of the lines). A line is
checked against it when it is read, so time is linear in the lines and memory is bounded by
the number of patients, not by the size of the files:

- the patient being read is kept as live objects; when the next claim is another patient's,
  its state is packed with :mod:`marshal` into one small ``bytes`` (about 100 bytes);
- patients are keyed by a 64-bit BLAKE2b digest of payer, member ID, patient name and birth
  date, so no PHI is kept as text (twins on one subscriber ID are two patients).

A line dated more than the window before the patient's latest date is compared only with
what is still kept (a file out of date order by more than a week can miss a pair).
"""

from __future__ import annotations

import hashlib
import marshal
from datetime import date
from decimal import Decimal

try:
    import cython
except ImportError:  # no Cython: plain Python, with the stand-in of what is used of it
    from edi_j0256 import _cython_shim as cython

PER_DATE_CLAIMS = 2  # doses kept per date: the latest of two claims ...
PER_CLAIM_SIGNATURES = 2  # ... and two distinct lines of each (enough to answer JF001)
NONE = Decimal(0)  # no units (Decimals are immutable: one object serves every total)


# The records made per line are extension types when compiled (``cclass``: made and read in
# C, 2-3x quicker to make than a slotted dataclass); plain dataclasses otherwise.
@cython.cclass
@cython.dataclasses.dataclass(frozen=True)
class DoseRef:
    """Which earlier line a finding points at: CLM01, LX01 and the file it came from."""

    claim_id: str | None
    line_number: int | None
    file: str | None

    def described_from(self, file: str | None) -> str:
        """``claim X line N`` (``in FILE`` when seen from a line of another file)."""
        text = f"claim {self.claim_id}"
        if self.line_number is not None:
            text += f" line {self.line_number}"
        if self.file != file:
            text += f" in {self.file}"
        return text


@cython.cclass
@cython.dataclasses.dataclass  # not frozen: one is made per line
class Dose:
    """One J0256 line being remembered."""

    service_date: date
    units: Decimal
    waste: bool  # JW line
    claim_seq: int  # which claim of the run (reading order)
    claim_id: str | None  # CLM01: what a replacement or void names
    signature: int  # hash of what makes two lines exact duplicates
    ref: DoseRef


@cython.cclass
@cython.dataclasses.dataclass  # not frozen: one per line (see Dose)
class Seen:
    """What the patient's history says about a dose, just before it is added.

    ``nearest``: the closest other administered dose within ``within_days`` (days, signed:
    negative when that dose is earlier), ``duplicate_of``: the first identical line,
    ``day_units``: units on the dose's date including it, ``week_units``: the largest total
    of a 7-day window that holds the dose, including it.
    """

    nearest: tuple[int, DoseRef] | None
    duplicate_of: DoseRef | None
    day_units: Decimal
    week_units: Decimal


class Day:
    """One date of one patient: units per claim, recent administered doses, line signatures."""

    __slots__ = ("units", "by_claim", "given", "signatures")

    def __init__(self) -> None:
        self.units = NONE
        self.by_claim: dict[str, Decimal] = {}  # CLM01 -> units (to undo a void)
        self.given: list[tuple[int, int, DoseRef]] = []  # (claim_seq, signature, ref)
        self.signatures: dict[int, DoseRef] = {}  # signature -> first line with it

    def add(self, dose: Dose) -> None:
        by_claim: dict = self.by_claim  # typed locals: dict calls in C when compiled
        signatures: dict = self.signatures
        given: list
        units = dose.units
        self.units += units
        key = dose.claim_id or ""
        by_claim[key] = by_claim.get(key, NONE) + units
        seq, signature = dose.claim_seq, dose.signature
        if signature not in signatures:
            signatures[signature] = dose.ref
        if dose.waste:
            return
        given = [g for g in self.given if g[0] != seq or g[1] != signature]
        given.append((seq, signature, dose.ref))
        if len(given) <= min(PER_DATE_CLAIMS, PER_CLAIM_SIGNATURES):
            self.given = given  # too few to drop any
            return
        claims = list(dict.fromkeys(g[0] for g in reversed(given)))[:PER_DATE_CLAIMS]
        kept: list[tuple[int, int, DoseRef]] = []
        for seq in claims:
            kept += [g for g in given if g[0] == seq][-PER_CLAIM_SIGNATURES:]
        self.given = sorted(kept, key=given.index)

    def other_dose(self, claim_seq: int, signature: int, same_date: bool) -> DoseRef | None:
        """The latest administered dose that is not this one (another claim on one date)."""
        for seq, sig, ref in reversed(self.given):
            if not same_date or (seq != claim_seq and sig != signature):
                return ref
        return None

    def drop_claim(self, claim_id: str) -> None:
        self.units -= self.by_claim.pop(claim_id, NONE)
        self.given = [g for g in self.given if g[2].claim_id != claim_id]
        self.signatures = {s: r for s, r in self.signatures.items() if r.claim_id != claim_id}

    def pack(self, files: dict[str, int]) -> tuple:
        """Plain values for :mod:`marshal`, flat: units per claim; the signatures with the
        line each stands for; the recent doses as (claim, signature, line), the line as
        ``None`` when it is the signature's own."""
        by_claim: list = []
        for claim_id, units in self.by_claim.items():
            by_claim += (claim_id, str(units))
        signatures: list = []
        for signature, r in self.signatures.items():
            signatures += (signature, *_packed_ref(r, files))
        given: list = []
        own = self.signatures.get
        for seq, signature, r in self.given:
            given += (seq, signature, None if own(signature) == r else _packed_ref(r, files))
        return tuple(by_claim), tuple(signatures), tuple(given)

    @classmethod
    def unpack(cls, packed: tuple, names: list[str]) -> Day:
        day = cls()
        by_claim, signatures, given = packed
        units = NONE
        for i in range(0, len(by_claim), 2):
            amount = day.by_claim[by_claim[i]] = Decimal(by_claim[i + 1])
            units += amount
        day.units = units
        for i in range(0, len(signatures), 4):
            day.signatures[signatures[i]] = _unpacked_ref(signatures[i + 1], signatures[i + 2],
                                                          signatures[i + 3], names)
        for i in range(0, len(given), 3):
            sig, own = given[i + 1], given[i + 2]
            ref = day.signatures[sig] if own is None else _unpacked_ref(*own, names)
            day.given.append((given[i], sig, ref))
        return day


class History:
    """Per patient, the dates inside the window; see the module docstring."""

    def __init__(self, window_days: int = 7) -> None:
        self.window = max(1, window_days)
        self.packed: dict[int, bytes] = {}
        self.files: dict[str, int] = {}  # file name -> index, for packing
        self.names: list[str] = []
        self.live_key: int | None = None
        self.live: dict[int, Day] = {}  # date ordinal -> Day of the live patient

    def __len__(self) -> int:
        return len(self.packed) + (self.live_key is not None and self.live_key not in
                                   self.packed)

    def patient(self, key: int) -> dict[int, Day]:
        """Make ``key`` the live patient and return its days."""
        if key != self.live_key:
            self._pack_live()
            packed = self.packed.pop(key, None)
            self.live = {} if packed is None else {
                ordinal: Day.unpack(day, self.names) for ordinal, day in marshal.loads(packed)}
            self.live_key = key
        return self.live

    def _pack_live(self) -> None:
        if self.live_key is None:
            return
        if self.live:
            before = len(self.files)
            days = tuple([(ordinal, day.pack(self.files)) for ordinal, day in self.live.items()])
            if len(self.files) != before:
                self.names = list(self.files)
            self.packed[self.live_key] = marshal.dumps(days)
        self.live_key, self.live = None, {}

    def seen(self, key: int, dose: Dose, within_days: int | None,
             weekly: bool = True) -> Seen:
        """What the patient's kept doses say about ``dose``; then ``dose`` is added
        (``weekly``: compute the 7-day totals, else ``week_units`` is the day's)."""
        days: dict = self.patient(key)  # typed: dict calls in C when compiled
        signatures: dict
        ordinal = dose.service_date.toordinal()
        day = days.get(ordinal)
        duplicate = None
        if day is not None:
            signatures = day.signatures
            duplicate = signatures.get(dose.signature)
        nearest = None
        if within_days and not dose.waste:
            nearest = self._nearest(days, ordinal, dose, within_days)
        if day is None:
            day = days[ordinal] = Day()
        day.add(dose)
        week = day.units
        if len(days) > 1:
            if weekly:
                week = _largest_week(days, ordinal)
            self._prune(days)
        return Seen(nearest, duplicate, day.units, week)

    def _nearest(self, days: dict[int, Day], ordinal: int, dose: Dose,
                 within: int) -> tuple[int, DoseRef] | None:
        """The kept dose nearest ``ordinal`` (fewer than ``within`` days away; of two as
        near, the earlier one)."""
        reach = min(within, self.window)
        near = sorted([(abs(d - ordinal), d - ordinal) for d in days if abs(d - ordinal) < reach])
        for _, signed in near:
            ref = days[ordinal + signed].other_dose(dose.claim_seq, dose.signature, signed == 0)
            if ref is not None:
                return signed, ref
        return None

    def _prune(self, days: dict[int, Day]) -> None:
        oldest = max(days) - max(self.window - 1, 6)  # 7-day windows reach 6 days back
        for ordinal in [d for d in days if d < oldest]:
            del days[ordinal]

    def drop_claim(self, key: int, claim_id: str) -> None:
        """Forget the lines of claim ``claim_id`` (a void, or the original of a replacement)."""
        days = self.patient(key)
        for ordinal in list(days):
            days[ordinal].drop_claim(claim_id)
            if not days[ordinal].by_claim:
                del days[ordinal]


def _packed_ref(r: DoseRef, files: dict[str, int]) -> tuple:
    """A line reference as plain values: CLM01, LX01 (-1: none), the file's index."""
    return (r.claim_id, -1 if r.line_number is None else r.line_number,
            files.setdefault(r.file or "", len(files)))


def _unpacked_ref(claim_id: str | None, line: int, file: int, names: list[str]) -> DoseRef:
    """The line reference :func:`_packed_ref` packed."""
    return DoseRef(claim_id, None if line < 0 else line, names[file] or None)


def _largest_week(days: dict[int, Day], ordinal: int) -> Decimal:
    """The largest total of the 7-day windows that hold ``ordinal`` (each window ends on
    ``ordinal`` or on a later kept date; its dates added in date order)."""
    kept = sorted(days)
    largest = None
    for end in range(ordinal, ordinal + 7):
        if end != ordinal and end not in days:
            continue
        total = NONE
        for d in kept:
            if end - 6 <= d <= end:
                total += days[d].units
        if largest is None or total > largest:  # of equal totals, the first (as max does)
            largest = total
    return largest


def patient_key(payer: str, member_id: str, last: str, first: str,
                birth: date | None) -> int:
    """A 64-bit digest of who the patient is (the names and IDs are not kept)."""
    text = "\x1f".join((payer, member_id, last, first, birth.isoformat() if birth else ""))
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(),
                          "big")
