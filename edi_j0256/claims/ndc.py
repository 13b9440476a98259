"""National Drug Codes: the 11-digit 5-4-2 form that claims carry (LIN03 with LIN02 = N4).

A 10-digit NDC written with hyphens (4-4-2, 5-3-2 or 5-4-1) becomes 11 digits by a leading
zero on its short part. A 10-digit NDC written without hyphens is ambiguous (the zero could
belong to any part), so it is not normalised.
"""

from __future__ import annotations

_PADDED = {(4, 4, 2): 0, (5, 3, 2): 1, (5, 4, 1): 2}


def normalize_ndc(raw: str | None) -> str | None:
    """The 11-digit NDC, or None when ``raw`` cannot be read as one.

    >>> normalize_ndc("0944-2815-01"), normalize_ndc("13533-705-01"), normalize_ndc("00053720202")
    ('00944281501', '13533070501', '00053720202')
    >>> normalize_ndc("1353370501") is None
    True
    """
    if not raw:
        return None
    text = raw.strip()
    if "-" in text:
        parts = text.split("-")
        if len(parts) != 3 or not all(_digits(p) for p in parts):
            return None
        shape = tuple(len(p) for p in parts)
        if shape == (5, 4, 2):
            return "".join(parts)
        short = _PADDED.get(shape)
        if short is None:
            return None
        parts[short] = "0" + parts[short]
        return "".join(parts)
    if len(text) == 11 and _digits(text):
        return text
    return None


def _digits(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts '²' and other scripts' digits)."""
    return text.isascii() and text.isdigit()


def format_ndc(ndc: str) -> str:
    """11 digits -> the hyphenated 5-4-2 form: ``'13533070501'`` -> ``'13533-0705-01'``."""
    return f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}"
