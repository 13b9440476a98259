"""Run the rules over claims and files: findings plus counts.

>>> checker = Checker(select=("JU",))            # doctest: +SKIP
>>> findings = list(checker.check_files(["claims.x12"]))  # doctest: +SKIP
>>> checker.counts.by_severity                     # doctest: +SKIP

A claim is checked in two steps that can also run apart (``check`` on pieces, Spark):
:meth:`Checker.claim_findings` (the claim rules: they need only the claim) and
:meth:`Checker.run_findings` (the run rules: the claim's J0256 lines against the patient's
recent doses, in reading order); :meth:`Checker.check_claim` does both and counts.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from edi_j0256.claims.model import Claim
from edi_j0256.codes import DEFAULT_HCPCS
from edi_j0256.diagnostics import Diagnostic, Diagnostics, Severity, X12ReadError
from edi_j0256.rules.context import ClaimDoses, RuleContext
from edi_j0256.rules.finding import Finding, Hit
from edi_j0256.rules.mue import load_mue
from edi_j0256.rules.policy import load_policies
from edi_j0256.rules.refdata import load_crosswalk
from edi_j0256.rules.registry import RULES, Rule, all_rules, matches
from edi_j0256.x12.kind import PROBE_BYTES, FileKind, detect_file_kind, detect_kind

READER_FIX = "Correct the X12 at this position so the file follows the 5010 guide, and resend."


@dataclass(slots=True)
class Counts:
    files: int = 0
    claims: int = 0  # J0256 claims checked
    lines: int = 0  # J0256 lines checked
    by_severity: Counter = field(default_factory=Counter)
    by_code: Counter = field(default_factory=Counter)

    def add(self, finding: Finding) -> Finding:
        self.by_severity[finding.severity] += 1
        self.by_code[finding.code] += 1
        return finding


class Checker:
    """One run: any number of files share the context (for cross-file rules) and counts."""

    def __init__(self, context: RuleContext | None = None, *, select: Iterable[str] = (),
                 ignore: Iterable[str] = (), ig: bool = False, ack_dir: str | None = None,
                 ig_values: bool = False):
        self.context = context or RuleContext()
        self.select, self.ignore = tuple(select), tuple(ignore)
        self.ig, self.ack_dir, self.ig_values = ig, ack_dir, ig_values
        self.counts = Counts()
        self.rules = [r for r in all_rules() if self.wanted(r.code)]
        # what check_claim runs, in code order (a caller may narrow them, e.g. to [])
        self.claim_rules = [r for r in self.rules if r.scope == "claim"]
        self.run_rules = [r for r in self.rules if r.scope == "run"]
        self.unusable: list[str] = []  # one line per input that could not be checked
        # (file, CLM segment) of the claim being checked: later findings of the file are at
        # or after it (reader diagnostics and rules report where they read), pyx12's aside
        self.position: tuple[str | None, int] | None = None
        self._ack_names: set[str] = set()

    def wanted(self, code: str) -> bool:
        if self.select and not matches(code, self.select):
            return False
        return not (self.ignore and matches(code, self.ignore))

    def check_claim(self, claim: Claim) -> Iterator[Finding]:
        """Claim rules on one claim, then the run rules on its J0256 lines against the
        patient's recent doses (the lines are remembered for later claims); counted."""
        self.count_claim(claim)
        add = self.counts.add
        for found in self.claim_findings(claim):
            yield add(found)
        for found in self.run_findings(claim):
            yield add(found)

    def count_claim(self, claim: Claim) -> None:
        """Count the claim and its J0256 lines, and make it the position of the run."""
        self.counts.claims += 1
        self.counts.lines += len(self.context.facts(claim, fresh=True).lines)
        self.position = (claim.envelope.file if claim.envelope else None, claim.segment)

    def claim_findings(self, claim: Claim) -> Iterator[Finding]:
        """The findings of :attr:`claim_rules` on one claim, in code order (not counted).
        They need nothing but the claim, so any process can work them out."""
        context = self.context
        facts = context.facts(claim)
        for rule in self.claim_rules:
            when = rule.when
            if when is not None and not when(facts):
                continue  # the claim lacks what the rule looks for
            for hit in rule.check(claim, context):
                yield finding(rule, hit)

    def run_findings(self, claim: Claim | ClaimDoses) -> Iterator[Finding]:
        """Remember the claim's J0256 lines against the patients' recent doses (claims must
        come in reading order) and yield the findings of :attr:`run_rules` (not counted).
        ``claim`` may be its :class:`ClaimDoses`, worked out apart (``check`` on pieces)."""
        context = self.context
        doses = claim if isinstance(claim, ClaimDoses) else context.doses(claim)
        if not context.arrive(doses):
            return
        for rule in self.run_rules:
            for hit in rule.check(context):
                yield finding(rule, hit)

    def check_file(self, path: str | Path | BinaryIO, name: str | None = None
                   ) -> Iterator[Finding]:
        """Claim rules and reader diagnostics of one file (pyx12 too with ``ig``).

        ``path`` may be a binary stream (then ``name`` names it; ``ig`` needs a path).
        Raises :class:`~edi_j0256.diagnostics.X12ReadError` when the file is not X12.
        """
        from edi_j0256.claims import read_claims

        self.counts.files += 1
        diagnostics = Diagnostics()
        for claim in read_claims(path, name=name, diagnostics=diagnostics, hcpcs=DEFAULT_HCPCS):
            yield from self.check_claim(claim)
            yield from self._drain(diagnostics)
        yield from self._drain(diagnostics)
        yield from self.unlisted_findings(diagnostics.unlisted())
        if self.ig and isinstance(path, (str, Path)):
            from edi_j0256.rules.ig import run_pyx12

            ack = self.ack_path(path) if self.ack_dir else None
            for code, hit in run_pyx12(str(path), ack, show_values=self.ig_values):
                if self.wanted(code):
                    yield self.counts.add(finding(RULES[code], hit))

    def ack_path(self, path: str | Path) -> Path:
        """Where the 999 of ``path`` goes: its file name made safe (letters, digits, ``._-``;
        no leading dot), ``.999`` added, and ``-2``, ``-3`` ... when two inputs of the run
        share a name. Always directly inside ``ack_dir``."""
        from edi_j0256.rules.ig import ack_file_name

        first = ack_file_name(path)
        candidate, n = first, 1
        while candidate in self._ack_names:
            n += 1
            candidate = f"{first[:-len('.999')]}-{n}.999"
        self._ack_names.add(candidate)
        return Path(self.ack_dir or ".") / candidate

    def check_inputs(self, names: Iterable[str], stdin: BinaryIO | None = None,
                     on_unusable: Callable[[str], None] | None = None) -> Iterator[Finding]:
        """Check every input (``-`` is ``stdin``); an input that is not an 837 claim file or
        cannot be read is reported in one line (``self.unusable``, and ``on_unusable``) and
        the others are still checked."""
        def unusable(message: str) -> None:
            self.unusable.append(message)
            if on_unusable is not None:
                on_unusable(message)

        for name in names:
            try:
                if name == "-":
                    data = stdin.read() if stdin is not None else b""
                    kind, source, label = detect_kind(data[:PROBE_BYTES]), io.BytesIO(data), \
                        "<stdin>"
                else:
                    kind, source, label = detect_file_kind(name), name, None
                if kind is not None and not kind.is_claims:
                    unusable(wrong_kind(label or name, kind))
                    continue
                yield from self.check_file(source, name=label)
            except X12ReadError as exc:
                unusable(str(exc))
            except OSError as exc:
                unusable(f"{name}: cannot read: {exc.strerror or exc}")
        yield from self.finish()

    def finish(self) -> Iterator[Finding]:
        """The end of the run: nothing is left to report (run rules report as lines are
        read, against the patients' recent doses); kept so callers need not know."""
        return iter(())

    def check_files(self, paths: Iterable[str | Path]) -> Iterator[Finding]:
        for path in paths:
            yield from self.check_file(path)
        yield from self.finish()

    def unlisted_findings(self, unlisted: Iterable[Diagnostic]) -> Iterator[Finding]:
        """At a file's end: how many reader diagnostics of a code were past the ones kept
        (1,000 per code and file), as one finding per code."""
        for diagnostic in unlisted:
            if diagnostic.severity != Severity.INFO and self.wanted(diagnostic.code):
                yield self.counts.add(from_diagnostic(diagnostic))

    def _drain(self, diagnostics: Diagnostics) -> Iterator[Finding]:
        pending = list(diagnostics)
        diagnostics.clear()
        for diagnostic in pending:
            if diagnostic.severity != Severity.INFO and self.wanted(diagnostic.code):
                yield self.counts.add(from_diagnostic(diagnostic))


def wrong_kind(name: str, kind: FileKind) -> str:
    """``FILE: is an 835 remittance advice, not an 837 claim file``."""
    what = kind.describe()
    article = "an" if what[:1] in "8" or what[:2] == "11" else "a"
    return f"{name}: is {article} {what}, not an 837 claim file (check reads 837P / 837I)"


def finding(rule: Rule, hit: Hit) -> Finding:
    where = hit.where
    return Finding(rule.code, rule.name, hit.severity or rule.severity, rule.root_cause,
                   hit.message, rule.fix, where.file, where.segment, where.line, where.claim_id,
                   where.line_number, where.line_control, where.procedure_code, hit.policy,
                   rule.carc, rule.rarc)


def from_diagnostic(diagnostic: Diagnostic) -> Finding:
    """A reader diagnostic (X1xx tokenizer, X2xx envelope, X3xx structure) as a finding."""
    return Finding(diagnostic.code, "x12-reader", str(diagnostic.severity), "format",
                   diagnostic.message, READER_FIX, diagnostic.file, diagnostic.segment,
                   diagnostic.line, None, None, None, None, None, None, None)


def check_files(paths: Iterable[str | Path], *, policy: str | Path | None = None,
                ndc_crosswalk: str | Path | None = None, mue: Iterable[str | Path] = (),
                select: Iterable[str] = (), ignore: Iterable[str] = (), ig: bool = False,
                ack_dir: str | None = None) -> Iterator[Finding]:
    """Check 837 files with the bundled (or given) policies, crosswalk and CMS MUE tables;
    yield findings."""
    context = RuleContext(load_policies(policy), load_crosswalk(ndc_crosswalk),
                          load_mue(list(mue)))
    checker = Checker(context, select=select, ignore=ignore, ig=ig, ack_dir=ack_dir)
    return checker.check_files(paths)
