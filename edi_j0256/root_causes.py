"""The root-cause vocabulary shared by validator findings and 835 denials.

Every finding and every denial carries exactly one of these names. The plain-language
explanation and recommended action for each live in ``data/root_causes.csv``.
"""

from __future__ import annotations

ROOT_CAUSES: tuple[str, ...] = (
    "documentation",  # medical necessity / records
    "units",
    "modifiers",
    "authorization",
    "frequency_limits",  # per-period frequency and maximum unit limits
    "formulary",  # plan coverage, non-preferred brand
    "ndc",
    "diagnosis",
    "coding",  # wrong HCPCS or revenue code, setting not separately billable, no admin code
    "duplicate",
    "timely_filing",
    "eligibility",
    "coordination_of_benefits",
    "bundling",
    "format",  # implementation-guide errors that get a file rejected
    "contractual",  # not a denial
    "patient_responsibility",  # not a denial
    "other",
)

NOT_DENIALS: frozenset[str] = frozenset({"contractual", "patient_responsibility"})


def check_root_cause(name: str) -> str:
    """Return ``name`` if it is in the vocabulary, else raise ValueError."""
    if name not in ROOT_CAUSES:
        raise ValueError(f"unknown root cause {name!r}; expected one of {', '.join(ROOT_CAUSES)}")
    return name
