"""Validator findings for the claims being reconciled, attached to the lines they concern.

The validator's :class:`~edi_j0256.rules.engine.Checker` runs every claim rule on each claim
as it is read and every run rule once over all claims of the load (one context, as ``check``
does). Implementation-guide (pyx12) rules are not run: they judge a file's X12, not a line.

A claim rule's finding belongs to the service line whose 2400 loop holds its segment (from
that line's LX up to the next one), or to every J0256 line of the claim when it is on a
segment before the first LX (CLM, HI ...). A run rule's finding belongs to the line whose
SV1/SV2 it names, else to the lines of the claim whose CLM it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from edi_j0256.claims.model import Claim
from edi_j0256.reconcile.model import LineFinding


def line_finding(finding) -> LineFinding:
    return LineFinding(finding.code, finding.root_cause, finding.severity, finding.predicted_carc,
                       finding.predicted_rarc)


class Validator:
    """Findings per claim as claims are read; run-rule findings at :meth:`finish`."""

    def __init__(self, context=None):
        from edi_j0256.rules import Checker

        self.checker = Checker(context)

    def claim_findings(self, claim: Claim) -> dict[int | None, list[LineFinding]]:
        """Findings of ``claim`` by the SV1/SV2 segment of their line (None: the claim)."""
        starts = sorted(((line.lx_segment or line.segment), line.segment) for line in claim.lines)
        by_line: dict[int | None, list[LineFinding]] = {}
        for finding in self.checker.check_claim(claim):
            owner = None
            for start, segment in starts:
                if finding.segment is not None and finding.segment >= start:
                    owner = segment
            by_line.setdefault(owner, []).append(line_finding(finding))
        return by_line

    def finish(self) -> Iterator[tuple[str | None, int | None, LineFinding]]:
        """(file, segment, finding) of the run rules over every claim seen."""
        for finding in self.checker.finish():
            yield finding.file, finding.segment, line_finding(finding)


def for_line(by_line: dict[int | None, list[LineFinding]], segment: int
             ) -> tuple[LineFinding, ...]:
    return tuple(dict.fromkeys(by_line.get(segment, []) + by_line.get(None, [])))


def validate(claims: Iterable[Claim], context=None) -> list[tuple[str | None, int | None,
                                                                   LineFinding]]:
    """Every finding of ``claims`` as (file, segment, finding), claim and run rules."""
    validator = Validator(context)
    found = []
    for claim in claims:
        for finding in validator.checker.check_claim(claim):
            found.append((finding.file, finding.segment, line_finding(finding)))
    return found + list(validator.finish())
