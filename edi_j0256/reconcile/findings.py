"""Validator findings for the claims being reconciled, indexed by the line they concern.

The validator's :class:`~edi_j0256.rules.engine.Checker` runs every claim rule on each claim
and every run rule once over all claims of the load (one context, as ``check`` does).
Implementation-guide (pyx12) rules are not run: they judge a file's X12, not a line's billing.

A finding on a service line (its SV1/SV2 segment) belongs to that line; a finding on the claim
(its CLM segment) belongs to every J0256 line of the claim.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from edi_j0256.claims.model import Claim, ServiceLine
from edi_j0256.reconcile.model import LineFinding


class FindingIndex:
    """Findings by (file, segment): the SV1/SV2 segment of a line or the CLM of a claim."""

    def __init__(self) -> None:
        self.by_position: dict[tuple[str | None, int | None], list[LineFinding]] = \
            defaultdict(list)

    def add(self, file: str | None, segment: int | None, finding: LineFinding) -> None:
        self.by_position[(file, segment)].append(finding)

    def for_line(self, claim: Claim, service_line: ServiceLine) -> tuple[LineFinding, ...]:
        file = claim.envelope.file
        found = self.by_position.get((file, service_line.segment), []) + \
            self.by_position.get((file, claim.segment), [])
        return tuple(dict.fromkeys(found))


def validate(claims: Iterable[Claim], context=None) -> FindingIndex:
    """Run the validator over ``claims`` (all files of one load); ``context`` is an optional
    :class:`~edi_j0256.rules.context.RuleContext` (payer policies, NDC crosswalk)."""
    from edi_j0256.rules import Checker

    checker = Checker(context)
    index = FindingIndex()

    def add(findings) -> None:
        for finding in findings:
            index.add(finding.file, finding.segment,
                      LineFinding(finding.code, finding.root_cause, finding.severity))

    for claim in claims:
        add(checker.check_claim(claim))
    add(checker.finish())
    return index
