"""The rule catalogue: one place where every rule is registered, with its metadata.

A rule is a plain function decorated with :func:`rule`. Its code is stable and never reused:
a two-letter family (``JU`` units, ``JM`` modifiers, ``JN`` NDC, ``JD`` diagnosis, ``JA``
authorization, ``JP`` payer coverage criteria, ``JF`` frequency and limits, ``JC`` coding,
``IG`` implementation-guide conformance) and three digits, so it never reads like a HCPCS
code. The docstring is the rule's documentation, with the headings in :data:`HEADINGS`.

Scopes: a ``claim`` rule is called once per J0256 claim as ``check(claim, context)``; a
``run`` rule is called after it as ``check(context)`` and looks at ``context.arrivals``, the
claim's J0256 lines with what the run remembers of the patient's recent doses (cross-claim
and cross-file state lives in the context); a ``file`` rule is run by the engine itself
(pyx12).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from edi_j0256.root_causes import check_root_cause

HEADINGS = ("What it does", "Why payers deny it", "Example", "Fix", "Source")
SEVERITIES = ("error", "warning", "info")
FAMILIES = {
    "JU": "units", "JM": "modifiers", "JN": "NDC", "JD": "diagnosis", "JA": "authorization",
    "JP": "payer coverage criteria", "JF": "frequency and limits", "JC": "coding",
    "IG": "implementation guide",
}
_CODE = re.compile(r"^(JU|JM|JN|JD|JA|JP|JF|JC|IG)\d{3}$")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: str
    root_cause: str
    carc: str | None  # the CARC the finding would most likely draw
    rarc: str | None
    scope: str  # "claim", "run" or "file"
    check: Callable
    # claim rules: None, or a test of the claim's ClaimFacts that is true whenever the rule
    # can find anything; the engine does not call the rule on a claim where it is false
    when: Callable | None = None

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        """The first line of the docstring."""
        return self.doc.split("\n", 1)[0].strip()

    def section(self, heading: str) -> str:
        """The text under one of :data:`HEADINGS` in the docstring ('' if absent)."""
        return sections(self.doc).get(heading, "")

    @property
    def fix(self) -> str:
        """The first paragraph of the Fix section, as one line (every finding has it: worked
        out once per docstring)."""
        return _fix(self.check.__doc__ or "")


@lru_cache(maxsize=256)  # one per rule (about 40)
def _fix(docstring: str) -> str:
    return " ".join(sections(inspect.cleandoc(docstring)).get("Fix", "")
                    .split("\n\n", 1)[0].split())


def sections(doc: str) -> dict[str, str]:
    """Split a docstring into ``{heading: text}`` on lines ``Heading:`` from :data:`HEADINGS`."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for text_line in doc.splitlines():
        heading = text_line.strip().rstrip(":")
        if heading in HEADINGS and text_line.strip().endswith(":"):
            current = found.setdefault(heading, [])
            continue
        if current is not None:
            current.append(text_line)
    return {h: inspect.cleandoc("\n".join(lines)) for h, lines in found.items()}


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, *, severity: str, root_cause: str, carc: str | None,
         rarc: str | None = None, scope: str = "claim",
         when: Callable | None = None) -> Callable[[Callable], Callable]:
    """Register the decorated function as rule ``code``.

    ``when`` (claim rules): a cheap test of the claim's
    :class:`~edi_j0256.rules.context.ClaimFacts`, true on every claim where the rule could
    find something (it may be true where the rule finds nothing); only a speed-up, the rule
    itself still checks everything."""
    if not _CODE.match(code):
        raise ValueError(f"rule code {code!r} must be a family prefix and three digits")
    if code in RULES:
        raise ValueError(f"rule code {code} is registered twice")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {code}: unknown severity {severity!r}")
    if scope not in ("claim", "run", "file"):
        raise ValueError(f"rule {code}: unknown scope {scope!r}")
    if when is not None and scope != "claim":
        raise ValueError(f"rule {code}: only claim rules take `when`")
    check_root_cause(root_cause)

    def register(check: Callable) -> Callable:
        RULES[code] = Rule(code, name, severity, root_cause, carc, rarc, scope, check, when)
        return check

    return register


def all_rules() -> Iterator[Rule]:
    """Every registered rule, by code."""
    for code in sorted(RULES):
        yield RULES[code]


def get_rule(code: str) -> Rule | None:
    return RULES.get(code.strip().upper())


def matches(code: str, prefixes: tuple[str, ...]) -> bool:
    """True when ``code`` starts with one of ``prefixes`` (codes or families, any case)."""
    code = code.upper()
    return any(code.startswith(p.upper()) for p in prefixes)
