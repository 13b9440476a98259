"""Element values: X12 numbers (R) and dates (DT, CCYYMMDD), read without raising.

Each reader decides how to report a bad value (and whether the value may be shown: a
birth date may not); these functions only say whether the text is a value.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation


def parse_decimal(text: str) -> Decimal | None:
    """A finite decimal, or None for text that is not one (``NaN``, ``Infinity`` included).

    >>> parse_decimal("2250.5"), parse_decimal("-10"), parse_decimal("NaN"), parse_decimal("1,0")
    (Decimal('2250.5'), Decimal('-10'), None, None)
    """
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_date(text: str) -> date | None:
    """A CCYYMMDD date (ASCII digits only), or None.

    >>> parse_date("20260105"), parse_date("20260230"), parse_date("2026010")
    (datetime.date(2026, 1, 5), None, None)
    """
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
