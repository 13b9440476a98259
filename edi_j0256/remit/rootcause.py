"""(group, CARC, RARC) -> root cause, from ``data/denial_map.csv``.

The advice for a root cause lives in :mod:`edi_j0256.remit.denials` (re-exported here).

A row of the map is ``group,carc,rarc,root_cause,source``; an empty ``group`` matches any group
code, an empty ``rarc`` is the CARC's meaning when no listed RARC refines it. The RARC refines
the CARC: CO-16 with M53 is ``units``, CO-16 with M119 is ``ndc``. A CARC the map does not
know is ``other``; nothing here raises on a code from a file.

>>> denial_map = DenialMap.load()
>>> denial_map.classify("CO", "16", ["M53"])
('units',)
>>> denial_map.classify("CO", "151", [])
('units',)
>>> denial_map.classify("CO", "151", ["N362"])
('frequency_limits',)
>>> denial_map.classify("CO", "9999", [])
('other',)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from edi_j0256.remit.denials import RootCauseAdvice, root_cause_advice
from edi_j0256.root_causes import check_root_cause

OTHER = "other"
__all__ = ["OTHER", "DenialMap", "DenialRule", "RootCauseAdvice", "bundled_denial_map",
           "root_cause_advice"]


def _data_text(name: str, path: str | Path | None) -> str:
    if path is not None:
        return Path(path).read_text(encoding="utf-8")
    return resources.files("edi_j0256").joinpath(f"data/{name}").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class DenialRule:
    """One row of ``denial_map.csv``."""

    group: str  # CAS01, or "" for any group
    carc: str
    rarc: str  # "" when the CARC alone decides
    root_cause: str
    source: str


class DenialMap:
    """The mapping table, indexed by CARC."""

    def __init__(self, rules: Iterable[DenialRule]):
        self.rules = tuple(rules)
        self.by_carc: dict[str, list[DenialRule]] = {}
        for rule in self.rules:
            self.by_carc.setdefault(rule.carc, []).append(rule)

    @classmethod
    def load(cls, path: str | Path | None = None) -> DenialMap:
        """Read ``path`` or the bundled table; ValueError names a row with a bad root cause."""
        rules = []
        reader = csv.DictReader(io.StringIO(_data_text("denial_map.csv", path).lstrip("\ufeff")))
        for number, row in enumerate(reader, start=2):
            cells = {k: (v or "").strip() for k, v in row.items() if k}
            try:
                root_cause = check_root_cause(cells.get("root_cause", ""))
            except ValueError as exc:
                raise ValueError(f"denial map row {number}: {exc}") from None
            rules.append(DenialRule(cells.get("group", "").upper(), cells.get("carc", "").upper(),
                                    cells.get("rarc", "").upper(), root_cause,
                                    cells.get("source", "")))
        return cls(rules)

    def classify(self, group: str, carc: str, rarcs: Sequence[str] = ()) -> tuple[str, ...]:
        """Root causes of one CAS adjustment given the remark codes that go with it.

        Every listed RARC that refines the CARC adds its root cause (in the RARCs' order);
        without one, the CARC's own row decides; a row for the exact group beats a row for
        any group.
        """
        group, carc = group.strip().upper(), carc.strip().upper()
        candidates = [r for r in self.by_carc.get(carc, ()) if r.group in (group, "")]
        causes: list[str] = []
        for rarc in (r.strip().upper() for r in rarcs):
            rows = [r for r in candidates if r.rarc == rarc]
            if rows:
                causes.append(_best(rows, group).root_cause)
        if not causes:
            plain = [r for r in candidates if not r.rarc]
            causes.append(_best(plain, group).root_cause if plain else OTHER)
        return tuple(dict.fromkeys(causes))


def _best(rows: list[DenialRule], group: str) -> DenialRule:
    exact = [r for r in rows if r.group == group]
    return (exact or rows)[0]


@lru_cache(maxsize=1)
def bundled_denial_map() -> DenialMap:
    return DenialMap.load()
