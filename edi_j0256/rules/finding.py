"""Findings: what a rule found, where, and the denial it would likely draw.

A rule yields :class:`Hit` (a message and a position); the engine adds the rule's metadata
and makes a :class:`Finding`. Messages name claims by CLM01 and lines by LX01, never by
member ID, name or date of birth.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from edi_j0256.claims.model import Claim, ServiceLine

FIELDS = ("code", "name", "severity", "root_cause", "message", "fix", "file", "segment",
          "line", "claim_id", "line_number", "line_control", "procedure_code", "policy",
          "predicted_carc", "predicted_rarc")


@dataclass(frozen=True, slots=True)
class Where:
    """A position in a claim file: file, segment index, line, claim and service line."""

    file: str | None = None
    segment: int | None = None
    line: int | None = None
    claim_id: str | None = None
    line_number: int | None = None
    line_control: str | None = None
    procedure_code: str | None = None

    @classmethod
    def of(cls, claim: Claim, service_line: ServiceLine | None = None) -> Where:
        """The service line's position (SV1/SV2), or the claim's (CLM) when there is none."""
        if service_line is None:
            return cls(claim.envelope.file if claim.envelope else None, claim.segment or None,
                       claim.line or None, claim.claim_id)
        return cls(*cls.fields(claim, service_line))

    @staticmethod
    def fields(claim: Claim, service_line: ServiceLine) -> tuple:
        """The fields of the service line's :class:`Where`, in order (a plain tuple: what
        the run keeps of a line until a rule reports it)."""
        return (claim.envelope.file if claim.envelope else None, service_line.segment or None,
                service_line.line or None, claim.claim_id, service_line.line_number,
                service_line.line_control, service_line.procedure_code)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule function yields: one sentence and where it applies."""

    message: str
    where: Where
    severity: str | None = None  # overrides the rule's default (e.g. policy-dependent)
    policy: str | None = None  # the payer policy profile that made it apply


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: str
    root_cause: str
    message: str
    fix: str
    file: str | None
    segment: int | None
    line: int | None
    claim_id: str | None
    line_number: int | None
    line_control: str | None
    procedure_code: str | None
    policy: str | None
    predicted_carc: str | None
    predicted_rarc: str | None

    def record(self) -> dict:
        """The finding as a plain dict in :data:`FIELDS` order (what the writers take)."""
        return {"code": self.code, "name": self.name, "severity": self.severity,
                "root_cause": self.root_cause, "message": self.message, "fix": self.fix,
                "file": self.file, "segment": self.segment, "line": self.line,
                "claim_id": self.claim_id, "line_number": self.line_number,
                "line_control": self.line_control, "procedure_code": self.procedure_code,
                "policy": self.policy, "predicted_carc": self.predicted_carc,
                "predicted_rarc": self.predicted_rarc}

    def __str__(self) -> str:
        where = self.file or "-"
        if self.line:
            where = f"{where}:{self.line}"
        text = f"{where}: {self.code} {self.message}"
        if self.claim_id is not None:
            text += f" [claim {self.claim_id}"
            text += f" line {self.line_number}]" if self.line_number is not None else "]"
        return text


SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
assert FIELDS == tuple(f.name for f in fields(Finding)), "FIELDS names Finding's fields"
